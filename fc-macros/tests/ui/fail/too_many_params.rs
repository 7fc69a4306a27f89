#[fc::handler]
async fn hello(_req: fc::http::Request, _ctx: fc::Context, _extra: u32) -> &'static str {
    "hello"
}
