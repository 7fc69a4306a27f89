//! The JSON SCF sends and expects, as Tencent documents it: the API Gateway trigger's request
//! and integration response (and the function URL's request, the same without
//! `requestContext`), and the COS, timer, CKafka and CMQ trigger events. Samples of each are in
//! `tests/data` with their sources.
//!
//! Where a field has been documented in more than one type (a size as a number or a string,
//! `isBase64Encoded` as a boolean or `"true"`), both are read.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The API Gateway trigger's request event; a function URL's has no `requestContext`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpEvent {
    /// API Gateway's facts; absent from a function URL's event.
    #[serde(default)]
    pub request_context: Option<RequestContext>,
    /// `GET`, `POST`…
    pub http_method: String,
    /// The request's path.
    pub path: String,
    /// The headers, one value each.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The query: a value is a string, several values an array, a bare name `true`.
    #[serde(default)]
    pub query_string: BTreeMap<String, Value>,
    /// The body.
    #[serde(default)]
    pub body: Option<String>,
    /// Whether `body` is base64 (API Gateway's per-API base64 option).
    #[serde(default, deserialize_with = "bool_or_string")]
    pub is_base64_encoded: bool,
}

/// API Gateway's part of the request event.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestContext {
    /// The API Gateway service.
    #[serde(default)]
    pub service_id: Option<String>,
    /// API Gateway's request id.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The client's address.
    #[serde(default)]
    pub source_ip: Option<String>,
    /// The release environment (`release`, `prepub`, `test`).
    #[serde(default)]
    pub stage: Option<String>,
}

/// The integration response: what the API Gateway trigger and a function URL answer with.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpResponse {
    /// Whether `body` is base64.
    #[serde(default, deserialize_with = "bool_or_string")]
    pub is_base64_encoded: bool,
    /// The status.
    pub status_code: u16,
    /// The headers: a value, or an array for one header given several times.
    #[serde(default)]
    pub headers: serde_json::Map<String, Value>,
    /// The body.
    #[serde(default)]
    pub body: String,
}

/// The COS trigger's event.
#[derive(Debug, Deserialize)]
pub struct CosEvent {
    /// The changes.
    #[serde(rename = "Records")]
    pub records: Vec<CosRecord>,
}

/// One COS change.
#[derive(Debug, Deserialize)]
pub struct CosRecord {
    /// What changed.
    pub cos: CosEntity,
    /// How.
    pub event: CosChange,
}

/// The bucket and object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CosEntity {
    /// The bucket.
    pub cos_bucket: CosBucket,
    /// The object.
    pub cos_object: CosObject,
}

/// A COS bucket: its name without the APPID, the APPID, a short region (`gz`, `cd`).
#[derive(Debug, Deserialize)]
pub struct CosBucket {
    /// The name, without `-APPID`.
    pub name: String,
    /// The account's APPID.
    #[serde(default)]
    pub appid: Option<String>,
    /// The region's short name.
    #[serde(default)]
    pub region: Option<String>,
}

/// A COS object.
#[derive(Debug, Deserialize)]
pub struct CosObject {
    /// `/APPID/BUCKET/KEY`.
    pub key: String,
    /// The size, a number or a numeric string.
    #[serde(default)]
    pub size: Option<Value>,
    /// The object's headers (`Content-Type`, `x-cos-meta-*`).
    #[serde(default)]
    pub meta: BTreeMap<String, String>,
    /// The version id, empty when unversioned.
    #[serde(default)]
    pub vid: Option<String>,
}

/// The change.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CosChange {
    /// `cos:ObjectCreated:Put`, `cos:ObjectRemove:Delete`…
    pub event_name: String,
    /// Unix seconds, or RFC 3339 text in older samples.
    #[serde(default)]
    pub event_time: Option<Value>,
}

/// The timer trigger's event.
#[derive(Debug, Serialize, Deserialize)]
pub struct TimerEvent {
    /// Always `Timer`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// The trigger's name.
    #[serde(rename = "TriggerName")]
    pub trigger_name: String,
    /// When it fired, RFC 3339 in UTC.
    #[serde(rename = "Time")]
    pub time: String,
    /// The trigger's message (its "custom argument"), empty by default.
    #[serde(rename = "Message", default)]
    pub message: String,
}

/// The CKafka trigger's event.
#[derive(Debug, Deserialize)]
pub struct CkafkaEvent {
    /// The messages.
    #[serde(rename = "Records")]
    pub records: Vec<CkafkaRecord>,
}

/// One CKafka message.
#[derive(Debug, Deserialize)]
pub struct CkafkaRecord {
    /// The message.
    #[serde(rename = "Ckafka")]
    pub ckafka: CkafkaMessage,
}

/// A Kafka message as CKafka delivers it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CkafkaMessage {
    /// The topic.
    pub topic: String,
    /// The partition (`Partition` in one of the documented samples).
    #[serde(alias = "Partition", default)]
    pub partition: i64,
    /// The offset.
    #[serde(default)]
    pub offset: i64,
    /// The key; `None` (the text) when the message has none.
    #[serde(default)]
    pub msg_key: Option<String>,
    /// The value.
    #[serde(default)]
    pub msg_body: String,
}

/// The CMQ topic trigger's event.
#[derive(Debug, Deserialize)]
pub struct CmqEvent {
    /// The messages.
    #[serde(rename = "Records")]
    pub records: Vec<CmqRecord>,
}

/// One CMQ message.
#[derive(Debug, Deserialize)]
pub struct CmqRecord {
    /// The message.
    #[serde(rename = "CMQ")]
    pub cmq: CmqMessage,
}

/// A CMQ topic message.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CmqMessage {
    /// `topic`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The topic.
    pub topic_name: String,
    /// The subscription that delivered it.
    #[serde(default)]
    pub subscription_name: Option<String>,
    /// When it was published, RFC 3339.
    #[serde(default)]
    pub publish_time: Option<String>,
    /// The message id.
    pub msg_id: String,
    /// The body.
    #[serde(default)]
    pub msg_body: String,
    /// The tags: comma-separated text, or an array.
    #[serde(default)]
    pub msg_tag: Option<Value>,
}

/// `true`, `false`, `"true"` or `"false"`.
pub fn bool_or_string<'de, D: Deserializer<'de>>(de: D) -> Result<bool, D::Error> {
    match Option::<Value>::deserialize(de)? {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(value),
        Some(Value::String(text)) => Ok(text.trim().eq_ignore_ascii_case("true")),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a boolean, got {other}"
        ))),
    }
}
