//! The Alibaba Cloud Function Compute adapter of [fc](https://docs.rs/fc): the first Rust
//! runtime for FC.
//!
//! FC runs a custom runtime as an HTTP server in the function's instance. This crate is that
//! server: it listens on `0.0.0.0:${FC_CUSTOM_LISTEN_PORT:-${FC_SERVER_PORT:-9000}}` (the host
//! is `FC_LISTEN_HOST` when set: `fc-local`'s emulator keeps instances on 127.0.0.1), serves
//! requests concurrently (an instance may take several at once), and speaks FC's contract:
//!
//! | request | what happens |
//! |---|---|
//! | `POST /initialize` | runs the handler's `init` once; a failure answers 500 and every later invocation reports it |
//! | `POST /invoke` | one event invocation; the body is the event |
//! | `GET /pre-stop` | stops: invocations in flight finish, then 200 and the process exits |
//! | `GET /pre-freeze` | 200 |
//! | anything else (`x-fc-control-path: /http-invoke`) | an HTTP function's request, passed to the handler as it came, minus the default domain's `x-fc-base-path` and every `x-fc-*` header |
//!
//! | handler takes | delivered from |
//! |---|---|
//! | `fc::http::Request` | HTTP trigger (passed through, or as an FC 3.0 HTTP-trigger event), API Gateway trigger event |
//! | `fc::ObjectEvent` | OSS trigger |
//! | `fc::TableEvent` | Tablestore trigger (CBOR) |
//! | `fc::ScheduleEvent` | timer trigger |
//! | `fc::MessageEvent` | MNS queue, ApsaraMQ for Kafka, RocketMQ and RabbitMQ triggers (EventBridge CloudEvents, one or a batch), MNS topic trigger (JSON or STREAM format) |
//! | `fc::CloudEvent<T>` | EventBridge events (CloudEvents 1.0, `data` as `T`) |
//! | `fc::JsonEvent<T>` | anything else, as its JSON (`JsonEvent<SlsEvent>`, `JsonEvent<CdnEvent>` for SLS and CDN triggers) |
//!
//! The `Context` comes from the `x-fc-*` headers; the credentials headers go into it (redacted)
//! and never into the request a handler sees. A failed event invocation answers
//! `x-fc-status: 404` with `{"errorType", "errorMessage"}`. Every request is logged between
//! `FC Invoke Start RequestId: <id>` and `FC Invoke End RequestId: <id>` on stdout.
//!
//! Users reach this through `fc`, which runs it when FC is detected:
//!
//! ```no_run
//! # async fn run() -> Result<(), fc_core::Error> {
//! use fc_core::{Function, ObjectEvent};
//!
//! async fn count(event: ObjectEvent) -> usize {
//!     event.records.len()
//! }
//!
//! fc_aliyun::run(Function::new(count)).await
//! # }
//! ```

mod events;
mod headers;
mod http;
mod messages;
mod server;
mod tablestore;
pub mod wire;

// FC's documented samples, which the unit tests share with the integration tests and benches.
#[cfg(test)]
#[path = "../tests/support/mod.rs"]
mod samples;

use bytes::Bytes;
use fc_core::http::{Body, Request, Response, StatusCode};
use fc_core::{
    CloudEvent, Error, Event, JsonEvent, MessageEvent, ObjectEvent, Payload, ScheduleEvent,
    TableEvent,
};
use serde::de::DeserializeOwned;

pub use headers::{ServiceName, TracingHeaders};
#[doc(hidden)]
#[doc(hidden)]
pub use server::Invoker;
pub use server::{listen_host, listen_port, run, serve};
pub use wire::{CdnEvent, CdnRecord, SlsEvent, SlsSource};

/// FC's limit on a synchronous invocation's payload.
pub const PAYLOAD_LIMIT: usize = 32 * 1024 * 1024;

/// An event FC can deliver: how it is decoded from an `/invoke` body (or an HTTP request), and
/// how the handler's outcome is answered.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be delivered on Alibaba Cloud Function Compute",
    label = "fc-aliyun has no decoder for this event type",
    note = "on FC a handler takes `fc::http::Request`, `fc::ObjectEvent`, `fc::TableEvent`, `fc::ScheduleEvent`, `fc::MessageEvent`, `fc::CloudEvent<T>`, or `fc::JsonEvent<T>` with `T: serde::de::DeserializeOwned`"
)]
pub trait FromFc: Event {
    /// What answering needs to know about the event (for HTTP, its shape).
    #[doc(hidden)]
    type Origin: Send + 'static;

    /// Decodes the body of an `/invoke`.
    #[doc(hidden)]
    fn from_invoke(body: &[u8]) -> Result<(Self, Self::Origin), Error>;

    /// The body to answer an `/invoke` with, or the error to report.
    #[doc(hidden)]
    fn into_invoke(outcome: Self::Outcome, origin: Self::Origin) -> Result<Bytes, Error>;

    /// Decodes an HTTP request passed through to an HTTP function.
    #[doc(hidden)]
    fn from_http(parts: ::http::request::Parts, body: Bytes) -> Result<Self, Error> {
        let _ = (parts, body);
        Err(Error::invalid_event(format!(
            "this function takes {} events, not HTTP requests: invoke it with an event, or give it an HTTP trigger and an HTTP handler",
            Self::NAME
        )))
    }

    /// The HTTP response to a passed-through request.
    #[doc(hidden)]
    fn into_http(outcome: Self::Outcome) -> Response {
        let _ = outcome;
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_FOUND;
        response
    }
}

impl FromFc for Request {
    // Both event shapes take the same answer.
    type Origin = ();

    fn from_invoke(body: &[u8]) -> Result<(Self, ()), Error> {
        http::from_event(body).map(|request| (request, ()))
    }

    fn into_invoke(outcome: Response, (): ()) -> Result<Bytes, Error> {
        http::to_event_response(outcome)
    }

    fn from_http(parts: ::http::request::Parts, body: Bytes) -> Result<Self, Error> {
        http::from_passthrough(parts, body)
    }

    fn into_http(outcome: Response) -> Response {
        outcome
    }
}

fn payload(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
    outcome.map(Payload::into_bytes)
}

/// A batch's answer. FC has no partial batch protocol: an answer that names failed items
/// (`fc::BatchFailures`) fails the invocation, so the trigger delivers the batch again.
fn batch_payload(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
    #[derive(serde::Deserialize)]
    struct Failures {
        #[serde(rename = "batchItemFailures")]
        items: Vec<Item>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        #[serde(rename = "itemIdentifier")]
        id: fc_core::ItemId,
    }
    let payload = outcome?;
    if payload.as_str().starts_with("{\"batchItemFailures\"")
        && let Ok(failures) = payload.to::<Failures>()
        && !failures.items.is_empty()
    {
        let ids: Vec<String> = failures
            .items
            .iter()
            .map(|item| match &item.id {
                fc_core::ItemId::Id(id) => id.clone(),
                other => serde_json::to_string(other).unwrap_or_default(),
            })
            .collect();
        return Err(Error::msg(format!(
            "{} item(s) of the batch failed ({}); FC has no partial batch response, so the whole batch is retried",
            ids.len(),
            ids.join(", ")
        )));
    }
    Ok(payload.into_bytes())
}

macro_rules! json_event {
    ($event:ty, $decode:expr, $answer:expr) => {
        impl FromFc for $event {
            type Origin = ();

            fn from_invoke(body: &[u8]) -> Result<(Self, ()), Error> {
                $decode(body).map(|event| (event, ()))
            }

            fn into_invoke(outcome: Result<Payload, Error>, (): ()) -> Result<Bytes, Error> {
                $answer(outcome)
            }
        }
    };
}

json_event!(ObjectEvent, events::object_event, payload);
json_event!(ScheduleEvent, events::schedule_event, payload);
// The batches: a failed item fails the invocation.
json_event!(TableEvent, tablestore::table_event, batch_payload);
json_event!(MessageEvent, messages::message_event, batch_payload);

impl<T: DeserializeOwned + Send + 'static> FromFc for CloudEvent<T> {
    type Origin = ();

    fn from_invoke(body: &[u8]) -> Result<(Self, ()), Error> {
        events::cloud_event(body).map(|e| (e, ()))
    }

    fn into_invoke(outcome: Result<Payload, Error>, (): ()) -> Result<Bytes, Error> {
        payload(outcome)
    }
}

impl<T: DeserializeOwned + Send + 'static> FromFc for JsonEvent<T> {
    type Origin = ();

    fn from_invoke(body: &[u8]) -> Result<(Self, ()), Error> {
        fc_core::adapter::parse_json(body, "JSON event").map(|e| (e, ()))
    }

    fn into_invoke(outcome: Result<Payload, Error>, (): ()) -> Result<Bytes, Error> {
        payload(outcome)
    }
}

/// The `{"errorType", "errorMessage"}` body of a failed invocation.
pub fn error_body(err: &Error) -> Bytes {
    let body = serde_json::json!({
        "errorType": err.kind().as_str(),
        "errorMessage": format!("{err:#}"),
    });
    Bytes::from(body.to_string())
}
