struct App;

impl App {
    #[fc::handler]
    async fn hello(&self, _req: fc::http::Request) -> &'static str {
        "hello"
    }
}

#[fc::handler]
async fn generic<E: Send>(_event: E) {}
