//! SCF's trigger events as fc's neutral types, and the integration response.

use base64::Engine;
use bytes::Bytes;
use fc_core::adapter::{EventBody, parse_json};
use fc_core::http::{Request, RequestInfo, Response, Trigger};
use fc_core::{
    Error, Message, MessageEvent, MessageSource, ObjectEvent, ObjectRecord, ScheduleEvent,
    SourceKind, Timestamp,
};
use serde_json::Value;

use crate::wire::{CkafkaEvent, CmqEvent, CosEvent, HttpEvent, HttpResponse, TimerEvent};

const API_GATEWAY: &str = "API Gateway trigger event";
const COS: &str = "COS trigger event";
const TIMER: &str = "timer trigger event";

/// An API Gateway trigger's or function URL's event as a request.
pub(crate) fn http_request(raw: &[u8]) -> Result<Request, Error> {
    let event: HttpEvent = parse_json(raw, API_GATEWAY)?;
    let method = event
        .http_method
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| {
            Error::invalid_event(format!(
                "invalid {API_GATEWAY}: `httpMethod` `{}` is not an HTTP method",
                event.http_method
            ))
        })?;
    let headers =
        fc_core::adapter::header_map(event.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &event.query_string {
        match value {
            Value::String(text) => {
                query.append_pair(name, text);
            }
            Value::Array(values) => {
                for value in values {
                    match value {
                        Value::String(text) => query.append_pair(name, text),
                        other => query.append_pair(name, &other.to_string()),
                    };
                }
            }
            // A name without a value (`?debug`).
            Value::Bool(true) | Value::Null => {
                query.append_key_only(name);
            }
            Value::Bool(false) => {}
            other => {
                query.append_pair(name, &other.to_string());
            }
        }
    }
    let query = query.finish();
    let body =
        fc_core::adapter::event_body(event.body, event.is_base64_encoded, &headers, API_GATEWAY)?;
    let mut info = RequestInfo::default();
    let context = event.request_context;
    info.trigger = if context.is_some() {
        Trigger::ScfApiGateway
    } else {
        Trigger::ScfFunctionUrl
    };
    let source_ip = context
        .as_ref()
        .and_then(|c| c.source_ip.as_deref())
        .or_else(|| {
            headers
                .get("x-scf-remote-addr")
                .and_then(|v| v.to_str().ok())
        });
    info.source_ip = source_ip
        .and_then(|ip| ip.trim().parse().ok())
        .or_else(|| fc_core::adapter::forwarded_for(&headers));
    info.stage = context.as_ref().and_then(|c| c.stage.clone());
    info.raw_path = Some(event.path.clone());
    fc_core::adapter::request(
        method,
        &event.path,
        &query,
        headers,
        body,
        info,
        API_GATEWAY,
    )
}

/// The integration response to a handler's response: text as it is, other bytes base64;
/// a header given several times as an array.
pub(crate) async fn http_response(outcome: Response) -> Result<Bytes, Error> {
    let outcome = fc_core::Outcome::buffered(outcome, "").await;
    let (parts, body) = outcome.into_parts();
    let headers = fc_core::adapter::headers_json(&parts.headers);
    let (body, is_base64_encoded) = match EventBody::of(body)? {
        EventBody::Empty => (String::new(), false),
        EventBody::Text(text) => (text, false),
        EventBody::Binary(bytes) => (
            base64::engine::general_purpose::STANDARD.encode(bytes),
            true,
        ),
    };
    let response = HttpResponse {
        is_base64_encoded,
        status_code: parts.status.as_u16(),
        headers,
        body,
    };
    serde_json::to_vec(&response)
        .map(Bytes::from)
        .map_err(fc_core::adapter::unencodable)
}

/// Unix seconds or RFC 3339 text.
fn timestamp(value: &Value) -> Option<Timestamp> {
    match value {
        Value::Number(n) => n.as_i64().map(|secs| Timestamp::from_unix(secs, 0)),
        Value::String(text) => text
            .parse::<i64>()
            .ok()
            .map(|secs| Timestamp::from_unix(secs, 0))
            .or_else(|| text.parse().ok()),
        _ => None,
    }
}

/// A COS trigger's event. The bucket is named as COS names it, `NAME-APPID`; the key is the
/// object's, without the `/APPID/NAME/` the event puts in front.
pub(crate) fn object_event(raw: &[u8]) -> Result<ObjectEvent, Error> {
    let event: CosEvent = parse_json(raw, COS)?;
    let records = event
        .records
        .into_iter()
        .map(|record| {
            let bucket = record.cos.cos_bucket;
            let object = record.cos.cos_object;
            let prefix = bucket
                .appid
                .as_deref()
                .map(|appid| format!("/{appid}/{}/", bucket.name));
            let key = prefix
                .as_deref()
                .and_then(|prefix| object.key.strip_prefix(prefix))
                .unwrap_or_else(|| object.key.trim_start_matches('/'))
                .to_owned();
            let name = match bucket.appid.as_deref() {
                Some(appid) if !appid.is_empty() => format!("{}-{appid}", bucket.name),
                _ => bucket.name.clone(),
            };
            let mut out = ObjectRecord::new(record.event.event_name, name, key);
            out.size = object.size.as_ref().and_then(|size| match size {
                Value::Number(n) => n.as_u64(),
                Value::String(text) => text.trim().parse().ok(),
                _ => None,
            });
            out.etag = object
                .meta
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("etag"))
                .map(|(_, etag)| etag.trim_matches('"').to_owned())
                .filter(|etag| !etag.is_empty());
            out.time = record.event.event_time.as_ref().and_then(timestamp);
            out.region = bucket.region.filter(|region| !region.is_empty());
            out
        })
        .collect();
    Ok(ObjectEvent::new(records))
}

/// A timer trigger's event: the trigger's name, the time, the message as the payload.
pub(crate) fn schedule_event(raw: &[u8]) -> Result<ScheduleEvent, Error> {
    let event: TimerEvent = parse_json(raw, TIMER)?;
    if event.kind != "Timer" {
        return Err(Error::invalid_event(format!(
            "invalid {TIMER}: `Type` is `{}`, not `Timer`",
            event.kind
        )));
    }
    let time = event.time.parse().map_err(|err| {
        Error::invalid_event(format!(
            "invalid {TIMER}: `Time` `{}` is not a time: {err}",
            event.time
        ))
    })?;
    let mut schedule = ScheduleEvent::new(event.trigger_name, Some(time));
    schedule.payload = Some(event.message).filter(|message| !message.is_empty());
    Ok(schedule)
}

/// A CKafka or CMQ topic trigger's messages, told apart by their records' key.
pub(crate) fn message_event(raw: &[u8]) -> Result<MessageEvent, Error> {
    if has_key(raw, b"\"CMQ\"") {
        let event: CmqEvent = parse_json(raw, "CMQ topic trigger event")?;
        let messages = event
            .records
            .into_iter()
            .map(|record| {
                let cmq = record.cmq;
                let mut message = Message::new(
                    cmq.msg_id,
                    cmq.msg_body,
                    MessageSource::new(SourceKind::Topic, cmq.topic_name),
                );
                message.time = cmq.publish_time.and_then(|time| time.parse().ok());
                if let Some(subscription) = cmq.subscription_name {
                    message
                        .attributes
                        .insert("subscriptionName".into(), subscription);
                }
                let tags = match cmq.msg_tag {
                    Some(Value::String(tags)) => tags,
                    Some(Value::Array(tags)) => tags
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                    _ => String::new(),
                };
                if !tags.is_empty() {
                    message.attributes.insert("msgTag".into(), tags);
                }
                message
            })
            .collect();
        return Ok(MessageEvent::new(messages));
    }
    if has_key(raw, b"\"Ckafka\"") {
        let event: CkafkaEvent = parse_json(raw, "CKafka trigger event")?;
        let messages = event
            .records
            .into_iter()
            .map(|record| {
                let kafka = record.ckafka;
                let id = format!("{}-{}-{}", kafka.topic, kafka.partition, kafka.offset);
                let mut message = Message::new(
                    id,
                    kafka.msg_body,
                    MessageSource::new(SourceKind::Stream, kafka.topic),
                );
                message.partition = Some(kafka.partition.to_string());
                message.offset = Some(kafka.offset);
                // CKafka writes `None` for a message without a key.
                message.partition_key = kafka.msg_key.filter(|key| key != "None");
                message
            })
            .collect();
        return Ok(MessageEvent::new(messages));
    }
    let _: serde::de::IgnoredAny = parse_json(raw, "CKafka or CMQ trigger event")?;
    Err(Error::invalid_event(
        "expected a CKafka or CMQ topic trigger event: `Records[]` of `Ckafka` or `CMQ` messages",
    ))
}

/// Whether `key` (quoted) is an object key somewhere in `json`: followed by a colon, so that a
/// string value that happens to read the same does not count. A key's quotes cannot occur
/// unescaped inside a string.
fn has_key(json: &[u8], key: &[u8]) -> bool {
    json.windows(key.len()).enumerate().any(|(at, window)| {
        window == key
            && json[at + key.len()..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                == Some(&b':')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_core::ObjectChange;
    use fc_core::http::RequestExt;

    #[test]
    fn api_gateway_and_function_url_events_are_requests() {
        let request = http_request(include_bytes!("../tests/data/apigw-event.json")).unwrap();
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.uri(), "/test/value?bob=alice&foo=bar");
        assert_eq!(request.body().as_str(), Some(r#"{"test":"body"}"#));
        assert_eq!(request.info().trigger, Trigger::ScfApiGateway);
        assert_eq!(request.info().stage.as_deref(), Some("release"));
        assert_eq!(
            request.info().source_ip.map(|ip| ip.to_string()).as_deref(),
            Some("10.0.2.14")
        );
        let url = http_request(include_bytes!("../tests/data/function-url-event.json")).unwrap();
        assert_eq!(url.uri(), "/?a=1&b=2");
        assert_eq!(url.info().trigger, Trigger::ScfFunctionUrl);
        assert_eq!(
            url.info().source_ip.map(|ip| ip.to_string()).as_deref(),
            Some("111.206.96.145")
        );
        // API Gateway's `"true"` as a string, arrays and bare names in the query.
        let raw = br#"{"httpMethod":"PUT","path":"/b","headers":{"content-type":"image/png"},"queryString":{"t":["1","2"],"debug":true},"body":"AAEC","isBase64Encoded":"true"}"#;
        let binary = http_request(raw).unwrap();
        assert_eq!(binary.body().as_bytes(), &[0u8, 1, 2][..]);
        assert_eq!(binary.uri(), "/b?debug&t=1&t=2");
        let err = http_request(br#"{"path":"/"}"#).unwrap_err();
        assert!(err.message().contains("httpMethod"), "{err}");
    }

    #[tokio::test]
    async fn responses_are_the_integration_response() {
        let mut response = Response::new(fc_core::http::Body::text("hi"));
        response
            .headers_mut()
            .append("set-cookie", http::HeaderValue::from_static("a=1"));
        response
            .headers_mut()
            .append("set-cookie", http::HeaderValue::from_static("b=2"));
        let answer: Value =
            serde_json::from_slice(&http_response(response).await.unwrap()).unwrap();
        assert_eq!(answer["statusCode"], 200);
        assert_eq!(answer["isBase64Encoded"], false);
        assert_eq!(answer["body"], "hi");
        assert_eq!(
            answer["headers"]["set-cookie"],
            serde_json::json!(["a=1", "b=2"])
        );
        let binary = Response::new(fc_core::http::Body::binary(Bytes::from_static(&[0, 1, 2])));
        let answer: Value = serde_json::from_slice(&http_response(binary).await.unwrap()).unwrap();
        assert_eq!(
            (answer["body"].as_str(), answer["isBase64Encoded"].as_bool()),
            (Some("AAEC"), Some(true))
        );
    }

    #[test]
    fn cos_events_are_object_events() {
        let event = object_event(include_bytes!("../tests/data/cos-event.json")).unwrap();
        let record = &event.records[0];
        assert_eq!(record.bucket, "testpic-1253970026");
        assert_eq!(record.key, "testfile");
        assert_eq!(record.kind, ObjectChange::Created);
        assert_eq!(record.size, Some(1029));
        assert_eq!(record.region.as_deref(), Some("cd"));
        assert_eq!(record.time.map(|t| t.unix_seconds()), Some(1_545_205_770));
        // Older samples: the time as text, the size as a string, a key without the APPID.
        let raw = br#"{"Records":[{"cos":{"cosBucket":{"name":"b","appid":"1","region":"gz"},"cosObject":{"key":"/test.jpg","size":"1024"}},"event":{"eventName":"cos:ObjectRemove:Delete","eventTime":"1970-01-01T00:00:00.000Z"}}]}"#;
        let old = object_event(raw).unwrap();
        let record = &old.records[0];
        assert_eq!((record.key.as_str(), record.size), ("test.jpg", Some(1024)));
        assert_eq!(record.kind, ObjectChange::Removed);
        assert!(object_event(br#"{"Records":[{"cos":{}}]}"#).is_err());
    }

    #[test]
    fn timers_are_schedules() {
        let schedule = schedule_event(include_bytes!("../tests/data/timer-event.json")).unwrap();
        assert_eq!(schedule.name, "EveryDay");
        assert_eq!(schedule.payload.as_deref(), Some("user define msg body"));
        assert!(schedule.time.is_some());
        let err =
            schedule_event(br#"{"Type":"Cos","TriggerName":"x","Time":"2019-02-21T11:49:00Z"}"#)
                .unwrap_err();
        assert!(err.message().contains("not `Timer`"), "{err}");
    }

    #[test]
    fn ckafka_and_cmq_records_are_messages() {
        let kafka = message_event(include_bytes!("../tests/data/ckafka-event.json")).unwrap();
        assert_eq!(kafka.messages.len(), 2);
        let first = &kafka.messages[0];
        assert_eq!(&first.body.0[..], b"Hello from Ckafka!");
        assert_eq!(
            (first.offset, first.partition.as_deref()),
            (Some(36), Some("1"))
        );
        assert_eq!(first.partition_key, None);
        let cmq = message_event(include_bytes!("../tests/data/cmq-event.json")).unwrap();
        let message = &cmq.messages[0];
        assert_eq!(message.id, "123345346");
        assert_eq!(message.source.name, "testtopic");
        assert_eq!(message.attributes["msgTag"], "tag1,tag2");
        // A Kafka message whose body reads "CMQ" is still a Kafka message.
        let raw = br#"{"Records":[{"Ckafka":{"topic":"t","partition":0,"offset":1,"msgKey":"k","msgBody":"CMQ"}}]}"#;
        let kafka = message_event(raw).unwrap();
        assert_eq!(kafka.messages[0].partition_key.as_deref(), Some("k"));
        let err = message_event(br#"{"Records":[{"x":1}]}"#).unwrap_err();
        assert!(err.message().contains("CKafka or CMQ"), "{err}");
    }
}
