async fn setup() -> Result<(), fc::Error> {
    Ok(())
}

#[fc::handler(init = setup, init = setup)]
async fn d(_req: fc::http::Request, _state: &()) {}
