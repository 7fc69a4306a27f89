//! What handlers return, and how it becomes what a platform gets back.

use std::fmt;
use std::future::Future;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::{Error, ErrorKind};
use crate::event::{
    CloudEvent, Event, JsonEvent, MessageEvent, ObjectEvent, ScheduleEvent, TableEvent,
};
use crate::http::{Body, IntoResponse, Request, Response};
use crate::response::Failure;

/// The JSON an event handler answered with, serialized once and passed to the platform as is.
#[derive(Clone)]
pub struct Payload(Box<RawValue>);

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Payload {}

impl Payload {
    /// Serializes `value` as JSON.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Payload, Error> {
        serde_json::value::to_raw_value(value)
            .map(Payload)
            .map_err(|err| {
                Error::new(
                    ErrorKind::Internal,
                    format!("the handler's result could not be encoded as JSON: {err}"),
                )
            })
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        RawValue::get(&self.0)
    }

    /// The JSON bytes.
    pub fn as_bytes(&self) -> &[u8] {
        RawValue::get(&self.0).as_bytes()
    }

    /// The JSON as a raw value, to embed in a larger document without parsing it again.
    pub fn into_raw(self) -> Box<RawValue> {
        self.0
    }

    /// The JSON bytes, owned.
    pub fn into_bytes(self) -> Bytes {
        Bytes::from(String::from(Box::<str>::from(self.0)))
    }

    /// Reads the JSON back into `T` (handy in tests).
    pub fn to<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(RawValue::get(&self.0))
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Payload({})", RawValue::get(&self.0))
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(RawValue::get(&self.0))
    }
}

#[doc(hidden)]
pub mod markers {
    //! Names that tell apart the ways a return value becomes a [`Payload`](super::Payload).

    /// The value itself is the result.
    #[derive(Debug)]
    pub struct Value;
    /// `Ok` is the result, `Err` the failure.
    #[derive(Debug)]
    pub struct Fallible;
    /// The result is already a [`Payload`](super::Payload) or the failure.
    #[derive(Debug)]
    pub struct Done;
}

/// Something an event handler can return: any `Serialize` value, or a `Result` of one whose
/// error converts into [`Error`].
///
/// `M` is inferred; it only tells the two forms apart.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the result of an event handler",
    label = "an event handler returns a `Serialize` value or `Result<T: Serialize, E: Into<fc::Error>>`",
    note = "derive `serde::Serialize` for your result type, or return `fc::Json<T>`"
)]
pub trait IntoPayload<M> {
    /// Serializes the result, or passes the handler's error on.
    fn into_payload(self) -> Result<Payload, Error>;
}

impl<T: Serialize> IntoPayload<markers::Value> for T {
    fn into_payload(self) -> Result<Payload, Error> {
        Payload::json(&self)
    }
}

impl<T: Serialize, E: Into<Error>> IntoPayload<markers::Fallible> for Result<T, E> {
    fn into_payload(self) -> Result<Payload, Error> {
        match self {
            Ok(value) => Payload::json(&value),
            Err(err) => Err(err.into()),
        }
    }
}

/// An outcome already made passes as it is (what `#[handler]`'s expansion hands over).
impl IntoPayload<markers::Done> for Result<Payload, Error> {
    fn into_payload(self) -> Result<Payload, Error> {
        self
    }
}

/// What the platform gets back from one invocation: an HTTP [`Response`], or for other events
/// a JSON [`Payload`] or an [`Error`].
///
/// Sealed: fc handles exactly these two.
pub trait Outcome: Send + Sized + 'static + sealed::Sealed {
    #[doc(hidden)]
    fn from_failure(error: Error, request_id: &str) -> Self;

    #[doc(hidden)]
    fn finish(self, request_id: &str) -> Self;

    /// The outcome with a streaming body read to its end, for platforms that answer with a
    /// whole document (a JSON event response). A stream that fails is a 500, logged.
    #[doc(hidden)]
    fn buffered(self, request_id: &str) -> impl Future<Output = Self> + Send;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Response {}
    impl Sealed for Result<super::Payload, super::Error> {}
}

/// The body of a 500: the request id to quote to support, nothing from inside the function.
fn internal_error_response(request_id: &str) -> Response {
    let body = serde_json::json!({
        "error": "Internal Server Error",
        "requestId": request_id,
    });
    let mut response = Response::new(Body::text(body.to_string()));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn log_failure(error: &Error, request_id: &str) {
    tracing::error!(
        request_id,
        kind = error.kind().as_str(),
        "handler failed: {error:#}"
    );
}

impl Outcome for Response {
    fn from_failure(error: Error, request_id: &str) -> Self {
        log_failure(&error, request_id);
        internal_error_response(request_id)
    }

    fn finish(mut self, request_id: &str) -> Self {
        match self.extensions_mut().remove::<Failure>() {
            Some(Failure(error)) => {
                log_failure(&error, request_id);
                let status = self.status();
                let mut response = internal_error_response(request_id);
                *response.status_mut() = status;
                response
            }
            None => self,
        }
    }

    async fn buffered(self, request_id: &str) -> Self {
        if !self.body().is_stream() {
            return self;
        }
        let (parts, body) = self.into_parts();
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        match body.collect(content_type).await {
            Ok(body) => Response::from_parts(parts, body),
            Err(err) => {
                let error = Error::new(
                    ErrorKind::Internal,
                    format!("the response body failed: {err}"),
                );
                Self::from_failure(error, request_id)
            }
        }
    }
}

impl Outcome for Result<Payload, Error> {
    fn from_failure(error: Error, request_id: &str) -> Self {
        log_failure(&error, request_id);
        Err(error)
    }

    fn finish(self, request_id: &str) -> Self {
        if let Err(error) = &self {
            log_failure(error, request_id);
        }
        self
    }

    async fn buffered(self, _request_id: &str) -> Self {
        self
    }
}

/// Something a handler of `E` can return.
///
/// For HTTP requests that is any [`IntoResponse`]; for every other event, any
/// [`IntoPayload`]. `M` is inferred.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a handler of `{E}`",
    label = "not a valid result for this handler",
    note = "an HTTP handler returns something that implements `fc::http::IntoResponse`; an event handler returns a `Serialize` value or `Result<T: Serialize, E: Into<fc::Error>>`"
)]
pub trait Reply<E: Event, M>: Send {
    /// Converts the handler's return value.
    fn into_outcome(self) -> E::Outcome;
}

impl<R: IntoResponse + Send> Reply<Request, ()> for R {
    fn into_outcome(self) -> Response {
        self.into_response()
    }
}

macro_rules! payload_reply {
    ($($event:ty),*) => {$(
        impl<R: IntoPayload<M> + Send, M> Reply<$event, M> for R {
            fn into_outcome(self) -> Result<Payload, Error> {
                self.into_payload()
            }
        }
    )*};
}

payload_reply!(ObjectEvent, TableEvent, ScheduleEvent, MessageEvent);

impl<T: Send + 'static, R: IntoPayload<M> + Send, M> Reply<CloudEvent<T>, M> for R {
    fn into_outcome(self) -> Result<Payload, Error> {
        self.into_payload()
    }
}

impl<T: Send + 'static, R: IntoPayload<M> + Send, M> Reply<JsonEvent<T>, M> for R {
    fn into_outcome(self) -> Result<Payload, Error> {
        self.into_payload()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome<E: Event, M, R: Reply<E, M>>(r: R) -> E::Outcome {
        r.into_outcome()
    }

    #[test]
    fn event_results_serialize_once() {
        let ok = outcome::<ObjectEvent, _, _>(serde_json::json!({"n": 1}));
        assert_eq!(ok.map(|p| p.to_string()).ok().as_deref(), Some("{\"n\":1}"));
        let ok: Result<u32, Error> = Ok(3);
        assert_eq!(
            outcome::<TableEvent, _, _>(ok)
                .map(|p| p.to_string())
                .ok()
                .as_deref(),
            Some("3")
        );
        let err: Result<u32, std::io::Error> = Err(std::io::Error::other("boom"));
        let err = outcome::<ScheduleEvent, _, _>(err)
            .err()
            .map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("boom"));
    }

    #[test]
    fn failed_responses_name_the_request_only() {
        let response = outcome::<Request, _, _>(Err::<String, _>(Error::msg("secret detail")));
        let response = response.finish("req-42");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = response.body().as_str().unwrap_or_default().to_owned();
        assert_eq!(
            body,
            r#"{"error":"Internal Server Error","requestId":"req-42"}"#
        );
        assert!(!body.contains("secret"));
    }
}
