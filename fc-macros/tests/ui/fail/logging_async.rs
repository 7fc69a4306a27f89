async fn setup_tracing() {}

#[fc::handler(logging = setup_tracing)]
async fn handle(_req: fc::http::Request) -> &'static str {
    "hello"
}
