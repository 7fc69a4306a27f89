//! fc-aws's invocation in process against lambda_http or a function on aws_lambda_events, and
//! against the floor (serde_json reading the same bytes into `IgnoredAny` and writing the same
//! answer), each pair interleaved (tests/src/alternate.rs).
//!
//! ```text
//! cargo bench -p fc-aws --bench ratios      # ROUNDS=7 BATCH_MS=300
//! ```
//!
//! Prints markdown table rows on stderr (`FC_BENCH_HEADER=1`: with the table's header).

#[path = "../../tests/src/alternate.rs"]
mod alternate;
mod common;

use alternate::{Against, Case, Plan, json_floor, measure, side};
use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayV2httpRequest};
use aws_lambda_events::dynamodb::Event as DynamoDbEvent;
use aws_lambda_events::s3::S3Event;
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use common::*;
use fc_core::Function;
use lambda_http::Adapter;
use lambda_runtime::LambdaEvent;

/// What fc answered, as JSON: the answer the floor writes.
fn answer_of(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("the answer is JSON")
}

fn against<'a>(
    name: &str,
    side: alternate::Side<'a>,
    limit: impl Into<Option<f64>>,
) -> Against<'a> {
    Against {
        name: name.to_owned(),
        side,
        limit: limit.into(),
    }
}

/// aws_lambda_events reading the bytes into its type `T` and the same answer written: what one
/// typed parse into owned fields costs over the floor, before any request is built.
fn typed_parse<'a, T: serde::de::DeserializeOwned>(
    body: &'a [u8],
    answer: serde_json::Value,
) -> alternate::Side<'a> {
    alternate::step(move || {
        let event: T =
            serde_json::from_slice(std::hint::black_box(body)).expect("the sample decodes");
        std::hint::black_box(&event);
        serde_json::to_vec(&answer).expect("the answer encodes")
    })
}

/// Measures fc-aws's invoker on `body` against `baseline` (its name, side and limit), the
/// floor of the same bytes and answer, and, for an HTTP event read into aws_lambda_events'
/// `T`, that one typed parse; returns fc's answer.
#[allow(clippy::too_many_arguments)] // one case, said once
fn compare<E: fc_aws::FromLambda>(
    runtime: &tokio::runtime::Runtime,
    ctx: &lambda_runtime::Context,
    plan: Plan,
    what: &str,
    fc: &fc_aws::Invoker<E>,
    body: &[u8],
    baseline: (&str, alternate::Side<'_>, f64),
    floor_limit: f64,
    parse: Option<fn(&[u8], serde_json::Value) -> alternate::Side<'_>>,
) -> serde_json::Value {
    let answer = answer_of(&runtime.block_on(fc_invoke(fc, body, ctx)));
    let (name, side_of_baseline, limit) = baseline;
    let mut sides = vec![
        against(name, side_of_baseline, limit),
        against("floor", json_floor(body, answer.clone()), floor_limit),
    ];
    if let Some(parse) = parse {
        let name = "aws_lambda_events' typed parse of the same bytes, the same answer written (no request built)";
        sides.push(against(name, parse(body, answer.clone()), None));
    }
    measure(
        Case {
            what: what.to_owned(),
            fc: side(runtime, || fc_invoke(fc, body, ctx)),
            against: sides,
        },
        plan,
    );
    answer
}

fn main() {
    let plan = Plan::from_env();
    let runtime = runtime();
    let ctx = context();
    if std::env::var_os("FC_BENCH_HEADER").is_some() {
        eprintln!("{}", plan.header());
    }

    let hello = invoker(&runtime, Function::new(fc_hello));
    type Parse = fn(&[u8], serde_json::Value) -> alternate::Side<'_>;
    let v1: Parse = typed_parse::<ApiGatewayProxyRequest>;
    let v2: Parse = typed_parse::<ApiGatewayV2httpRequest>;
    for (what, sample, parse) in [
        (
            "API Gateway REST (v1) sample",
            "example-apigw-request.json",
            v1,
        ),
        (
            "API Gateway HTTP API (v2) sample, IAM authorizer",
            "example-apigw-v2-request-iam.json",
            v2,
        ),
        (
            "API Gateway HTTP API (v2) sample, no authorizer",
            "example-apigw-v2-request-no-authorizer.json",
            v2,
        ),
    ] {
        let body = read(sample);
        let mut adapter = Adapter::from(lambda_http::service_fn(lambda_http_hello));
        let lambda_http = side(&runtime, {
            let (body, ctx) = (&body, &ctx);
            move || lambda_http_invoke(&mut adapter, body, ctx)
        });
        let baseline = ("lambda_http", lambda_http, 1.05);
        compare(
            &runtime,
            &ctx,
            plan,
            what,
            &hello,
            &body,
            baseline,
            2.0,
            Some(parse),
        );
    }

    let router = invoker(&runtime, Function::from_service(axum_hello::router()));
    let body = hello_v2_event();
    let mut adapter = Adapter::from(axum_hello::router());
    let lambda_http = side(&runtime, {
        let (body, ctx) = (&body, &ctx);
        move || lambda_http_invoke(&mut adapter, body, ctx)
    });
    let what = "the axum Router, HTTP API (v2) event";
    let baseline = ("lambda_http over the same Router", lambda_http, 1.00);
    let answer = compare(
        &runtime,
        &ctx,
        plan,
        what,
        &router,
        &body,
        baseline,
        2.0,
        Some(v2),
    );
    assert_eq!(answer["body"], "hello, bench!\n", "{answer}");

    let objects = invoker(&runtime, Function::new(count_objects));
    let body = read("example-s3-event.json");
    let baseline = side(&runtime, || async {
        let event = LambdaEvent::new(payload::<S3Event>(&body), ctx.clone());
        serde_json::to_vec(&event.payload.records.len()).expect("encodes")
    });
    let baseline = ("aws_lambda_events", baseline, 1.05);
    compare(
        &runtime,
        &ctx,
        plan,
        "S3 sample",
        &objects,
        &body,
        baseline,
        1.5,
        None,
    );

    let rows = invoker(&runtime, Function::new(count_rows));
    let body = read("example-dynamodb-event.json");
    let baseline = side(&runtime, || async {
        let event = LambdaEvent::new(payload::<DynamoDbEvent>(&body), ctx.clone());
        serde_json::to_vec(&event.payload.records.len()).expect("encodes")
    });
    let baseline = ("aws_lambda_events", baseline, 1.05);
    compare(
        &runtime,
        &ctx,
        plan,
        "DynamoDB Streams sample",
        &rows,
        &body,
        baseline,
        1.5,
        None,
    );

    let messages = invoker(&runtime, Function::new(consume));
    let body = sqs_batch();
    let baseline = side(&runtime, || async {
        let event = LambdaEvent::new(payload::<SqsEvent>(&body), ctx.clone());
        let mut response = SqsBatchResponse::default();
        for message in &event.payload.records {
            if message.body.as_deref().is_none_or(str::is_empty) {
                response.add_failure(message.message_id.clone().unwrap_or_default());
            }
        }
        serde_json::to_vec(&response).expect("encodes")
    });
    let baseline = ("aws_lambda_events", baseline, 1.05);
    compare(
        &runtime,
        &ctx,
        plan,
        "SQS batch of 10, partial batch response",
        &messages,
        &body,
        baseline,
        1.5,
        None,
    );
}
