//! SQS, SNS and Kinesis events as a [`MessageEvent`].
//!
//! The three arrive as `{"Records": [...]}`; each record says what it is by the part it
//! carries (`kinesis`, `Sns`, or SQS's `messageId`), so one pass reads any of them. The shapes
//! follow `aws_lambda_events`' `SqsEvent`, `SnsEvent` and `KinesisEvent` (and are tested on
//! its samples), keeping only what fc carries.

use std::collections::BTreeMap;

use base64::Engine;
use bytes::Bytes;
use fc_core::adapter::parse_json;
use fc_core::{Error, Message, MessageEvent, MessageSource, SourceKind, Timestamp};
use serde::Deserialize;

use crate::events::EpochSeconds;

const WHAT: &str = "SQS, SNS or Kinesis event";

#[derive(Deserialize)]
struct Batch {
    #[serde(rename = "Records")]
    records: Vec<Record>,
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
    let messages = batch
        .records
        .into_iter()
        .enumerate()
        .map(|(i, record)| message(i, record))
        .collect::<Result<_, _>>()?;
    Ok(MessageEvent::new(messages))
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
            "invalid SQS, SNS or Kinesis event at `Records[0].messageId`: missing (a record has `messageId` on SQS, `Sns` on SNS, `kinesis` on Kinesis)"
        );
    }

    #[test]
    fn kinesis_data_must_be_base64() {
        let raw = r#"{"Records":[{"kinesis":{"partitionKey":"k","sequenceNumber":"1","data":"not base64!"}}]}"#;
        let err = message_event(raw).unwrap_err();
        assert!(
            err.message().starts_with(
                "invalid SQS, SNS or Kinesis event at `Records[0].kinesis.data`: not base64"
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
