#[fc::handler]
async fn hello(_req: fc::http::Request, _name: String) -> &'static str {
    "hello"
}
