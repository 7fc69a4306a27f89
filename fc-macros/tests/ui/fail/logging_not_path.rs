#[fc::handler(logging = 3)]
async fn handle(_req: fc::http::Request) -> &'static str {
    "hello"
}
