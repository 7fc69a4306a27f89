//! **fc**: write a serverless handler once; run it unchanged on AWS Lambda, on Alibaba Cloud
//! Function Compute, on Knative and Google Cloud Run, on Apache OpenWhisk, and on your laptop.
//!
//! ```no_run
//! use fc::http::{Request, RequestExt};
//!
//! #[fc::handler]
//! async fn hello(req: Request) -> String {
//!     let name = req.query_param("name").unwrap_or("world".into());
//!     format!("hello, {name}!")
//! }
//! ```
//!
//! `cargo run` serves that on `http://127.0.0.1:3000`; copied to Lambda as `bootstrap`, to FC
//! as a custom runtime, or into a Knative or Cloud Run image, the same binary serves there. The
//! platform is detected when the process starts:
//!
//! 1. `FC_PLATFORM=aws|aliyun|knative|gcp|openwhisk|tencent|azure|local` forces one;
//! 2. `AWS_LAMBDA_RUNTIME_API` set → AWS Lambda;
//! 3. `FC_CUSTOM_LISTEN_PORT`, `FC_SERVER_PORT`, `FC_FUNC_CODE_PATH` or `FC_FUNCTION_NAME`
//!    set → Function Compute;
//! 4. `FUNCTIONS_CUSTOMHANDLER_PORT` set → Azure Functions (a custom handler);
//! 5. `SCF_RUNTIME_API`, `TENCENTCLOUD_RUNENV` or `SCF_FUNCTIONNAME` set → Tencent Cloud SCF;
//! 6. `__OW_API_HOST` or `__OW_ACTIVATION_ID` set → Apache OpenWhisk;
//! 7. `FUNCTION_TARGET` set → Google Cloud Run functions; `K_SERVICE`, `K_CONFIGURATION` or
//!    `K_REVISION` set → Knative (and Cloud Run services);
//! 8. otherwise → the local platform.
//!
//! # Handlers
//!
//! A handler is an `async fn` taking one event and, optionally, the [`Context`]:
//!
//! | event | AWS | FC | returns |
//! |---|---|---|---|
//! | [`http::Request`] | API Gateway, ALB, Function URL | HTTP trigger, API Gateway | [`http::IntoResponse`] |
//! | [`ObjectEvent`] | S3 | OSS | any `Serialize`, or `Result` of one |
//! | [`TableEvent`] | DynamoDB Streams | Tablestore | any `Serialize`, or `Result` of one |
//! | [`ScheduleEvent`] | EventBridge schedule | timer | any `Serialize`, or `Result` of one |
//! | [`JsonEvent<T>`] | anything else | anything else | any `Serialize`, or `Result` of one |
//!
//! An HTTP handler reads a JSON body as its own type with `req.json::<T>()`
//! ([`http::RequestExt::json`], a 400 or 415 [`http::JsonRejection`] when it does not fit) and
//! answers JSON with [`Json<T>`]:
//!
//! ```no_run
//! use fc::http::{JsonRejection, Request, RequestExt, StatusCode};
//! use fc::Json;
//!
//! #[derive(serde::Deserialize, serde::Serialize)]
//! struct Order { id: u64 }
//!
//! #[fc::handler]
//! async fn create(req: Request) -> Result<(StatusCode, Json<Order>), JsonRejection> {
//!     let order: Order = req.json()?;
//!     Ok((StatusCode::CREATED, Json(order)))
//! }
//! ```
//!
//! # `#[handler]`
//!
//! ```no_run
//! use fc::{Context, Error, ObjectEvent};
//!
//! struct Db { url: String }
//!
//! async fn setup() -> Result<Db, Error> {
//!     Ok(Db { url: std::env::var("DATABASE_URL").unwrap_or_default() })
//! }
//!
//! #[fc::handler(init = setup)]
//! async fn index(event: ObjectEvent, ctx: Context, db: &Db) -> Result<usize, Error> {
//!     tracing::info!(request_id = ctx.request_id, "indexing into {}", db.url);
//!     Ok(event.records.len())
//! }
//! ```
//!
//! expands to the function as written plus a `main` that hands it to the platform, each part
//! of the signature checked on its own token (a mistake is one compile error, there):
//!
//! ```ignore
//! fn main() -> std::process::ExitCode {
//!     fc::__private::start::<ObjectEvent, _, _, _, _>(
//!         move |event: ObjectEvent, ctx: fc::Context, db: &'static Db| async move {
//!             fc::__private::reply::<fc::__private::Checked<ObjectEvent>, Result<usize, Error>, _>(
//!                 index(event, fc::__private::context::<Context>(ctx), db).await,
//!             )
//!         },
//!         fc::__private::init::<Db, _, _, _>(setup),
//!         None, // `shutdown = close`: Some(fc::__private::shutdown::<Db, _, _>(close))
//!         None, // `logging = setup_tracing`: Some(fc::__private::logging(setup_tracing))
//!     )
//! }
//! ```
//!
//! `init` runs once per instance (cold start), before the first event; its value is passed to
//! every invocation by reference. Options:
//!
//! | option | meaning |
//! |---|---|
//! | `init = path` | an `async fn() -> Result<S, E>` run once per instance; the handler takes `&S` last |
//! | `shutdown = path` | an `async fn(&S)` run once when the instance stops; needs `init` |
//! | `logging = path` | a `fn()` that installs the program's own tracing subscriber, which fc then uses instead of its own |
//! | `crate = "path"` | where the `fc` crate is, when it is renamed or re-exported |
//!
//! # Features
//!
//! | feature | default | what |
//! |---|---|---|
//! | `aws` | yes | AWS Lambda, through `lambda_runtime` ([`aws`] has its context extensions) |
//! | `aliyun` | yes | Alibaba Cloud Function Compute's custom runtime ([`aliyun`] has its context extensions) |
//! | `local` | yes | the local platform: a dev server for HTTP handlers, an event runner for the rest |
//! | `opentelemetry` | no | each invocation's span continues the incoming trace in OpenTelemetry: the caller's W3C `traceparent`, else Lambda's X-Ray trace or FC's span context (with `tracing-opentelemetry` 0.33) |
//!
//! # Testing
//!
//! [`testing`] builds contexts and events and calls a handler as a platform would.

mod detect;

pub use fc_core::*;
pub use fc_macros::handler;

/// What only Function Compute provides: context extensions (the FC 2.0 service name, tracing
/// headers), and the events of its SLS and CDN triggers, taken as `fc::JsonEvent<SlsEvent>` or
/// `fc::JsonEvent<CdnEvent>`.
#[cfg(feature = "aliyun")]
pub mod aliyun {
    pub use fc_aliyun::{CdnEvent, CdnRecord, ServiceName, SlsEvent, SlsSource, TracingHeaders};
}

/// What only AWS Lambda provides: context extensions (the invoked ARN, client context, Cognito
/// identity).
#[cfg(feature = "aws")]
pub mod aws {
    pub use fc_aws::{ClientContext, CognitoIdentity, InvokedArn};
}

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// Serves a tower service — an axum `Router` as it is — on whichever platform started the
/// process, until that platform stops it: used inside your own `#[tokio::main]`, as
/// `lambda_http::run` is.
///
/// ```no_run
/// use axum::{Extension, Router, routing::get};
///
/// async fn hello(Extension(ctx): Extension<fc::Context>) -> String {
///     format!("hello from {}", ctx.request_id)
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), fc::Error> {
///     let app = Router::new().route("/hello", get(hello));
///     fc::run(app).await
/// }
/// ```
///
/// The platform is detected as for [`handler`]. Every request reaches the service as
/// `http::Request<fc::http::Body>` with the same path on every platform (no API Gateway
/// stage, no FC base path), the platform's credentials headers removed, and
/// [`Context`] and [`http::RequestInfo`] in its extensions. The response body may be any
/// `http_body::Body` with `Bytes` data: on FC and locally it streams to the client as it is
/// produced (server-sent events work); on Lambda it is collected and sent whole (see
/// [`run_with_streaming_response`] to stream there too). A service error, or a panic, answers
/// 500 with the request id and logs the detail.
pub async fn run(service: impl HttpService) -> Result<(), Error> {
    __private::serve(service.into_function(), __private::Lambda::Buffered).await
}

/// Like [`run`], with Lambda response streaming: on Lambda every response is streamed, so the
/// first bytes reach the client while the service still writes the rest, and bodies may pass
/// Lambda's 6 MB buffered limit. Deploy the function behind a Function URL with
/// `InvokeMode: RESPONSE_STREAM`, or an API Gateway REST integration with
/// `responseTransferMode: STREAM` (`fc-local start --platform aws --trigger url --streaming`
/// emulates it). On FC and locally it is the same as [`run`]: responses stream there anyway.
///
/// The name is lambda_http's, for the same thing.
pub async fn run_with_streaming_response(service: impl HttpService) -> Result<(), Error> {
    __private::serve(service.into_function(), __private::Lambda::Streaming).await
}
