struct Db;

async fn setup() -> Result<Db, fc::Error> {
    Ok(Db)
}

#[fc::handler(init = setup)]
async fn hello(_req: fc::http::Request, _db: &mut Db) -> &'static str {
    "hello"
}
