#[allow(dead_code)]
mod app {
    use fc::http::{Request, StatusCode};
    use fc::{Context, Error};

    #[fc::handler]
    async fn submit(req: Request, ctx: Context) -> Result<(StatusCode, String), Error> {
        let n: u32 = req.uri().path().trim_start_matches('/').parse()?;
        Ok((StatusCode::CREATED, format!("{n} {}", ctx.request_id)))
    }
}

fn main() {}
