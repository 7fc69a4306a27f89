//! What the in-process benches share: the samples, the handlers on both sides, and one
//! invocation through fc-aws, lambda_http or aws_lambda_events as lambda_runtime runs it.

#![allow(dead_code)] // each bench uses its part

#[path = "../../tests/support/mod.rs"]
mod support;

#[path = "../../../tests/src/axum_hello.rs"]
pub(crate) mod axum_hello;

use std::convert::Infallible;
use std::path::PathBuf;

use fc_aws::{FromLambda, Invoker};
use fc_core::http::{Body, Request, Response, header};
use fc_core::{BatchFailures, Function, MessageEvent, ObjectEvent, TableEvent};
use lambda_http::Service;
use lambda_runtime::{Context, LambdaEvent};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use tokio::runtime::Runtime;

pub(crate) fn samples() -> PathBuf {
    support::crate_dir("aws_lambda_events").join("src/fixtures")
}

pub(crate) fn read(name: &str) -> Vec<u8> {
    let path = samples().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What lambda_runtime does with the body before the handler sees it.
pub(crate) fn payload<T: DeserializeOwned>(body: &[u8]) -> T {
    let mut json = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut json).expect("the sample decodes")
}

pub(crate) fn context() -> Context {
    let mut ctx = Context::default();
    ctx.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd".into();
    ctx.deadline = 4_102_444_800_000;
    ctx.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench".into();
    ctx
}

pub(crate) const GREETING: &str = "hello, world!\n";
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";

pub(crate) async fn fc_hello(_req: Request) -> Response {
    let mut response = Response::new(Body::text(GREETING));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(TEXT));
    response
}

pub(crate) async fn lambda_http_hello(
    _req: lambda_http::Request,
) -> Result<lambda_http::Response<lambda_http::Body>, Infallible> {
    let mut response = lambda_http::Response::new(lambda_http::Body::Text(GREETING.into()));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(TEXT));
    Ok(response)
}

pub(crate) async fn count_objects(event: ObjectEvent) -> usize {
    event.records.len()
}

pub(crate) async fn count_rows(event: TableEvent) -> usize {
    event.records.len()
}

/// A queue consumer's usual answer: every message read, none failed.
pub(crate) async fn consume(event: MessageEvent) -> BatchFailures {
    let mut failures = BatchFailures::new();
    for message in &event.messages {
        if message.bytes().is_empty() {
            failures.push(message);
        }
    }
    failures
}

/// The SQS sample's message ten times, each with its own id: a batch as Lambda sends it.
pub(crate) fn sqs_batch() -> Vec<u8> {
    batch_of("example-sqs-event.json", 10, |record, i| {
        record["messageId"] = format!("059f36b4-87a3-44ab-83d2-{i:012}").into();
    })
}

/// The sample `name` with its first record `n` times, each changed by `vary` with its index.
pub(crate) fn batch_of(
    name: &str,
    n: usize,
    vary: impl Fn(&mut serde_json::Value, usize),
) -> Vec<u8> {
    let mut event: serde_json::Value =
        serde_json::from_slice(&read(name)).expect("the sample is JSON");
    let record = event["Records"][0].clone();
    event["Records"] = (0..n)
        .map(|i| {
            let mut record = record.clone();
            vary(&mut record, i);
            record
        })
        .collect();
    serde_json::to_vec(&event).expect("the batch encodes")
}

/// The handler runs where the platform's loop runs it: on the thread that got the event, as a
/// runtime worker does (a current-thread runtime has no other thread to hand tasks to).
pub(crate) fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

pub(crate) fn invoker<E: FromLambda>(runtime: &Runtime, function: Function<E>) -> Invoker<E> {
    let instance = runtime
        .block_on(function.init())
        .expect("the function starts");
    Invoker::new(instance)
}

/// fc-aws's whole invocation: the raw payload lambda_runtime hands it, decoding, the handler,
/// encoding, and the response bytes lambda_runtime posts.
pub(crate) async fn fc_invoke<E: FromLambda>(
    invoker: &Invoker<E>,
    body: &[u8],
    ctx: &Context,
) -> Vec<u8> {
    let event = LambdaEvent::new(payload::<Box<RawValue>>(body), ctx.clone());
    let response = invoker
        .invoke(event)
        .await
        .expect("the invocation succeeds");
    serde_json::to_vec(&response).expect("the response encodes")
}

/// lambda_http's whole invocation on the same bytes: its `Adapter` behind the same
/// lambda_runtime step, and the response serialized.
pub(crate) fn lambda_http_invoke<A>(
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

/// The HTTP API sample turned into `GET /hello?name=bench`, the route the shared Router serves.
pub(crate) fn hello_v2_event() -> Vec<u8> {
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
