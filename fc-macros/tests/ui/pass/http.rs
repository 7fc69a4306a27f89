// Each handler sits in a module so the generated `main` is not run by the test.
#[allow(dead_code)]
mod app {
    use fc::http::{Request, Response, StatusCode};

    #[fc::handler]
    async fn hello(req: Request) -> Response {
        let mut response = Response::new(req.uri().path().to_owned().into());
        *response.status_mut() = StatusCode::OK;
        response
    }
}

fn main() {}
