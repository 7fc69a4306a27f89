//! A function that waits for company: each invocation counts itself in and answers how many
//! invocations this process had in flight at once (waiting, up to 10 s, for `expect` of them),
//! with the process id, and the tenant and trace id its context names.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fc::{Context, JsonEvent};
use serde_json::{Value, json};

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

#[fc::handler]
async fn probe(JsonEvent(event): JsonEvent<Value>, ctx: Context) -> Value {
    let expect = event["expect"].as_u64().unwrap_or(1) as usize;
    let now = IN_FLIGHT.fetch_add(1, Ordering::SeqCst) + 1;
    PEAK.fetch_max(now, Ordering::SeqCst);
    let give_up = Instant::now() + Duration::from_secs(10);
    while PEAK.load(Ordering::SeqCst) < expect && Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    json!({
        "overlap": PEAK.load(Ordering::SeqCst),
        "pid": std::process::id(),
        "tenant": ctx.tenant_id,
        "trace": ctx.trace_id,
    })
}
