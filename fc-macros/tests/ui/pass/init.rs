#[allow(dead_code)]
mod state_only {
    pub struct Db {
        pub name: String,
    }

    pub async fn setup() -> Result<Db, std::io::Error> {
        Ok(Db { name: "surveys".into() })
    }

    #[fc::handler(init = setup)]
    async fn handle(_req: fc::http::Request, db: &Db) -> String {
        db.name.clone()
    }
}

#[allow(dead_code)]
mod with_context {
    use super::state_only::{Db, setup};

    #[fc::handler(init = setup)]
    async fn handle(event: fc::ObjectEvent, ctx: fc::Context, db: &Db) -> Result<String, fc::Error> {
        Ok(format!("{} {} {}", db.name, ctx.request_id, event.records.len()))
    }
}

#[allow(dead_code)]
mod with_shutdown {
    use super::state_only::{Db, setup};

    async fn close(db: &Db) {
        let _ = &db.name;
    }

    #[fc::handler(init = setup, shutdown = close)]
    async fn handle(_req: fc::http::Request, db: &Db) -> String {
        db.name.clone()
    }
}

fn main() {}
