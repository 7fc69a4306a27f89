//! One Lambda invocation in process: payload bytes → decode → trivial handler → response bytes,
//! for fc-aws and for what a function written directly on the AWS crates runs.
//!
//! Both sides pay what lambda_runtime does per invocation: it deserializes the payload type
//! from the body through `serde_path_to_error` (fc's payload type is a raw JSON value) and
//! serializes the response. The samples are the ones shipped in `aws_lambda_events`.

mod common;

use aws_lambda_events::dynamodb::Event as DynamoDbEvent;
use aws_lambda_events::s3::S3Event;
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use common::*;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fc_core::Function;
use lambda_http::Adapter;
use lambda_runtime::LambdaEvent;

fn http(c: &mut Criterion) {
    let runtime = runtime();
    let fc = invoker(&runtime, Function::new(fc_hello));
    let ctx = context();
    for (name, sample) in [
        ("apigw-v1", "example-apigw-request.json"),
        ("apigw-v2", "example-apigw-v2-request-iam.json"),
        (
            "apigw-v2-no-authorizer",
            "example-apigw-v2-request-no-authorizer.json",
        ),
    ] {
        let body = read(sample);
        let mut group = c.benchmark_group(format!("http/{name}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(BenchmarkId::from_parameter("fc-aws"), |b| {
            b.to_async(&runtime).iter(|| fc_invoke(&fc, &body, &ctx));
        });
        group.bench_function(BenchmarkId::from_parameter("lambda_http"), |b| {
            let mut adapter = Adapter::from(lambda_http::service_fn(lambda_http_hello));
            b.to_async(&runtime)
                .iter(|| lambda_http_invoke(&mut adapter, &body, &ctx));
        });
        group.finish();
    }
}

/// The same axum Router through fc and through lambda_http, on the same event.
fn axum(c: &mut Criterion) {
    let runtime = runtime();
    let fc = invoker(&runtime, Function::from_service(axum_hello::router()));
    let ctx = context();
    let body = hello_v2_event();
    let answered = |response: &[u8]| {
        let response: serde_json::Value = serde_json::from_slice(response).expect("JSON");
        assert_eq!(
            (response["statusCode"].as_u64(), response["body"].as_str()),
            (Some(200), Some("hello, bench!\n")),
            "{response}"
        );
    };
    answered(&runtime.block_on(fc_invoke(&fc, &body, &ctx)));
    let mut adapter = Adapter::from(axum_hello::router());
    answered(&runtime.block_on(lambda_http_invoke(&mut adapter, &body, &ctx)));
    let mut group = c.benchmark_group("axum/apigw-v2");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(BenchmarkId::from_parameter("fc-aws"), |b| {
        b.to_async(&runtime).iter(|| fc_invoke(&fc, &body, &ctx));
    });
    group.bench_function(BenchmarkId::from_parameter("lambda_http"), |b| {
        b.to_async(&runtime)
            .iter(|| lambda_http_invoke(&mut adapter, &body, &ctx));
    });
    group.finish();
}

fn records(c: &mut Criterion) {
    let runtime = runtime();
    let ctx = context();

    let objects = invoker(&runtime, Function::new(count_objects));
    let body = read("example-s3-event.json");
    let mut group = c.benchmark_group("s3");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(BenchmarkId::from_parameter("fc-aws"), |b| {
        b.to_async(&runtime)
            .iter(|| fc_invoke(&objects, &body, &ctx));
    });
    group.bench_function(BenchmarkId::from_parameter("aws_lambda_events"), |b| {
        b.to_async(&runtime).iter(|| async {
            let event = LambdaEvent::new(payload::<S3Event>(&body), ctx.clone());
            serde_json::to_vec(&event.payload.records.len()).expect("the response encodes")
        });
    });
    group.finish();

    let rows = invoker(&runtime, Function::new(count_rows));
    let body = read("example-dynamodb-event.json");
    let mut group = c.benchmark_group("dynamodb");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(BenchmarkId::from_parameter("fc-aws"), |b| {
        b.to_async(&runtime).iter(|| fc_invoke(&rows, &body, &ctx));
    });
    group.bench_function(BenchmarkId::from_parameter("aws_lambda_events"), |b| {
        b.to_async(&runtime).iter(|| async {
            let event = LambdaEvent::new(payload::<DynamoDbEvent>(&body), ctx.clone());
            serde_json::to_vec(&event.payload.records.len()).expect("the response encodes")
        });
    });
    group.finish();

    let messages = invoker(&runtime, Function::new(consume));
    let body = sqs_batch();
    let mut group = c.benchmark_group("sqs-10");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(BenchmarkId::from_parameter("fc-aws"), |b| {
        b.to_async(&runtime)
            .iter(|| fc_invoke(&messages, &body, &ctx));
    });
    group.bench_function(BenchmarkId::from_parameter("aws_lambda_events"), |b| {
        b.to_async(&runtime).iter(|| async {
            let event = LambdaEvent::new(payload::<SqsEvent>(&body), ctx.clone());
            let mut response = SqsBatchResponse::default();
            for message in &event.payload.records {
                if message.body.as_deref().is_none_or(str::is_empty) {
                    response.add_failure(message.message_id.clone().unwrap_or_default());
                }
            }
            serde_json::to_vec(&response).expect("the response encodes")
        });
    });
    group.finish();
}

criterion_group!(benches, http, axum, records);
criterion_main!(benches);
