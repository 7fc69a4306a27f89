//! Event templates: realistic events for each trigger, like `sam local generate-event` and
//! Serverless Devs' `s cli fc-event`.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ciborium::value::Value as Cbor;
use http::{HeaderMap, HeaderValue, Method, Uri};
use serde_json::{Map, Value, json};

use super::Platform;
use crate::aliyun::FcHttpTrigger;
use crate::lambda::HttpTrigger;

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
];

fn now() -> fc_core::Timestamp {
    fc_core::Timestamp::now()
}

fn millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The bytes of a template, or why there is none.
pub(crate) fn render(
    kind: &str,
    platform: Platform,
    aws_trigger: HttpTrigger,
    fc_trigger: FcHttpTrigger,
    spec: &Spec,
) -> Result<Bytes, String> {
    let json = |value: Value| {
        serde_json::to_vec_pretty(&value)
            .map(Bytes::from)
            .map_err(|e| e.to_string())
    };
    match (platform, kind) {
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
            let event = match platform {
                Platform::Aws => crate::lambda::http_event(
                    aws_trigger,
                    &spec.method,
                    &uri,
                    &headers,
                    spec.body.as_bytes(),
                    "127.0.0.1",
                ),
                Platform::Aliyun => crate::aliyun::http_event(
                    fc_trigger,
                    &spec.method,
                    &uri,
                    &headers,
                    spec.body.as_bytes(),
                    "127.0.0.1",
                ),
            };
            json(event)
        }
        (Platform::Aws, "s3-put") => json(s3(spec, "ObjectCreated:Put")),
        (Platform::Aws, "s3-delete") => json(s3(spec, "ObjectRemoved:Delete")),
        (Platform::Aws, "dynamodb-insert") => json(dynamodb(spec, "INSERT")),
        (Platform::Aws, "dynamodb-modify") => json(dynamodb(spec, "MODIFY")),
        (Platform::Aws, "dynamodb-remove") => json(dynamodb(spec, "REMOVE")),
        (Platform::Aws, "schedule") => json(json!({
            "version": "0",
            "id": fc_local::request_id(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": fc_core::Timestamp::from_unix(now().unix_seconds(), 0).to_string(),
            "region": "us-east-1",
            "resources": [format!("arn:aws:events:us-east-1:123456789012:rule/{}", spec.name)],
            "detail": {}
        })),
        (Platform::Aliyun, "oss-put") => json(oss(spec, "ObjectCreated:PutObject")),
        (Platform::Aliyun, "oss-delete") => json(oss(spec, "ObjectRemoved:DeleteObject")),
        (Platform::Aliyun, "tablestore-insert") => tablestore(spec, "PutRow"),
        (Platform::Aliyun, "tablestore-modify") => tablestore(spec, "UpdateRow"),
        (Platform::Aliyun, "tablestore-remove") => tablestore(spec, "DeleteRow"),
        (Platform::Aliyun, "timer") => json(json!({
            "triggerTime": fc_core::Timestamp::from_unix(now().unix_seconds(), 0).to_string(),
            "triggerName": spec.name,
            "payload": spec.payload.clone().unwrap_or_default()
        })),
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
                    other.name(),
                    platform.name(),
                    known.join(", ")
                ),
                None => format!(
                    "no event kind `{kind}`; on {} the kinds are: {}",
                    platform.name(),
                    known.join(", ")
                ),
            })
        }
    }
}

/// Source: the S3 samples in `aws_lambda_events`; keys are URL-encoded with `+` for spaces.
fn s3(spec: &Spec, event_name: &str) -> Value {
    let key: String = form_urlencoded::byte_serialize(spec.key.as_bytes()).collect();
    let mut object = json!({ "key": key, "sequencer": "0A1B2C3D4E5F678901" });
    if event_name.starts_with("ObjectCreated") {
        object["size"] = json!(spec.size);
        object["eTag"] = json!("d41d8cd98f00b204e9800998ecf8427e");
    }
    json!({"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": now().to_string(),
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:EXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "fc-local",
            "bucket": {"name": spec.bucket, "ownerIdentity": {"principalId": "EXAMPLE"}, "arn": format!("arn:aws:s3:::{}", spec.bucket)},
            "object": object
        }
    }]})
}

/// A JSON value as a DynamoDB attribute value.
fn attribute(value: &Value) -> Value {
    match value {
        Value::Null => json!({"NULL": true}),
        Value::Bool(b) => json!({"BOOL": b}),
        Value::Number(n) => json!({"N": n.to_string()}),
        Value::String(s) => json!({"S": s}),
        Value::Array(items) => json!({"L": items.iter().map(attribute).collect::<Vec<_>>()}),
        Value::Object(map) => {
            json!({"M": map.iter().map(|(k, v)| (k.clone(), attribute(v))).collect::<Map<_, _>>()})
        }
    }
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

fn item(row: &Map<String, Value>) -> Value {
    Value::Object(row.iter().map(|(k, v)| (k.clone(), attribute(v))).collect())
}

/// Source: the DynamoDB Streams samples in `aws_lambda_events`.
fn dynamodb(spec: &Spec, event_name: &str) -> Value {
    let keys = key_of(&spec.row);
    let mut change = json!({
        "ApproximateCreationDateTime": now().unix_seconds(),
        "Keys": item(&keys),
        "SequenceNumber": format!("{}", millis() * 1000),
        "SizeBytes": 64,
        "StreamViewType": "NEW_AND_OLD_IMAGES"
    });
    let mut old = spec.row.clone();
    if let Some((name, _)) = old
        .iter()
        .find(|(k, v)| !keys.contains_key(*k) && v.is_string())
    {
        let name = name.clone();
        old.insert(name, json!("(before)"));
    }
    match event_name {
        "INSERT" => change["NewImage"] = item(&spec.row),
        "MODIFY" => {
            change["NewImage"] = item(&spec.row);
            change["OldImage"] = item(&old);
        }
        _ => change["OldImage"] = item(&spec.row),
    }
    json!({"Records": [{
        "eventID": fc_local::request_id().replace('-', ""),
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": change,
        "eventSourceARN": format!("arn:aws:dynamodb:us-east-1:123456789012:table/{}/stream/2026-01-01T00:00:00.000", spec.table)
    }]})
}

/// Source: Function Compute, "Trigger event formats", OSS trigger.
fn oss(spec: &Spec, event_name: &str) -> Value {
    json!({"events": [{
        "eventName": event_name,
        "eventSource": "acs:oss",
        "eventTime": now().to_string(),
        "eventVersion": "1.0",
        "oss": {
            "bucket": {"arn": format!("acs:oss:cn-hangzhou:1234567890123456:{}", spec.bucket), "name": spec.bucket, "ownerIdentity": "1234567890123456", "virtualBucket": ""},
            "object": {"deltaSize": spec.size, "eTag": "688A7BF4F233DC9C88A80BF985AB7329", "key": spec.key, "size": spec.size},
            "ossSchemaVersion": "1.0",
            "ruleId": "9adac8e253828f4f7c0466d941fa3db81161e853"
        },
        "region": "cn-hangzhou",
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"requestId": "58F9FF2D3DF792092E12044C"},
        "userIdentity": {"principalId": "1234567890123456"}
    }]})
}

fn cbor_value(value: &Value) -> Result<Cbor, String> {
    Ok(match value {
        Value::Bool(b) => Cbor::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cbor::Integer(i.into()),
            None => Cbor::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => Cbor::Text(s.clone()),
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
    let text = |s: &str| Cbor::Text(s.to_owned());
    let map = |entries: Vec<(&str, Cbor)>| {
        Cbor::Map(entries.into_iter().map(|(k, v)| (text(k), v)).collect())
    };
    let keys = key_of(&spec.row);
    let primary_key = keys
        .iter()
        .map(|(name, value)| {
            Ok(map(vec![
                ("ColumnName", text(name)),
                ("Value", cbor_value(value)?),
            ]))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let ms = millis();
    let mut columns = Vec::new();
    if kind != "DeleteRow" {
        for (name, value) in spec.row.iter().filter(|(k, _)| !keys.contains_key(*k)) {
            columns.push(map(vec![
                ("Type", text("Put")),
                ("ColumnName", text(name)),
                ("Value", cbor_value(value)?),
                ("Timestamp", Cbor::Integer(ms.into())),
            ]));
        }
    }
    let record = map(vec![
        ("Type", text(kind)),
        (
            "Info",
            map(vec![("Timestamp", Cbor::Integer((ms * 1000).into()))]),
        ),
        ("PrimaryKey", Cbor::Array(primary_key)),
        ("Columns", Cbor::Array(columns)),
    ]);
    let event = map(vec![
        ("Version", text("Sync-v1")),
        ("Records", Cbor::Array(vec![record])),
    ]);
    if spec.json {
        let readable: Value = event.deserialized().map_err(|e| e.to_string())?;
        return serde_json::to_vec_pretty(&readable)
            .map(Bytes::from)
            .map_err(|e| e.to_string());
    }
    let mut bytes = Vec::new();
    ciborium::ser::into_writer(&event, &mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes.into())
}
