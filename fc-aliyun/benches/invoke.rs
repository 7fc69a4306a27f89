//! One FC invocation in process, as the custom-runtime server runs it once the request is read:
//! context from the `x-fc-*` headers → decode → trivial handler (in its own task) → encode.
//! Beside it, fc-aws on the API Gateway (v1) event that carries the same request.

#[path = "../tests/support/mod.rs"]
mod support;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fc_aliyun::{FromFc, Invoker};
use fc_core::http::{Body, HeaderMap, Request, Response, header};
use fc_core::{Function, ObjectEvent, TableEvent};
use serde_json::value::RawValue;
use tokio::runtime::Runtime;

const GREETING: &str = "hello, world!\n";

async fn hello(_req: Request) -> Response {
    let mut response = Response::new(Body::text(GREETING));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

async fn count_objects(event: ObjectEvent) -> usize {
    event.records.len()
}

async fn count_rows(event: TableEvent) -> usize {
    event.records.len()
}

/// What FC sends with every invocation.
fn fc_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("x-fc-request-id", "1-6565f3d2-1a2b3c4d5e6f7a8b9c0d1e2f"),
        ("x-fc-function-name", "bench"),
        ("x-fc-function-handler", "index.handler"),
        ("x-fc-function-memory", "512"),
        ("x-fc-function-timeout", "60"),
        ("x-fc-region", "cn-hangzhou"),
        ("x-fc-account-id", "1234567890123456"),
        ("x-fc-qualifier", "LATEST"),
        ("x-fc-version-id", "1"),
        ("x-fc-access-key-id", "STS.bench"),
        ("x-fc-access-key-secret", "bench-secret"),
        ("x-fc-security-token", "bench-token"),
    ] {
        headers.insert(name, header::HeaderValue::from_static(value));
    }
    headers
}

/// The request of `support::API_GATEWAY` as API Gateway REST APIs deliver it to Lambda.
const AWS_EQUIVALENT: &str = r#"{
    "resource": "/api/items/{id}",
    "path": "/api/items/42",
    "httpMethod": "POST",
    "headers": {"Content-Type": "application/json", "X-Ca-Request-Id": "5D1EA1B0-2A3C-4F7A-9B5C-6E2D3F4A5B6C"},
    "multiValueHeaders": {"Content-Type": ["application/json"], "X-Ca-Request-Id": ["5D1EA1B0-2A3C-4F7A-9B5C-6E2D3F4A5B6C"]},
    "queryStringParameters": {"lang": "zh", "q": "a b"},
    "multiValueQueryStringParameters": {"lang": ["zh"], "q": ["a b"]},
    "pathParameters": {"id": "42"},
    "requestContext": {"stage": "prod", "path": "/prod/api/items/42", "httpMethod": "POST", "identity": {"sourceIp": "203.0.113.1"}},
    "body": "eyJuYW1lIjoiQWRhIn0=",
    "isBase64Encoded": true
}"#;

/// The handler runs where the platform's loop runs it: on the thread that got the event, as a
/// runtime worker does (a current-thread runtime has no other thread to hand tasks to).
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn invoker<E: FromFc>(runtime: &Runtime, function: Function<E>) -> Invoker<E> {
    let instance = runtime
        .block_on(function.init())
        .expect("the function starts");
    Invoker::new(instance)
}

fn http(c: &mut Criterion) {
    let runtime = runtime();
    let headers = fc_headers();
    let fc = invoker(&runtime, Function::new(hello));

    let mut group = c.benchmark_group("api-gateway");
    group.throughput(Throughput::Bytes(support::API_GATEWAY.len() as u64));
    group.bench_function(BenchmarkId::from_parameter("fc-aliyun"), |b| {
        b.to_async(&runtime).iter(|| async {
            fc.invoke(&headers, support::API_GATEWAY.as_bytes())
                .await
                .expect("the invocation succeeds")
        });
    });
    let aws = {
        let instance = runtime
            .block_on(Function::new(hello).init())
            .expect("the function starts");
        fc_aws::Invoker::new(instance)
    };
    let mut ctx = lambda_runtime::Context::default();
    ctx.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd".into();
    ctx.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench".into();
    group.bench_function(
        BenchmarkId::from_parameter("fc-aws, same request as v1"),
        |b| {
            b.to_async(&runtime).iter(|| async {
                let mut json = serde_json::Deserializer::from_str(AWS_EQUIVALENT);
                let payload: Box<RawValue> =
                    serde_path_to_error::deserialize(&mut json).expect("the event is JSON");
                let event = lambda_runtime::LambdaEvent::new(payload, ctx.clone());
                let response = aws.invoke(event).await.expect("the invocation succeeds");
                serde_json::to_vec(&response).expect("the response encodes")
            });
        },
    );
    group.finish();

    let mut group = c.benchmark_group("http-passthrough");
    group.bench_function(BenchmarkId::from_parameter("fc-aliyun"), |b| {
        b.to_async(&runtime).iter(|| async {
            let mut request = http::Request::builder()
                .method("GET")
                .uri("/hello?name=bench")
                .header("host", "bench.cn-hangzhou.fcapp.run")
                .header("user-agent", "curl/8.5.0")
                .header("accept", "*/*")
                .body(Bytes::new())
                .expect("a valid request");
            request.headers_mut().extend(headers.clone());
            fc.http(request).await.expect("the invocation succeeds")
        });
    });
    group.finish();
}

fn records(c: &mut Criterion) {
    let runtime = runtime();
    let headers = fc_headers();

    let objects = invoker(&runtime, Function::new(count_objects));
    let mut group = c.benchmark_group("oss");
    group.throughput(Throughput::Bytes(support::OSS.len() as u64));
    group.bench_function(BenchmarkId::from_parameter("fc-aliyun"), |b| {
        b.to_async(&runtime).iter(|| async {
            objects
                .invoke(&headers, support::OSS.as_bytes())
                .await
                .expect("the invocation succeeds")
        });
    });
    group.finish();

    let rows = invoker(&runtime, Function::new(count_rows));
    let mut group = c.benchmark_group("tablestore");
    for (name, body) in [
        ("sample", support::tablestore_cbor()),
        ("1 MB batch", support::tablestore_batch(1 << 20)),
    ] {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(BenchmarkId::new("fc-aliyun", name), |b| {
            b.to_async(&runtime).iter(|| async {
                rows.invoke(&headers, &body)
                    .await
                    .expect("the invocation succeeds")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, http, records);
criterion_main!(benches);
