async fn setup() -> Result<(), fc::Error> {
    Ok(())
}

#[fc::handler(init = setup, timeout = 3)]
async fn a(_req: fc::http::Request, _state: &()) {}
