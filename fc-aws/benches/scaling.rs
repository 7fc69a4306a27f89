//! How fc-aws's invocation grows with the event: HTTP API (v2) requests with bodies of 1 KB to
//! 6 MB (Lambda's limit), and S3, DynamoDB and SQS batches of 1 to 1000 records. Each curve
//! gets the least-squares line through its points: the cost per byte or record, the fixed
//! cost, and R² (1 is a straight line).
//!
//! ```text
//! cargo bench -p fc-aws --bench scaling      # ROUNDS=7 BATCH_MS=300
//! ```
//!
//! Prints `curve,…` lines and markdown rows on stderr.

#[path = "../../tests/src/alternate.rs"]
mod alternate;
mod common;

use alternate::{Plan, Point, curve, json_floor, side};
use common::*;
use fc_core::Function;
use fc_core::http::Request;

/// The body's length: the whole body is read, as a handler that uses it does.
async fn length(req: Request) -> String {
    req.body().len().to_string()
}

/// The HTTP API sample as `POST /hello` with a JSON body of `size` bytes.
fn v2_with_body(size: usize) -> Vec<u8> {
    let mut event: serde_json::Value =
        serde_json::from_slice(&read("example-apigw-v2-request-no-authorizer.json"))
            .expect("the sample is JSON");
    let filler = "a".repeat(size.saturating_sub(11));
    event["body"] = format!(r#"{{"data":"{filler}"}}"#).into();
    event["isBase64Encoded"] = false.into();
    event["requestContext"]["http"]["method"] = "POST".into();
    event["headers"]["content-type"] = "application/json".into();
    serde_json::to_vec(&event).expect("the event encodes")
}

/// The curve of `fc` over `batches`, one per count of records.
fn records_curve<E: fc_aws::FromLambda>(
    runtime: &tokio::runtime::Runtime,
    ctx: &lambda_runtime::Context,
    plan: Plan,
    series: &str,
    fc: &fc_aws::Invoker<E>,
    batches: &[(usize, Vec<u8>)],
) {
    let points = batches
        .iter()
        .map(|(n, event)| Point {
            x: *n as f64,
            side: side(runtime, || fc_invoke(fc, event, ctx)),
        })
        .collect();
    curve(series, "records", points, plan);
}

fn main() {
    let plan = Plan::from_env();
    let runtime = runtime();
    let ctx = context();

    let http = invoker(&runtime, Function::new(length));
    let events: Vec<(usize, Vec<u8>)> = [1 << 10, 64 << 10, 1 << 20, 6_000_000]
        .into_iter()
        .map(|size| (size, v2_with_body(size)))
        .collect();
    let points = events
        .iter()
        .map(|(size, event)| Point {
            x: *size as f64,
            side: side(&runtime, || fc_invoke(&http, event, &ctx)),
        })
        .collect();
    curve("HTTP API (v2) request body", "bytes", points, plan);
    // The floor at each size: the same bytes read into `IgnoredAny`, the same answer written.
    let points = events
        .iter()
        .map(|(size, event)| {
            let answer = runtime.block_on(fc_invoke(&http, event, &ctx));
            let answer = serde_json::from_slice(&answer).expect("the answer is JSON");
            Point {
                x: *size as f64,
                side: json_floor(event, answer),
            }
        })
        .collect();
    curve("floor of the same requests", "bytes", points, plan);

    // Batches of 1, 10, 100 and 1000 records of a sample's first record.
    let batches = |sample: &str, vary: &dyn Fn(&mut serde_json::Value, usize)| {
        [1, 10, 100, 1000]
            .map(|n| (n, batch_of(sample, n, |record, i| vary(record, i))))
            .to_vec()
    };
    let objects = invoker(&runtime, Function::new(count_objects));
    let s3 = batches("example-s3-event.json", &|record, i| {
        record["s3"]["object"]["key"] = format!("photos/{i}.jpg").into();
    });
    records_curve(&runtime, &ctx, plan, "S3 records", &objects, &s3);
    let rows = invoker(&runtime, Function::new(count_rows));
    let dynamodb = batches("example-dynamodb-event.json", &|_, _| {});
    records_curve(&runtime, &ctx, plan, "DynamoDB records", &rows, &dynamodb);
    let messages = invoker(&runtime, Function::new(consume));
    let sqs = batches("example-sqs-event.json", &|record, i| {
        record["messageId"] = format!("059f36b4-87a3-44ab-83d2-{i:012}").into();
    });
    records_curve(&runtime, &ctx, plan, "SQS messages", &messages, &sqs);
}
