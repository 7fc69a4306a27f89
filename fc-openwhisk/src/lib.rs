//! The Apache OpenWhisk adapter of [fc](https://docs.rs/fc).
//!
//! OpenWhisk runs an action in a container that speaks its action interface (Source: Apache
//! OpenWhisk, `docs/actions-new.md` and `docs/actions-docker.md`; `docs/webactions.md`). fc
//! speaks both forms of it:
//!
//! - **a Docker action** (`wsk action create NAME --docker IMAGE`): the binary is the
//!   container's server on `0.0.0.0:8080`: `POST /init` once (`{"value": {…}}`; a second one is
//!   refused with 403), then `POST /run` per activation with `{"value": {…}, "activation_id",
//!   "deadline", "action_name", "namespace", …}`, answered with the result object, or a non-200
//!   `{"error": …}`; after each activation `XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX` on stdout and
//!   stderr, by which OpenWhisk collects the activation's log;
//! - **a native action** (`wsk action create NAME --native exec.zip`): OpenWhisk's skeleton runs
//!   the binary once per activation with the parameters as JSON in its first argument (and on
//!   stdin), and reads the result from the last line of its stdout.
//!
//! | handler takes | delivered from |
//! |---|---|
//! | `fc::http::Request` | a web action's request (`__ow_method`, `__ow_path`, `__ow_headers`, `__ow_query`, `__ow_body`), answered `{statusCode, headers, body}` |
//! | `fc::ScheduleEvent` | an alarm (the `/whisk.system/alarms` feed): its `trigger_payload`, as the payload |
//! | `fc::JsonEvent<T>` | any activation: its parameters as `T` |
//!
//! `ObjectEvent`, `TableEvent`, `MessageEvent` and `CloudEvent<T>` have no OpenWhisk source in
//! Apache's own packages: such a handler answers each activation with an error saying so.
//!
//! The `Context` carries the activation id as the request id, the deadline, the action's name
//! and namespace.

mod server;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use fc_core::adapter::{EventBody, event_body};
use fc_core::http::{HeaderMap, Request, RequestInfo, Response, Trigger};
use fc_core::{
    CloudEvent, Context, Error, Event, JsonEvent, MessageEvent, ObjectEvent, Payload, Platform,
    ScheduleEvent, TableEvent, Timestamp,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use server::{oneshot, run, serve};

/// What OpenWhisk prints after each activation's log, on stdout and on stderr.
pub const SENTINEL: &str = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

/// An event OpenWhisk can deliver: how it is made from an activation's parameters, and how the
/// handler's outcome becomes the activation's result.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be delivered on Apache OpenWhisk",
    label = "fc-openwhisk has no decoder for this event type",
    note = "on OpenWhisk a handler takes `fc::http::Request` (web actions), `fc::ScheduleEvent` (alarms), or `fc::JsonEvent<T>` with `T: serde::de::DeserializeOwned`"
)]
pub trait FromOpenWhisk: Event {
    /// Makes the event from the activation's parameters.
    #[doc(hidden)]
    fn from_params(params: Map<String, Value>) -> Result<Self, Error>;

    /// The activation's result: a JSON object, or the error to report.
    #[doc(hidden)]
    fn into_result(outcome: Self::Outcome) -> impl Future<Output = Result<Value, Error>> + Send;
}

/// `/run`'s body: the parameters and the activation's facts.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Activation {
    #[serde(default)]
    pub(crate) value: Map<String, Value>,
    #[serde(default)]
    pub(crate) activation_id: String,
    #[serde(default)]
    pub(crate) action_name: String,
    #[serde(default)]
    pub(crate) action_version: String,
    #[serde(default)]
    pub(crate) namespace: String,
    /// Epoch milliseconds, sent as a string.
    #[serde(default)]
    pub(crate) deadline: Option<Value>,
}

impl Activation {
    /// The activation's context.
    pub(crate) fn context(&self) -> Context {
        let mut ctx = Context::default();
        ctx.platform = Platform::OpenWhisk;
        ctx.request_id = if self.activation_id.is_empty() {
            fc_core::adapter::request_id()
        } else {
            self.activation_id.clone()
        };
        ctx.function_name = self.action_name.as_str().into();
        ctx.function_version = self.action_version.as_str().into();
        ctx.account_id = self.namespace.as_str().into();
        let millis = match &self.deadline {
            Some(Value::String(text)) => text.parse::<u64>().ok(),
            Some(Value::Number(n)) => n.as_u64(),
            _ => None,
        };
        ctx.deadline = millis.map(|ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms));
        ctx
    }
}

/// A result that is an object as it is; anything else under `"value"`, as OpenWhisk takes
/// only objects.
fn object(payload: Payload) -> Result<Value, Error> {
    match serde_json::from_str::<Value>(payload.as_str()) {
        Ok(Value::Object(map)) => Ok(Value::Object(map)),
        Ok(other) => Ok(serde_json::json!({ "value": other })),
        Err(err) => Err(Error::new(
            fc_core::ErrorKind::Internal,
            format!("the result is not JSON: {err}"),
        )),
    }
}

#[derive(Deserialize)]
struct Web {
    #[serde(rename = "__ow_method")]
    method: String,
    #[serde(rename = "__ow_path", default)]
    path: String,
    #[serde(rename = "__ow_query", default)]
    query: String,
    #[serde(rename = "__ow_headers", default)]
    headers: BTreeMap<String, String>,
    #[serde(rename = "__ow_body", default)]
    body: Option<String>,
}

/// Content types whose bodies OpenWhisk hands over as text; others arrive base64.
fn is_text(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.starts_with("text/")
            || ct.contains("json")
            || ct.contains("xml")
            || ct.starts_with("application/x-www-form-urlencoded")
    })
}

impl FromOpenWhisk for Request {
    fn from_params(params: Map<String, Value>) -> Result<Self, Error> {
        let web: Web = serde_json::from_value(Value::Object(params)).map_err(|err| {
            Error::invalid_event(format!(
                "invalid web action request: {err}; is the action created with `--web true`?"
            ))
        })?;
        let method = web.method.to_ascii_uppercase().parse().map_err(|_| {
            Error::invalid_event(format!(
                "invalid web action request: `__ow_method` `{}` is not an HTTP method",
                web.method
            ))
        })?;
        let mut headers = HeaderMap::new();
        for (name, value) in &web.headers {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(value),
            ) {
                headers.append(name, value);
            }
        }
        let content_type = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let base64 = !is_text(content_type);
        let body = event_body(web.body, base64, &headers, "web action request")?;
        let mut info = RequestInfo::default();
        info.trigger = Trigger::OpenWhiskWeb;
        info.source_ip = fc_core::adapter::forwarded_for(&headers);
        info.raw_path = Some(web.path.clone());
        fc_core::adapter::request(
            method,
            &web.path,
            &web.query,
            headers,
            body,
            info,
            "web action request",
        )
    }

    async fn into_result(outcome: Response) -> Result<Value, Error> {
        let outcome = fc_core::Outcome::buffered(outcome, "").await;
        let (parts, body) = outcome.into_parts();
        let mut headers = Map::new();
        for (name, value) in &parts.headers {
            if let Ok(value) = value.to_str() {
                headers.insert(name.as_str().to_owned(), Value::String(value.to_owned()));
            }
        }
        let body = match EventBody::of(body)? {
            EventBody::Empty => Value::Null,
            EventBody::Text(text) => Value::String(text),
            EventBody::Binary(bytes) => {
                use base64::Engine;
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
            }
        };
        let mut result = serde_json::json!({
            "statusCode": parts.status.as_u16(),
            "headers": headers,
        });
        if !body.is_null() {
            result["body"] = body;
        }
        Ok(result)
    }
}

impl FromOpenWhisk for ScheduleEvent {
    fn from_params(params: Map<String, Value>) -> Result<Self, Error> {
        // An alarm delivers its trigger_payload's fields and nothing else.
        let name = params
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut schedule = ScheduleEvent::new(name, Some(Timestamp::now()));
        if !params.is_empty() {
            schedule.payload = Some(Value::Object(params).to_string());
        }
        Ok(schedule)
    }

    async fn into_result(outcome: Result<Payload, Error>) -> Result<Value, Error> {
        outcome.and_then(object)
    }
}

impl<T: DeserializeOwned + Send + 'static> FromOpenWhisk for JsonEvent<T> {
    fn from_params(params: Map<String, Value>) -> Result<Self, Error> {
        let text = Value::Object(params).to_string();
        fc_core::adapter::parse_json(text.as_bytes(), "activation parameters")
    }

    async fn into_result(outcome: Result<Payload, Error>) -> Result<Value, Error> {
        outcome.and_then(object)
    }
}

macro_rules! no_source {
    ($($event:ty),*) => {$(
        impl FromOpenWhisk for $event {
            fn from_params(_: Map<String, Value>) -> Result<Self, Error> {
                Err(Error::invalid_event(format!(
                    "Apache OpenWhisk has no source of {} events: take the activation's parameters as `fc::JsonEvent<T>`",
                    <$event as Event>::NAME
                )))
            }

            async fn into_result(outcome: Result<Payload, Error>) -> Result<Value, Error> {
                outcome.and_then(object)
            }
        }
    )*};
}

no_source!(ObjectEvent, TableEvent, MessageEvent);

impl<T: DeserializeOwned + Send + 'static> FromOpenWhisk for CloudEvent<T> {
    fn from_params(_: Map<String, Value>) -> Result<Self, Error> {
        Err(Error::invalid_event(
            "Apache OpenWhisk has no source of CloudEvents: take the activation's parameters as `fc::JsonEvent<T>`",
        ))
    }

    async fn into_result(outcome: Result<Payload, Error>) -> Result<Value, Error> {
        outcome.and_then(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_core::http::RequestExt;

    fn params(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn a_web_action_is_a_request() {
        let request = Request::from_params(params(serde_json::json!({
            "__ow_method": "post",
            "__ow_path": "/submitSurvey",
            "__ow_query": "lang=en",
            "__ow_headers": {"content-type": "application/json", "x-forwarded-for": "10.0.0.1"},
            "__ow_body": "{\"name\":\"Ada\"}",
        })))
        .unwrap();
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.uri(), "/submitSurvey?lang=en");
        assert_eq!(request.body().as_str(), Some("{\"name\":\"Ada\"}"));
        assert_eq!(request.info().trigger, Trigger::OpenWhiskWeb);
        let binary = Request::from_params(params(serde_json::json!({
            "__ow_method": "put", "__ow_path": "/b",
            "__ow_headers": {"content-type": "image/png"}, "__ow_body": "AAEC",
        })))
        .unwrap();
        assert_eq!(binary.body().as_bytes(), &[0u8, 1, 2][..]);
        let err = Request::from_params(params(serde_json::json!({"name": "x"}))).unwrap_err();
        assert!(err.message().contains("`--web true`"), "{err}");
        let err = Request::from_params(params(serde_json::json!({
            "__ow_method": "put", "__ow_path": "/b",
            "__ow_headers": {"content-type": "image/png"}, "__ow_body": "%%",
        })))
        .unwrap_err();
        assert!(err.message().contains("not valid base64"), "{err}");
    }

    #[test]
    fn activations_give_the_context_its_facts() {
        let activation: Activation = serde_json::from_value(serde_json::json!({
            "value": {}, "activation_id": "a-1", "action_name": "/guest/hello",
            "namespace": "guest", "deadline": "1893456000000",
        }))
        .unwrap();
        let ctx = activation.context();
        assert_eq!(ctx.request_id, "a-1");
        assert_eq!(ctx.function_name, "/guest/hello");
        assert_eq!(
            ctx.deadline,
            Some(SystemTime::UNIX_EPOCH + Duration::from_millis(1_893_456_000_000))
        );
    }

    #[test]
    fn results_are_objects() {
        assert_eq!(
            object(Payload::json(&"hi").unwrap()).unwrap(),
            serde_json::json!({"value": "hi"})
        );
        assert_eq!(
            object(Payload::json(&serde_json::json!({"a": 1})).unwrap()).unwrap(),
            serde_json::json!({"a": 1})
        );
    }
}
