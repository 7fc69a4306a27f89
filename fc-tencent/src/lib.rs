//! The Tencent Cloud SCF adapter of [fc](https://docs.rs/fc).
//!
//! SCF runs a Rust binary in either of two forms (Sources: Tencent Cloud, "Custom Runtime 说明"
//! — cloud.tencent.com/document/product/583/47274 — and "Web 函数 启动文件说明", 583/56126):
//!
//! - **an event function** on the Custom Runtime: the binary, named `bootstrap`, reports
//!   `POST /runtime/init/ready` to `http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT` once its
//!   `init` is done, then loops on `GET /runtime/invocation/next` (the event as the body; the
//!   `request_id`, `memory_limit_in_mb` and `time_limit_in_ms` headers) and answers each with
//!   `POST /runtime/invocation/response` or `POST /runtime/invocation/error`;
//! - **a web function**: the binary, started by `scf_bootstrap`, serves HTTP on port 9000
//!   (`PORT` when set), and SCF passes requests through with `X-Scf-Request-Id` and its other
//!   `X-Scf-*` headers.
//!
//! | handler takes | delivered from |
//! |---|---|
//! | `fc::http::Request` | the API Gateway trigger's event, a function URL's event (answered with the integration response `{isBase64Encoded, statusCode, headers, body}`), a web function's request |
//! | `fc::ObjectEvent` | the COS trigger (`cos:ObjectCreated:*`, `cos:ObjectRemove:*`) |
//! | `fc::ScheduleEvent` | the timer trigger (its name, time and message) |
//! | `fc::MessageEvent` | the CKafka and CMQ topic triggers |
//! | `fc::JsonEvent<T>` | any event, as `T` |
//!
//! `TableEvent` and `CloudEvent<T>` have no SCF source: such a handler fails each invocation
//! with an error that says so. The `Context` has the request id, the deadline (now plus
//! `time_limit_in_ms`), the memory, the function's name and version, the region,
//! the APPID as the account, and the role's temporary credentials.

mod events;
mod runtime;
mod web;
pub mod wire;

use bytes::Bytes;
use fc_core::http::{Request, Response};
use fc_core::{
    CloudEvent, Error, Event, JsonEvent, MessageEvent, ObjectEvent, Payload, ScheduleEvent,
    TableEvent,
};
use serde::de::DeserializeOwned;

pub use runtime::run;

/// An invocation's context from what SCF says of it: the request id (a new one when it says
/// none), the memory in MB and the time left in milliseconds.
fn context(
    request_id: Option<&str>,
    memory_mb: Option<&str>,
    time_left_ms: Option<u64>,
) -> fc_core::Context {
    let mut ctx = fc_core::Context::default();
    ctx.platform = fc_core::Platform::Tencent;
    ctx.request_id = request_id
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map_or_else(fc_core::adapter::request_id, str::to_owned);
    ctx.memory_mb = memory_mb
        .and_then(|mb| mb.trim().parse().ok())
        .unwrap_or_default();
    ctx.deadline =
        time_left_ms.map(|ms| std::time::SystemTime::now() + std::time::Duration::from_millis(ms));
    ctx
}

/// How much an event function's event and result may be: SCF's limit on synchronous calls.
pub const PAYLOAD_LIMIT: usize = 6 * 1024 * 1024;

/// An event SCF can deliver: how it is decoded, and how the handler's outcome is answered.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be delivered on Tencent Cloud SCF",
    label = "fc-tencent has no decoder for this event type",
    note = "on SCF a handler takes `fc::http::Request`, `fc::ObjectEvent`, `fc::ScheduleEvent`, `fc::MessageEvent`, or `fc::JsonEvent<T>` with `T: serde::de::DeserializeOwned`"
)]
pub trait FromScf: Event {
    /// Decodes an event function's event.
    #[doc(hidden)]
    fn from_event(raw: &[u8]) -> Result<Self, Error>;

    /// The body to answer `/runtime/invocation/response` with, or the error to report.
    #[doc(hidden)]
    fn into_result(outcome: Self::Outcome) -> impl Future<Output = Result<Bytes, Error>> + Send;

    /// Decodes a web function's request.
    #[doc(hidden)]
    fn from_http(parts: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        let _ = (parts, body);
        Err(Error::invalid_event(format!(
            "a web function serves HTTP requests, and this function takes {} events: deploy it as an event function",
            Self::NAME
        )))
    }

    /// The answer to a web function's request.
    #[doc(hidden)]
    fn into_http(outcome: Self::Outcome) -> impl Future<Output = Response> + Send;
}

impl FromScf for Request {
    fn from_event(raw: &[u8]) -> Result<Self, Error> {
        events::http_request(raw)
    }

    async fn into_result(outcome: Response) -> Result<Bytes, Error> {
        events::http_response(outcome).await
    }

    fn from_http(parts: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        Ok(web::request(parts, body))
    }

    async fn into_http(outcome: Response) -> Response {
        outcome
    }
}

fn payload(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
    outcome.map(Payload::into_bytes)
}

/// A web function's answer to an event handler's outcome (which only a misdeployed function
/// reaches): the JSON, or the error.
fn payload_http(outcome: Result<Payload, Error>) -> Response {
    match outcome {
        Ok(payload) => web::json(http::StatusCode::OK, payload.into_bytes()),
        Err(err) => web::failure(&err),
    }
}

macro_rules! json_event {
    ($event:ty, $decode:expr) => {
        impl FromScf for $event {
            fn from_event(raw: &[u8]) -> Result<Self, Error> {
                $decode(raw)
            }

            async fn into_result(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
                payload(outcome)
            }

            async fn into_http(outcome: Result<Payload, Error>) -> Response {
                payload_http(outcome)
            }
        }
    };
}

json_event!(ObjectEvent, events::object_event);
json_event!(ScheduleEvent, events::schedule_event);

/// A batch's answer. SCF has no partial batch response: an answer naming failed items
/// (`fc::BatchFailures`) fails the invocation, and the trigger delivers the batch again.
fn batch_payload(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
    let payload = outcome?;
    if payload.as_str().starts_with("{\"batchItemFailures\":[{") {
        return Err(Error::msg(format!(
            "items of the batch failed ({}); SCF has no partial batch response, so the whole batch is retried",
            payload.as_str()
        )));
    }
    Ok(payload.into_bytes())
}

impl FromScf for MessageEvent {
    fn from_event(raw: &[u8]) -> Result<Self, Error> {
        events::message_event(raw)
    }

    async fn into_result(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
        batch_payload(outcome)
    }

    async fn into_http(outcome: Result<Payload, Error>) -> Response {
        match batch_payload(outcome) {
            Ok(body) => web::json(http::StatusCode::OK, body),
            Err(err) => web::failure(&err),
        }
    }
}

macro_rules! no_source {
    ($event:ty, $what:literal) => {
        fn from_event(_: &[u8]) -> Result<Self, Error> {
            Err(Error::invalid_event(concat!(
                "Tencent Cloud SCF has no source of ",
                $what,
                ": take the event as `fc::JsonEvent<T>`"
            )))
        }

        async fn into_result(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
            payload(outcome)
        }

        async fn into_http(outcome: Result<Payload, Error>) -> Response {
            payload_http(outcome)
        }
    };
}

impl FromScf for TableEvent {
    no_source!(TableEvent, "TableEvent events");
}

impl<T: DeserializeOwned + Send + 'static> FromScf for CloudEvent<T> {
    no_source!(CloudEvent, "CloudEvents");
}

impl<T: DeserializeOwned + Send + 'static> FromScf for JsonEvent<T> {
    fn from_event(raw: &[u8]) -> Result<Self, Error> {
        fc_core::adapter::parse_json(raw, "event")
    }

    async fn into_result(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
        payload(outcome)
    }

    fn from_http(_: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        fc_core::adapter::parse_json(&body, "request body")
    }

    async fn into_http(outcome: Result<Payload, Error>) -> Response {
        payload_http(outcome)
    }
}
