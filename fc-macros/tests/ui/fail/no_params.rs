#[fc::handler]
async fn hello() -> &'static str {
    "hello"
}
