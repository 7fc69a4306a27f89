//! How fc-aliyun's Tablestore invocation grows with the batch: 1 to 1000 records of the
//! documented sample's, in CBOR as the tunnel sends them, with the least-squares line through
//! the points (see fc-aws's scaling bench for the HTTP and JSON curves).
//!
//! ```text
//! cargo bench -p fc-aliyun --bench scaling      # ROUNDS=7 BATCH_MS=300
//! ```
//!
//! Prints `curve,…` lines and markdown rows on stderr.

#[path = "../../tests/src/alternate.rs"]
mod alternate;
#[path = "../tests/support/mod.rs"]
mod support;

use alternate::{Plan, Point, curve, side};
use fc_aliyun::Invoker;
use fc_core::http::{HeaderMap, header};
use fc_core::{Function, TableEvent};

async fn count_rows(event: TableEvent) -> usize {
    event.records.len()
}

fn main() {
    let plan = Plan::from_env();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("x-fc-request-id", "1-6565f3d2-1a2b3c4d5e6f7a8b9c0d1e2f"),
        ("x-fc-function-name", "bench"),
        ("x-fc-function-memory", "512"),
        ("x-fc-function-timeout", "60"),
    ] {
        headers.insert(name, header::HeaderValue::from_static(value));
    }
    let rows = Invoker::new(
        runtime
            .block_on(Function::new(count_rows).init())
            .expect("the function starts"),
    );
    let records = [1, 10, 100, 1000];
    let batches: Vec<Vec<u8>> = records
        .iter()
        .map(|&n| support::tablestore_records(n))
        .collect();
    let points = records
        .iter()
        .zip(&batches)
        .map(|(n, body)| Point {
            x: *n as f64,
            side: side(&runtime, || async {
                rows.invoke(&headers, body).await.expect("succeeds")
            }),
        })
        .collect();
    curve("Tablestore records (CBOR)", "records", points, plan);
}
