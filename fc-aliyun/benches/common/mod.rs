//! What the in-process benches share: FC's headers, the handlers, one started invoker.

#![allow(dead_code)] // each bench uses its part

#[path = "../../tests/support/mod.rs"]
pub(crate) mod support;

use fc_aliyun::{FromFc, Invoker};
use fc_core::http::{Body, HeaderMap, Request, Response, header};
use fc_core::{Function, ObjectEvent, TableEvent};
use tokio::runtime::Runtime;

pub(crate) const GREETING: &str = "hello, world!\n";

pub(crate) async fn hello(_req: Request) -> Response {
    let mut response = Response::new(Body::text(GREETING));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

pub(crate) async fn count_objects(event: ObjectEvent) -> usize {
    event.records.len()
}

pub(crate) async fn count_rows(event: TableEvent) -> usize {
    event.records.len()
}

/// What FC sends with every invocation.
pub(crate) fn fc_headers() -> HeaderMap {
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
pub(crate) const AWS_EQUIVALENT: &str = r#"{
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
pub(crate) fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

pub(crate) fn invoker<E: FromFc>(runtime: &Runtime, function: Function<E>) -> Invoker<E> {
    let instance = runtime
        .block_on(function.init())
        .expect("the function starts");
    Invoker::new(instance)
}

/// fc-aws serving `hello`, to compare with on the same request as Lambda delivers it.
pub(crate) struct AwsEquivalent {
    invoker: fc_aws::Invoker<Request>,
    ctx: lambda_runtime::Context,
}

impl AwsEquivalent {
    pub(crate) fn new(runtime: &Runtime) -> AwsEquivalent {
        let instance = runtime
            .block_on(Function::new(hello).init())
            .expect("the function starts");
        let mut ctx = lambda_runtime::Context::default();
        ctx.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd".into();
        ctx.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench".into();
        AwsEquivalent {
            invoker: fc_aws::Invoker::new(instance),
            ctx,
        }
    }

    /// One invocation of [`AWS_EQUIVALENT`] as lambda_runtime runs it: the payload read, the
    /// invocation, the answer serialized.
    pub(crate) async fn invoke(&self) -> Vec<u8> {
        let mut json = serde_json::Deserializer::from_str(AWS_EQUIVALENT);
        let payload: Box<serde_json::value::RawValue> =
            serde_path_to_error::deserialize(&mut json).expect("the event is JSON");
        let event = lambda_runtime::LambdaEvent::new(payload, self.ctx.clone());
        let response = self
            .invoker
            .invoke(event)
            .await
            .expect("the invocation succeeds");
        serde_json::to_vec(&response).expect("the response encodes")
    }
}
