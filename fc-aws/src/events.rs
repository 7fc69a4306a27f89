//! S3, DynamoDB Streams and EventBridge events as fc's neutral types.

use std::collections::HashMap;

use aws_lambda_events::dynamodb::{Event as DynamoDbEvent, EventRecord};
use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::s3::{S3Event, S3EventRecord};
use fc_core::{
    Error, ObjectEvent, ObjectRecord, Row, RowChange, ScheduleEvent, TableEvent, TableRecord,
    Timestamp, Value,
};

use fc_core::adapter::parse_json;

const S3: &str = "S3 event";
const DYNAMODB: &str = "DynamoDB Streams event";
const EVENTBRIDGE: &str = "EventBridge scheduled event";

fn timestamp(time: &chrono::DateTime<chrono::Utc>) -> Timestamp {
    Timestamp::from_unix(time.timestamp(), time.timestamp_subsec_nanos())
}

/// S3 sends keys URL-encoded with `+` for spaces: `my+photo%281%29.jpg` is `my photo(1).jpg`.
pub(crate) fn decode_key(key: &str) -> String {
    let spaced = key.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

pub(crate) fn object_event(raw: &str) -> Result<ObjectEvent, Error> {
    let event: S3Event = parse_json(raw.as_bytes(), S3)?;
    let records = event
        .records
        .into_iter()
        .enumerate()
        .map(|(i, record)| object_record(i, record))
        .collect::<Result<_, _>>()?;
    Ok(ObjectEvent::new(records))
}

fn object_record(index: usize, record: S3EventRecord) -> Result<ObjectRecord, Error> {
    let missing = |field: &str| {
        Error::invalid_event(format!(
            "invalid {S3} at `Records[{index}].{field}`: missing"
        ))
    };
    let event_name = record.event_name.ok_or_else(|| missing("eventName"))?;
    let bucket = record
        .s3
        .bucket
        .name
        .ok_or_else(|| missing("s3.bucket.name"))?;
    let key = record
        .s3
        .object
        .key
        .ok_or_else(|| missing("s3.object.key"))?;
    let mut out = ObjectRecord::new(event_name, bucket, decode_key(&key));
    out.size = record.s3.object.size.and_then(|s| u64::try_from(s).ok());
    out.etag = record.s3.object.e_tag.filter(|e| !e.is_empty());
    out.time = Some(timestamp(&record.event_time));
    out.region = record.aws_region;
    Ok(out)
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

fn table_record(index: usize, record: EventRecord) -> Result<TableRecord, Error> {
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
    let change = record.change;
    let mut out = TableRecord::new(kind, table, row(change.keys.into()));
    out.id = change.sequence_number.unwrap_or(record.event_id);
    out.new = image(change.new_image.into());
    out.old = image(change.old_image.into());
    out.time = Some(timestamp(&change.approximate_creation_date_time));
    Ok(out)
}

type Item = HashMap<String, serde_dynamo::AttributeValue>;

fn image(item: Item) -> Option<Row> {
    (!item.is_empty()).then(|| row(item))
}

fn row(item: Item) -> Row {
    item.into_iter()
        .map(|(name, value)| (name, value_of(value)))
        .collect()
}

fn number(text: String) -> Value {
    Value::parse_number(&text).unwrap_or(Value::String(text))
}

fn value_of(value: serde_dynamo::AttributeValue) -> Value {
    use serde_dynamo::AttributeValue as A;
    match value {
        A::N(n) => number(n),
        A::S(s) => Value::String(s),
        A::Bool(b) => Value::Bool(b),
        A::B(b) => Value::Bytes(b),
        A::Null(_) => Value::Null,
        A::M(map) => Value::Map(map.into_iter().map(|(k, v)| (k, value_of(v))).collect()),
        A::L(list) => Value::List(list.into_iter().map(value_of).collect()),
        A::Ss(set) => Value::Set(set.into_iter().map(Value::String).collect()),
        A::Ns(set) => Value::Set(set.into_iter().map(number).collect()),
        A::Bs(set) => Value::Set(set.into_iter().map(Value::Bytes).collect()),
    }
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
    fn keys_are_url_decoded_with_plus_as_space() {
        assert_eq!(decode_key("Happy%20Face.jpg"), "Happy Face.jpg");
        assert_eq!(decode_key("my+photo%281%29.jpg"), "my photo(1).jpg");
        assert_eq!(decode_key("a%2Bb"), "a+b");
        assert_eq!(decode_key("%E4%BD%A0%E5%A5%BD.txt"), "你好.txt");
    }

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
