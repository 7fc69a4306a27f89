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
mod common;

use alternate::{Plan, Point, curve, side};
use common::*;
use fc_core::Function;

fn main() {
    let plan = Plan::from_env();
    let runtime = runtime();
    let headers = fc_headers();
    let rows = invoker(&runtime, Function::new(count_rows));
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
