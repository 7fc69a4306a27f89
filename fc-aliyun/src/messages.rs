//! MNS queue and topic triggers as a [`MessageEvent`].
//!
//! What arrives says which it is: a CloudEvent (or an array of them) from an MNS queue
//! trigger; an object with `TopicName` from a topic trigger in JSON format; `{"body",
//! "attrs"}` from a topic trigger in STREAM format with attributes; anything else is the bare
//! message of a STREAM-format topic trigger, which carries no id.

use bytes::Bytes;
use fc_core::adapter::parse_json;
use fc_core::{Error, Message, MessageEvent, MessageSource, SourceKind, Timestamp};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::wire::{MnsQueueEvent, MnsStreamMessage, MnsTopicMessage};

const QUEUE: &str = "MNS queue event";
const TOPIC: &str = "MNS topic message";

/// The keys that tell the forms apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    specversion: Option<IgnoredAny>,
    #[serde(rename = "TopicName", default)]
    topic_name: Option<IgnoredAny>,
    #[serde(default)]
    body: Option<serde_json::Value>,
    #[serde(default)]
    attrs: Option<IgnoredAny>,
}

pub(crate) fn message_event(raw: &[u8]) -> Result<MessageEvent, Error> {
    let messages = match raw.trim_ascii_start().first() {
        Some(b'[') => {
            let events: Vec<MnsQueueEvent> = parse_json(raw, QUEUE)?;
            events.into_iter().map(queue_message).collect()
        }
        Some(b'{') => match serde_json::from_slice::<Probe>(raw) {
            Ok(probe) if probe.specversion.is_some() => {
                vec![queue_message(parse_json(raw, QUEUE)?)]
            }
            Ok(probe) if probe.topic_name.is_some() => vec![topic_message(parse_json(raw, TOPIC)?)],
            Ok(Probe {
                body: Some(serde_json::Value::String(_)),
                attrs: Some(_),
                ..
            }) => vec![stream_message(parse_json(raw, TOPIC)?)],
            _ => vec![bare_message(raw)],
        },
        _ => vec![bare_message(raw)],
    };
    Ok(MessageEvent::new(messages))
}

fn queue_message(event: MnsQueueEvent) -> Message {
    // acs:mns:<region>:<account>:queues/<name>
    let name = event
        .subject
        .as_deref()
        .and_then(|subject| subject.rsplit_once("queues/"))
        .map(|(_, name)| name.to_owned())
        .unwrap_or_default();
    let mut source = MessageSource::new(SourceKind::Queue, name);
    source.arn = event.subject;
    let mut message = Message::new(event.data.message_id, event.data.message_body, source);
    message.time = event.time;
    message
}

fn topic_message(event: MnsTopicMessage) -> Message {
    let source = MessageSource::new(SourceKind::Topic, event.topic_name);
    let mut message = Message::new(event.message_id, event.message, source);
    message.time = event.publish_time.map(Timestamp::from_unix_millis);
    for (name, value) in event.attributes {
        let value = match value {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        };
        message.attributes.insert(name, value);
    }
    message
}

fn stream_message(event: MnsStreamMessage) -> Message {
    let mut message = Message::new(String::new(), event.body, topic());
    message.attributes = event.attrs;
    message
}

/// A STREAM-format topic trigger's bare message: neither an id nor the topic's name comes
/// with it.
fn bare_message(raw: &[u8]) -> Message {
    Message::new(String::new(), Bytes::copy_from_slice(raw), topic())
}

fn topic() -> MessageSource {
    MessageSource::new(SourceKind::Topic, String::new())
}
