fn setup_tracing() {
    // A program installs its subscriber here.
}

#[allow(dead_code)]
mod with_init {
    pub async fn setup() -> Result<u32, fc::Error> {
        Ok(7)
    }

    #[fc::handler(init = setup, logging = super::setup_tracing)]
    async fn handle(_req: fc::http::Request, n: &u32) -> String {
        n.to_string()
    }
}

fn main() {}
