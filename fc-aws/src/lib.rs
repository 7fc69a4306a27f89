//! The AWS Lambda adapter of [fc](https://docs.rs/fc).
//!
//! It converts what Lambda delivers into fc's neutral types and hands the loop to
//! [`lambda_runtime`]: one invocation at a time, as Lambda runs them.
//!
//! | handler takes | delivered from |
//! |---|---|
//! | `fc::http::Request` | API Gateway REST API (v1), HTTP API (v2), ALB, Function URL |
//! | `fc::ObjectEvent` | S3 notifications (keys URL-decoded) |
//! | `fc::TableEvent` | DynamoDB Streams (every attribute type; return `fc::BatchFailures` to retry only failed records) |
//! | `fc::ScheduleEvent` | EventBridge scheduled events |
//! | `fc::MessageEvent` | SQS (standard and FIFO), SNS, Kinesis Data Streams (data base64-decoded; return `fc::BatchFailures` to retry only failed SQS messages or Kinesis records) |
//! | `fc::CloudEvent<T>` | EventBridge events (`detail` as `T`) |
//! | `fc::JsonEvent<T>` | anything else, as its JSON |
//!
//! HTTP handlers see the same request on every source: the path they routed on (an HTTP API's
//! stage is removed), decoded query, multi-value headers, cookies, decoded base64 bodies; the
//! stage, source IP, path parameters and raw path are in [`fc_core::http::RequestInfo`]. The
//! response is encoded for the source: `multiValueHeaders` for REST APIs, `headers` and
//! `cookies` for HTTP APIs and Function URLs, `statusDescription` for ALB, base64 for binary
//! bodies.
//!
//! Failures reach Lambda as `{"errorType", "errorMessage"}`: `InvalidEvent` when the event
//! cannot be the handler's type (the message names the field), `HandlerError`, `Panic`; an
//! `init` failure is reported to `/runtime/init/error` and the process exits.
//!
//! Users reach this through `fc`, which runs it when `AWS_LAMBDA_RUNTIME_API` is set:
//!
//! ```no_run
//! # async fn run() -> Result<(), fc_core::Error> {
//! use fc_core::{Function, ObjectEvent};
//!
//! async fn count(event: ObjectEvent) -> usize {
//!     event.records.len()
//! }
//!
//! fc_aws::run(Function::new(count)).await
//! # }
//! ```

mod context;
mod events;
mod http;
mod messages;
mod shutdown;
mod stream;
pub mod wire;

use std::sync::Arc;

use fc_core::http::{Request, Response};
use fc_core::{
    CloudEvent, Error, ErrorKind, Event, Function, Instance, JsonEvent, MessageEvent, ObjectEvent,
    Outcome, Payload, ScheduleEvent, TableEvent,
};
use lambda_runtime::{Diagnostic, FunctionResponse, LambdaEvent};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

#[doc(hidden)]
use crate::context::Env;
pub use context::{ClientContext, CognitoIdentity, InvokedArn};

/// An event Lambda can deliver: how it is decoded from the invocation payload, and how the
/// handler's outcome is encoded for Lambda.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be delivered on AWS Lambda",
    label = "fc-aws has no decoder for this event type",
    note = "on AWS a handler takes `fc::http::Request`, `fc::ObjectEvent`, `fc::TableEvent`, `fc::ScheduleEvent`, `fc::MessageEvent`, `fc::CloudEvent<T>`, or `fc::JsonEvent<T>` with `T: serde::de::DeserializeOwned`"
)]
pub trait FromLambda: Event {
    /// What encoding the outcome needs to know about the event (for HTTP, its source).
    #[doc(hidden)]
    type Origin: Send + 'static;

    /// Decodes the invocation payload.
    #[doc(hidden)]
    fn from_lambda(payload: &str) -> Result<(Self, Self::Origin), Error>;

    /// Encodes the handler's outcome as the invocation's response, or the error to report.
    #[doc(hidden)]
    fn into_lambda(outcome: Self::Outcome, origin: Self::Origin) -> Result<Box<RawValue>, Error>;

    /// Like `into_lambda`, for a function whose responses Lambda streams: an HTTP response
    /// goes out as a stream; every other outcome as a document, as there is nothing to stream.
    #[doc(hidden)]
    fn into_lambda_stream(
        outcome: Self::Outcome,
        origin: Self::Origin,
    ) -> Result<stream::Answer, Error> {
        Self::into_lambda(outcome, origin).map(FunctionResponse::BufferedResponse)
    }
}

impl FromLambda for Request {
    type Origin = fc_core::http::Trigger;

    fn from_lambda(payload: &str) -> Result<(Self, Self::Origin), Error> {
        http::decode(payload)
    }

    fn into_lambda(
        outcome: Response,
        origin: fc_core::http::Trigger,
    ) -> Result<Box<RawValue>, Error> {
        http::encode(outcome, origin)
    }

    fn into_lambda_stream(
        outcome: Response,
        _origin: fc_core::http::Trigger,
    ) -> Result<stream::Answer, Error> {
        Ok(stream::streamed(outcome))
    }
}

macro_rules! json_event {
    ($event:ty, $decode:expr) => {
        impl FromLambda for $event {
            type Origin = ();

            fn from_lambda(payload: &str) -> Result<(Self, ()), Error> {
                $decode(payload).map(|event| (event, ()))
            }

            fn into_lambda(
                outcome: Result<Payload, Error>,
                (): (),
            ) -> Result<Box<RawValue>, Error> {
                outcome.map(Payload::into_raw)
            }
        }
    };
}

json_event!(ObjectEvent, events::object_event);
json_event!(TableEvent, events::table_event);
json_event!(ScheduleEvent, events::schedule_event);
json_event!(MessageEvent, messages::message_event);

impl<T: DeserializeOwned + Send + 'static> FromLambda for CloudEvent<T> {
    type Origin = ();

    fn from_lambda(payload: &str) -> Result<(Self, ()), Error> {
        events::cloud_event(payload).map(|event| (event, ()))
    }

    fn into_lambda(outcome: Result<Payload, Error>, (): ()) -> Result<Box<RawValue>, Error> {
        outcome.map(Payload::into_raw)
    }
}

impl<T: DeserializeOwned + Send + 'static> FromLambda for JsonEvent<T> {
    type Origin = ();

    fn from_lambda(payload: &str) -> Result<(Self, ()), Error> {
        fc_core::adapter::parse_json(payload.as_bytes(), "JSON event").map(|event| (event, ()))
    }

    fn into_lambda(outcome: Result<Payload, Error>, (): ()) -> Result<Box<RawValue>, Error> {
        outcome.map(Payload::into_raw)
    }
}

/// Lambda gives a function with an internal extension 500 ms between SIGTERM and SIGKILL.
const SHUTDOWN_LIMIT: std::time::Duration = std::time::Duration::from_millis(450);

/// The variables lambda_runtime cannot start without.
const REQUIRED: [&str; 4] = [
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_RUNTIME_API",
];

/// Runs `function` on Lambda: `init` once, before the first event is fetched, then one
/// invocation at a time until Lambda stops the process — or, on Lambda Managed Instances
/// (`AWS_LAMBDA_MAX_CONCURRENCY` > 1), up to that many at once.
pub async fn run<E: FromLambda>(function: Function<E>) -> Result<(), Error> {
    run_with(function, false).await
}

/// Like [`run`], for a function whose HTTP responses Lambda streams: a Function URL with
/// `InvokeMode: RESPONSE_STREAM`, or an API Gateway REST API integration with
/// `responseTransferMode: STREAM`. The first bytes reach the client while the handler still
/// writes the rest (server-sent events work). Lambda invokes such a function in streaming mode
/// only, so a function is built for one mode or the other.
pub async fn run_streaming<E: FromLambda>(function: Function<E>) -> Result<(), Error> {
    run_with(function, true).await
}

async fn run_with<E: FromLambda>(function: Function<E>, streaming: bool) -> Result<(), Error> {
    if let Some(missing) = REQUIRED
        .iter()
        .find(|name| std::env::var_os(name).is_none())
    {
        return Err(Error::new(
            ErrorKind::Internal,
            format!(
                "{missing} is not set: AWS Lambda (or an emulator of it) sets it for the function"
            ),
        ));
    }
    let env = Arc::new(Env::from_env());
    let instance = match function.init().await {
        Ok(instance) => instance,
        Err(err) => {
            report_init_error(&err).await;
            return Err(err);
        }
    };
    if instance.has_shutdown_hook() {
        // Registers an internal extension, so Lambda sends SIGTERM before it stops the
        // instance; the hook then has what is left of Lambda's 500 ms.
        let stopping = instance.clone();
        shutdown::on_sigterm(move || async move {
            if tokio::time::timeout(SHUTDOWN_LIMIT, stopping.shutdown())
                .await
                .is_err()
            {
                tracing::warn!(
                    "the shutdown hook still runs after {SHUTDOWN_LIMIT:?}; stopping anyway"
                );
            }
        })
        .await;
    }
    let invoker = Invoker {
        instance,
        env,
        streaming,
    };
    let handler = lambda_runtime::service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let invoker = invoker.clone();
        async move { invoker.answer(event).await }
    });
    // With `AWS_LAMBDA_MAX_CONCURRENCY` above 1 (Lambda Managed Instances) one environment
    // takes that many invocations at once; without it, one at a time as on classic Lambda.
    lambda_runtime::run_concurrent(handler)
        .await
        .map_err(|err| {
            Error::new(
                ErrorKind::Internal,
                format!("the Lambda runtime stopped: {err}"),
            )
        })
}

/// One invocation as [`run`] performs it, from lambda_runtime's event to what it posts back;
/// public for the benchmarks, which drive it without a Runtime API.
#[doc(hidden)]
#[derive(Debug)]
pub struct Invoker<E: FromLambda> {
    instance: Instance<E>,
    env: Arc<Env>,
    streaming: bool,
}

impl<E: FromLambda> Clone for Invoker<E> {
    fn clone(&self) -> Self {
        Invoker {
            instance: self.instance.clone(),
            env: Arc::clone(&self.env),
            streaming: self.streaming,
        }
    }
}

impl<E: FromLambda> Invoker<E> {
    /// An invoker of a started function, with the instance's environment read now.
    pub fn new(instance: Instance<E>) -> Self {
        Invoker {
            instance,
            env: Arc::new(Env::from_env()),
            streaming: false,
        }
    }

    /// Decodes the event, runs the handler and encodes its outcome.
    pub async fn invoke(
        &self,
        event: LambdaEvent<Box<RawValue>>,
    ) -> Result<Box<RawValue>, Diagnostic> {
        let (outcome, origin, request_id) = self.run(event).await?;
        let outcome = outcome.buffered(&request_id).await;
        E::into_lambda(outcome, origin).map_err(|err| diagnostic(&err))
    }

    /// Like [`Invoker::invoke`], in the mode the function runs in: a streaming function's
    /// HTTP responses are streamed.
    pub(crate) async fn answer(
        &self,
        event: LambdaEvent<Box<RawValue>>,
    ) -> Result<stream::Answer, Diagnostic> {
        if !self.streaming {
            return self
                .invoke(event)
                .await
                .map(FunctionResponse::BufferedResponse);
        }
        let (outcome, origin, _) = self.run(event).await?;
        E::into_lambda_stream(outcome, origin).map_err(|err| diagnostic(&err))
    }

    async fn run(
        &self,
        event: LambdaEvent<Box<RawValue>>,
    ) -> Result<(E::Outcome, E::Origin, String), Diagnostic> {
        let ctx = context::context(event.context, &self.env);
        let (decoded, origin) = E::from_lambda(event.payload.get()).map_err(|err| {
            tracing::error!(request_id = ctx.request_id, "{err}");
            diagnostic(&err)
        })?;
        let request_id = ctx.request_id.clone();
        // lambda_runtime runs each invocation in a span of its own, with the request id. That
        // one is entered already, too late to take a parent: fc's continues the trace.
        #[cfg(feature = "opentelemetry")]
        let span = tracing::info_span!("invocation", requestId = ctx.request_id.as_str());
        #[cfg(not(feature = "opentelemetry"))]
        let span = tracing::Span::none();
        let outcome = self.instance.invocation_in(decoded, ctx, span).await;
        Ok((outcome, origin, request_id))
    }
}

/// The `{"errorType", "errorMessage"}` Lambda gets for an error.
pub fn diagnostic(err: &Error) -> Diagnostic {
    Diagnostic {
        error_type: err.kind().as_str().to_owned(),
        error_message: format!("{err:#}"),
    }
}

/// Tells Lambda the instance failed to start, so it reports `Runtime.InitError` with our message.
async fn report_init_error(err: &Error) {
    tracing::error!("init failed: {err:#}");
    let body = match serde_json::to_vec(&diagnostic(err)) {
        Ok(body) => body,
        Err(_) => return,
    };
    let request = ::http::Request::builder()
        .method(::http::Method::POST)
        .uri("/2018-06-01/runtime/init/error")
        .header("lambda-runtime-function-error-type", "Runtime.InitError")
        .header(::http::header::CONTENT_TYPE, "application/json")
        .body(lambda_runtime_api_client::body::Body::from(body));
    let client = lambda_runtime_api_client::Client::builder().build();
    match (client, request) {
        (Ok(client), Ok(request)) => {
            if let Err(send) = client.call(request).await {
                tracing::error!("could not report the init error to Lambda: {send}");
            }
        }
        (Err(build), _) => tracing::error!("could not reach the Runtime API: {build}"),
        (_, Err(build)) => tracing::error!("could not build the init error report: {build}"),
    }
}
