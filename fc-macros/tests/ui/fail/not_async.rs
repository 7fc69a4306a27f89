#[fc::handler]
fn hello(_req: fc::http::Request) -> &'static str {
    "hello"
}
