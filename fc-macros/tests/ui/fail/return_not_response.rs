#[fc::handler]
async fn hello(_req: fc::http::Request) -> u32 {
    42
}
