//! The Azure Functions adapter of [fc](https://docs.rs/fc): the binary is a custom handler.
//!
//! The Functions host starts the handler with `FUNCTIONS_CUSTOMHANDLER_PORT` set, waits until
//! `GET /` answers, and then sends each invocation as `POST /{FunctionName}` with
//! `{"Data": {binding: value}, "Metadata": {…, "sys": {"MethodName", "UtcNow", "RandGuid"}}}`,
//! expecting `{"Outputs": {…}, "Logs": […], "ReturnValue": …}` in JSON; any other status fails
//! the invocation (and a queue message comes back). An HTTP function with
//! `enableForwardingHttpRequest` gets the request itself instead, at its own path.
//!
//! Sources: Microsoft, "Azure Functions custom handlers" (MicrosoftDocs/azure-docs,
//! `articles/azure-functions/functions-custom-handlers.md`), and the host's
//! `Workers/Http/DefaultHttpWorkerService.cs` and `ScriptInvocationContextExtensions.cs`
//! (Azure/azure-functions-host).
//!
//! | handler takes | delivered from |
//! |---|---|
//! | `fc::http::Request` | an HTTP trigger: forwarded as it came, or as the invocation's `req`, answered as the `res` output |
//! | `fc::ScheduleEvent` | a timer trigger: the function's name, the invocation's time |
//! | `fc::ObjectEvent` | a blob trigger: the container and blob from `Uri`, the content's size |
//! | `fc::MessageEvent` | a queue, Service Bus or Event Hubs trigger (one message, or an Event Hubs batch) |
//! | `fc::JsonEvent<T>` | the trigger's value, as `T` |
//!
//! The host's route prefix is removed: with the default, a request for `/api/hello` reaches the
//! handler as `/hello`, with `/api/hello` as its raw path. The prefix is the one the app
//! configures (host.json's `extensions.http.routePrefix`, or the
//! `AzureFunctionsJobHost__extensions__http__routePrefix` app setting); `fc-local package`
//! sets none, so there paths arrive whole.
//! `TableEvent` and `CloudEvent<T>` have no source here: such a handler fails each invocation
//! with an error that says so. The `Context` carries the invocation id as the request id and
//! the function's name.

mod events;
mod server;

use bytes::Bytes;
use fc_core::http::{Request, Response};
use fc_core::{
    CloudEvent, Error, Event, JsonEvent, MessageEvent, ObjectEvent, Payload, ScheduleEvent,
    TableEvent,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use server::run;

/// Whether the host sends an HTTP trigger's body of this content type base64-encoded in the
/// invocation's `req.Body` (octet-stream and multipart bodies), rather than as text. fc-local
/// writes its invocations by the same rule.
pub fn body_is_base64(headers: &http::HeaderMap) -> bool {
    let media = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start();
    let starts = |prefix: &str| {
        media
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    };
    starts("application/octet-stream") || starts("multipart/")
}

/// One invocation as the host sends it.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Invocation {
    /// The trigger's and the input bindings' values, by binding name.
    #[serde(rename = "Data", default)]
    pub data: Map<String, Value>,
    /// The trigger's metadata, and `sys`.
    #[serde(rename = "Metadata", default)]
    pub metadata: Map<String, Value>,
}

impl Invocation {
    /// `sys.MethodName`: the function's name.
    pub fn function_name(&self) -> Option<&str> {
        self.metadata.get("sys")?.get("MethodName")?.as_str()
    }
}

/// An event Azure Functions can deliver: how it is made from an invocation, and how the
/// handler's outcome is answered.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be delivered on Azure Functions",
    label = "fc-azure has no decoder for this event type",
    note = "on Azure Functions a handler takes `fc::http::Request`, `fc::ObjectEvent`, `fc::ScheduleEvent`, `fc::MessageEvent`, or `fc::JsonEvent<T>` with `T: serde::de::DeserializeOwned`"
)]
pub trait FromAzure: Event {
    /// Makes the event from an invocation.
    #[doc(hidden)]
    fn from_invocation(invocation: Invocation) -> Result<Self, Error>;

    /// The invocation's answer: `{"Outputs", "Logs", "ReturnValue"}`, or the error to report.
    #[doc(hidden)]
    fn into_answer(outcome: Self::Outcome) -> impl Future<Output = Result<Bytes, Error>> + Send;

    /// Makes the event from a forwarded HTTP request.
    #[doc(hidden)]
    fn from_http(parts: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        let _ = (parts, body);
        Err(Error::invalid_event(format!(
            "this function takes {} events, and an HTTP request was forwarded to it",
            Self::NAME
        )))
    }

    /// The answer to a forwarded HTTP request.
    #[doc(hidden)]
    fn into_http(outcome: Self::Outcome) -> impl Future<Output = Response> + Send;
}

/// An event handler's answer: its JSON as the return value, as it is, no outputs.
fn answer(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
    Ok(events::answer("{}", outcome?.as_str()))
}

fn answer_http(outcome: Result<Payload, Error>) -> Response {
    match outcome {
        Ok(payload) => server::json(http::StatusCode::OK, payload.into_bytes()),
        Err(err) => server::failure(&err),
    }
}

impl FromAzure for Request {
    fn from_invocation(invocation: Invocation) -> Result<Self, Error> {
        events::http_request(invocation)
    }

    async fn into_answer(outcome: Response) -> Result<Bytes, Error> {
        events::http_answer(outcome).await
    }

    fn from_http(parts: http::request::Parts, body: Bytes) -> Result<Self, Error> {
        Ok(events::forwarded(parts, body))
    }

    async fn into_http(outcome: Response) -> Response {
        outcome
    }
}

macro_rules! json_event {
    ($event:ty, $decode:expr) => {
        impl FromAzure for $event {
            fn from_invocation(invocation: Invocation) -> Result<Self, Error> {
                $decode(invocation)
            }

            async fn into_answer(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
                answer(outcome)
            }

            async fn into_http(outcome: Result<Payload, Error>) -> Response {
                answer_http(outcome)
            }
        }
    };
}

json_event!(ObjectEvent, events::object_event);
json_event!(ScheduleEvent, events::schedule_event);

/// A batch's answer: the host has no partial batch response, so an answer naming failed items
/// (`fc::BatchFailures`) fails the invocation, and the message comes back.
fn batch_answer(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
    if let Ok(payload) = &outcome
        && payload.as_str().starts_with("{\"batchItemFailures\":[{")
    {
        return Err(Error::msg(format!(
            "items of the batch failed ({}); Azure Functions has no partial batch response, so the invocation fails",
            payload.as_str()
        )));
    }
    answer(outcome)
}

impl FromAzure for MessageEvent {
    fn from_invocation(invocation: Invocation) -> Result<Self, Error> {
        events::message_event(invocation)
    }

    async fn into_answer(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
        batch_answer(outcome)
    }

    async fn into_http(outcome: Result<Payload, Error>) -> Response {
        match batch_answer(outcome) {
            Ok(answer) => server::json(http::StatusCode::OK, answer),
            Err(err) => server::failure(&err),
        }
    }
}
json_event!(TableEvent, |_| Err(Error::invalid_event(
    "Azure Functions has no source of TableEvent events: take the trigger's value as `fc::JsonEvent<T>`"
)));

impl<T: DeserializeOwned + Send + 'static> FromAzure for CloudEvent<T> {
    fn from_invocation(_: Invocation) -> Result<Self, Error> {
        Err(Error::invalid_event(
            "Azure Functions has no source of CloudEvents here: take the trigger's value as `fc::JsonEvent<T>`",
        ))
    }

    async fn into_answer(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
        answer(outcome)
    }

    async fn into_http(outcome: Result<Payload, Error>) -> Response {
        answer_http(outcome)
    }
}

impl<T: DeserializeOwned + Send + 'static> FromAzure for JsonEvent<T> {
    fn from_invocation(invocation: Invocation) -> Result<Self, Error> {
        let value = events::trigger_value(&invocation)?;
        serde_json::from_value(value)
            .map_err(|err| Error::invalid_event(format!("invalid trigger value: {err}")))
    }

    async fn into_answer(outcome: Result<Payload, Error>) -> Result<Bytes, Error> {
        answer(outcome)
    }

    async fn into_http(outcome: Result<Payload, Error>) -> Response {
        answer_http(outcome)
    }
}
