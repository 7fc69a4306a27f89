#[fc::handler(crate = fc)]
async fn b(_req: fc::http::Request) {}
