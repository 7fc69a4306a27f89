//! One FC invocation in process, as the custom-runtime server runs it once the request is read:
//! context from the `x-fc-*` headers → decode → trivial handler (in its own task) → encode.
//! Beside it, fc-aws on the API Gateway (v1) event that carries the same request.

mod common;

use bytes::Bytes;
use common::*;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fc_core::Function;

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
    let aws = AwsEquivalent::new(&runtime);
    group.bench_function(
        BenchmarkId::from_parameter("fc-aws, same request as v1"),
        |b| {
            b.to_async(&runtime).iter(|| aws.invoke());
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
