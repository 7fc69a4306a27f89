//! A function whose one-time initialisation fails when `PROBE_INIT_FAIL` is set.

use fc::Error;
use fc::http::Request;

struct Pool {
    name: String,
}

async fn setup() -> Result<Pool, Error> {
    if let Ok(reason) = std::env::var("PROBE_INIT_FAIL") {
        return Err(Error::msg(format!("cannot open the pool: {reason}")));
    }
    Ok(Pool {
        name: "surveys".into(),
    })
}

#[fc::handler(init = setup)]
async fn probe(_req: Request, pool: &Pool) -> String {
    format!("pool {}", pool.name)
}
