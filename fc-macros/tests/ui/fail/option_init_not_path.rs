#[fc::handler(init = 42)]
async fn c(_req: fc::http::Request, _state: &()) {}
