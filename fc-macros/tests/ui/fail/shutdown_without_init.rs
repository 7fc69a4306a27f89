async fn close(_state: &()) {}

#[fc::handler(shutdown = close)]
async fn hello(_req: fc::http::Request) -> &'static str {
    "hello"
}
