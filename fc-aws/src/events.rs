//! S3, DynamoDB Streams and EventBridge events as fc's neutral types.
//!
//! S3 and DynamoDB records are read straight into what fc keeps, in one pass: the shapes below
//! follow `aws_lambda_events` (and are tested on its samples) but skip the fields fc does not
//! carry, and a DynamoDB attribute becomes a [`Value`] without an intermediate map.

use std::fmt;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use base64::Engine;
use fc_core::{
    CloudEvent, Error, ObjectEvent, Row, RowChange, ScheduleEvent, TableEvent, TableRecord,
    Timestamp, Value,
};
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};

use fc_core::adapter::parse_json;
use fc_core::adapter::s3::Notification;

const S3: &str = "S3 event";
const DYNAMODB: &str = "DynamoDB Streams event";
const EVENTBRIDGE: &str = "EventBridge scheduled event";

fn timestamp(time: &chrono::DateTime<chrono::Utc>) -> Timestamp {
    Timestamp::from_unix(time.timestamp(), time.timestamp_subsec_nanos())
}

pub(crate) fn object_event(raw: &str) -> Result<ObjectEvent, Error> {
    parse_json::<Notification>(raw.as_bytes(), S3)?.into_event(S3)
}

#[derive(Deserialize)]
struct DynamoDbEvent {
    #[serde(rename = "Records")]
    records: Vec<DynamoDbRecord>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DynamoDbRecord {
    #[serde(rename = "eventID")]
    event_id: String,
    event_name: String,
    #[serde(rename = "eventSourceARN", default)]
    event_source_arn: Option<String>,
    #[serde(default)]
    table_name: Option<String>,
    dynamodb: StreamRecord,
}

#[derive(Deserialize)]
struct StreamRecord {
    #[serde(rename = "ApproximateCreationDateTime", default)]
    created: Option<EpochSeconds>,
    #[serde(rename = "Keys", default)]
    keys: Option<Attributes>,
    #[serde(rename = "NewImage", default)]
    new_image: Option<Attributes>,
    #[serde(rename = "OldImage", default)]
    old_image: Option<Attributes>,
    #[serde(rename = "SequenceNumber", default)]
    sequence_number: Option<String>,
}

pub(crate) fn table_event(raw: &str) -> Result<TableEvent, Error> {
    let event: DynamoDbEvent = parse_json(raw.as_bytes(), DYNAMODB)?;
    let records = event
        .records
        .into_iter()
        .enumerate()
        .map(|(i, record)| table_record(i, record))
        .collect::<Result<_, _>>()?;
    Ok(TableEvent::new(records))
}

fn table_record(index: usize, record: DynamoDbRecord) -> Result<TableRecord, Error> {
    let kind = match record.event_name.as_str() {
        "INSERT" => RowChange::Insert,
        "MODIFY" => RowChange::Modify,
        "REMOVE" => RowChange::Remove,
        other => {
            return Err(Error::invalid_event(format!(
                "invalid {DYNAMODB} at `Records[{index}].eventName`: expected INSERT, MODIFY or REMOVE, got `{other}`"
            )));
        }
    };
    // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<time>
    let table = record
        .event_source_arn
        .as_deref()
        .and_then(|arn| arn.split(":table/").nth(1))
        .map(|rest| rest.split('/').next().unwrap_or(rest).to_owned())
        .or(record.table_name)
        .unwrap_or_default();
    let change = record.dynamodb;
    let keys = change.keys.map(|item| item.0).unwrap_or_default();
    let mut out = TableRecord::new(kind, table, keys);
    out.id = change.sequence_number.unwrap_or(record.event_id);
    out.new = change
        .new_image
        .map(|item| item.0)
        .filter(|row| !row.is_empty());
    out.old = change
        .old_image
        .map(|item| item.0)
        .filter(|row| !row.is_empty());
    out.time = Some(change.created.map_or(Timestamp::from_unix(0, 0), |at| at.0));
    Ok(out)
}

/// `ApproximateCreationDateTime`: seconds since the epoch, with a fraction.
pub(crate) struct EpochSeconds(pub(crate) Timestamp);

impl<'de> Deserialize<'de> for EpochSeconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Seconds;
        impl Visitor<'_> for Seconds {
            type Value = EpochSeconds;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("seconds since the Unix epoch")
            }

            fn visit_u64<E: de::Error>(self, secs: u64) -> Result<EpochSeconds, E> {
                let secs = i64::try_from(secs).map_err(|_| E::custom("seconds out of range"))?;
                Ok(EpochSeconds(Timestamp::from_unix(secs, 0)))
            }

            fn visit_i64<E: de::Error>(self, secs: i64) -> Result<EpochSeconds, E> {
                Ok(EpochSeconds(Timestamp::from_unix(secs, 0)))
            }

            fn visit_f64<E: de::Error>(self, secs: f64) -> Result<EpochSeconds, E> {
                if !secs.is_finite() || secs.abs() > 1e15 {
                    return Err(E::custom("seconds out of range"));
                }
                // Millisecond precision, as DynamoDB sends it and chrono would keep it.
                let millis = (secs * 1000.0).round() as i64;
                Ok(EpochSeconds(Timestamp::from_unix_millis(millis)))
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<EpochSeconds, E> {
                let secs: f64 = text
                    .trim()
                    .parse()
                    .map_err(|_| E::custom(format!("expected seconds, got `{text}`")))?;
                self.visit_f64(secs)
            }
        }
        deserializer.deserialize_any(Seconds)
    }
}

/// A DynamoDB item: names to typed values, `{"name": {"S": "text"}, ...}`.
struct Attributes(Row);

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Names;
        impl<'de> Visitor<'de> for Names {
            type Value = Attributes;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attribute names to typed values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
                let mut row = Row::new();
                while let Some((name, value)) = map.next_entry::<String, Attribute>()? {
                    row.insert(name, value.0);
                }
                Ok(Attributes(row))
            }
        }
        deserializer.deserialize_map(Names)
    }
}

/// DynamoDB's type descriptors.
#[derive(Deserialize)]
#[allow(clippy::upper_case_acronyms)]
enum Tag {
    N,
    S,
    BOOL,
    B,
    NULL,
    M,
    L,
    SS,
    NS,
    BS,
}

/// One typed value, `{"N": "42"}`.
struct Attribute(Value);

fn number(text: String) -> Value {
    Value::parse_number(&text).unwrap_or(Value::String(text))
}

fn bytes<E: de::Error>(text: &str) -> Result<Value, E> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map(Value::Bytes)
        .map_err(|err| E::custom(format!("invalid base64 in a `B` value: {err}")))
}

impl<'de> Deserialize<'de> for Attribute {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Typed;
        impl<'de> Visitor<'de> for Typed {
            type Value = Attribute;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a typed value with one key: "N", "S", "BOOL", "B", "NULL", "M", "L", "SS", "NS" or "BS""#)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attribute, A::Error> {
                let Some(tag) = map.next_key::<Tag>()? else {
                    return Err(de::Error::custom(
                        "a typed value is empty; expected one type key",
                    ));
                };
                let value = match tag {
                    Tag::N => number(map.next_value()?),
                    Tag::S => Value::String(map.next_value()?),
                    Tag::BOOL => Value::Bool(map.next_value()?),
                    Tag::B => bytes(&map.next_value::<String>()?)?,
                    Tag::NULL => {
                        map.next_value::<bool>()?;
                        Value::Null
                    }
                    Tag::M => Value::Map(map.next_value::<Attributes>()?.0),
                    Tag::L => Value::List(
                        map.next_value::<Vec<Attribute>>()?
                            .into_iter()
                            .map(|a| a.0)
                            .collect(),
                    ),
                    Tag::SS => Value::Set(
                        map.next_value::<Vec<String>>()?
                            .into_iter()
                            .map(Value::String)
                            .collect(),
                    ),
                    Tag::NS => Value::Set(
                        map.next_value::<Vec<String>>()?
                            .into_iter()
                            .map(number)
                            .collect(),
                    ),
                    Tag::BS => {
                        let texts = map.next_value::<Vec<String>>()?;
                        Value::Set(texts.iter().map(|t| bytes(t)).collect::<Result<_, _>>()?)
                    }
                };
                if map.next_key::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom("a typed value has exactly one type key"));
                }
                Ok(Attribute(value))
            }
        }
        deserializer.deserialize_map(Typed)
    }
}

/// An EventBridge event, its `detail` read into `T`; the fields fc carries.
#[derive(Deserialize)]
struct BusEvent<T> {
    id: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    source: String,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    time: Option<Timestamp>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    resources: Option<Vec<String>>,
    detail: T,
}

pub(crate) fn cloud_event<T: DeserializeOwned>(raw: &str) -> Result<CloudEvent<T>, Error> {
    let event: BusEvent<T> = parse_json(raw.as_bytes(), "EventBridge event")?;
    let mut out = CloudEvent::new(event.id, event.source, event.detail_type, event.detail);
    out.account = event.account;
    out.time = event.time;
    out.region = event.region;
    out.resources = event.resources.unwrap_or_default();
    Ok(out)
}

pub(crate) fn schedule_event(raw: &str) -> Result<ScheduleEvent, Error> {
    let event: EventBridgeEvent<serde_json::Value> = parse_json(raw.as_bytes(), EVENTBRIDGE)?;
    // The rule's name is the last part of its ARN: arn:aws:events:<region>:<account>:rule/<name>
    let name = event
        .resources
        .as_ref()
        .and_then(|resources| resources.first())
        .map(|arn| arn.rsplit('/').next().unwrap_or(arn).to_owned())
        .unwrap_or_else(|| event.detail_type.clone());
    let mut out = ScheduleEvent::new(name, event.time.as_ref().map(timestamp));
    out.payload = match event.detail {
        serde_json::Value::Null => None,
        serde_json::Value::Object(map) if map.is_empty() => None,
        serde_json::Value::String(text) => Some(text),
        other => Some(other.to_string()),
    };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_dynamodb_operations_are_invalid() {
        let raw = r#"{"Records":[{"eventID":"1","eventName":"UPSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1480642020,"Keys":{},"SizeBytes":1}}]}"#;
        let err = table_event(raw).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid DynamoDB Streams event at `Records[0].eventName`: expected INSERT, MODIFY or REMOVE, got `UPSERT`"
        );
    }
}
