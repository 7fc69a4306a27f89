//! The smallest HTTP function: `GET /hello?name=…` answers a greeting.
//!
//! Run with `cargo run -p hello`, then `curl '127.0.0.1:3000/hello?name=fc'`.

use fc::http::{IntoResponse, Method, Request, RequestExt, Response, StatusCode, header};

#[fc::handler]
async fn hello(req: Request) -> Response {
    if req.uri().path() != "/hello" {
        return (StatusCode::NOT_FOUND, "not found; try /hello?name=fc\n").into_response();
    }
    if req.method() != Method::GET {
        let mut response = (StatusCode::METHOD_NOT_ALLOWED, "use GET\n").into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("GET"));
        return response;
    }
    let name = req.query_param("name");
    let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    format!("hello, {}!\n", name.unwrap_or("world")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc::testing;

    #[tokio::test]
    async fn greets_by_name() {
        let response = testing::invoke(hello, testing::get("/hello?name=J%C3%BCrgen")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body().as_str(), Some("hello, Jürgen!\n"));
    }

    #[tokio::test]
    async fn greets_the_world_without_a_name() {
        let response = testing::invoke(hello, testing::get("/hello?name=%20")).await;
        assert_eq!(response.body().as_str(), Some("hello, world!\n"));
    }

    #[tokio::test]
    async fn other_paths_and_methods_are_refused() {
        let response = testing::invoke(hello, testing::get("/nope")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = testing::invoke(hello, testing::post("/hello", "x")).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[header::ALLOW], "GET");
    }
}
