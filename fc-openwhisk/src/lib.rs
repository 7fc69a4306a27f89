//! The Apache OpenWhisk adapter of [fc](https://docs.rs/fc).
//!
//! OpenWhisk runs an action in a container that speaks its action interface (Source: Apache
//! OpenWhisk, `docs/actions-new.md` and `docs/actions-docker.md`; `docs/webactions.md`). fc
//! speaks both forms of it:
//!
//! - **a Docker action** (`wsk action create NAME --docker IMAGE`): the binary is the
//!   container's server on `0.0.0.0:8080`: `POST /init` once (`{"value": {…}}`; a second one is
//!   refused with 403), then `POST /run` per activation with `{"value": {…}, "activation_id",
//!   "deadline", "action_name", "namespace", …}`, answered with the result object, or
//!   `{"error": …}` when the handler or its event failed (an *application error*; a non-200
//!   answer means no activation could run); after each activation `XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX` on stdout and
//!   stderr, by which OpenWhisk collects the activation's log;
//! - **a native action** (`wsk action create NAME --native exec.zip`): OpenWhisk's skeleton runs
//!   the binary once per activation with the parameters as JSON in its first argument (and on
//!   stdin), and reads the result from the last line of its stdout.
//!
//! | handler takes | delivered from |
//! |---|---|
//! | `fc::http::Request` | a web action's request (`__ow_method`, `__ow_path`, `__ow_headers`, `__ow_query`, `__ow_body`), answered `{statusCode, headers, body}` |
//! | `fc::ScheduleEvent` | an alarm (the `/whisk.system/alarms` feed): its `trigger_payload`, as the payload |
//! | `fc::ObjectEvent` | an S3-compatible store's bucket notification (`Records[].s3`; MinIO's webhook target) sent to a web action or fired with a trigger |
//! | `fc::JsonEvent<T>` | any activation: its parameters as `T` |
//!
//! `TableEvent`, `MessageEvent` and `CloudEvent<T>` have no OpenWhisk source in Apache's own
//! packages: such a handler answers each activation with an error saying so.
//!
//! A web action serving an `fc::http::Request` handler is created raw (`--web raw`), so that the
//! query and body arrive as they were sent.
//!
//! The `Context` carries the activation id as the request id, the deadline, the action's name
//! and namespace.

mod server;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use fc_core::adapter::EventBody;
use fc_core::adapter::s3::Notification;
use fc_core::http::{Body, Request, RequestInfo, Response, Trigger};
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
    /// Present (maybe empty) only in a raw web action's parameters.
    #[serde(rename = "__ow_query")]
    query: Option<String>,
    #[serde(rename = "__ow_headers", default)]
    headers: BTreeMap<String, String>,
    #[serde(rename = "__ow_body", default)]
    body: Option<String>,
}

/// Whether OpenWhisk's controller passes a web action's body of this type as text; otherwise it
/// is base64, both ways (`application/json` is base64 in a request only). The controller goes by akka-http's media types: `text/*`, the open-charset
/// application types and anything with a charset are text, `application/json` is encoded "for
/// legacy", and a body without a type is `application/octet-stream`.
///
/// Source: Apache OpenWhisk, `docs/webactions.md` ("Raw HTTP handling") and the controller's
/// `WebActions.scala`.
pub fn body_is_text(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let content_type = content_type.to_ascii_lowercase();
    let (media, params) = content_type
        .split_once(';')
        .unwrap_or((content_type.as_str(), ""));
    let media = media.trim();
    media != "application/json"
        && (media.starts_with("text/")
            || media.ends_with("+json")
            || media.ends_with("+xml")
            || matches!(
                media,
                "application/x-www-form-urlencoded"
                    | "application/xml"
                    | "application/javascript"
                    | "application/ecmascript"
            )
            || params.contains("charset="))
}

impl FromOpenWhisk for Request {
    fn from_params(params: Map<String, Value>) -> Result<Self, Error> {
        let web: Web = serde_json::from_value(Value::Object(params)).map_err(|err| {
            Error::invalid_event(format!(
                "invalid web action request: {err}; is the action created with `--web raw`?"
            ))
        })?;
        // Without `raw`, OpenWhisk merges the query and a JSON or form body into the
        // parameters, beside the action's own: the request cannot be rebuilt as it was sent.
        let Some(query) = web.query else {
            return Err(Error::invalid_event(
                "the web action is not raw: its query and body were merged into the parameters; create it with `wsk action create NAME --web raw` so the request arrives as it was sent",
            ));
        };
        let method = web.method.to_ascii_uppercase().parse().map_err(|_| {
            Error::invalid_event(format!(
                "invalid web action request: `__ow_method` `{}` is not an HTTP method",
                web.method
            ))
        })?;
        let headers =
            fc_core::adapter::header_map(web.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let content_type = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let body = match web.body.filter(|body| !body.is_empty()) {
            None => Body::empty(),
            Some(text) if body_is_text(content_type) => Body::text(text),
            Some(encoded) => {
                use base64::Engine;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .map_err(|err| {
                        Error::invalid_event(format!(
                            "invalid web action request: `__ow_body` of a {} body must be base64: {err}",
                            content_type.unwrap_or("binary")
                        ))
                    })?;
                Body::from_bytes(bytes.into(), content_type)
            }
        };
        let mut info = RequestInfo::default();
        info.trigger = Trigger::OpenWhiskWeb;
        info.source_ip = fc_core::adapter::forwarded_for(&headers);
        info.raw_path = Some(web.path.clone());
        fc_core::adapter::request(
            method,
            &web.path,
            &query,
            headers,
            body,
            info,
            "web action request",
        )
    }

    async fn into_result(outcome: Response) -> Result<Value, Error> {
        let outcome = fc_core::Outcome::buffered(outcome, "").await;
        let (mut parts, body) = outcome.into_parts();
        let bytes = match EventBody::of(body)? {
            EventBody::Empty => None,
            EventBody::Text(text) => Some(Bytes::from(text)),
            EventBody::Binary(bytes) => Some(bytes),
        };
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let untyped = content_type.is_none();
        let text = body_is_text(content_type);
        let body = bytes.map(|bytes| match std::str::from_utf8(&bytes) {
            Ok(as_text) if untyped || text => Value::String(as_text.to_owned()),
            _ => {
                // Untyped bytes would be served as text/html.
                if untyped {
                    parts.headers.insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("application/octet-stream"),
                    );
                }
                use base64::Engine;
                Value::String(base64::engine::general_purpose::STANDARD.encode(&bytes))
            }
        });
        let headers = fc_core::adapter::headers_json(&parts.headers);
        let mut result = serde_json::json!({
            "statusCode": parts.status.as_u16(),
            "headers": headers,
        });
        if let Some(body) = body {
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

no_source!(TableEvent, MessageEvent);

/// What object events are on OpenWhisk.
const NOTIFICATION: &str = "S3-compatible bucket notification";

impl FromOpenWhisk for ObjectEvent {
    fn from_params(mut params: Map<String, Value>) -> Result<Self, Error> {
        let notification = if params.contains_key("Records") {
            // A web action without `raw`, or a trigger fired with the notification: its fields
            // are the parameters.
            serde_json::from_value::<Notification>(Value::Object(params)).map_err(|e| e.to_string())
        } else if let Some(Value::String(body)) = params.remove("__ow_body") {
            // A raw web action: the JSON body arrives base64-encoded.
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(body.trim())
                .unwrap_or_else(|_| body.into_bytes());
            serde_json::from_slice::<Notification>(&bytes).map_err(|e| e.to_string())
        } else {
            Err("the parameters have no `Records`".to_owned())
        };
        notification
            .map_err(|why| {
                Error::invalid_event(format!(
                    "expected an {NOTIFICATION} (`Records[].s3`, as MinIO and other S3-compatible stores send to a webhook): {why}"
                ))
            })?
            .into_event(NOTIFICATION)
    }

    async fn into_result(outcome: Result<Payload, Error>) -> Result<Value, Error> {
        outcome.and_then(object)
    }
}

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
    fn a_raw_web_action_is_a_request() {
        // The controller's example (docs/webactions.md, "Raw HTTP handling"): JSON arrives
        // base64-encoded, as binary bodies do.
        let request = Request::from_params(params(serde_json::json!({
            "__ow_method": "post",
            "__ow_path": "/submitSurvey",
            "__ow_query": "name=Jane",
            "__ow_body": "eyJuYW1lIjoiSmFuZSJ9",
            "__ow_headers": {"content-type": "application/json", "x-forwarded-for": "10.0.0.1"},
        })))
        .unwrap();
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.uri(), "/submitSurvey?name=Jane");
        assert_eq!(request.body().as_bytes(), br#"{"name":"Jane"}"#);
        assert_eq!(request.info().trigger, Trigger::OpenWhiskWeb);
        let form = Request::from_params(params(serde_json::json!({
            "__ow_method": "post", "__ow_path": "", "__ow_query": "",
            "__ow_headers": {"content-type": "application/x-www-form-urlencoded"},
            "__ow_body": "name=Jane",
        })))
        .unwrap();
        assert_eq!(
            (form.uri().path(), form.body().as_str()),
            ("/", Some("name=Jane"))
        );
        let binary = Request::from_params(params(serde_json::json!({
            "__ow_method": "put", "__ow_path": "/b", "__ow_query": "",
            "__ow_headers": {"content-type": "image/png"}, "__ow_body": "AAEC",
        })))
        .unwrap();
        assert_eq!(binary.body().as_bytes(), &[0u8, 1, 2][..]);
        let err = Request::from_params(params(serde_json::json!({"name": "x"}))).unwrap_err();
        assert!(err.message().contains("`--web raw`"), "{err}");
        let err = Request::from_params(params(serde_json::json!({
            "__ow_method": "put", "__ow_path": "/b", "__ow_query": "",
            "__ow_headers": {"content-type": "image/png"}, "__ow_body": "%%",
        })))
        .unwrap_err();
        assert!(err.message().contains("must be base64"), "{err}");
        // `--web true`: the body's fields are parameters; no request can be made of them.
        let err = Request::from_params(params(serde_json::json!({
            "__ow_method": "post", "__ow_path": "", "__ow_headers": {}, "name": "Jane",
        })))
        .unwrap_err();
        assert!(err.message().contains("not raw"), "{err}");
    }

    #[tokio::test]
    async fn answers_are_encoded_as_the_controller_decodes_them() {
        let answer = |content_type: Option<&'static str>, body: &'static [u8]| {
            let mut response =
                Response::new(Body::from_bytes(Bytes::from_static(body), content_type));
            if let Some(ct) = content_type {
                response.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static(ct),
                );
            }
            response
                .headers_mut()
                .append("set-cookie", http::HeaderValue::from_static("a=1"));
            response
                .headers_mut()
                .append("set-cookie", http::HeaderValue::from_static("b=2"));
            Request::into_result(response)
        };
        let html = answer(Some("text/html; charset=utf-8"), b"<p>hi</p>")
            .await
            .unwrap();
        assert_eq!(html["body"], "<p>hi</p>");
        assert_eq!(
            html["headers"]["set-cookie"],
            serde_json::json!(["a=1", "b=2"])
        );
        let json = answer(Some("application/json"), b"{\"a\":1}")
            .await
            .unwrap();
        assert_eq!(json["body"], "eyJhIjoxfQ==");
        let png = answer(Some("image/png"), &[0, 1, 2]).await.unwrap();
        assert_eq!(png["body"], "AAEC");
        let untyped = answer(None, &[0xff, 0]).await.unwrap();
        assert_eq!(
            untyped["headers"]["content-type"],
            "application/octet-stream"
        );
        let empty = answer(None, b"").await.unwrap();
        assert!(empty.get("body").is_none());
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
    fn bucket_notifications_are_object_events_however_they_arrive() {
        const MINIO: &str = include_str!("../tests/data/minio-notification.json");
        let fired: Map<String, Value> = serde_json::from_str(MINIO).unwrap();
        let mut web = fired.clone();
        web.insert("__ow_method".into(), "post".into());
        use base64::Engine;
        let raw = params(serde_json::json!({
            "__ow_method": "post", "__ow_path": "", "__ow_query": "", "__ow_headers": {},
            "__ow_body": base64::engine::general_purpose::STANDARD.encode(MINIO),
        }));
        for params in [fired, web, raw] {
            let event = ObjectEvent::from_params(params).unwrap();
            let record = &event.records[0];
            assert_eq!(
                (record.bucket.as_str(), record.key.as_str()),
                ("anze", "hello.jpg")
            );
            assert_eq!(record.kind, fc_core::ObjectChange::Created);
            assert_eq!(record.size, Some(224_662));
        }
        let err = ObjectEvent::from_params(params(serde_json::json!({"name": "x"}))).unwrap_err();
        assert!(
            err.message().contains("S3-compatible bucket notification"),
            "{err}"
        );
        let err = ObjectEvent::from_params(params(serde_json::json!({"Records": [{"s3": {}}]})))
            .unwrap_err();
        assert!(err.message().contains("Records"), "{err}");
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
