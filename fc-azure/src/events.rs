//! An invocation's `Data` and `Metadata` as fc's events, and the answers.
//!
//! The host writes a value that is neither bytes, a date nor an object as JSON text, so a
//! queue message `hello` may arrive as `"\"hello\""`: [`unwrapped`] undoes that.

use base64::Engine;
use bytes::Bytes;
use fc_core::adapter::EventBody;
use fc_core::http::{HeaderMap, Request, RequestInfo, Response, Trigger};
use fc_core::{
    Error, Message, MessageEvent, MessageSource, ObjectChange, ObjectEvent, ObjectRecord,
    ScheduleEvent, SourceKind, Timestamp,
};
use serde_json::{Map, Value, json};

use crate::Invocation;

/// The app setting that overrides host.json's route prefix (Azure reads host.json values from
/// `AzureFunctionsJobHost__<path>` settings).
const PREFIX_SETTING: &str = "AzureFunctionsJobHost__extensions__http__routePrefix";

/// The route prefix the host puts before every HTTP function's route, as `/prefix`, or empty
/// when the app has none: the app setting when it is set, else host.json's
/// `extensions.http.routePrefix`, else the host's default, `api`. host.json is in the function
/// app's root, where the host starts a custom handler unless `AzureWebJobsScriptRoot` names it.
///
/// Sources: Microsoft, "host.json reference for Azure Functions 2.x and later"
/// (`extensions.http.routePrefix`; app settings override host.json values);
/// Azure/azure-functions-host, `HttpWorkerOptionsSetup.cs` (the working directory defaults to
/// the function app root).
pub(crate) fn route_prefix() -> &'static str {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PREFIX.get_or_init(|| {
        let setting = std::env::var(PREFIX_SETTING).ok();
        let root = std::env::var_os("AzureWebJobsScriptRoot").unwrap_or_default();
        let host = std::fs::read_to_string(std::path::Path::new(&root).join("host.json")).ok();
        prefix_from(setting.as_deref(), host.as_deref())
    })
}

/// The prefix the app setting or host.json's text configures; the host's `api` when neither
/// does (or host.json cannot be read as JSON).
fn prefix_from(setting: Option<&str>, host_json: Option<&str>) -> String {
    let configured = setting.map(str::to_owned).or_else(|| {
        let host: Value = serde_json::from_str(host_json?).ok()?;
        let prefix = host.pointer("/extensions/http/routePrefix")?.as_str()?;
        Some(prefix.to_owned())
    });
    match configured.as_deref().unwrap_or("api").trim_matches('/') {
        "" => String::new(),
        prefix => format!("/{prefix}"),
    }
}

/// `{"Outputs", "Logs", "ReturnValue"}`, of the outputs' and the return value's JSON text.
pub(crate) fn answer(outputs: &str, return_value: &str) -> Bytes {
    Bytes::from(format!(
        r#"{{"Outputs":{outputs},"Logs":[],"ReturnValue":{return_value}}}"#
    ))
}

/// A value the host wrote as JSON text, as the value it stands for.
fn unwrapped(value: &Value) -> Value {
    match value {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(inner @ (Value::String(_) | Value::Object(_) | Value::Array(_))) => inner,
            _ => value.clone(),
        },
        other => other.clone(),
    }
}

/// The trigger's value: the one entry of `Data`, or the one that is no HTTP request.
pub(crate) fn trigger_value(invocation: &Invocation) -> Result<Value, Error> {
    let mut values = invocation.data.values();
    match (values.next(), values.next()) {
        (Some(value), None) => Ok(unwrapped(value)),
        (None, _) => Err(Error::invalid_event(
            "invalid invocation: `Data` is empty; a trigger's value was expected",
        )),
        (Some(_), Some(_)) => Err(Error::invalid_event(format!(
            "invalid invocation: `Data` has several bindings ({}); fc takes the trigger's alone",
            invocation
                .data
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The path a handler sees: without the host's route prefix (`prefix`, as [`route_prefix`]
/// gives it).
fn routed<'p>(path: &'p str, prefix: &str) -> &'p str {
    if prefix.is_empty() {
        return path;
    }
    match path.strip_prefix(prefix) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

/// A request forwarded as it came (`enableForwardingHttpRequest`).
pub(crate) fn forwarded(mut parts: http::request::Parts, body: Bytes) -> Request {
    let raw_path = parts.uri.path().to_owned();
    let routed_path = routed(&raw_path, route_prefix());
    if routed_path != raw_path {
        let target = match parts.uri.query() {
            Some(query) => format!("{routed_path}?{query}"),
            None => routed_path.to_owned(),
        };
        if let Ok(uri) = target.parse() {
            parts.uri = uri;
        }
    }
    let mut info = RequestInfo::default();
    info.trigger = Trigger::AzureHttp;
    info.source_ip = fc_core::adapter::forwarded_for(&parts.headers);
    info.raw_path = Some(raw_path);
    fc_core::adapter::passthrough(parts, body, info)
}

/// The HTTP trigger's request object in `Data` (`{Url, Method, Query, Headers, Params, Body}`).
pub(crate) fn http_request(invocation: Invocation) -> Result<Request, Error> {
    const WHAT: &str = "HTTP trigger invocation";
    let request = invocation
        .data
        .values()
        .find(|value| value.get("Method").is_some() && value.get("Url").is_some())
        .ok_or_else(|| {
            Error::invalid_event(format!(
                "invalid {WHAT}: no binding in `Data` is an HTTP request (`Method`, `Url`); is the function's trigger an httpTrigger?"
            ))
        })?;
    let method_text = request["Method"].as_str().unwrap_or_default();
    let method = method_text.to_ascii_uppercase().parse().map_err(|_| {
        Error::invalid_event(format!(
            "invalid {WHAT}: `Method` `{method_text}` is not an HTTP method"
        ))
    })?;
    let url = request["Url"].as_str().unwrap_or_default();
    // `scheme://host/path?query`.
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let target = after_scheme.find('/').map_or("/", |at| &after_scheme[at..]);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = HeaderMap::new();
    if let Some(given) = request["Headers"].as_object() {
        for (name, values) in given {
            let values = match values {
                Value::Array(values) => values.clone(),
                other => vec![other.clone()],
            };
            for value in values {
                if let (Ok(name), Some(Ok(value))) = (
                    http::HeaderName::from_bytes(name.as_bytes()),
                    value.as_str().map(http::HeaderValue::from_str),
                ) {
                    headers.append(name, value);
                }
            }
        }
    }
    let base64 = crate::body_is_base64(&headers);
    let body = match &request["Body"] {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let body = fc_core::adapter::event_body(body, base64, &headers, WHAT)?;
    let mut info = RequestInfo::default();
    info.trigger = Trigger::AzureHttpEvent;
    info.source_ip = fc_core::adapter::forwarded_for(&headers);
    info.raw_path = Some(path.to_owned());
    if let Some(params) = request["Params"].as_object() {
        info.path_params = params
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect();
    }
    fc_core::adapter::request(
        method,
        routed(path, route_prefix()),
        query,
        headers,
        body,
        info,
        WHAT,
    )
}

/// The HTTP output binding `res`: `{statusCode, headers, body}`. Bytes that are not text
/// cannot be given back this way: the host writes the body as it is.
pub(crate) async fn http_answer(outcome: Response) -> Result<Bytes, Error> {
    let outcome = fc_core::Outcome::buffered(outcome, "").await;
    let (parts, body) = outcome.into_parts();
    let mut headers = Map::new();
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            headers.insert(name.as_str().to_owned(), Value::String(value.to_owned()));
        }
    }
    let body = match EventBody::of(body)? {
        EventBody::Empty => String::new(),
        EventBody::Text(text) => text,
        EventBody::Binary(bytes) => {
            tracing::warn!(
                "a binary body cannot pass through the host's `res` output: set enableForwardingHttpRequest in host.json"
            );
            base64::engine::general_purpose::STANDARD.encode(bytes)
        }
    };
    let mut outputs = Map::new();
    outputs.insert(
        "res".into(),
        json!({
            "statusCode": parts.status.as_u16().to_string(),
            "headers": headers,
            "body": body,
        }),
    );
    Ok(answer(&Value::Object(outputs).to_string(), "null"))
}

fn sys_time(invocation: &Invocation) -> Option<Timestamp> {
    invocation
        .metadata
        .get("sys")?
        .get("UtcNow")?
        .as_str()?
        .parse()
        .ok()
}

/// A timer trigger's invocation: `{"Schedule", "ScheduleStatus", "IsPastDue"}`.
pub(crate) fn schedule_event(invocation: Invocation) -> Result<ScheduleEvent, Error> {
    let timer = invocation
        .data
        .values()
        .find(|value| value.get("IsPastDue").is_some() || value.get("Schedule").is_some())
        .ok_or_else(|| {
            Error::invalid_event(
                "expected a timer trigger's invocation: no binding in `Data` has `Schedule` or `IsPastDue`",
            )
        })?;
    let name = invocation.function_name().unwrap_or_default().to_owned();
    let mut schedule = ScheduleEvent::new(name, sys_time(&invocation));
    if timer["IsPastDue"].as_bool() == Some(true) {
        schedule.payload = Some(json!({ "isPastDue": true }).to_string());
    }
    Ok(schedule)
}

/// A blob trigger's invocation: the content (base64) in `Data`, the blob's `Uri` and
/// `Properties` in `Metadata`.
pub(crate) fn object_event(invocation: Invocation) -> Result<ObjectEvent, Error> {
    let uri = invocation
        .metadata
        .get("Uri")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Error::invalid_event("expected a blob trigger's invocation: `Metadata.Uri` is missing")
        })?;
    let after_scheme = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let path = after_scheme
        .find('/')
        .map_or("", |at| &after_scheme[at + 1..]);
    let (container, name) = path.split_once('/').ok_or_else(|| {
        Error::invalid_event(format!(
            "invalid blob trigger invocation: `Uri` `{uri}` names no container and blob"
        ))
    })?;
    let mut record = ObjectRecord::new(
        "BlobTrigger",
        container,
        fc_core::adapter::s3::decode_key(name.replace('+', "%2B")),
    );
    record.kind = ObjectChange::Created;
    let properties = invocation.metadata.get("Properties");
    record.size = properties
        .and_then(|p| p.get("Length").or_else(|| p.get("ContentLength")))
        .and_then(Value::as_u64)
        .or_else(|| {
            let content = invocation.data.values().next()?.as_str()?;
            base64::engine::general_purpose::STANDARD
                .decode(content)
                .ok()
                .map(|bytes| bytes.len() as u64)
        });
    record.etag = properties
        .and_then(|p| p.get("ETag"))
        .and_then(Value::as_str)
        .map(|etag| etag.trim_matches('"').to_owned());
    record.time = sys_time(&invocation);
    Ok(ObjectEvent::new(vec![record]))
}

/// A queue, Service Bus or Event Hubs trigger's invocation: its message, or an Event Hubs
/// batch's.
pub(crate) fn message_event(invocation: Invocation) -> Result<MessageEvent, Error> {
    let value = trigger_value(&invocation)?;
    let metadata = &invocation.metadata;
    let text = |key: &str| {
        metadata.get(key).map(|value| match unwrapped(value) {
            Value::String(text) => text,
            other => other.to_string(),
        })
    };
    // Event Hubs names the partition a message comes from; Service Bus has sequence numbers
    // too, but no partition.
    let stream =
        metadata.contains_key("PartitionContext") || metadata.contains_key("SequenceNumberArray");
    let kind = if stream {
        SourceKind::Stream
    } else {
        SourceKind::Queue
    };
    let source = MessageSource::new(kind, invocation.function_name().unwrap_or_default());
    let body_of = |value: &Value| match value {
        Value::String(text) => Bytes::from(text.clone()),
        other => Bytes::from(other.to_string()),
    };
    let messages = match value {
        Value::Array(items) if stream => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let id = metadata
                    .get("SequenceNumberArray")
                    .and_then(|ids| unwrapped(ids).get(index).map(Value::to_string))
                    .unwrap_or_else(|| index.to_string());
                Message::new(id, body_of(&unwrapped(item)), source.clone())
            })
            .collect(),
        value => {
            let id = text("Id")
                .or_else(|| text("MessageId"))
                .or_else(|| text("SequenceNumber"))
                .unwrap_or_else(fc_core::adapter::request_id);
            let mut message = Message::new(id, body_of(&value), source);
            message.partition_key = text("PartitionKey");
            message.offset = text("Offset").and_then(|o| o.parse().ok());
            message.time = text("InsertionTime")
                .or_else(|| text("EnqueuedTime"))
                .or_else(|| text("EnqueuedTimeUtc"))
                .and_then(|time| time.parse().ok());
            for key in [
                "DequeueCount",
                "DeliveryCount",
                "ContentType",
                "CorrelationId",
            ] {
                if let Some(value) = text(key) {
                    message.attributes.insert(key.to_owned(), value);
                }
            }
            vec![message]
        }
    };
    Ok(MessageEvent::new(messages))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_core::http::RequestExt;

    fn invocation(value: Value) -> Invocation {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn the_route_prefix_comes_from_the_app_setting_then_host_json_then_the_default() {
        let host = |prefix: &str| {
            format!(r#"{{"version":"2.0","extensions":{{"http":{{"routePrefix":"{prefix}"}}}}}}"#)
        };
        assert_eq!(prefix_from(None, None), "/api");
        assert_eq!(prefix_from(None, Some(&host(""))), "");
        assert_eq!(prefix_from(None, Some(&host("v1/"))), "/v1");
        assert_eq!(prefix_from(Some("shop"), Some(&host(""))), "/shop");
        assert_eq!(prefix_from(Some(""), None), "");
        // host.json without the setting, or not JSON: the host's default.
        assert_eq!(prefix_from(None, Some(r#"{"version":"2.0"}"#)), "/api");
        assert_eq!(prefix_from(None, Some("// comment\n{}")), "/api");
        assert_eq!(routed("/api/users", ""), "/api/users");
        assert_eq!(routed("/api/users", "/api"), "/users");
        assert_eq!(routed("/api", "/api"), "/");
        assert_eq!(routed("/apiary", "/api"), "/apiary");
        assert_eq!(routed("/v1/x", "/v1"), "/x");
    }

    #[test]
    fn http_invocations_are_requests_without_the_route_prefix() {
        // The documented example (functions-custom-handlers.md), with today's `Query` object.
        let request = http_request(invocation(json!({
            "Data": {"req": {
                "Url": "http://localhost:7071/api/order?color=black",
                "Method": "POST",
                "Query": {"color": "black"},
                "Headers": {"Content-Type": ["application/json"]},
                "Params": {},
                "Body": "{\"id\":1005,\"quantity\":2,\"color\":\"black\"}"
            }},
            "Metadata": {}
        })))
        .unwrap();
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.uri(), "/order?color=black");
        assert_eq!(request.info().raw_path.as_deref(), Some("/api/order"));
        assert!(request.body().as_str().unwrap().contains("1005"));
        let err = http_request(invocation(json!({"Data": {"x": 1}}))).unwrap_err();
        assert!(err.message().contains("httpTrigger"), "{err}");
    }

    #[test]
    fn queue_messages_are_messages_even_when_written_twice() {
        // The documented queue example, and the host's JSON text of a string.
        let event = message_event(invocation(json!({
            "Data": {"myQueueItem": "\"hello\""},
            "Metadata": {
                "DequeueCount": 1, "Id": "800ae4b3-bdd2-4c08-badd-f08e5a34b865",
                "InsertionTime": "2019-10-09T17:58:31+00:00",
                "sys": {"MethodName": "QueueTrigger", "UtcNow": "2019-10-09T17:58:32.2205399Z", "RandGuid": "24ad4c06-24ad-4e5b-8294-3da9714877e9"}
            }
        })))
        .unwrap();
        let message = &event.messages[0];
        assert_eq!(&message.body.0[..], b"hello");
        assert_eq!(message.id, "800ae4b3-bdd2-4c08-badd-f08e5a34b865");
        assert_eq!(message.attributes["DequeueCount"], "1");
        assert_eq!(message.source.name, "QueueTrigger");
    }

    #[test]
    fn service_bus_messages_are_queued_and_event_hubs_batches_streamed() {
        // Service Bus numbers its messages too, but has no partition.
        let queued = message_event(invocation(json!({
            "Data": {"message": "{\"id\":7}"},
            "Metadata": {"MessageId": "m-7", "SequenceNumber": 12, "DeliveryCount": 2,
                "EnqueuedTimeUtc": "2026-12-03T03:00:00Z", "sys": {"MethodName": "orders"}}
        })))
        .unwrap();
        let message = &queued.messages[0];
        assert_eq!(message.source.kind, SourceKind::Queue);
        assert_eq!(
            (message.id.as_str(), &message.body.0[..]),
            ("m-7", &b"{\"id\":7}"[..])
        );
        assert_eq!(message.attributes["DeliveryCount"], "2");
        let batch = message_event(invocation(json!({
            "Data": {"events": ["\"a\"", "{\"n\":2}"]},
            "Metadata": {"PartitionContext": {"PartitionId": "0"}, "SequenceNumberArray": [5, 6],
                "sys": {"MethodName": "telemetry"}}
        })))
        .unwrap();
        let ids: Vec<&str> = batch.messages.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["5", "6"]);
        assert_eq!(batch.messages[0].source.kind, SourceKind::Stream);
        assert_eq!(&batch.messages[1].body.0[..], b"{\"n\":2}");
    }

    #[test]
    fn timers_and_blobs_are_schedules_and_objects() {
        let schedule = schedule_event(invocation(json!({
            "Data": {"timer": {"Schedule": {"AdjustForDST": true}, "ScheduleStatus": null, "IsPastDue": false}},
            "Metadata": {"sys": {"MethodName": "nightly", "UtcNow": "2023-09-07T11:40:45.004275Z", "RandGuid": "35e6e68c-5583-436c-a277-5aec2b416ba8"}}
        })))
        .unwrap();
        assert_eq!(schedule.name, "nightly");
        assert!(schedule.time.is_some());
        let object = object_event(invocation(json!({
            "Data": {"myBlob": "aGVsbG8="},
            "Metadata": {"Uri": "https://acct.blob.core.windows.net/photos/cats/a%20b.jpg", "sys": {"MethodName": "object"}}
        })))
        .unwrap();
        let record = &object.records[0];
        assert_eq!(
            (record.bucket.as_str(), record.key.as_str()),
            ("photos", "cats/a b.jpg")
        );
        assert_eq!(record.size, Some(5));
        assert_eq!(record.kind, ObjectChange::Created);
        assert!(object_event(invocation(json!({"Data": {}}))).is_err());
    }
}
