//! One Lambda invocation in process: payload bytes → decode → trivial handler → response bytes,
//! for fc-aws and for what a function written directly on the AWS crates runs.
//!
//! Both sides pay what lambda_runtime does per invocation: it deserializes the payload type
//! from the body through `serde_path_to_error` (fc's payload type is a raw JSON value) and
//! serializes the response. The samples are the ones shipped in `aws_lambda_events`.

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "../../tests/src/axum_hello.rs"]
mod axum_hello;

use std::convert::Infallible;
use std::path::PathBuf;

use aws_lambda_events::dynamodb::Event as DynamoDbEvent;
use aws_lambda_events::s3::S3Event;
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fc_aws::{FromLambda, Invoker};
use fc_core::http::{Body, Request, Response, header};
use fc_core::{BatchFailures, Function, MessageEvent, ObjectEvent, TableEvent};
use lambda_http::{Adapter, Service};
use lambda_runtime::{Context, LambdaEvent};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use tokio::runtime::Runtime;

fn samples() -> PathBuf {
    support::crate_dir("aws_lambda_events").join("src/fixtures")
}

fn read(name: &str) -> Vec<u8> {
    let path = samples().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What lambda_runtime does with the body before the handler sees it.
fn payload<T: DeserializeOwned>(body: &[u8]) -> T {
    let mut json = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut json).expect("the sample decodes")
}

fn context() -> Context {
    let mut ctx = Context::default();
    ctx.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd".into();
    ctx.deadline = 4_102_444_800_000;
    ctx.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench".into();
    ctx
}

const GREETING: &str = "hello, world!\n";
const TEXT: &str = "text/plain; charset=utf-8";

async fn fc_hello(_req: Request) -> Response {
    let mut response = Response::new(Body::text(GREETING));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(TEXT));
    response
}

async fn lambda_http_hello(
    _req: lambda_http::Request,
) -> Result<lambda_http::Response<lambda_http::Body>, Infallible> {
    let mut response = lambda_http::Response::new(lambda_http::Body::Text(GREETING.into()));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(TEXT));
    Ok(response)
}

async fn count_objects(event: ObjectEvent) -> usize {
    event.records.len()
}

async fn count_rows(event: TableEvent) -> usize {
    event.records.len()
}

/// A queue consumer's usual answer: every message read, none failed.
async fn consume(event: MessageEvent) -> BatchFailures {
    let mut failures = BatchFailures::new();
    for message in &event.messages {
        if message.bytes().is_empty() {
            failures.push(message);
        }
    }
    failures
}

/// The SQS sample's message ten times, each with its own id: a batch as Lambda sends it.
fn sqs_batch() -> Vec<u8> {
    let mut event: serde_json::Value =
        serde_json::from_slice(&read("example-sqs-event.json")).expect("the sample is JSON");
    let record = event["Records"][0].clone();
    event["Records"] = (0..10)
        .map(|i| {
            let mut record = record.clone();
            record["messageId"] = format!("059f36b4-87a3-44ab-83d2-66197573088{i}").into();
            record
        })
        .collect();
    serde_json::to_vec(&event).expect("the batch encodes")
}

/// The handler runs where the platform's loop runs it: on the thread that got the event, as a
/// runtime worker does (a current-thread runtime has no other thread to hand tasks to).
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn invoker<E: FromLambda>(runtime: &Runtime, function: Function<E>) -> Invoker<E> {
    let instance = runtime
        .block_on(function.init())
        .expect("the function starts");
    Invoker::new(instance)
}

/// fc-aws's whole invocation: the raw payload lambda_runtime hands it, decoding, the handler,
/// encoding, and the response bytes lambda_runtime posts.
async fn fc_invoke<E: FromLambda>(invoker: &Invoker<E>, body: &[u8], ctx: &Context) -> Vec<u8> {
    let event = LambdaEvent::new(payload::<Box<RawValue>>(body), ctx.clone());
    let response = invoker
        .invoke(event)
        .await
        .expect("the invocation succeeds");
    serde_json::to_vec(&response).expect("the response encodes")
}

/// lambda_http's whole invocation on the same bytes: its `Adapter` behind the same
/// lambda_runtime step, and the response serialized.
fn lambda_http_invoke<A>(
    adapter: &mut A,
    body: &[u8],
    ctx: &Context,
) -> impl Future<Output = Vec<u8>> + use<A>
where
    A: Service<LambdaEvent<lambda_http::request::LambdaRequest>>,
    A::Response: serde::Serialize,
    A::Error: std::fmt::Debug,
{
    let response = adapter.call(LambdaEvent::new(payload(body), ctx.clone()));
    async move {
        let response = response.await.expect("the invocation succeeds");
        serde_json::to_vec(&response).expect("the response encodes")
    }
}

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

/// The HTTP API sample turned into `GET /hello?name=bench`, the route the shared Router serves.
fn hello_v2_event() -> Vec<u8> {
    let mut event: serde_json::Value =
        serde_json::from_slice(&read("example-apigw-v2-request-no-authorizer.json"))
            .expect("the sample is JSON");
    event["rawPath"] = "/hello".into();
    event["rawQueryString"] = "name=bench".into();
    event["queryStringParameters"] = serde_json::json!({ "name": "bench" });
    event["requestContext"]["http"]["method"] = "GET".into();
    event["requestContext"]["http"]["path"] = "/hello".into();
    event.as_object_mut().map(|e| e.remove("body"));
    serde_json::to_vec(&event).expect("the event encodes")
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
