struct Db;
struct Cache;

async fn setup() -> Result<Db, fc::Error> {
    Ok(Db)
}

async fn close(_cache: &Cache) {}

#[fc::handler(init = setup, shutdown = close)]
async fn hello(_req: fc::http::Request, _db: &Db) -> &'static str {
    "hello"
}
