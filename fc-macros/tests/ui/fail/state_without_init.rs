struct Db;

#[fc::handler]
async fn hello(_req: fc::http::Request, _db: &Db) -> &'static str {
    "hello"
}
