//! Function Compute's shapes as they travel: the `x-fc-*` header names, the HTTP events and
//! their answer, and the OSS and timer events.
//!
//! The adapter reads these, and fc-local's emulator and event templates write them, so what
//! fc-local sends is what the adapter was built to read. Maps are read as name/value pairs in
//! the event's order (a value may be a string or a list), and accept null.

use std::borrow::Cow;
use std::collections::BTreeMap;

use fc_core::Timestamp;
pub use fc_core::adapter::HttpDescription;
use fc_core::adapter::pairs;
use http::HeaderMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The headers FC sends a custom runtime with each request (Source: Function Compute, "Custom
/// runtime: request headers").
pub mod header {
    use http::HeaderName;

    /// Every FC header starts with this; none of them reaches a handler's request.
    pub const PREFIX: &str = "x-fc-";
    /// The invocation's request id.
    pub const REQUEST_ID: &str = "x-fc-request-id";
    /// What the request is: `/invoke`, `/http-invoke`, `/initialize`, `/pre-stop`,
    /// `/pre-freeze`.
    pub const CONTROL_PATH: HeaderName = HeaderName::from_static("x-fc-control-path");
    /// The path prefix of the default domain, `/2016-08-15/proxy/<service>/<function>/`.
    pub const BASE_PATH: HeaderName = HeaderName::from_static("x-fc-base-path");
    /// On an answer: 404 when the function failed.
    pub const STATUS: HeaderName = HeaderName::from_static("x-fc-status");
    /// The function's name.
    pub const FUNCTION_NAME: &str = "x-fc-function-name";
    /// The function's handler setting.
    pub const FUNCTION_HANDLER: &str = "x-fc-function-handler";
    /// Memory, in MB.
    pub const MEMORY: &str = "x-fc-function-memory";
    /// The invocation's time limit, in seconds.
    pub const TIMEOUT: &str = "x-fc-function-timeout";
    /// The initializer's time limit, in seconds.
    pub const INITIALIZATION_TIMEOUT: &str = "x-fc-initialization-timeout";
    /// The region.
    pub const REGION: &str = "x-fc-region";
    /// The account.
    pub const ACCOUNT_ID: &str = "x-fc-account-id";
    /// The alias or version invoked.
    pub const QUALIFIER: &str = "x-fc-qualifier";
    /// The version invoked.
    pub const VERSION_ID: &str = "x-fc-version-id";
    /// FC 2.0: the service (empty on 3.0).
    pub const SERVICE_NAME: &str = "x-fc-service-name";
    /// How many times the invocation was retried.
    pub const RETRY_COUNT: &str = "x-fc-retry-count";
    /// The role's temporary credentials.
    pub const ACCESS_KEY_ID: &str = "x-fc-access-key-id";
    /// The role's temporary credentials.
    pub const ACCESS_KEY_SECRET: &str = "x-fc-access-key-secret";
    /// The role's temporary credentials.
    pub const SECURITY_TOKEN: &str = "x-fc-security-token";
    /// The tracing headers start with this.
    pub const TRACING: &str = "x-fc-tracing-";
    /// The span to continue.
    pub const TRACING_SPAN_CONTEXT: &str = "x-fc-tracing-opentracing-span-context";
}

/// The values of each name joined with `", "`, as both HTTP events carry headers (one value per
/// name) and as their answer does.
pub fn joined_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(headers.keys_len());
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        match out.last_mut() {
            // A header map yields a name's values one after another.
            Some((last, all)) if last == name.as_str() => {
                all.push_str(", ");
                all.push_str(&value);
            }
            _ => out.push((name.as_str().to_owned(), value.into_owned())),
        }
    }
    out
}

/// An HTTP request as an API Gateway trigger delivers it.
///
/// Source: Function Compute, "Configure an API Gateway trigger" — the event format.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiGatewayEvent {
    /// The path.
    pub path: String,
    /// The method.
    pub http_method: String,
    /// One value per name.
    #[serde(default, deserialize_with = "pairs", serialize_with = "map")]
    pub headers: Vec<(String, String)>,
    /// Decoded query parameters.
    #[serde(default, deserialize_with = "pairs", serialize_with = "map")]
    pub query_parameters: Vec<(String, String)>,
    /// What the API's `[name]` parts matched.
    #[serde(default)]
    pub path_parameters: BTreeMap<String, String>,
    /// The body, base64 when `isBase64Encoded`.
    #[serde(default)]
    pub body: Option<String>,
    /// Whether `body` is base64 (sent as a boolean or as `"true"`).
    #[serde(default, deserialize_with = "bool_or_string")]
    pub is_base64_encoded: bool,
}

/// An HTTP request as an FC 3.0 HTTP trigger delivers it in event form.
///
/// Source: Function Compute 3.0, "HTTP trigger: event format of the request" — repeated header
/// and query values arrive comma-joined.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HttpTriggerEvent<'a> {
    /// `v1`.
    pub version: String,
    /// The path.
    pub raw_path: String,
    /// Headers, one value per name.
    #[serde(default, deserialize_with = "pairs", serialize_with = "map")]
    pub headers: Vec<(String, String)>,
    /// Decoded query parameters, one value per name.
    #[serde(default, deserialize_with = "pairs", serialize_with = "map")]
    pub query_parameters: Vec<(String, String)>,
    /// The body, base64 when `isBase64Encoded`.
    #[serde(default)]
    pub body: Option<String>,
    /// Whether `body` is base64 (sent as a boolean or as `"true"`).
    #[serde(default, deserialize_with = "bool_or_string")]
    pub is_base64_encoded: bool,
    /// Who sent it and where.
    #[serde(borrow)]
    pub request_context: HttpTriggerContext<'a>,
}

/// An HTTP-trigger event's request context.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HttpTriggerContext<'a> {
    /// The account.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<Cow<'a, str>>,
    /// The host the client called.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<Cow<'a, str>>,
    /// The first label of `domainName`.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub domain_prefix: Option<Cow<'a, str>>,
    /// The method, path and client.
    #[serde(borrow)]
    pub http: HttpDescription<'a>,
    /// The request id.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Cow<'a, str>>,
    /// When the request arrived, RFC 3339.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub time: Option<Cow<'a, str>>,
    /// When the request arrived, in milliseconds since the Unix epoch, as a string.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub time_epoch: Option<Cow<'a, str>>,
}

/// The answer both HTTP event forms expect: `{isBase64Encoded, statusCode, headers, body}`.
///
/// Source: "Configure an API Gateway trigger" (response format) and FC 3.0 "HTTP trigger:
/// event format of the response".
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventResponse {
    /// Whether `body` is base64.
    #[serde(default, deserialize_with = "bool_or_string")]
    pub is_base64_encoded: bool,
    /// The status.
    pub status_code: u16,
    /// One value per name ([`joined_headers`]).
    #[serde(default, deserialize_with = "pairs", serialize_with = "map")]
    pub headers: Vec<(String, String)>,
    /// The body.
    #[serde(default)]
    pub body: String,
}

/// OSS notifications: objects created or removed. The fields fc does not carry are written
/// (for fc-local's templates) but not read.
///
/// Source: Function Compute, "Trigger event formats", OSS trigger.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct OssEvent {
    /// One per object.
    pub events: Vec<OssRecord>,
}

/// One object's notification.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OssRecord {
    /// `ObjectCreated:PutObject`, `ObjectRemoved:DeleteObject`, …
    pub event_name: String,
    /// `acs:oss`.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub event_source: Option<String>,
    /// When it happened.
    #[serde(default)]
    pub event_time: Option<String>,
    /// `1.0`.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub event_version: Option<String>,
    /// The bucket and the object.
    pub oss: OssEntity,
    /// The region.
    #[serde(default)]
    pub region: Option<String>,
    /// Who asked, from where.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub request_parameters: Option<BTreeMap<String, String>>,
    /// OSS's answer.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub response_elements: Option<BTreeMap<String, String>>,
    /// Who asked.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub user_identity: Option<BTreeMap<String, String>>,
}

/// The bucket and object of a notification.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OssEntity {
    /// The bucket.
    pub bucket: OssBucket,
    /// The object.
    pub object: OssObject,
    /// `1.0`.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub oss_schema_version: Option<String>,
    /// The trigger's rule.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
}

/// A bucket.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OssBucket {
    /// Its name.
    pub name: String,
    /// Its ARN: `acs:oss:<region>:<account>:<name>`.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The owner's account.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub owner_identity: Option<String>,
    /// Empty for a real bucket.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub virtual_bucket: Option<String>,
}

/// An object.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OssObject {
    /// Its key, as stored (not URL-encoded).
    pub key: String,
    /// Its size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// How much the bucket grew.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub delta_size: Option<i64>,
    /// Its ETag.
    #[serde(default)]
    pub e_tag: Option<String>,
}

/// A timer trigger firing.
///
/// Source: Function Compute, "Trigger event formats", timer trigger.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TimerEvent {
    /// When it fired.
    pub trigger_time: Timestamp,
    /// The trigger's name.
    pub trigger_name: String,
    /// The trigger's configured payload.
    #[serde(default)]
    pub payload: Option<String>,
}

impl TimerEvent {
    /// A timer event.
    pub fn new(trigger_time: Timestamp, trigger_name: String, payload: Option<String>) -> Self {
        TimerEvent {
            trigger_time,
            trigger_name,
            payload,
        }
    }
}

/// A message published to an MNS topic, as a topic trigger with `notifyContentFormat: JSON`
/// delivers it. The message's attributes come as further top-level keys.
///
/// Source: Function Compute, "MNS topic trigger: event format" (JSON, with and without
/// message attributes), and the fc3 component's `mns-with-MessageAttributes` test event.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MnsTopicMessage {
    /// The message's id.
    pub message_id: String,
    /// The message.
    pub message: String,
    /// The topic's name.
    pub topic_name: String,
    /// The account that owns the topic.
    #[serde(default)]
    pub topic_owner: Option<String>,
    /// The subscribing account.
    #[serde(default)]
    pub subscriber: Option<String>,
    /// The subscription's name.
    #[serde(default)]
    pub subscription_name: Option<String>,
    /// When it was published, in ms since the epoch.
    #[serde(default)]
    pub publish_time: Option<i64>,
    /// The MD5 of the message.
    #[serde(rename = "MessageMD5", default)]
    pub message_md5: Option<String>,
    /// The message's attributes.
    #[serde(flatten)]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// A message published to an MNS topic with attributes, as a topic trigger with
/// `notifyContentFormat: STREAM` delivers it; without attributes it is the bare message.
///
/// Source: Function Compute, "MNS topic trigger: event format" (STREAM).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct MnsStreamMessage {
    /// The message.
    pub body: String,
    /// Its attributes (`Extend` holds the user's, as a JSON text).
    #[serde(default)]
    pub attrs: BTreeMap<String, String>,
}

/// An event as Alibaba Cloud EventBridge delivers it: a CloudEvent 1.0 with EventBridge's
/// `aliyun*` attributes.
///
/// Source: EventBridge, "Event overview" (the event example and its parameters).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct EventBridgeEvent<T> {
    /// The event's id.
    pub id: String,
    /// What sent it (`acs:mns`, `acs.oss`, a custom source).
    pub source: String,
    /// `1.0`.
    pub specversion: String,
    /// What happened (`mns:Queue:SendMessage`).
    #[serde(rename = "type")]
    pub kind: String,
    /// What it is about, within the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// When it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    /// The data's media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacontenttype: Option<String>,
    /// The account the bus belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliyunaccountid: Option<String>,
    /// The bus's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliyunregionid: Option<String>,
    /// The bus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliyuneventbusname: Option<String>,
    /// When the bus received it (EventBridge's own format, not always RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aliyunpublishtime: Option<String>,
    /// The event's data.
    pub data: T,
}

/// A message sent to an MNS queue, as an MNS queue trigger delivers it through EventBridge (one
/// event in event mode, an array of them in event-stream mode); its subject is the queue,
/// `acs:mns:<region>:<account>:queues/<name>`.
///
/// Source: EventBridge, "MNS queue event source: event example", and Function Compute, "MNS
/// queue triggers".
pub type MnsQueueEvent = EventBridgeEvent<MnsQueueData>;

/// The message of an [`MnsQueueEvent`].
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MnsQueueData {
    /// The id of the request that sent it.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The message's id.
    pub message_id: String,
    /// The message.
    pub message_body: String,
}

/// A record of an ApsaraMQ for Kafka topic, the data of the EventBridge events a Kafka trigger
/// sends (`type: alikafka:Topic:Message`), as an array of them.
///
/// Source: Function Compute, "Trigger event formats", Kafka trigger: `value` is text, a JSON
/// value, or base64, as the trigger's data format (Text, Json, Binary) says.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct KafkaData {
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: i64,
    /// The record's offset in it.
    pub offset: i64,
    /// When it was written, in ms since the epoch.
    #[serde(default)]
    pub timestamp: Option<i64>,
    /// The record's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The record's value.
    pub value: serde_json::Value,
}

/// A message of an ApsaraMQ for RocketMQ topic, the data of the EventBridge events a RocketMQ
/// trigger sends (`type: mq:Topic:SendMessage`); also, with its `msgId`, each element of the
/// bare array a self-managed Apache RocketMQ trigger sends.
///
/// Source: Function Compute, "Trigger event formats", RocketMQ trigger and self-managed Apache
/// RocketMQ trigger: `UNIQ_KEY` in the system properties is the message's key; a system property
/// may be a number.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RocketMqData {
    /// The message's id (self-managed Apache RocketMQ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_id: Option<String>,
    /// The topic.
    pub topic: String,
    /// RocketMQ's properties (`UNIQ_KEY`, `KEYS`, `TAGS`, `CONSUME_START_TIME`…).
    #[serde(default)]
    pub system_properties: BTreeMap<String, serde_json::Value>,
    /// The sender's properties.
    #[serde(default)]
    pub user_properties: BTreeMap<String, serde_json::Value>,
    /// The message.
    pub body: serde_json::Value,
}

/// A message of an ApsaraMQ for RabbitMQ queue, the data of the EventBridge events a RabbitMQ
/// trigger sends (`type: amqp:Queue:SendMessage`); the queue is the event's subject.
///
/// Source: Function Compute, "Trigger event formats", RabbitMQ trigger.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct RabbitMqData {
    /// How it was delivered.
    pub envelope: RabbitMqEnvelope,
    /// The message (a JSON message arrives as its JSON value).
    pub body: serde_json::Value,
    /// Its properties.
    #[serde(default)]
    pub props: RabbitMqProps,
}

/// How a RabbitMQ message was delivered.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RabbitMqEnvelope {
    /// The delivery's tag.
    #[serde(default)]
    pub delivery_tag: i64,
    /// The exchange it came through.
    #[serde(default)]
    pub exchange: String,
    /// Whether it was delivered before.
    #[serde(default)]
    pub redeliver: bool,
    /// Its routing key.
    #[serde(default)]
    pub routing_key: String,
}

/// A RabbitMQ message's properties.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RabbitMqProps {
    /// The body's encoding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    /// The message's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

/// A Simple Log Service (SLS) trigger's event: a range of a Logstore shard to read, not the
/// logs themselves. A handler takes it as `fc::JsonEvent<SlsEvent>` and reads the logs
/// between the cursors with SLS's API.
///
/// Source: Function Compute 3.0, "Trigger event formats", SLS trigger, and
/// fc-runtime-go-sdk's `events/README_SLS.md`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SlsEvent {
    /// The invocation parameter configured on the trigger (any JSON).
    #[serde(default)]
    pub parameter: serde_json::Value,
    /// Which data to read.
    pub source: SlsSource,
    /// The SLS ETL job behind the trigger.
    pub job_name: String,
    /// The invocation's id within that job.
    pub task_id: String,
    /// When the last log of the range arrived, in seconds since the epoch.
    #[serde(default)]
    pub cursor_time: Option<i64>,
}

/// The shard range an [`SlsEvent`] names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SlsSource {
    /// The SLS endpoint to read from.
    pub endpoint: String,
    /// The project.
    pub project_name: String,
    /// The Logstore.
    pub logstore_name: String,
    /// The shard.
    pub shard_id: i64,
    /// Where the range begins.
    pub begin_cursor: String,
    /// Where it ends.
    pub end_cursor: String,
}

/// A CDN event trigger's event. A handler takes it as `fc::JsonEvent<CdnEvent>`.
///
/// Source: Function Compute 3.0, "Trigger event formats", CDN trigger, and the fc3 component's
/// `cdn-CdnDomainStarted` test event.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CdnEvent {
    /// The events, one per change.
    pub events: Vec<CdnRecord>,
}

/// One CDN event.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CdnRecord {
    /// `LogFileCreated`, `CachedObjectsRefreshed`, `CachedObjectsPushed`,
    /// `CachedObjectsBlocked`, `CdnDomainStarted`, `CdnDomainStopped`, `CdnDomainAdded` or
    /// `CdnDomainDeleted`.
    pub event_name: String,
    /// `1.0.0`.
    #[serde(default)]
    pub event_version: String,
    /// `cdn`.
    #[serde(default)]
    pub event_source: String,
    /// The region.
    #[serde(default)]
    pub region: String,
    /// When it happened.
    #[serde(default)]
    pub event_time: Option<Timestamp>,
    /// The event's id.
    #[serde(default)]
    pub trace_id: String,
    /// The domain it is about.
    #[serde(default)]
    pub resource: CdnResource,
    /// What the event says, by its name: a log file's `filePath`, `fileSize`, `startTime`,
    /// `endTime`; refreshed or pushed objects' `objectPath`, `objectType`, `taskId`; a domain's
    /// `status`.
    #[serde(default)]
    pub event_parameter: serde_json::Value,
    /// The account.
    #[serde(default)]
    pub user_identity: CdnUserIdentity,
}

/// The domain of a [`CdnRecord`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CdnResource {
    /// The accelerated domain.
    #[serde(default)]
    pub domain: String,
}

/// The account of a [`CdnRecord`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CdnUserIdentity {
    /// The account's id.
    #[serde(default)]
    pub ali_uid: String,
}

fn map<S: Serializer>(pairs: &[(String, String)], ser: S) -> Result<S::Ok, S::Error> {
    ser.collect_map(pairs.iter().map(|(name, value)| (name, value)))
}

pub(crate) fn bool_or_string<'de, D: Deserializer<'de>>(de: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    match Option::<Flag>::deserialize(de)? {
        None => Ok(false),
        Some(Flag::Bool(b)) => Ok(b),
        Some(Flag::Text(t)) => match t.trim() {
            "true" | "TRUE" | "True" => Ok(true),
            "false" | "FALSE" | "False" | "" => Ok(false),
            other => Err(serde::de::Error::custom(format!(
                "expected true or false, got `{other}`"
            ))),
        },
    }
}

/// A Tablestore trigger's batch of row changes, sent as CBOR (or, from the console's test
/// events, the same structure as JSON).
///
/// Source: Function Compute, "Configure a Tablestore trigger": `Sync-v1` records, timestamps in
/// µs (row) and ms (columns).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TablestoreEvent {
    /// `Sync-v1`.
    pub version: String,
    /// The changed rows.
    pub records: Vec<TablestoreRecord>,
}

/// One changed row.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TablestoreRecord {
    /// `PutRow`, `UpdateRow` or `DeleteRow`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// When the row changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<TablestoreInfo>,
    /// The row's primary key.
    pub primary_key: Vec<TablestoreColumn>,
    /// The columns put or deleted.
    #[serde(default)]
    pub columns: Vec<TablestoreColumn>,
}

/// When a row changed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TablestoreInfo {
    /// Microseconds since the Unix epoch.
    #[serde(default)]
    pub timestamp: Option<i64>,
}

/// A primary-key column, or a column put (`Put`) or deleted (`DeleteOneVersion`,
/// `DeleteAllVersions`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TablestoreColumn {
    /// What happened to the column; absent in a primary key.
    #[serde(rename = "Type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The column.
    pub column_name: String,
    /// The value; absent where a column was deleted (but never null).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<Cell>,
    /// Milliseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
}

/// A value that may be absent, but not null: Tablestore has no null.
fn present<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Cell>, D::Error> {
    Cell::deserialize(de).map(Some)
}

/// A Tablestore value: its five types, nothing else.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Cell {
    /// `Integer`.
    Integer(i64),
    /// `String`.
    String(String),
    /// `Blob`.
    Blob(Vec<u8>),
    /// `Boolean`.
    Boolean(bool),
    /// `Double`.
    Double(f64),
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Integer(i) => ser.serialize_i64(*i),
            Cell::String(s) => ser.serialize_str(s),
            Cell::Blob(b) => ser.serialize_bytes(b),
            Cell::Boolean(b) => ser.serialize_bool(*b),
            Cell::Double(f) => ser.serialize_f64(*f),
        }
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Cell, D::Error> {
        de.deserialize_any(CellVisitor)
    }
}

/// Reads the five types; anything else (null, a list, a map, a CBOR tag) is refused with
/// serde's "invalid type" error.
struct CellVisitor;

impl serde::de::Visitor<'_> for CellVisitor {
    type Value = Cell;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an Integer, String, Blob, Boolean or Double value")
    }

    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Cell, E> {
        Ok(Cell::Boolean(b))
    }

    fn visit_i64<E: serde::de::Error>(self, i: i64) -> Result<Cell, E> {
        Ok(Cell::Integer(i))
    }

    fn visit_u64<E: serde::de::Error>(self, u: u64) -> Result<Cell, E> {
        i64::try_from(u)
            .map(Cell::Integer)
            .map_err(|_| E::custom("an Integer outside the 64-bit range"))
    }

    fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Cell, E> {
        Ok(Cell::Double(f))
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Cell, E> {
        Ok(Cell::String(s.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Cell, E> {
        Ok(Cell::String(s))
    }

    fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<Cell, E> {
        Ok(Cell::Blob(b.to_vec()))
    }

    fn visit_byte_buf<E: serde::de::Error>(self, b: Vec<u8>) -> Result<Cell, E> {
        Ok(Cell::Blob(b))
    }
}
