//! The Knative and Google Cloud Run adapter of [fc](https://docs.rs/fc).
//!
//! Knative Serving and Cloud Run (services, and Cloud Run functions) run a container that
//! serves HTTP on `$PORT`. This crate is that server: it listens on `0.0.0.0:${PORT:-8080}`
//! (the host is `FC_LISTEN_HOST` when set: `fc-local` keeps its instances on 127.0.0.1), takes
//! requests concurrently, and on SIGTERM stops accepting, lets the requests in flight finish and
//! runs the handler's `shutdown`.
//!
//! An HTTP handler gets every request as it came. Any other handler gets CloudEvents — Knative
//! Eventing's brokers, triggers and sources and Google's Eventarc deliver them over HTTP, in
//! binary or structured content mode (both are read, and batches):
//!
//! | handler takes | delivered from |
//! |---|---|
//! | `fc::http::Request` | any HTTP request |
//! | `fc::ObjectEvent` | Cloud Storage (`google.cloud.storage.object.v1.*`) |
//! | `fc::ScheduleEvent` | a Knative PingSource (`dev.knative.sources.ping`), a Cloud Scheduler job (its HTTP request, or `google.cloud.scheduler.job.v1.executed`) |
//! | `fc::MessageEvent` | Pub/Sub (`google.cloud.pubsub.topic.v1.messagePublished`, the data base64-decoded); any other CloudEvent as one message (a broker's, a KafkaSource's) |
//! | `fc::CloudEvent<T>` | any CloudEvent, `data` as `T` |
//! | `fc::JsonEvent<T>` | any CloudEvent's data, or a plain request's JSON body |
//!
//! The answer is the platform's: 200 with the handler's JSON; a handler that returns a
//! `CloudEvent` replies with it in binary mode (a Knative broker routes the reply on); a
//! failed handler 500, which Knative and Pub/Sub retry; a request that is no such event 400,
//! which they do not (retrying would fail the same way).
//!
//! Users reach this through `fc`, which runs it when `K_SERVICE`, `K_CONFIGURATION` or
//! `FUNCTION_TARGET` says the process is on Knative or Cloud Run:
//!
//! ```no_run
//! # async fn run() -> Result<(), fc_core::Error> {
//! use fc_core::{Function, ObjectEvent};
//!
//! async fn count(event: ObjectEvent) -> usize {
//!     event.records.len()
//! }
//!
//! fc_knative::run(Function::new(count)).await
//! # }
//! ```

mod events;
mod server;
pub mod wire;

use bytes::Bytes;
use fc_core::http::{Request, RequestInfo, Response, StatusCode, Trigger, header};
use fc_core::{
    CloudEvent, Error, Event, JsonEvent, MessageEvent, ObjectEvent, Payload, ScheduleEvent,
    TableEvent,
};
use serde::de::DeserializeOwned;

pub use server::{listen_port, run, serve};
pub use wire::HttpCloudEvent;

/// The largest request read: Cloud Run's limit on a request (32 MiB).
pub const PAYLOAD_LIMIT: usize = 32 * 1024 * 1024;

/// An event Knative and Cloud Run can deliver: how it is made from a request, and how the
/// handler's outcome is answered.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be delivered on Knative or Google Cloud Run",
    label = "fc-knative has no decoder for this event type",
    note = "on Knative and Cloud Run a handler takes `fc::http::Request`, `fc::ObjectEvent`, `fc::ScheduleEvent`, `fc::MessageEvent`, `fc::CloudEvent<T>`, or `fc::JsonEvent<T>` with `T: serde::de::DeserializeOwned`"
)]
pub trait FromKnative: Event {
    /// Makes the event from a request.
    #[doc(hidden)]
    fn from_request(parts: http::request::Parts, body: Bytes) -> Result<Self, Error>;

    /// The response to the handler's outcome.
    #[doc(hidden)]
    fn into_response(outcome: Self::Outcome) -> Response;
}

impl FromKnative for Request {
    fn from_request(parts: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        let mut info = RequestInfo::default();
        info.trigger = trigger();
        info.source_ip = fc_core::adapter::forwarded_for(&parts.headers);
        info.raw_path = Some(parts.uri.path().to_owned());
        Ok(fc_core::adapter::passthrough(parts, body, info))
    }

    fn into_response(outcome: Response) -> Response {
        outcome
    }
}

/// How HTTP requests arrive here: a Cloud Run function has `FUNCTION_TARGET` set.
fn trigger() -> Trigger {
    static TRIGGER: std::sync::OnceLock<Trigger> = std::sync::OnceLock::new();
    *TRIGGER.get_or_init(|| match std::env::var_os("FUNCTION_TARGET") {
        Some(_) => Trigger::CloudRun,
        None => Trigger::Knative,
    })
}

/// The event a CloudEvent in the JSON format (structured mode) makes, as a request carrying it
/// would; for the local platform, where such an event is piped in.
#[doc(hidden)]
pub fn from_structured_json<E: FromKnative>(json: &[u8]) -> Result<E, Error> {
    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(wire::STRUCTURED),
    );
    E::from_request(parts, Bytes::copy_from_slice(json))
}

/// The CloudEvents a request carries; a request that carries none is refused.
fn cloud_events(
    parts: &http::request::Parts,
    body: Bytes,
    what: &str,
) -> Result<Vec<HttpCloudEvent>, Error> {
    if !wire::is_cloud_event(&parts.headers) {
        return Err(Error::invalid_event(format!(
            "a {what} is made from a CloudEvent, and this request is none: send it in binary mode (the `ce-specversion`, `ce-id`, `ce-source` and `ce-type` headers) or structured mode (`Content-Type: {}`)",
            wire::STRUCTURED
        )));
    }
    wire::from_http(&parts.headers, body)
}

fn json(status: StatusCode, body: Bytes) -> Response {
    fc_core::adapter::json_response(status, body)
}

pub use fc_core::adapter::error_body;

/// A failure's answer: 400 for an event that cannot be read, which a retry would not change;
/// 500 for the rest, which the platform retries.
pub(crate) fn failure(err: &Error) -> Response {
    fc_core::adapter::error_response(err)
}

/// An event handler's answer: its JSON with 200, or, when it returned a CloudEvent (fc's form:
/// `id`, `source`, `type`, `data`), that event in binary mode, which a Knative broker takes
/// as the reply.
fn payload_response(outcome: Result<Payload, Error>) -> Response {
    let payload = match outcome {
        Ok(payload) => payload,
        Err(err) => return failure(&err),
    };
    match reply_event(&payload) {
        Some(response) => response,
        None => json(StatusCode::OK, payload.into_bytes()),
    }
}

fn reply_event(payload: &Payload) -> Option<Response> {
    // fc's CloudEvent serializes `id` first; anything else is no reply, and is not parsed again.
    if !payload.as_str().starts_with("{\"id\":") {
        return None;
    }
    let event: CloudEvent<Box<serde_json::value::RawValue>> = payload.to().ok()?;
    let mut response = json(
        StatusCode::OK,
        Bytes::copy_from_slice(event.data.get().as_bytes()),
    );
    let time = event.time.map(|t| t.to_string());
    let attributes = [
        ("specversion", Some("1.0")),
        ("id", Some(event.id.as_str())),
        ("source", Some(event.source.as_str())),
        ("type", Some(event.kind.as_str())),
        ("subject", event.subject.as_deref()),
        ("time", time.as_deref()),
    ];
    for (name, value) in attributes {
        if let Some((name, value)) = value.and_then(|value| wire::header(name, value)) {
            response.headers_mut().insert(name, value);
        }
    }
    Some(response)
}

/// A batch's answer: Knative and Pub/Sub have no partial batch response, so an answer naming
/// failed items (`fc::BatchFailures`) fails the request and the whole delivery is retried.
fn batch_response(outcome: Result<Payload, Error>) -> Response {
    if let Ok(payload) = &outcome
        && payload.as_str().starts_with("{\"batchItemFailures\":[{")
    {
        let err = Error::msg(format!(
            "items of the delivery failed ({}); Knative and Pub/Sub have no partial response, so the whole delivery is retried",
            payload.as_str()
        ));
        tracing::error!(kind = err.kind().as_str(), "{err:#}");
        return failure(&err);
    }
    payload_response(outcome)
}

impl FromKnative for ObjectEvent {
    fn from_request(parts: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        let event = events::single(cloud_events(&parts, body, Self::NAME)?, Self::NAME)?;
        events::object_event(&event)
    }

    fn into_response(outcome: Result<Payload, Error>) -> Response {
        payload_response(outcome)
    }
}

impl FromKnative for ScheduleEvent {
    fn from_request(parts: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        if let Some(schedule) = events::scheduler_request(&parts.headers, &body) {
            return schedule;
        }
        let event = events::single(cloud_events(&parts, body, Self::NAME)?, Self::NAME)?;
        events::schedule_event(&event)
    }

    fn into_response(outcome: Result<Payload, Error>) -> Response {
        payload_response(outcome)
    }
}

impl FromKnative for MessageEvent {
    fn from_request(parts: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        events::message_event(cloud_events(&parts, body, Self::NAME)?)
    }

    fn into_response(outcome: Result<Payload, Error>) -> Response {
        batch_response(outcome)
    }
}

impl FromKnative for TableEvent {
    fn from_request(_: http::request::Parts, _: Bytes) -> Result<Self, Error> {
        Err(Error::invalid_event(
            "Knative and Cloud Run deliver no table changes fc reads (Firestore's events are protocol buffers): take them as `fc::CloudEvent<T>`",
        ))
    }

    fn into_response(outcome: Result<Payload, Error>) -> Response {
        batch_response(outcome)
    }
}

impl<T: DeserializeOwned + Send + 'static> FromKnative for CloudEvent<T> {
    fn from_request(parts: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        let event = events::single(cloud_events(&parts, body, Self::NAME)?, Self::NAME)?;
        events::cloud_event(event)
    }

    fn into_response(outcome: Result<Payload, Error>) -> Response {
        payload_response(outcome)
    }
}

impl<T: DeserializeOwned + Send + 'static> FromKnative for JsonEvent<T> {
    fn from_request(parts: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        if !wire::is_cloud_event(&parts.headers) {
            return fc_core::adapter::parse_json(&body, "JSON event");
        }
        let event = events::single(wire::from_http(&parts.headers, body)?, Self::NAME)?;
        fc_core::adapter::parse_json(&event.data, "CloudEvent data")
    }

    fn into_response(outcome: Result<Payload, Error>) -> Response {
        payload_response(outcome)
    }
}
