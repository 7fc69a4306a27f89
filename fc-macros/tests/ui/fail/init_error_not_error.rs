struct Db;

async fn setup() -> Result<Db, ()> {
    Ok(Db)
}

#[fc::handler(init = setup)]
async fn hello(_req: fc::http::Request, _db: &Db) -> &'static str {
    "hello"
}
