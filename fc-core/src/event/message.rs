//! Messages from queues, topics and streams: SQS, SNS, Kinesis and Kafka on AWS; MNS queues
//! and topics on FC.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;
use crate::time::Timestamp;

/// A batch of messages from one queue, topic or stream.
///
/// Return [`BatchFailures`](crate::BatchFailures) naming the messages that failed, and only
/// those are delivered again: on Lambda through the partial batch response (SQS, Kinesis; turn
/// on `ReportBatchItemFailures`); on FC, which has no partial protocol, any failure fails the
/// invocation, so the trigger retries the batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageEvent {
    /// The messages, in the order the platform sent them.
    pub messages: Vec<Message>,
}

impl MessageEvent {
    /// An event with these messages.
    pub fn new(messages: Vec<Message>) -> Self {
        MessageEvent { messages }
    }
}

/// What sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SourceKind {
    /// A queue (SQS, MNS queue): each message to one consumer.
    Queue,
    /// A topic (SNS, MNS topic): each message to every subscriber.
    Topic,
    /// A stream (Kinesis, Kafka): ordered records in partitions.
    Stream,
}

/// The queue, topic or stream a message came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MessageSource {
    /// Queue, topic or stream.
    pub kind: SourceKind,
    /// Its name (`orders`, `orders.fifo`, the stream's or Kafka topic's name).
    pub name: String,
    /// The platform's resource name: an ARN on AWS, an `acs:mns:…` name on FC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

impl MessageSource {
    /// A source of this kind and name.
    pub fn new(kind: SourceKind, name: impl Into<String>) -> Self {
        MessageSource {
            kind,
            name: name.into(),
            arn: None,
        }
    }
}

/// One message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Message {
    /// The platform's id for the message: the message id of a queue or topic, a Kinesis
    /// record's sequence number, a Kafka record's `<topic>-<partition>:<offset>`.
    pub id: String,
    /// The message's bytes, decoded where the platform sends them in base64.
    pub body: MessageBody,
    /// The message's attributes (SQS message attributes, SNS subject and attributes, Kafka
    /// headers…), as text; a binary attribute is in base64.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// Where it came from.
    pub source: MessageSource,
    /// When it was sent, when the platform says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    /// A stream's partition key (Kinesis), or a Kafka record's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    /// The position in the stream or queue: a Kinesis sequence number, an SQS FIFO sequence
    /// number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<String>,
    /// A Kafka record's topic-partition (`orders-0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// A Kafka record's offset in its partition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// A FIFO queue's message group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// A FIFO queue's deduplication id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deduplication_id: Option<String>,
}

impl Message {
    /// A message with this id and body from `source`.
    pub fn new(id: impl Into<String>, body: impl Into<Bytes>, source: MessageSource) -> Self {
        Message {
            id: id.into(),
            body: MessageBody(body.into()),
            attributes: BTreeMap::new(),
            source,
            time: None,
            partition_key: None,
            sequence: None,
            partition: None,
            offset: None,
            group_id: None,
            deduplication_id: None,
        }
    }

    /// The body's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.body.0
    }

    /// The body as text; an error naming the message when it is not UTF-8.
    pub fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.body.0).map_err(|err| {
            Error::invalid_event(format!(
                "the body of message `{}` is not UTF-8 text: {err}",
                self.id
            ))
        })
    }

    /// The body read as JSON into `T`; an error naming the message and what was expected.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body.0).map_err(|err| {
            Error::invalid_event(format!(
                "the body of message `{}` is not {} JSON: {err}",
                self.id,
                std::any::type_name::<T>()
            ))
        })
    }
}

/// A message's bytes. In fc's JSON form it is a string when the bytes are UTF-8 text, else
/// `{"base64": "…"}`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MessageBody(pub Bytes);

impl fmt::Debug for MessageBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(text) => fmt::Debug::fmt(text, f),
            Err(_) => write!(f, "<{} bytes>", self.0.len()),
        }
    }
}

impl Serialize for MessageBody {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        match std::str::from_utf8(&self.0) {
            Ok(text) => serializer.serialize_str(text),
            Err(_) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(
                    "base64",
                    &base64::engine::general_purpose::STANDARD.encode(&self.0),
                )?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for MessageBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Text(String),
            Binary { base64: String },
        }
        match Form::deserialize(deserializer) {
            Ok(Form::Text(text)) => Ok(MessageBody(Bytes::from(text))),
            Ok(Form::Binary { base64 }) => base64::engine::general_purpose::STANDARD
                .decode(base64.as_bytes())
                .map(|bytes| MessageBody(Bytes::from(bytes)))
                .map_err(|err| serde::de::Error::custom(format!("invalid base64 body: {err}"))),
            Err(_) => Err(serde::de::Error::custom(
                "expected a body: a string, or {\"base64\": \"…\"}",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &'static [u8]) -> Message {
        Message::new("m-1", body, MessageSource::new(SourceKind::Queue, "orders"))
    }

    #[test]
    fn fcs_form_keeps_text_as_text_and_bytes_in_base64() {
        let text = message(b"{\"n\":1}");
        let json = serde_json::to_value(&text).unwrap();
        assert_eq!(json["body"], "{\"n\":1}");
        assert_eq!(
            json["source"],
            serde_json::json!({"kind": "queue", "name": "orders"})
        );
        let binary = message(&[0xff, 0x00]);
        let json = serde_json::to_value(&binary).unwrap();
        assert_eq!(json["body"], serde_json::json!({"base64": "/wA="}));
        let back: Message = serde_json::from_value(json).unwrap();
        assert_eq!(back, binary);
        let back: Message = serde_json::from_value(serde_json::to_value(&text).unwrap()).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn bodies_read_as_text_and_json_or_say_which_message_is_wrong() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Order {
            n: u32,
        }
        assert_eq!(
            message(b"{\"n\":1}").json::<Order>().unwrap(),
            Order { n: 1 }
        );
        let err = message(b"{\"m\":1}").json::<Order>().unwrap_err();
        assert!(
            err.message()
                .starts_with("the body of message `m-1` is not"),
            "{err}"
        );
        assert!(err.message().contains("missing field `n`"), "{err}");
        let err = message(&[0xff]).text().unwrap_err();
        assert!(err.message().contains("`m-1` is not UTF-8"), "{err}");
        let bad: Result<Message, _> = serde_json::from_value(serde_json::json!({
            "id": "x", "body": {"base64": "!!"}, "source": {"kind": "queue", "name": "q"}
        }));
        assert!(bad.unwrap_err().to_string().contains("invalid base64 body"));
    }
}
