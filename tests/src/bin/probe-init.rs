//! A function whose one-time initialisation fails when `PROBE_INIT_FAIL` is set, and whose
//! shutdown hook announces itself.

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

/// Says so when the instance stops, so tests can see the hook ran.
async fn close(pool: &Pool) {
    println!("pool {} closed", pool.name);
}

#[fc::handler(init = setup, shutdown = close)]
async fn probe(_req: Request, pool: &Pool) -> String {
    format!("pool {}", pool.name)
}
