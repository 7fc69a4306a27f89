//! Event templates: realistic events for each trigger, like `sam local generate-event` and
//! Serverless Devs' `s cli fc-event`.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Uri};
use serde_json::{Map, Value};

use chrono::{DateTime, Utc};
use fc_aliyun::wire::{
    CdnEvent, CdnRecord, Cell, EventBridgeEvent as AliyunBusEvent, KafkaData, MnsQueueData,
    MnsQueueEvent, MnsTopicMessage, OssBucket, OssEntity, OssEvent, OssObject, OssRecord,
    RabbitMqData, RocketMqData, SlsEvent, SlsSource, TablestoreColumn, TablestoreEvent,
    TablestoreInfo, TablestoreRecord, TimerEvent,
};
use fc_aws::wire::{
    DynamoDbEvent, DynamoDbRecord, EventBridgeEvent, KafkaEvent, KafkaRecord, KinesisEvent,
    KinesisEventRecord, KinesisRecord, MillisecondTimestamp, S3Bucket, S3Entity, S3Event,
    S3EventRecord, S3Object, S3UserIdentity, SecondTimestamp, SnsEvent, SnsMessage, SnsRecord,
    SqsEvent, SqsMessage, StreamRecord, StreamViewType,
};
use fc_core::Platform;
use fc_core::http::Trigger;

/// What an event template is made from (the `fc-local event` options).
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub(crate) bucket: String,
    pub(crate) key: String,
    pub(crate) size: u64,
    pub(crate) table: String,
    pub(crate) row: Map<String, Value>,
    pub(crate) name: String,
    pub(crate) payload: Option<String>,
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) body: String,
    pub(crate) json: bool,
    pub(crate) queue: String,
}

impl Spec {
    /// A message's body: `--body`, else the row as JSON.
    fn message(&self) -> String {
        if self.body.is_empty() {
            Value::Object(self.row.clone()).to_string()
        } else {
            self.body.clone()
        }
    }
}

/// The kinds of template, by the platform's own names.
pub(crate) const KINDS: &[(&str, Platform, &str)] = &[
    (
        "http",
        Platform::Aws,
        "an HTTP request as the chosen trigger sends it (--trigger)",
    ),
    ("s3-put", Platform::Aws, "an object created in S3"),
    ("s3-delete", Platform::Aws, "an object removed from S3"),
    (
        "dynamodb-insert",
        Platform::Aws,
        "a DynamoDB Streams INSERT record",
    ),
    (
        "dynamodb-modify",
        Platform::Aws,
        "a DynamoDB Streams MODIFY record",
    ),
    (
        "dynamodb-remove",
        Platform::Aws,
        "a DynamoDB Streams REMOVE record",
    ),
    ("schedule", Platform::Aws, "an EventBridge scheduled event"),
    (
        "sqs",
        Platform::Aws,
        "a message from an SQS queue (--queue, --body)",
    ),
    (
        "sqs-fifo",
        Platform::Aws,
        "a message from an SQS FIFO queue",
    ),
    ("sns", Platform::Aws, "a message published to an SNS topic"),
    ("kinesis", Platform::Aws, "a Kinesis Data Streams record"),
    ("kafka", Platform::Aws, "an Amazon MSK (Kafka) record"),
    (
        "eventbridge",
        Platform::Aws,
        "an EventBridge event (--name as its detail-type, the --row as its detail)",
    ),
    (
        "http",
        Platform::Aliyun,
        "an HTTP request as an event (--trigger apigw or http-event)",
    ),
    ("oss-put", Platform::Aliyun, "an object created in OSS"),
    ("oss-delete", Platform::Aliyun, "an object removed from OSS"),
    (
        "tablestore-insert",
        Platform::Aliyun,
        "a Tablestore PutRow record (CBOR; --json for the readable form)",
    ),
    (
        "tablestore-modify",
        Platform::Aliyun,
        "a Tablestore UpdateRow record",
    ),
    (
        "tablestore-remove",
        Platform::Aliyun,
        "a Tablestore DeleteRow record",
    ),
    ("timer", Platform::Aliyun, "a timer trigger event"),
    (
        "mns-queue",
        Platform::Aliyun,
        "a message from an MNS queue (a CloudEvent; --queue, --body)",
    ),
    (
        "mns-topic",
        Platform::Aliyun,
        "a message published to an MNS topic (JSON format)",
    ),
    (
        "kafka",
        Platform::Aliyun,
        "a batch of one ApsaraMQ for Kafka record (EventBridge)",
    ),
    (
        "rocketmq",
        Platform::Aliyun,
        "a batch of one ApsaraMQ for RocketMQ message (EventBridge)",
    ),
    (
        "rabbitmq",
        Platform::Aliyun,
        "a batch of one ApsaraMQ for RabbitMQ message (EventBridge)",
    ),
    (
        "sls",
        Platform::Aliyun,
        "a Simple Log Service trigger's shard range (fc::aliyun::SlsEvent)",
    ),
    (
        "cdn",
        Platform::Aliyun,
        "a CDN LogFileCreated event (fc::aliyun::CdnEvent)",
    ),
    (
        "eventbridge",
        Platform::Aliyun,
        "an EventBridge event (--name as its type, the --row as its data)",
    ),
    (
        "ping",
        Platform::Knative,
        "a PingSource tick (--name the source, --payload its data)",
    ),
    (
        "cloudevent",
        Platform::Knative,
        "a broker's CloudEvent (--name as its type, the --row as its data)",
    ),
    (
        "storage-finalize",
        Platform::Gcp,
        "a Cloud Storage object created (--bucket, --key, --size)",
    ),
    (
        "storage-delete",
        Platform::Gcp,
        "a Cloud Storage object deleted",
    ),
    (
        "pubsub",
        Platform::Gcp,
        "a Pub/Sub message (--queue the topic, --body or the --row the message)",
    ),
    (
        "cloudevent",
        Platform::Gcp,
        "an Eventarc CloudEvent (--name as its type, the --row as its data)",
    ),
    (
        "http",
        Platform::OpenWhisk,
        "a raw web action's parameters (--method, --path, --body)",
    ),
    (
        "object-put",
        Platform::OpenWhisk,
        "an S3-compatible store's bucket notification, object created (--bucket, --key, --size), as MinIO's webhook sends it",
    ),
    (
        "object-delete",
        Platform::OpenWhisk,
        "an S3-compatible store's bucket notification, object removed",
    ),
    (
        "http",
        Platform::Tencent,
        "an API Gateway trigger's event (--trigger apigw) or a function URL's (--trigger url)",
    ),
    (
        "cos-put",
        Platform::Tencent,
        "a COS object created (--bucket as NAME-APPID, --key, --size)",
    ),
    ("cos-delete", Platform::Tencent, "a COS object deleted"),
    (
        "timer",
        Platform::Tencent,
        "a timer trigger's event (--name the trigger, --payload its message)",
    ),
    (
        "ckafka",
        Platform::Tencent,
        "a CKafka message (--queue the topic, --body or the --row the message)",
    ),
    (
        "cmq",
        Platform::Tencent,
        "a CMQ topic message (--queue the topic, --body or the --row the message)",
    ),
    (
        "http",
        Platform::Azure,
        "an HTTP trigger's invocation, for a function without forwarding (--trigger http-event)",
    ),
    ("timer", Platform::Azure, "a timer trigger's invocation"),
    (
        "blob",
        Platform::Azure,
        "a blob trigger's invocation (--bucket the container, --key the blob, --body its content or --size bytes)",
    ),
    (
        "queue",
        Platform::Azure,
        "a Storage queue message (--queue, --body or the --row the message)",
    ),
    (
        "servicebus",
        Platform::Azure,
        "a Service Bus queue message (--queue, --body or the --row the message)",
    ),
    (
        "eventhub",
        Platform::Azure,
        "an Event Hubs batch of one event (--queue the hub, --body or the --row the event)",
    ),
    (
        "alarm",
        Platform::OpenWhisk,
        "an alarm's trigger_payload (--payload, a JSON object; default {\"name\": --name})",
    ),
];

fn now() -> fc_core::Timestamp {
    fc_core::Timestamp::now()
}

/// Now, to the second, as event times without a fraction are written.
fn this_second() -> fc_core::Timestamp {
    fc_core::Timestamp::from_unix(now().unix_seconds(), 0)
}

/// The bytes of a template, or why there is none.
pub(crate) fn render(
    kind: &str,
    platform: Platform,
    trigger: Trigger,
    spec: &Spec,
) -> Result<Bytes, String> {
    fn json(value: impl serde::Serialize) -> Result<Bytes, String> {
        serde_json::to_vec_pretty(&value)
            .map(Bytes::from)
            .map_err(|e| e.to_string())
    }
    match (platform, kind) {
        (Platform::OpenWhisk, "http") => json(web_action(spec)?),
        (Platform::Tencent, "cos-put") => json(cos(spec, "cos:ObjectCreated:Put")),
        (Platform::Tencent, "cos-delete") => json(cos(spec, "cos:ObjectRemove:Delete")),
        (Platform::Tencent, "timer") => json(fc_tencent::wire::TimerEvent {
            kind: "Timer".into(),
            trigger_name: spec.name.clone(),
            time: this_second().to_string(),
            message: spec.payload.clone().unwrap_or_default(),
        }),
        (Platform::Tencent, "ckafka") => json(serde_json::json!({ "Records": [{ "Ckafka": {
            "topic": spec.queue,
            "partition": 0,
            "offset": 0,
            "msgKey": "None",
            "msgBody": spec.message(),
        }}]})),
        (Platform::Tencent, "cmq") => json(serde_json::json!({ "Records": [{ "CMQ": {
            "type": "topic",
            "topicOwner": "1250000000",
            "topicName": spec.queue,
            "subscriptionName": format!("{}-scf", spec.queue),
            "publishTime": fc_core::Timestamp::now().to_string(),
            "msgId": fc_local::request_id(),
            "requestId": fc_local::request_id(),
            "msgBody": spec.message(),
            "msgTag": "",
        }}]})),
        (Platform::Azure, "timer") => json(azure_timer()),
        (Platform::Azure, "blob") => json(azure_blob(spec)),
        (Platform::Azure, "queue") => json(azure_queue(spec)),
        (Platform::Azure, "servicebus") => json(azure_service_bus(spec)),
        (Platform::Azure, "eventhub") => json(azure_event_hub(spec)),
        (Platform::OpenWhisk, "alarm") => json(alarm(spec)?),
        (Platform::OpenWhisk, "object-put") => json(minio(spec, "s3:ObjectCreated:Put")),
        (Platform::OpenWhisk, "object-delete") => json(minio(spec, "s3:ObjectRemoved:Delete")),
        (_, "http") => {
            let uri: Uri = spec
                .path
                .parse()
                .map_err(|err| format!("--path `{}` is not a valid path: {err}", spec.path))?;
            let mut headers = HeaderMap::new();
            headers.insert("host", HeaderValue::from_static("localhost"));
            headers.insert("user-agent", HeaderValue::from_static("fc-local"));
            if !spec.body.is_empty() {
                headers.insert("content-type", HeaderValue::from_static("application/json"));
            }
            let http_event = match platform {
                Platform::Aws => crate::lambda::http_event,
                Platform::Tencent => crate::tencent::http_event,
                Platform::Azure => crate::azure::http_event,
                _ => crate::aliyun::http_event,
            };
            let event = http_event(
                trigger,
                &spec.method,
                &uri,
                &headers,
                spec.body.as_bytes(),
                "127.0.0.1",
            );
            json(event.map_err(|err| err.to_string())?)
        }
        (Platform::Aws, "s3-put") => json(s3(spec, "ObjectCreated:Put")),
        (Platform::Aws, "s3-delete") => json(s3(spec, "ObjectRemoved:Delete")),
        (Platform::Aws, "dynamodb-insert") => json(dynamodb(spec, "INSERT")?),
        (Platform::Aws, "dynamodb-modify") => json(dynamodb(spec, "MODIFY")?),
        (Platform::Aws, "dynamodb-remove") => json(dynamodb(spec, "REMOVE")?),
        (Platform::Aws, "schedule") => json(schedule(spec)),
        (Platform::Aws, "sqs") => json(sqs(spec, false)),
        (Platform::Aws, "sqs-fifo") => json(sqs(spec, true)),
        (Platform::Aws, "sns") => json(sns(spec)),
        (Platform::Aws, "kinesis") => json(kinesis(spec)),
        (Platform::Aws, "kafka") => json(kafka(spec)),
        (Platform::Aws, "eventbridge") => json(aws_bus_event(spec)),
        (Platform::Aliyun, "eventbridge") => json(aliyun_bus_event(spec)),
        (Platform::Aliyun, "sls") => json(sls(spec)),
        (Platform::Aliyun, "cdn") => json(cdn()),
        (Platform::Aliyun, "kafka") => json([broker_event(
            spec,
            "alikafka:Topic:Message",
            kafka_data(spec),
        )]),
        (Platform::Aliyun, "rocketmq") => json([broker_event(
            spec,
            "mq:Topic:SendMessage",
            rocketmq_data(spec),
        )]),
        (Platform::Aliyun, "rabbitmq") => json([broker_event(
            spec,
            "amqp:Queue:SendMessage",
            rabbitmq_data(spec),
        )]),
        (Platform::Aliyun, "mns-queue") => json(mns_queue(spec)),
        (Platform::Aliyun, "mns-topic") => json(mns_topic(spec)),
        (Platform::Aliyun, "oss-put") => json(oss(spec, "ObjectCreated:PutObject")),
        (Platform::Aliyun, "oss-delete") => json(oss(spec, "ObjectRemoved:DeleteObject")),
        (Platform::Aliyun, "tablestore-insert") => tablestore(spec, "PutRow"),
        (Platform::Aliyun, "tablestore-modify") => tablestore(spec, "UpdateRow"),
        (Platform::Aliyun, "tablestore-remove") => tablestore(spec, "DeleteRow"),
        (Platform::Knative, "ping") => json(ping(spec)),
        (Platform::Knative | Platform::Gcp, "cloudevent") => json(cloud_event(
            &spec.name,
            "/fc-local".to_owned(),
            None,
            Value::Object(spec.row.clone()),
        )),
        (Platform::Gcp, "storage-finalize") => {
            json(storage(spec, fc_knative::wire::STORAGE_FINALIZED))
        }
        (Platform::Gcp, "storage-delete") => json(storage(spec, fc_knative::wire::STORAGE_DELETED)),
        (Platform::Gcp, "pubsub") => json(pubsub(spec)),
        (Platform::Aliyun, "timer") => json(TimerEvent::new(
            this_second(),
            spec.name.clone(),
            Some(spec.payload.clone().unwrap_or_default()),
        )),
        _ => {
            let known: Vec<&str> = KINDS
                .iter()
                .filter(|(_, p, _)| *p == platform)
                .map(|(k, _, _)| *k)
                .collect();
            let elsewhere = KINDS.iter().find(|(k, p, _)| *k == kind && *p != platform);
            Err(match elsewhere {
                Some((_, other, _)) => format!(
                    "`{kind}` is an event of {}; on {} the kinds are: {}",
                    other.description(),
                    platform.description(),
                    known.join(", ")
                ),
                None => format!(
                    "no event kind `{kind}`; on {} the kinds are: {}",
                    platform.description(),
                    known.join(", ")
                ),
            })
        }
    }
}

/// An invocation of a function whose trigger binding `binding` has `value`: `Metadata.sys` is
/// the host's, which fc-local completes with the function's name when it invokes.
///
/// Source: Microsoft, "Azure Functions custom handlers", request payload; the metadata of each
/// trigger from its binding reference (timer, blob, queue, Service Bus, Event Hubs triggers).
fn azure_invocation(binding: &str, value: Value, metadata: Value) -> Value {
    let mut metadata = match metadata {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    metadata.insert(
        "sys".into(),
        serde_json::json!({
            "MethodName": "",
            "UtcNow": now().to_string(),
            "RandGuid": fc_local::request_id(),
        }),
    );
    serde_json::json!({ "Data": { binding: value }, "Metadata": metadata })
}

/// A message as the host puts it in `Data`: the JSON text of a string, or JSON as its text.
fn azure_message(text: String) -> Value {
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(_) | Value::Array(_)) => Value::String(text),
        _ => Value::String(Value::String(text).to_string()),
    }
}

fn later(seconds: i64) -> fc_core::Timestamp {
    fc_core::Timestamp::from_unix(this_second().unix_seconds() + seconds, 0)
}

fn azure_timer() -> Value {
    azure_invocation(
        "timer",
        serde_json::json!({
            "Schedule": { "AdjustForDST": true },
            "ScheduleStatus": {
                "Last": later(-3600).to_string(),
                "Next": later(3600).to_string(),
                "LastUpdated": later(-3600).to_string(),
            },
            "IsPastDue": false,
        }),
        Value::Null,
    )
}

fn azure_blob(spec: &Spec) -> Value {
    use base64::Engine;
    let content = if spec.body.is_empty() {
        vec![b'.'; usize::try_from(spec.size.min(16 << 20)).unwrap_or(0)]
    } else {
        spec.body.clone().into_bytes()
    };
    let path: String = form_urlencoded::byte_serialize(spec.key.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
        .replace("%2F", "/");
    azure_invocation(
        "blob",
        Value::String(base64::engine::general_purpose::STANDARD.encode(&content)),
        serde_json::json!({
            "BlobTrigger": format!("{}/{}", spec.bucket, spec.key),
            "Uri": format!("https://fclocal.blob.core.windows.net/{}/{path}", spec.bucket),
            "Properties": {
                "Length": content.len(),
                "ContentType": "application/octet-stream",
                "ETag": "\"0x8DCF1A2B3C4D5E6\"",
                "BlobType": "BlockBlob",
                "Created": now().to_string(),
                "LastModified": now().to_string(),
            },
            "Metadata": {},
            "name": spec.key,
        }),
    )
}

fn azure_queue(spec: &Spec) -> Value {
    azure_invocation(
        "message",
        azure_message(spec.message()),
        serde_json::json!({
            "DequeueCount": 1,
            "Id": fc_local::request_id(),
            "InsertionTime": this_second().to_string(),
            "ExpirationTime": later(7 * 24 * 3600).to_string(),
            "NextVisibleTime": later(600).to_string(),
            "PopReceipt": "AgAAAAMAAAAAAAAAAgtnj8x+1QE=",
        }),
    )
}

fn azure_service_bus(spec: &Spec) -> Value {
    azure_invocation(
        "message",
        azure_message(spec.message()),
        serde_json::json!({
            "MessageId": fc_local::request_id().replace('-', ""),
            "DeliveryCount": 1,
            "SequenceNumber": 1,
            "EnqueuedTimeUtc": this_second().to_string(),
            "ExpiresAtUtc": later(14 * 24 * 3600).to_string(),
            "ContentType": "application/json",
            "LockToken": fc_local::request_id(),
            "ApplicationProperties": {},
            "UserProperties": {},
        }),
    )
}

fn azure_event_hub(spec: &Spec) -> Value {
    azure_invocation(
        "events",
        Value::Array(vec![azure_message(spec.message())]),
        serde_json::json!({
            "PartitionContext": {
                "FullyQualifiedNamespace": "fclocal.servicebus.windows.net",
                "EventHubName": spec.queue,
                "ConsumerGroup": "$Default",
                "PartitionId": "0",
            },
            "SequenceNumberArray": [1],
            "OffsetArray": ["0"],
            "PartitionKeyArray": [null],
            "EnqueuedTimeUtcArray": [this_second().to_string()],
            "PropertiesArray": [{}],
        }),
    )
}

/// Seconds and nanoseconds since the Unix epoch as chrono's UTC time, which
/// aws_lambda_events' types hold.
fn utc(at: fc_core::Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.unix_millis()).unwrap_or_default()
}

/// Source: the S3 samples in `aws_lambda_events`; keys are URL-encoded with `+` for spaces.
fn s3(spec: &Spec, event_name: &str) -> S3Event {
    let mut object = S3Object::default();
    object.key = Some(form_urlencoded::byte_serialize(spec.key.as_bytes()).collect());
    object.sequencer = Some("0A1B2C3D4E5F678901".to_owned());
    if event_name.starts_with("ObjectCreated") {
        object.size = Some(i64::try_from(spec.size).unwrap_or(i64::MAX));
        object.e_tag = Some("d41d8cd98f00b204e9800998ecf8427e".to_owned());
    }
    let mut owner = S3UserIdentity::default();
    owner.principal_id = Some("EXAMPLE".to_owned());
    let mut bucket = S3Bucket::default();
    bucket.name = Some(spec.bucket.clone());
    bucket.owner_identity = Some(owner);
    bucket.arn = Some(format!("arn:aws:s3:::{}", spec.bucket));
    let mut entity = S3Entity::default();
    entity.schema_version = Some("1.0".to_owned());
    entity.configuration_id = Some("fc-local".to_owned());
    entity.bucket = bucket;
    entity.object = object;
    let mut record = S3EventRecord::default();
    record.event_version = Some("2.1".to_owned());
    record.event_source = Some("aws:s3".to_owned());
    record.aws_region = Some("us-east-1".to_owned());
    record.event_time = utc(now());
    record.event_name = Some(event_name.to_owned());
    record.principal_id.principal_id = Some("AWS:EXAMPLE".to_owned());
    record.request_parameters.source_ip_address = Some("127.0.0.1".to_owned());
    record.response_elements = [
        ("x-amz-request-id", "C3D13FE58DE4C810"),
        (
            "x-amz-id-2",
            "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    record.s3 = entity;
    let mut event = S3Event::default();
    event.records = vec![record];
    event
}

fn key_of(row: &Map<String, Value>) -> Map<String, Value> {
    let name = if row.contains_key("id") {
        "id"
    } else {
        row.keys().next().map_or("id", String::as_str)
    };
    row.get(name)
        .map(|v| (name.to_owned(), v.clone()))
        .into_iter()
        .collect()
}

/// A JSON row as DynamoDB attribute values (serde_dynamo: numbers `N`, strings `S`, …).
fn item(row: &Map<String, Value>) -> Result<serde_dynamo::Item, String> {
    serde_dynamo::to_item(row).map_err(|err| format!("the row cannot be a DynamoDB item: {err}"))
}

/// Source: the DynamoDB Streams samples in `aws_lambda_events`.
fn dynamodb(spec: &Spec, event_name: &str) -> Result<DynamoDbEvent, String> {
    let keys = key_of(&spec.row);
    let mut old = spec.row.clone();
    if let Some((name, _)) = old
        .iter()
        .find(|(k, v)| !keys.contains_key(*k) && v.is_string())
    {
        let name = name.clone();
        old.insert(name, Value::from("(before)"));
    }
    let mut change = StreamRecord::default();
    change.approximate_creation_date_time = utc(this_second());
    change.keys = item(&keys)?;
    change.sequence_number = Some(format!("{}", now().unix_millis() * 1000));
    change.size_bytes = 64;
    change.stream_view_type = Some(StreamViewType::NewAndOldImages);
    match event_name {
        "INSERT" => change.new_image = item(&spec.row)?,
        "MODIFY" => {
            change.new_image = item(&spec.row)?;
            change.old_image = item(&old)?;
        }
        _ => change.old_image = item(&spec.row)?,
    }
    let mut record = DynamoDbRecord::default();
    record.event_id = fc_local::request_id().replace('-', "");
    record.event_name = event_name.to_owned();
    record.event_version = Some("1.1".to_owned());
    record.event_source = Some("aws:dynamodb".to_owned());
    record.aws_region = "us-east-1".to_owned();
    record.change = change;
    record.event_source_arn = Some(format!(
        "arn:aws:dynamodb:us-east-1:123456789012:table/{}/stream/2026-01-01T00:00:00.000",
        spec.table
    ));
    let mut event = DynamoDbEvent::default();
    event.records = vec![record];
    Ok(event)
}

/// Source: the EventBridge scheduled-event sample in `aws_lambda_events`.
fn schedule(spec: &Spec) -> EventBridgeEvent {
    let mut event = EventBridgeEvent::default();
    event.version = Some("0".to_owned());
    event.id = Some(fc_local::request_id());
    event.detail_type = "Scheduled Event".to_owned();
    event.source = "aws.events".to_owned();
    event.account = Some("123456789012".to_owned());
    event.time = Some(utc(this_second()));
    event.region = Some("us-east-1".to_owned());
    event.resources = Some(vec![format!(
        "arn:aws:events:us-east-1:123456789012:rule/{}",
        spec.name
    )]);
    event.detail = Value::Object(Map::new());
    event
}

/// One message as a queue delivers it to a function.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Queued<'a> {
    pub(crate) queue: &'a str,
    pub(crate) id: &'a str,
    pub(crate) body: &'a str,
    /// When it was sent, in ms since the epoch.
    pub(crate) sent_ms: i64,
    /// How many times it has been delivered, this one included.
    pub(crate) receives: u32,
    /// FIFO queues: the group, the deduplication id and the sequence number.
    pub(crate) fifo: Option<(&'a str, &'a str, u128)>,
}

/// Source: AWS Lambda Developer Guide, "Using Lambda with Amazon SQS" (standard and FIFO
/// message events).
pub(crate) fn sqs_record(queued: &Queued<'_>) -> SqsMessage {
    let sent = queued.sent_ms.to_string();
    let mut message = SqsMessage::default();
    message.message_id = Some(queued.id.to_owned());
    message.receipt_handle = Some(format!(
        "AQEB{}{}",
        queued.id.replace('-', ""),
        queued.receives
    ));
    message.md5_of_body = Some(format!("{:x}", md5::compute(queued.body.as_bytes())));
    message.body = Some(queued.body.to_owned());
    message.event_source_arn = Some(format!(
        "arn:aws:sqs:us-east-1:123456789012:{}",
        queued.queue
    ));
    message.event_source = Some("aws:sqs".to_owned());
    message.aws_region = Some("us-east-1".to_owned());
    let mut attributes = vec![
        ("ApproximateReceiveCount", queued.receives.to_string()),
        ("SentTimestamp", sent),
        ("SenderId", "AIDAIENQZJOLO23YVJ4VO".to_owned()),
        (
            "ApproximateFirstReceiveTimestamp",
            now().unix_millis().to_string(),
        ),
    ];
    if let Some((group, dedup, sequence)) = queued.fifo {
        attributes.push(("SequenceNumber", sequence.to_string()));
        attributes.push(("MessageGroupId", group.to_owned()));
        attributes.push(("MessageDeduplicationId", dedup.to_owned()));
    }
    message.attributes = attributes
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    message
}

fn sqs(spec: &Spec, fifo: bool) -> SqsEvent {
    let body = spec.message();
    let id = fc_local::request_id();
    let dedup = fc_local::request_id();
    let queue = match (fifo, spec.queue.ends_with(".fifo")) {
        (true, false) => format!("{}.fifo", spec.queue),
        _ => spec.queue.clone(),
    };
    let mut event = SqsEvent::default();
    event.records = vec![sqs_record(&Queued {
        queue: &queue,
        id: &id,
        body: &body,
        sent_ms: now().unix_millis(),
        receives: 1,
        fifo: fifo.then_some(("1", dedup.as_str(), 18_849_496_460_467_696_128)),
    })];
    event
}

/// Source: AWS Lambda Developer Guide, "Using Lambda with Amazon SNS" (the example event).
fn sns(spec: &Spec) -> SnsEvent {
    let topic = format!("arn:aws:sns:us-east-1:123456789012:{}", spec.queue);
    let mut message = SnsMessage::default();
    message.sns_message_type = "Notification".to_owned();
    message.message_id = fc_local::request_id();
    message.topic_arn.clone_from(&topic);
    message.subject = Some("fc-local".to_owned());
    message.timestamp = utc(now());
    message.signature_version = "1".to_owned();
    message.signature = "EXAMPLE".to_owned();
    message.signing_cert_url =
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem"
            .to_owned();
    message.unsubscribe_url = format!(
        "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic}:{}",
        fc_local::request_id()
    );
    message.message = spec.message();
    let mut record = SnsRecord::default();
    record.event_source = "aws:sns".to_owned();
    record.event_version = "1.0".to_owned();
    record.event_subscription_arn = format!("{topic}:{}", fc_local::request_id());
    record.sns = message;
    let mut event = SnsEvent::default();
    event.records = vec![record];
    event
}

/// Source: AWS Lambda Developer Guide, "Using Lambda with Kinesis Data Streams" (the example
/// event): the data in base64.
fn kinesis(spec: &Spec) -> KinesisEvent {
    let sequence = format!("4959033355{:046}", now().unix_millis());
    let mut data = KinesisRecord::default();
    data.approximate_arrival_timestamp = SecondTimestamp(utc(now()));
    *data.data = spec.message().into_bytes();
    data.partition_key = "1".to_owned();
    data.sequence_number.clone_from(&sequence);
    data.kinesis_schema_version = Some("1.0".to_owned());
    let mut record = KinesisEventRecord::default();
    record.aws_region = Some("us-east-1".to_owned());
    record.event_id = Some(format!("shardId-000000000006:{sequence}"));
    record.event_name = Some("aws:kinesis:record".to_owned());
    record.event_source = Some("aws:kinesis".to_owned());
    record.event_source_arn = Some(format!(
        "arn:aws:kinesis:us-east-1:123456789012:stream/{}",
        spec.queue
    ));
    record.event_version = Some("1.0".to_owned());
    record.invoke_identity_arn = Some("arn:aws:iam::123456789012:role/lambda-role".to_owned());
    record.kinesis = data;
    let mut event = KinesisEvent::default();
    event.records = vec![record];
    event
}

/// Source: AWS Lambda Developer Guide, "Using Lambda with Amazon MSK" (the example event): key
/// and value in base64, header values as bytes.
fn kafka(spec: &Spec) -> KafkaEvent {
    use base64::Engine;

    let base64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let mut record = KafkaRecord::default();
    record.topic = Some(spec.queue.clone());
    record.partition = 0;
    record.offset = 15;
    record.timestamp = MillisecondTimestamp(utc(now()));
    record.timestamp_type = Some("CREATE_TIME".to_owned());
    record.key = Some(base64("1"));
    record.value = Some(base64(&spec.message()));
    let header: Vec<i8> = b"fc-local".iter().map(|b| *b as i8).collect();
    record.headers = vec![[("source".to_owned(), header)].into_iter().collect()];
    let mut event = KafkaEvent::default();
    event.event_source = Some("aws:kafka".to_owned());
    event.event_source_arn = Some(
        "arn:aws:kafka:us-east-1:123456789012:cluster/fc-local/a1b2c3d4-5678-90ab-cdef-11111EXAMPLE-1"
            .to_owned(),
    );
    event.bootstrap_servers =
        Some("b-1.fc-local.abcdef.c1.kafka.us-east-1.amazonaws.com:9092".to_owned());
    event.records = [(format!("{}-0", spec.queue), vec![record])]
        .into_iter()
        .collect();
    event
}

/// Source: the EventBridge event samples in `aws_lambda_events`: a custom application's event.
fn aws_bus_event(spec: &Spec) -> EventBridgeEvent {
    let mut event = EventBridgeEvent::default();
    event.version = Some("0".to_owned());
    event.id = Some(fc_local::request_id());
    event.detail_type.clone_from(&spec.name);
    event.source = "com.example.fc-local".to_owned();
    event.account = Some("123456789012".to_owned());
    event.time = Some(utc(this_second()));
    event.region = Some("us-east-1".to_owned());
    event.resources = Some(Vec::new());
    event.detail = Value::Object(spec.row.clone());
    event
}

/// Source: Alibaba Cloud EventBridge, "Event overview" (the event example).
fn aliyun_bus_event(spec: &Spec) -> AliyunBusEvent<Value> {
    let mut event = AliyunBusEvent::default();
    event.id = fc_local::request_id();
    event.source = "com.example.fc-local".to_owned();
    event.specversion = "1.0".to_owned();
    event.kind.clone_from(&spec.name);
    event.subject = Some("acs:fc-local:cn-hangzhou:1234567890123456:surveys".to_owned());
    event.time = Some(this_second());
    event.datacontenttype = Some("application/json;charset=utf-8".to_owned());
    event.aliyunaccountid = Some("1234567890123456".to_owned());
    event.aliyunregionid = Some("cn-hangzhou".to_owned());
    event.aliyuneventbusname = Some("default".to_owned());
    event.data = Value::Object(spec.row.clone());
    event
}

/// Source: Function Compute 3.0, "Trigger event formats", SLS trigger; `--queue` names the
/// Logstore.
fn sls(spec: &Spec) -> SlsEvent {
    let mut source = SlsSource::default();
    source.endpoint = "http://cn-hangzhou-intranet.log.aliyuncs.com".to_owned();
    source.project_name = "fc-local-project".to_owned();
    source.logstore_name.clone_from(&spec.queue);
    source.shard_id = 0;
    source.begin_cursor = "MTUyOTQ4MDIwOTY1NTk3ODQ2Mw==".to_owned();
    source.end_cursor = "MTUyOTQ4MDIwOTY1NTk3ODQ2NA==".to_owned();
    let mut event = SlsEvent::default();
    event.parameter = Value::Object(Map::new());
    event.source = source;
    event.job_name = fc_local::request_id().replace('-', "");
    event.task_id = fc_local::request_id();
    event.cursor_time = Some(now().unix_seconds());
    event
}

/// Source: Function Compute 3.0, "Trigger event formats", CDN trigger (`LogFileCreated`).
fn cdn() -> CdnEvent {
    let end = now().unix_seconds();
    let mut record = CdnRecord::default();
    record.event_name = "LogFileCreated".to_owned();
    record.event_version = "1.0.0".to_owned();
    record.event_source = "cdn".to_owned();
    record.region = "cn-hangzhou".to_owned();
    record.event_time = Some(this_second());
    record.trace_id = fc_local::request_id();
    record.resource.domain = "example.com".to_owned();
    record.event_parameter = serde_json::json!({
        "domain": "example.com",
        "startTime": end - 300,
        "endTime": end,
        "fileSize": 1024,
        "filePath": "http://cdnlog.cn-hangzhou.oss.aliyun-inc.com/example.com/example.com.gz",
    });
    record.user_identity.ali_uid = "1234567890123456".to_owned();
    let mut event = CdnEvent::default();
    event.events = vec![record];
    event
}

/// A queue or broker trigger's EventBridge event (Source: Function Compute 3.0, "Trigger event
/// formats": the Kafka, RocketMQ and RabbitMQ triggers).
fn broker_event<T: Default>(spec: &Spec, kind: &str, data: T) -> AliyunBusEvent<T> {
    let (source, subject) = match kind {
        "alikafka:Topic:Message" => (
            "acs:alikafka".to_owned(),
            format!("acs:alikafka_pre-cn-fclocal:topic:{}", spec.queue),
        ),
        "mq:Topic:SendMessage" => (
            "RocketMQ-Function-rocketmq-trigger".to_owned(),
            format!(
                "acs:mq:cn-hangzhou:1234567890123456:MQ_INST_1234567890123456_fclocal%{}",
                spec.queue
            ),
        ),
        _ => (
            "RabbitMQ-Function-rabbitmq-trigger".to_owned(),
            format!(
                "acs:amqp:cn-hangzhou:1234567890123456:/instances/amqp-cn-fclocal/vhosts/fc-local/queues/{}",
                spec.queue
            ),
        ),
    };
    let mut event = AliyunBusEvent::default();
    event.id = fc_local::request_id();
    event.source = source;
    event.specversion = "1.0".to_owned();
    event.kind = kind.to_owned();
    event.data = data;
    event.subject = Some(subject);
    event.time = Some(now());
    event.datacontenttype = Some("application/json; charset=utf-8".to_owned());
    event.aliyunaccountid = Some("1234567890123456".to_owned());
    event
}

fn kafka_data(spec: &Spec) -> KafkaData {
    let mut data = KafkaData::default();
    data.topic.clone_from(&spec.queue);
    data.partition = 0;
    data.offset = 15;
    data.timestamp = Some(now().unix_millis());
    data.key = Some("1".to_owned());
    data.value = Value::String(spec.message());
    data
}

fn rocketmq_data(spec: &Spec) -> RocketMqData {
    let mut data = RocketMqData::default();
    data.topic.clone_from(&spec.queue);
    data.system_properties = [
        ("UNIQ_KEY", Value::from(mns_id())),
        ("KEYS", Value::from("fc-local")),
        ("TAGS", Value::from("survey")),
        ("CONSUME_START_TIME", Value::from(now().unix_millis())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    data.body = Value::String(spec.message());
    data
}

fn rabbitmq_data(spec: &Spec) -> RabbitMqData {
    let mut data = RabbitMqData::default();
    data.envelope.delivery_tag = 1;
    data.envelope.routing_key.clone_from(&spec.queue);
    data.body = Value::String(spec.message());
    data.props.content_encoding = Some("UTF-8".to_owned());
    data.props.message_id = Some(fc_local::request_id());
    data
}

/// An id as MNS and RocketMQ write theirs: 32 upper-case hex digits.
pub(crate) fn mns_id() -> String {
    fc_local::request_id().replace('-', "").to_uppercase()
}

/// Source: EventBridge, "MNS queue event source: event example".
pub(crate) fn mns_queue_event(queued: &Queued<'_>) -> MnsQueueEvent {
    let mut data = MnsQueueData::default();
    data.request_id = Some(mns_id());
    data.message_id = queued.id.to_owned();
    data.message_body = queued.body.to_owned();
    let mut event = MnsQueueEvent::default();
    event.id = fc_local::request_id();
    event.source = "acs:mns".to_owned();
    event.specversion = "1.0".to_owned();
    event.kind = "mns:Queue:SendMessage".to_owned();
    event.subject = Some(format!(
        "acs:mns:cn-hangzhou:1234567890123456:queues/{}",
        queued.queue
    ));
    event.time = Some(now());
    event.data = data;
    event
}

fn mns_queue(spec: &Spec) -> MnsQueueEvent {
    let body = spec.message();
    mns_queue_event(&Queued {
        queue: &spec.queue,
        id: &mns_id(),
        body: &body,
        sent_ms: now().unix_millis(),
        receives: 1,
        fifo: None,
    })
}

/// Source: Function Compute, "MNS topic trigger: event format" (JSON format).
fn mns_topic(spec: &Spec) -> MnsTopicMessage {
    let body = spec.message();
    let mut message = MnsTopicMessage::default();
    message.message_id = mns_id();
    message.message_md5 = Some(format!("{:X}", md5::compute(body.as_bytes())));
    message.message = body;
    message.topic_name.clone_from(&spec.queue);
    message.topic_owner = Some("1234567890123456".to_owned());
    message.subscriber = Some("1234567890123456".to_owned());
    message.subscription_name = Some("fc-local".to_owned());
    message.publish_time = Some(now().unix_millis());
    message
}

/// Source: Function Compute, "Trigger event formats", OSS trigger.
fn oss(spec: &Spec, event_name: &str) -> OssEvent {
    let mut bucket = OssBucket::default();
    bucket.name = spec.bucket.clone();
    bucket.arn = Some(format!(
        "acs:oss:cn-hangzhou:1234567890123456:{}",
        spec.bucket
    ));
    bucket.owner_identity = Some("1234567890123456".to_owned());
    bucket.virtual_bucket = Some(String::new());
    let mut object = OssObject::default();
    object.key = spec.key.clone();
    object.size = Some(spec.size);
    object.delta_size = Some(i64::try_from(spec.size).unwrap_or(i64::MAX));
    object.e_tag = Some("688A7BF4F233DC9C88A80BF985AB7329".to_owned());
    let mut entity = OssEntity::default();
    entity.bucket = bucket;
    entity.object = object;
    entity.oss_schema_version = Some("1.0".to_owned());
    entity.rule_id = Some("9adac8e253828f4f7c0466d941fa3db81161e853".to_owned());
    let one = |k: &str, v: &str| Some([(k.to_owned(), v.to_owned())].into());
    let mut record = OssRecord::default();
    record.event_name = event_name.to_owned();
    record.event_source = Some("acs:oss".to_owned());
    record.event_time = Some(now().to_string());
    record.event_version = Some("1.0".to_owned());
    record.oss = entity;
    record.region = Some("cn-hangzhou".to_owned());
    record.request_parameters = one("sourceIPAddress", "127.0.0.1");
    record.response_elements = one("requestId", "58F9FF2D3DF792092E12044C");
    record.user_identity = one("principalId", "1234567890123456");
    let mut event = OssEvent::default();
    event.events = vec![record];
    event
}

/// A JSON value as a Tablestore cell.
fn cell(value: &Value) -> Result<Cell, String> {
    Ok(match value {
        Value::Bool(b) => Cell::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cell::Integer(i),
            None => Cell::Double(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => Cell::String(s.clone()),
        other => {
            return Err(format!(
                "Tablestore columns hold Integer, Double, Boolean, String or Blob, not {other}"
            ));
        }
    })
}

/// Source: Function Compute, "Configure a Tablestore trigger": `Sync-v1` records, timestamps
/// in µs (row) and ms (columns).
fn tablestore(spec: &Spec, kind: &str) -> Result<Bytes, String> {
    let column = |name: &str, value: &Value| -> Result<TablestoreColumn, String> {
        let mut column = TablestoreColumn::default();
        column.column_name = name.to_owned();
        column.value = Some(cell(value)?);
        Ok(column)
    };
    let keys = key_of(&spec.row);
    let ms = now().unix_millis();
    let mut record = TablestoreRecord::default();
    record.kind = kind.to_owned();
    let mut info = TablestoreInfo::default();
    info.timestamp = Some(ms.saturating_mul(1000));
    record.info = Some(info);
    for (name, value) in &keys {
        record.primary_key.push(column(name, value)?);
    }
    if kind != "DeleteRow" {
        for (name, value) in spec.row.iter().filter(|(k, _)| !keys.contains_key(*k)) {
            let mut put = column(name, value)?;
            put.kind = Some("Put".to_owned());
            put.timestamp = Some(ms);
            record.columns.push(put);
        }
    }
    let mut event = TablestoreEvent::default();
    event.version = "Sync-v1".to_owned();
    event.records = vec![record];
    if spec.json {
        return serde_json::to_vec_pretty(&event)
            .map(Bytes::from)
            .map_err(|e| e.to_string());
    }
    let mut bytes = Vec::new();
    ciborium::ser::into_writer(&event, &mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes.into())
}

/// A CloudEvent in the JSON format (structured mode), as fc-local sends it to a function in
/// binary mode (Source: CloudEvents, "JSON Event Format" 1.0.2).
fn cloud_event(kind: &str, source: String, subject: Option<String>, data: Value) -> Value {
    let mut event = serde_json::json!({
        "specversion": "1.0",
        "id": fc_local::request_id(),
        "source": source,
        "type": kind,
        "time": now(),
        "datacontenttype": "application/json",
        "data": data,
    });
    if let Some(subject) = subject {
        event["subject"] = Value::String(subject);
    }
    event
}

/// Source: Knative, "PingSource" (type, source); the data is the source's own.
/// The parameters the controller gives a raw web action for the request `spec` describes.
fn web_action(spec: &Spec) -> Result<Value, String> {
    let mut request = http::Request::new(Bytes::from(spec.body.clone()));
    *request.method_mut() = spec.method.clone();
    *request.uri_mut() = spec
        .path
        .parse()
        .map_err(|err| format!("--path `{}` is not a valid path: {err}", spec.path))?;
    let headers = request.headers_mut();
    headers.insert("host", HeaderValue::from_static("localhost"));
    headers.insert("user-agent", HeaderValue::from_static("fc-local"));
    if !spec.body.is_empty() {
        headers.insert("content-type", HeaderValue::from_static("application/json"));
    }
    let path = request.uri().path().to_owned();
    Ok(Value::Object(crate::openwhisk::web_params(&request, &path)))
}

/// A bucket notification as MinIO sends it to a webhook: S3's records with `s3:` event names,
/// and the event's name and `bucket/key` beside them.
///
/// Source: minio/minio, `docs/bucket/notifications/README.md`; the sample in
/// fc-openwhisk/tests/data.
fn minio(spec: &Spec, event_name: &str) -> Value {
    let key: String = form_urlencoded::byte_serialize(spec.key.as_bytes()).collect();
    let mut object = serde_json::json!({
        "key": key,
        "sequencer": "15CFEDF8D5304D1A",
    });
    if event_name.starts_with("s3:ObjectCreated") {
        object["size"] = Value::from(spec.size);
        object["eTag"] = Value::from("d41d8cd98f00b204e9800998ecf8427e");
        object["contentType"] = Value::from("application/octet-stream");
    }
    serde_json::json!({
        "EventName": event_name,
        "Key": format!("{}/{}", spec.bucket, spec.key),
        "Records": [{
            "eventVersion": "2.0",
            "eventSource": "minio:s3",
            "awsRegion": "",
            "eventTime": this_second().to_string(),
            "eventName": event_name,
            "userIdentity": {"principalId": "minioadmin"},
            "requestParameters": {"region": "", "sourceIPAddress": "127.0.0.1"},
            "responseElements": {"x-amz-request-id": "15CFEDF8D4736ED9"},
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "Config",
                "bucket": {
                    "name": spec.bucket,
                    "ownerIdentity": {"principalId": "minioadmin"},
                    "arn": format!("arn:aws:s3:::{}", spec.bucket),
                },
                "object": object,
            },
            "source": {"host": "127.0.0.1", "port": "", "userAgent": "fc-local"},
        }],
    })
}

/// A COS trigger's event, as the samples in fc-tencent/tests/data: the bucket's name without
/// its APPID, the key as `/APPID/NAME/KEY`, the time in Unix seconds.
fn cos(spec: &Spec, event_name: &str) -> Value {
    let (name, appid) = match spec.bucket.rsplit_once('-') {
        Some((name, appid)) if !appid.is_empty() && appid.chars().all(|c| c.is_ascii_digit()) => {
            (name.to_owned(), appid.to_owned())
        }
        _ => (spec.bucket.clone(), "1250000000".to_owned()),
    };
    let mut object = serde_json::json!({
        "url": format!("http://{name}-{appid}.cos.ap-guangzhou.myqcloud.com/{}", spec.key),
        "meta": {"x-cos-request-id": "NWMxOWY4MGFfMjViMjU4NjRfMTUyMV8yNzhhZjM=", "Content-Type": ""},
        "vid": "",
        "key": format!("/{appid}/{name}/{}", spec.key),
    });
    if event_name.starts_with("cos:ObjectCreated") {
        object["size"] = Value::from(spec.size);
    }
    serde_json::json!({ "Records": [{
        "cos": {
            "cosSchemaVersion": "1.0",
            "cosObject": object,
            "cosBucket": {"region": "gz", "name": name, "appid": appid},
            "cosNotificationId": "unknown",
        },
        "event": {
            "eventName": event_name,
            "eventVersion": "1.0",
            "eventTime": this_second().unix_seconds(),
            "eventSource": "qcs::cos",
            "requestParameters": {"requestSourceIP": "127.0.0.1", "requestHeaders": {}},
            "eventQueue": format!("qcs:0:scf:gz:appid/{appid}:default.function.$LATEST"),
            "reservedInfo": "",
            "reqid": 179_398_952,
        },
    }]})
}

/// An alarm (the `/whisk.system/alarms/alarm` feed) fires its trigger with the
/// `trigger_payload`'s fields as the parameters, and nothing else.
///
/// Source: apache/openwhisk-package-alarms, README.md.
fn alarm(spec: &Spec) -> Result<Value, String> {
    match spec.payload.as_deref() {
        None => Ok(serde_json::json!({ "name": spec.name })),
        Some(payload) => match serde_json::from_str::<Value>(payload) {
            Ok(object @ Value::Object(_)) => Ok(object),
            _ => Err(format!(
                "--payload must be a JSON object (an alarm's trigger_payload), got `{payload}`"
            )),
        },
    }
}

fn ping(spec: &Spec) -> Value {
    let source = format!("/apis/v1/namespaces/default/pingsources/{}", spec.name);
    let data = match spec.payload.as_deref() {
        Some(payload) => {
            serde_json::from_str(payload).unwrap_or_else(|_| Value::String(payload.to_owned()))
        }
        None => Value::Null,
    };
    let mut event = cloud_event(fc_knative::wire::PING, source, None, data);
    if event["data"].is_null() {
        if let Some(map) = event.as_object_mut() {
            map.remove("data");
            map.remove("datacontenttype");
        }
    } else if event["data"].is_string() {
        event["datacontenttype"] = Value::String("text/plain".to_owned());
    }
    event
}

/// Source: GoogleCloudPlatform/functions-framework-conformance, the storage CloudEvent
/// sample: source and subject, and the object's metadata with its counts as strings.
fn storage(spec: &Spec, kind: &str) -> Value {
    let mut object = fc_knative::wire::StorageObjectData::default();
    object.bucket.clone_from(&spec.bucket);
    object.name.clone_from(&spec.key);
    object.size = Some(spec.size);
    object.generation = Some(u64::try_from(now().unix_millis()).unwrap_or_default() * 1000);
    object.metageneration = Some(1);
    object.content_type = Some("application/octet-stream".to_owned());
    object.etag = Some("CNHZkbuF/ugCEAE=".to_owned());
    object.time_created = Some(now());
    object.updated = Some(now());
    if kind == fc_knative::wire::STORAGE_DELETED {
        object.time_deleted = Some(now());
    }
    cloud_event(
        kind,
        format!(
            "//storage.googleapis.com/projects/_/buckets/{}",
            spec.bucket
        ),
        Some(format!("objects/{}", spec.key)),
        serde_json::to_value(object).unwrap_or_default(),
    )
}

/// Source: GoogleCloudPlatform/functions-framework-conformance, the Pub/Sub CloudEvent
/// sample: the message's data base64.
fn pubsub(spec: &Spec) -> Value {
    use base64::Engine;
    let mut message = fc_knative::wire::PubsubMessage::default();
    message.message_id = mns_id().to_lowercase();
    message.data = Some(base64::engine::general_purpose::STANDARD.encode(spec.message()));
    message.publish_time = Some(now());
    let mut data = fc_knative::wire::MessagePublishedData::default();
    data.message = message;
    data.subscription = format!("projects/fc-local/subscriptions/{}-sub", spec.queue);
    cloud_event(
        fc_knative::wire::PUBSUB_PUBLISHED,
        format!(
            "//pubsub.googleapis.com/projects/fc-local/topics/{}",
            spec.queue
        ),
        None,
        serde_json::to_value(data).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_aliyun::FromFc;
    use fc_core::{JsonEvent, MessageEvent};

    fn spec() -> Spec {
        Spec {
            bucket: "b".into(),
            key: "k".into(),
            size: 1,
            table: "t".into(),
            row: [("name".to_owned(), Value::from("Ada"))]
                .into_iter()
                .collect(),
            name: "n".into(),
            payload: None,
            method: Method::GET,
            path: "/".into(),
            body: String::new(),
            json: false,
            queue: "surveys".into(),
        }
    }

    /// FC's templates read back through fc-aliyun's own decoders.
    #[test]
    fn fc_templates_decode_as_fc_aliyun_reads_them() {
        let render = |kind: &str| render(kind, Platform::Aliyun, Trigger::FcHttp, &spec()).unwrap();
        let (JsonEvent(sls), ()) =
            JsonEvent::<fc_aliyun::SlsEvent>::from_invoke(&render("sls")).unwrap();
        assert_eq!(sls.source.logstore_name, "surveys");
        let (JsonEvent(cdn), ()) =
            JsonEvent::<fc_aliyun::CdnEvent>::from_invoke(&render("cdn")).unwrap();
        assert_eq!(cdn.events[0].event_name, "LogFileCreated");
        for kind in ["mns-queue", "mns-topic", "kafka", "rocketmq", "rabbitmq"] {
            let (event, ()) = MessageEvent::from_invoke(&render(kind)).unwrap();
            assert_eq!(
                event.messages[0].text().unwrap(),
                r#"{"name":"Ada"}"#,
                "{kind}"
            );
        }
    }
}
