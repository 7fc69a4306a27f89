//! SQS, SNS, Kinesis and Kafka events as a [`MessageEvent`].
//!
//! The first three arrive as `{"Records": [...]}`; each record says what it is by the part it
//! carries (`kinesis`, `Sns`, or SQS's `messageId`), so one pass reads any of them. Kafka (MSK
//! and self-managed) arrives as `{"records": {"<topic>-<partition>": [...]}}`. The shapes
//! follow `aws_lambda_events`' `SqsEvent`, `SnsEvent`, `KinesisEvent` and `KafkaEvent` (and are
//! tested on its samples), keeping only what fc carries.

use std::collections::BTreeMap;

use base64::Engine;
use bytes::Bytes;
use fc_core::adapter::parse_json;
use fc_core::{Error, Message, MessageEvent, MessageSource, SourceKind, Timestamp};
use serde::Deserialize;

use crate::events::EpochSeconds;

const WHAT: &str = "SQS, SNS, Kinesis or Kafka event";

#[derive(Deserialize)]
struct Batch {
    #[serde(rename = "Records", default)]
    records: Option<Vec<Record>>,
    /// Kafka's records, by topic-partition.
    #[serde(rename = "records", default)]
    kafka: Option<BTreeMap<String, Vec<KafkaRecord>>>,
    #[serde(rename = "eventSourceArn", default)]
    kafka_arn: Option<String>,
}

#[derive(Deserialize)]
struct KafkaRecord {
    #[serde(default)]
    topic: Option<String>,
    offset: i64,
    /// Milliseconds since the epoch: a number from Lambda, a string from aws_lambda_events'
    /// writer.
    #[serde(default, deserialize_with = "millis")]
    timestamp: Option<i64>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    value: Option<String>,
    /// Each header a one-entry map of its name to its value's bytes (signed, as Java sends them).
    #[serde(default)]
    headers: Vec<BTreeMap<String, Vec<i16>>>,
}

/// Any of the three records: the fields of each are optional, and which are present says
/// which it is.
#[derive(Deserialize)]
struct Record {
    // SQS
    #[serde(rename = "messageId", default)]
    message_id: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    attributes: Option<SqsAttributes>,
    #[serde(rename = "messageAttributes", default)]
    message_attributes: Option<BTreeMap<String, SqsAttribute>>,
    // SQS and Kinesis
    #[serde(rename = "eventSourceARN", default)]
    event_source_arn: Option<String>,
    // Kinesis
    #[serde(default)]
    kinesis: Option<KinesisData>,
    // SNS
    #[serde(rename = "Sns", default)]
    sns: Option<SnsData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SqsAttributes {
    #[serde(default)]
    sent_timestamp: Option<String>,
    #[serde(default)]
    message_group_id: Option<String>,
    #[serde(default)]
    message_deduplication_id: Option<String>,
    #[serde(default)]
    sequence_number: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SqsAttribute {
    #[serde(default)]
    string_value: Option<String>,
    #[serde(default)]
    binary_value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KinesisData {
    #[serde(default)]
    partition_key: Option<String>,
    #[serde(default)]
    sequence_number: Option<String>,
    #[serde(default)]
    data: Option<String>,
    #[serde(default)]
    approximate_arrival_timestamp: Option<EpochSeconds>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SnsData {
    #[serde(default)]
    message_id: Option<String>,
    #[serde(default)]
    topic_arn: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    timestamp: Option<Timestamp>,
    #[serde(default)]
    message_attributes: Option<BTreeMap<String, SnsAttribute>>,
}

#[derive(Deserialize)]
struct SnsAttribute {
    #[serde(rename = "Value", default)]
    value: Option<String>,
}

pub(crate) fn message_event(raw: &str) -> Result<MessageEvent, Error> {
    let batch: Batch = parse_json(raw.as_bytes(), WHAT)?;
    let messages = match (batch.records, batch.kafka) {
        (Some(records), _) => records
            .into_iter()
            .enumerate()
            .map(|(i, record)| message(i, record))
            .collect::<Result<_, _>>()?,
        (None, Some(partitions)) => {
            let mut messages = Vec::new();
            for (partition, records) in partitions {
                for (i, record) in records.into_iter().enumerate() {
                    messages.push(kafka_message(&partition, i, record, &batch.kafka_arn)?);
                }
            }
            messages
        }
        (None, None) => {
            return Err(Error::invalid_event(format!(
                "invalid {WHAT}: expected `Records` (SQS, SNS, Kinesis) or `records` (Kafka)"
            )));
        }
    };
    Ok(MessageEvent::new(messages))
}

fn millis<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Millis {
        Number(i64),
        Text(String),
    }
    match Option::<Millis>::deserialize(de)? {
        None => Ok(None),
        Some(Millis::Number(ms)) => Ok(Some(ms)),
        Some(Millis::Text(text)) => text.parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!(
                "expected milliseconds since the epoch, got `{text}`"
            ))
        }),
    }
}

fn kafka_message(
    partition: &str,
    index: usize,
    record: KafkaRecord,
    arn: &Option<String>,
) -> Result<Message, Error> {
    let decode = |field: &str, text: Option<&str>| {
        let Some(text) = text else {
            return Ok(Vec::new());
        };
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|err| {
                Error::invalid_event(format!(
                    "invalid {WHAT} at `records.{partition}[{index}].{field}`: not base64: {err}"
                ))
            })
    };
    let body = decode("value", record.value.as_deref())?;
    let key_bytes = decode("key", record.key.as_deref())?;
    // Without its own `topic`, a record's topic is its partition's name less `-<number>`.
    let topic = record.topic.unwrap_or_else(|| {
        partition
            .rsplit_once('-')
            .map_or(partition, |(topic, _)| topic)
            .to_owned()
    });
    let mut source = MessageSource::new(SourceKind::Stream, topic);
    source.arn.clone_from(arn);
    let mut out = Message::new(format!("{partition}:{}", record.offset), body, source);
    out.partition = Some(partition.to_owned());
    out.offset = Some(record.offset);
    out.time = record.timestamp.map(Timestamp::from_unix_millis);
    // A key that is not text stays in base64.
    out.partition_key = match String::from_utf8(key_bytes) {
        Ok(text) if record.key.is_some() => Some(text),
        _ => record.key,
    };
    for header in record.headers {
        for (name, value) in header {
            // Java's bytes are signed: -1 is 0xff.
            let bytes: Vec<u8> = value.iter().map(|b| *b as u8).collect();
            out.attributes
                .insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(out)
}

fn message(index: usize, record: Record) -> Result<Message, Error> {
    let invalid = |field: &str, why: &str| {
        Error::invalid_event(format!(
            "invalid {WHAT} at `Records[{index}].{field}`: {why}"
        ))
    };
    if let Some(kinesis) = record.kinesis {
        let sequence = kinesis
            .sequence_number
            .ok_or_else(|| invalid("kinesis.sequenceNumber", "missing"))?;
        let data = kinesis
            .data
            .ok_or_else(|| invalid("kinesis.data", "missing"))?;
        let body = base64::engine::general_purpose::STANDARD
            .decode(data.as_bytes())
            .map_err(|err| invalid("kinesis.data", &format!("not base64: {err}")))?;
        let source = source(SourceKind::Stream, record.event_source_arn, "stream/");
        let mut out = Message::new(sequence.clone(), body, source);
        out.partition_key = kinesis.partition_key;
        out.sequence = Some(sequence);
        out.time = kinesis.approximate_arrival_timestamp.map(|at| at.0);
        return Ok(out);
    }
    if let Some(sns) = record.sns {
        let id = sns
            .message_id
            .ok_or_else(|| invalid("Sns.MessageId", "missing"))?;
        let body = sns
            .message
            .ok_or_else(|| invalid("Sns.Message", "missing"))?;
        let mut out = Message::new(id, body, source(SourceKind::Topic, sns.topic_arn, ":"));
        out.time = sns.timestamp;
        if let Some(subject) = sns.subject {
            out.attributes.insert("Subject".to_owned(), subject);
        }
        for (name, attribute) in sns.message_attributes.unwrap_or_default() {
            out.attributes
                .insert(name, attribute.value.unwrap_or_default());
        }
        return Ok(out);
    }
    let Some(id) = record.message_id else {
        return Err(invalid(
            "messageId",
            "missing (a record has `messageId` on SQS, `Sns` on SNS, `kinesis` on Kinesis)",
        ));
    };
    let body = record.body.ok_or_else(|| invalid("body", "missing"))?;
    let mut out = Message::new(
        id,
        Bytes::from(body),
        source(SourceKind::Queue, record.event_source_arn, ":"),
    );
    if let Some(attributes) = record.attributes {
        out.time = attributes
            .sent_timestamp
            .and_then(|ms| ms.parse::<i64>().ok())
            .map(Timestamp::from_unix_millis);
        out.group_id = attributes.message_group_id;
        out.deduplication_id = attributes.message_deduplication_id;
        out.sequence = attributes.sequence_number;
    }
    for (name, attribute) in record.message_attributes.unwrap_or_default() {
        if let Some(value) = attribute.string_value.or(attribute.binary_value) {
            out.attributes.insert(name, value);
        }
    }
    Ok(out)
}

/// The source named by `arn`: its name is what follows the last `after` (`:` for a queue's or
/// topic's ARN, `stream/` for a stream's).
fn source(kind: SourceKind, arn: Option<String>, after: &str) -> MessageSource {
    let name = arn
        .as_deref()
        .and_then(|arn| arn.rsplit_once(after))
        .map(|(_, name)| name.to_owned())
        .unwrap_or_default();
    let mut source = MessageSource::new(kind, name);
    source.arn = arn;
    source
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_of_no_known_kind_names_what_was_expected() {
        let err = message_event(r#"{"Records":[{"eventSource":"aws:mq"}]}"#).unwrap_err();
        assert_eq!(
            err.message(),
            "invalid SQS, SNS, Kinesis or Kafka event at `Records[0].messageId`: missing (a record has `messageId` on SQS, `Sns` on SNS, `kinesis` on Kinesis)"
        );
    }

    #[test]
    fn kinesis_data_must_be_base64() {
        let raw = r#"{"Records":[{"kinesis":{"partitionKey":"k","sequenceNumber":"1","data":"not base64!"}}]}"#;
        let err = message_event(raw).unwrap_err();
        assert!(
            err.message().starts_with(
                "invalid SQS, SNS, Kinesis or Kafka event at `Records[0].kinesis.data`: not base64"
            ),
            "{err}"
        );
    }

    /// AWS Lambda Developer Guide, "Using Lambda with Amazon SQS": the FIFO queue message event.
    #[test]
    fn sqs_fifo_attributes_become_group_deduplication_and_sequence() {
        let raw = r#"{"Records":[{"messageId":"11d6ee51-4cc7-4302-9e22-7cd8afdaadf5","body":"Test message.","attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1573251510774","SequenceNumber":"18849496460467696128","MessageGroupId":"1","SenderId":"AIDAIO23YVJENQZJOL4VO","MessageDeduplicationId":"1","ApproximateFirstReceiveTimestamp":"1573251510774"},"messageAttributes":{},"md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-2:123456789012:fifo.fifo","awsRegion":"us-east-2"}]}"#;
        let event = message_event(raw).unwrap();
        let message = &event.messages[0];
        assert_eq!(message.source.name, "fifo.fifo");
        assert_eq!(message.group_id.as_deref(), Some("1"));
        assert_eq!(message.deduplication_id.as_deref(), Some("1"));
        assert_eq!(message.sequence.as_deref(), Some("18849496460467696128"));
        assert_eq!(
            message.time.map(|t| t.to_string()).as_deref(),
            Some("2019-11-08T22:18:30.774Z")
        );
    }
}
