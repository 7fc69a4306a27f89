//! What arrives over HTTP on Knative and Google Cloud Run: CloudEvents 1.0 in binary and
//! structured content mode (Source: CloudEvents, "HTTP Protocol Binding" and "JSON Event
//! Format", v1.0.2), and the data of the Google events fc maps to its own.
//!
//! The same shapes serve the decoder, fc-local's emulator and its event templates.

use std::collections::BTreeMap;

use base64::Engine;
use bytes::Bytes;
use fc_core::{Error, Timestamp};
use http::{HeaderMap, HeaderName, HeaderValue, header};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The media type of a CloudEvent in structured mode.
pub const STRUCTURED: &str = "application/cloudevents+json";
/// The media type of a batch of CloudEvents in structured mode.
pub const BATCH: &str = "application/cloudevents-batch+json";

/// A Cloud Storage object was created or overwritten.
pub const STORAGE_FINALIZED: &str = "google.cloud.storage.object.v1.finalized";
/// A Cloud Storage object was deleted.
pub const STORAGE_DELETED: &str = "google.cloud.storage.object.v1.deleted";
/// The prefix of every Cloud Storage object event.
pub const STORAGE_PREFIX: &str = "google.cloud.storage.object.v1.";
/// A message was published to a Pub/Sub topic.
pub const PUBSUB_PUBLISHED: &str = "google.cloud.pubsub.topic.v1.messagePublished";
/// A Cloud Scheduler job ran.
pub const SCHEDULER_EXECUTED: &str = "google.cloud.scheduler.job.v1.executed";
/// A Knative PingSource fired.
pub const PING: &str = "dev.knative.sources.ping";

/// A CloudEvent as one arrived over HTTP, in either content mode: the context attributes and
/// the data's bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpCloudEvent {
    /// `specversion` (`1.0`).
    pub specversion: String,
    /// `id`.
    pub id: String,
    /// `source`, a URI reference.
    pub source: String,
    /// `type`.
    pub kind: String,
    /// `subject`.
    pub subject: Option<String>,
    /// `time`.
    pub time: Option<Timestamp>,
    /// `datacontenttype`: the binary mode's `Content-Type`.
    pub datacontenttype: Option<String>,
    /// `dataschema`.
    pub dataschema: Option<String>,
    /// Extension attributes, as text.
    pub extensions: BTreeMap<String, String>,
    /// The data: the body in binary mode; in structured mode the `data` member (a JSON value
    /// as its JSON, a string as its text) or `data_base64` decoded.
    pub data: Bytes,
}

impl HttpCloudEvent {
    /// Whether the data is JSON: a JSON media type, or none (which the JSON format reads as
    /// JSON).
    pub fn data_is_json(&self) -> bool {
        self.datacontenttype.as_deref().is_none_or(is_json)
    }
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence.ends_with("/json")
}

/// The attributes the binding names; the rest of the `ce-` headers are extensions.
const REQUIRED: [&str; 4] = ["specversion", "id", "source", "type"];

/// What a request's `Content-Type` says it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The attributes in `ce-` headers, the data the body.
    Binary,
    /// One event as a JSON document.
    Structured,
    /// A JSON array of events.
    Batch,
}

/// The content mode of a request with these headers.
pub fn mode(headers: &HeaderMap) -> Mode {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start()
        .to_ascii_lowercase();
    if content_type.starts_with("application/cloudevents-batch") {
        Mode::Batch
    } else if content_type.starts_with("application/cloudevents") {
        Mode::Structured
    } else {
        Mode::Binary
    }
}

/// Whether a request carries a CloudEvent at all: a structured or batched media type, or the
/// `ce-specversion` header of binary mode.
pub fn is_cloud_event(headers: &HeaderMap) -> bool {
    mode(headers) != Mode::Binary || headers.contains_key("ce-specversion")
}

/// The CloudEvents in a request: one in binary or structured mode, any number in a batch.
pub fn from_http(headers: &HeaderMap, body: Bytes) -> Result<Vec<HttpCloudEvent>, Error> {
    match mode(headers) {
        Mode::Binary => from_binary(headers, body).map(|event| vec![event]),
        Mode::Structured => from_structured(&body, "CloudEvent (structured mode)").map(|e| vec![e]),
        Mode::Batch => {
            let events: Vec<&RawValue> = fc_core::adapter::parse_json(&body, "CloudEvent batch")?;
            events
                .iter()
                .enumerate()
                .map(|(i, raw)| {
                    from_structured(raw.get().as_bytes(), &format!("CloudEvent batch [{i}]"))
                })
                .collect()
        }
    }
}

/// A header value as the binding writes it: RFC 7230 quotes removed, then percent-decoded as
/// UTF-8.
fn attribute(name: &HeaderName, value: &HeaderValue) -> Result<String, Error> {
    let invalid = |why: &str| {
        Error::invalid_event(format!(
            "invalid CloudEvent (binary mode): header `{name}` {why}"
        ))
    };
    let text = value
        .to_str()
        .map_err(|_| invalid("is not visible ASCII; the binding percent-encodes other bytes"))?;
    let text = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => text.to_owned(),
    };
    percent_decode_str(&text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| invalid("is not UTF-8 once percent-decoded"))
}

/// A binary-mode event: its attributes from the `ce-` headers, its data the body.
pub fn from_binary(headers: &HeaderMap, body: Bytes) -> Result<HttpCloudEvent, Error> {
    let mut event = HttpCloudEvent {
        data: body,
        datacontenttype: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ..HttpCloudEvent::default()
    };
    for (name, value) in headers {
        let Some(attr) = name.as_str().strip_prefix("ce-") else {
            continue;
        };
        let value = attribute(name, value)?;
        match attr {
            "specversion" => event.specversion = value,
            "id" => event.id = value,
            "source" => event.source = value,
            "type" => event.kind = value,
            "subject" => event.subject = Some(value),
            "dataschema" => event.dataschema = Some(value),
            "time" => {
                event.time = Some(value.parse().map_err(|err| {
                    Error::invalid_event(format!(
                        "invalid CloudEvent (binary mode): `ce-time` is not an RFC 3339 time: {err}"
                    ))
                })?);
            }
            "datacontenttype" => {
                return Err(Error::invalid_event(
                    "invalid CloudEvent (binary mode): `ce-datacontenttype` must not be sent; the `Content-Type` header is the data's content type",
                ));
            }
            other => {
                event.extensions.insert(other.to_owned(), value);
            }
        }
    }
    check(&event, "CloudEvent (binary mode)", "ce-")?;
    Ok(event)
}

/// The JSON format of one event.
#[derive(Debug, Deserialize, Serialize)]
struct Structured<'a> {
    #[serde(default)]
    specversion: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    source: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    datacontenttype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dataschema: Option<String>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    data: Option<&'a RawValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data_base64: Option<String>,
    #[serde(flatten)]
    extensions: BTreeMap<String, serde_json::Value>,
}

/// A structured-mode event (the JSON format); `what` names it in errors.
pub fn from_structured(raw: &[u8], what: &str) -> Result<HttpCloudEvent, Error> {
    let structured: Structured<'_> = fc_core::adapter::parse_json(raw, what)?;
    let data = match (structured.data, structured.data_base64) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_event(format!(
                "invalid {what}: it has both `data` and `data_base64`; the format allows one"
            )));
        }
        (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map(Bytes::from)
            .map_err(|err| {
                Error::invalid_event(format!(
                    "invalid {what}: `data_base64` is not base64: {err}"
                ))
            })?,
        (Some(raw), None) => {
            let json = structured.datacontenttype.as_deref().is_none_or(is_json);
            match serde_json::from_str::<String>(raw.get()) {
                // Text data of a non-JSON type is carried as a JSON string.
                Ok(text) if !json => Bytes::from(text),
                _ => Bytes::copy_from_slice(raw.get().as_bytes()),
            }
        }
        (None, None) => Bytes::new(),
    };
    let extensions = structured
        .extensions
        .into_iter()
        .map(|(name, value)| {
            let text = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            (name, text)
        })
        .collect();
    let event = HttpCloudEvent {
        specversion: structured.specversion,
        id: structured.id,
        source: structured.source,
        kind: structured.kind,
        subject: structured.subject,
        time: structured.time,
        datacontenttype: structured.datacontenttype,
        dataschema: structured.dataschema,
        extensions,
        data,
    };
    check(&event, what, "")?;
    Ok(event)
}

/// The required attributes are there, and the version is one fc reads.
fn check(event: &HttpCloudEvent, what: &str, prefix: &str) -> Result<(), Error> {
    let values = [&event.specversion, &event.id, &event.source, &event.kind];
    if let Some((name, _)) = REQUIRED.iter().zip(values).find(|(_, v)| v.is_empty()) {
        return Err(Error::invalid_event(format!(
            "invalid {what}: the required attribute `{prefix}{name}` is missing or empty"
        )));
    }
    if !event.specversion.starts_with("1.") {
        return Err(Error::invalid_event(format!(
            "invalid {what}: specversion `{}` is not 1.x",
            event.specversion
        )));
    }
    Ok(())
}

/// Characters a `ce-` header value cannot hold as they are (the binding: space, `"`, `%` and
/// everything outside printable ASCII).
const HEADER_UNSAFE: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'%');

/// The `ce-` header of an attribute, its value percent-encoded as the binding asks.
pub fn header(name: &str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    let name = HeaderName::from_bytes(format!("ce-{name}").as_bytes()).ok()?;
    let value =
        HeaderValue::from_str(&utf8_percent_encode(value, HEADER_UNSAFE).to_string()).ok()?;
    Some((name, value))
}

/// The data of a Cloud Storage object event: the object's metadata (Source: Google, "Cloud
/// Storage object data"; `size`, `generation` and `metageneration` are strings in what the
/// platform sends, numbers in some samples, so both are read).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StorageObjectData {
    /// The bucket.
    pub bucket: String,
    /// The object's name (its key), as it is, not URL-encoded.
    pub name: String,
    /// Its size in bytes.
    #[serde(
        default,
        with = "number_or_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
    /// Its generation.
    #[serde(
        default,
        with = "number_or_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub generation: Option<u64>,
    /// Its metageneration.
    #[serde(
        default,
        with = "number_or_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub metageneration: Option<u64>,
    /// Its content type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Its ETag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Its MD5, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5_hash: Option<String>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_created: Option<Timestamp>,
    /// When its metadata last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    /// When it was deleted (deletion events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_deleted: Option<Timestamp>,
    /// The storage class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}

/// The data of a Pub/Sub `messagePublished` event.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct MessagePublishedData {
    /// The message.
    pub message: PubsubMessage,
    /// The subscription that delivered it.
    #[serde(default)]
    pub subscription: String,
}

/// A Pub/Sub message.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PubsubMessage {
    /// The message's id.
    pub message_id: String,
    /// Its data, base64.
    #[serde(default)]
    pub data: Option<String>,
    /// Its attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// When it was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_time: Option<Timestamp>,
    /// Its ordering key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordering_key: Option<String>,
}

/// The data of a Cloud Scheduler `executed` event.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SchedulerJobData {
    /// The job's payload, base64.
    #[serde(default)]
    pub custom_data: Option<String>,
}

/// The headers Cloud Scheduler adds to a job's HTTP request (Source: Cloud Scheduler,
/// "HttpTarget"): the request is no CloudEvent.
pub mod scheduler_headers {
    /// `true` on every request of a job.
    pub const MARK: &str = "x-cloudscheduler";
    /// The job's name.
    pub const JOB_NAME: &str = "x-cloudscheduler-jobname";
    /// When the run was scheduled, RFC 3339.
    pub const SCHEDULE_TIME: &str = "x-cloudscheduler-scheduletime";
}

/// A count Google writes as a JSON string and samples as a number.
mod number_or_text {
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u64),
        Text(String),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<u64>, D::Error> {
        match Option::<Either>::deserialize(de)? {
            None => Ok(None),
            Some(Either::Number(n)) => Ok(Some(n)),
            Some(Either::Text(text)) => text
                .parse()
                .map(Some)
                .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a count"))),
        }
    }

    #[allow(clippy::ref_option)] // serde's `with` passes a reference to the field
    pub(super) fn serialize<S: Serializer>(value: &Option<u64>, ser: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(n) => ser.serialize_str(&n.to_string()),
            None => ser.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    HeaderValue::from_str(v).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn binary_mode_reads_attributes_from_headers_and_data_from_the_body() {
        let h = headers(&[
            ("ce-specversion", "1.0"),
            ("ce-id", "1"),
            (
                "ce-source",
                "/apis/v1/namespaces/default/pingsources/nightly",
            ),
            ("ce-type", PING),
            ("ce-time", "2026-01-02T03:04:05Z"),
            ("ce-subject", "Euro%20%E2%82%AC%20%F0%9F%98%80"),
            (
                "ce-traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ),
            ("content-type", "application/json"),
        ]);
        let events = from_http(&h, Bytes::from_static(br#"{"m":1}"#)).unwrap();
        let event = &events[0];
        assert_eq!(event.kind, PING);
        assert_eq!(event.subject.as_deref(), Some("Euro € 😀"));
        assert_eq!(
            event.time.map(|t| t.to_string()).as_deref(),
            Some("2026-01-02T03:04:05Z")
        );
        assert!(event.extensions.contains_key("traceparent"));
        assert!(event.data_is_json());
        assert_eq!(&event.data[..], br#"{"m":1}"#);
    }

    #[test]
    fn binary_mode_names_what_is_missing_or_wrong() {
        let missing = headers(&[("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-type", "t")]);
        let err = from_binary(&missing, Bytes::new()).unwrap_err();
        assert!(err.message().contains("`ce-source` is missing"), "{err}");
        let bad_time = headers(&[
            ("ce-specversion", "1.0"),
            ("ce-id", "1"),
            ("ce-source", "s"),
            ("ce-type", "t"),
            ("ce-time", "yesterday"),
        ]);
        let err = from_binary(&bad_time, Bytes::new()).unwrap_err();
        assert!(
            err.message().contains("`ce-time` is not an RFC 3339 time"),
            "{err}"
        );
        let bad_utf8 = headers(&[("ce-specversion", "1.0"), ("ce-id", "%C0%A0")]);
        let err = from_binary(&bad_utf8, Bytes::new()).unwrap_err();
        assert!(err.message().contains("not UTF-8"), "{err}");
        let old = headers(&[
            ("ce-specversion", "0.3"),
            ("ce-id", "1"),
            ("ce-source", "s"),
            ("ce-type", "t"),
        ]);
        assert!(
            from_binary(&old, Bytes::new())
                .unwrap_err()
                .message()
                .contains("not 1.x")
        );
    }

    #[test]
    fn structured_mode_reads_data_by_its_content_type() {
        let h = headers(&[(
            "content-type",
            "application/cloudevents+json; charset=UTF-8",
        )]);
        let json =
            br#"{"specversion":"1.0","id":"1","source":"s","type":"t","data":{"a":1},"ext":5}"#;
        let event = &from_http(&h, Bytes::from_static(json)).unwrap()[0];
        assert_eq!(&event.data[..], br#"{"a":1}"#);
        assert_eq!(event.extensions["ext"], "5");
        let text = br#"{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"text/plain","data":"hi"}"#;
        assert_eq!(&from_structured(text, "e").unwrap().data[..], b"hi");
        let binary = br#"{"specversion":"1.0","id":"1","source":"s","type":"t","datacontenttype":"image/png","data_base64":"AAEC"}"#;
        assert_eq!(&from_structured(binary, "e").unwrap().data[..], &[0, 1, 2]);
        let both = br#"{"specversion":"1.0","id":"1","source":"s","type":"t","data":1,"data_base64":"AA=="}"#;
        assert!(
            from_structured(both, "e")
                .unwrap_err()
                .message()
                .contains("both")
        );
        let bad = br#"{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":"!!"}"#;
        assert!(
            from_structured(bad, "e")
                .unwrap_err()
                .message()
                .contains("`data_base64` is not base64")
        );
        let batch = headers(&[("content-type", BATCH)]);
        let two = br#"[{"specversion":"1.0","id":"1","source":"s","type":"t"},{"specversion":"1.0","id":"2","source":"s","type":"t"}]"#;
        assert_eq!(from_http(&batch, Bytes::from_static(two)).unwrap().len(), 2);
        let one_bad = br#"[{"specversion":"1.0","id":"1","source":"s","type":"t"},{"id":"2"}]"#;
        let err = from_http(&batch, Bytes::from_static(one_bad)).unwrap_err();
        assert!(err.message().contains("CloudEvent batch [1]"), "{err}");
    }

    #[test]
    fn headers_are_percent_encoded_as_the_binding_asks() {
        let (name, value) = header("subject", "Euro € 😀").unwrap();
        assert_eq!(name.as_str(), "ce-subject");
        assert_eq!(value, "Euro%20%E2%82%AC%20%F0%9F%98%80");
    }
}
