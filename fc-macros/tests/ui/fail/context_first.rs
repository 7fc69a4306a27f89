#[fc::handler]
async fn hello(_ctx: fc::Context, _req: fc::http::Request) -> &'static str {
    "hello"
}
