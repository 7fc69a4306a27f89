//! MNS queue and topic, Kafka, RocketMQ and RabbitMQ triggers as a [`MessageEvent`].
//!
//! What arrives says which it is: EventBridge CloudEvents (one, or an array of them — of JSON
//! texts, as some Kafka event streams send them) from the queue and message-broker triggers,
//! each naming its product in `type`; an object with `TopicName` from an MNS topic trigger in
//! JSON format; `{"body", "attrs"}` from one in STREAM format with attributes; an array of bare
//! `{msgId, topic, …}` messages from a self-managed Apache RocketMQ trigger; anything else is
//! the bare message of a STREAM-format topic trigger, which carries no id.

use bytes::Bytes;
use fc_core::adapter::parse_json;
use fc_core::{Error, Message, MessageEvent, MessageSource, SourceKind, Timestamp};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::wire::{
    EventBridgeEvent, KafkaData, MnsQueueEvent, MnsStreamMessage, MnsTopicMessage, RabbitMqData,
    RocketMqData,
};

const QUEUE: &str = "MNS queue event";
const TOPIC: &str = "MNS topic message";
const KAFKA: &str = "Kafka event";
const ROCKETMQ: &str = "RocketMQ event";
const RABBITMQ: &str = "RabbitMQ event";

/// The keys that tell the forms apart, read without copying their values.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(default)]
    specversion: Option<IgnoredAny>,
    #[serde(rename = "TopicName", default)]
    topic_name: Option<IgnoredAny>,
    #[serde(default, borrow)]
    body: Option<&'a RawValue>,
    #[serde(default)]
    attrs: Option<IgnoredAny>,
}

pub(crate) fn message_event(raw: &[u8]) -> Result<MessageEvent, Error> {
    let messages = match raw.trim_ascii_start().first() {
        Some(b'[') => {
            let events: Vec<&RawValue> = parse_json(raw, "EventBridge event batch")?;
            let mut messages = Vec::with_capacity(events.len());
            for (i, event) in events.iter().enumerate() {
                let event = event.get();
                messages.push(if event.starts_with('"') {
                    let text: String = parse_json(event.as_bytes(), "EventBridge event batch")?;
                    bus_message(text.as_bytes(), Some(i))?
                } else {
                    bus_message(event.as_bytes(), Some(i))?
                });
            }
            messages
        }
        Some(b'{') => match serde_json::from_slice::<Probe>(raw) {
            Ok(probe) if probe.specversion.is_some() => vec![bus_message(raw, None)?],
            Ok(probe) if probe.topic_name.is_some() => vec![topic_message(parse_json(raw, TOPIC)?)],
            Ok(Probe {
                body: Some(body),
                attrs: Some(_),
                ..
            }) if body.get().starts_with('"') => vec![stream_message(parse_json(raw, TOPIC)?)],
            _ => vec![bare_message(raw)],
        },
        _ => vec![bare_message(raw)],
    };
    Ok(MessageEvent::new(messages))
}

/// One EventBridge event of a queue or broker, by the product its `type` names; `index` is its
/// place in a batch.
fn bus_message(raw: &[u8], index: Option<usize>) -> Result<Message, Error> {
    #[derive(Deserialize)]
    struct Kind {
        #[serde(rename = "type", default)]
        kind: Option<String>,
        #[serde(rename = "msgId", default)]
        msg_id: Option<IgnoredAny>,
    }
    let what = |name: &str| match index {
        Some(i) => format!("{name} [{i}]"),
        None => name.to_owned(),
    };
    let kind = serde_json::from_slice::<Kind>(raw).ok();
    let kind = match kind {
        Some(Kind {
            kind: Some(kind), ..
        }) => kind,
        // A self-managed Apache RocketMQ trigger sends its messages bare.
        Some(Kind {
            msg_id: Some(_), ..
        }) => {
            return Ok(apache_rocketmq_message(parse_json(raw, &what(ROCKETMQ))?));
        }
        _ => String::new(),
    };
    Ok(match kind.as_str() {
        "mns:Queue:SendMessage" => queue_message(parse_json(raw, &what(QUEUE))?),
        "alikafka:Topic:Message" => kafka_message(parse_json(raw, &what(KAFKA))?),
        "mq:Topic:SendMessage" => rocketmq_message(parse_json(raw, &what(ROCKETMQ))?),
        "amqp:Queue:SendMessage" => rabbitmq_message(parse_json(raw, &what(RABBITMQ))?),
        other => {
            return Err(Error::invalid_event(format!(
                "invalid {}: expected the `type` of an MNS queue (`mns:Queue:SendMessage`), Kafka (`alikafka:Topic:Message`), RocketMQ (`mq:Topic:SendMessage`) or RabbitMQ (`amqp:Queue:SendMessage`) message, got `{other}`; or a self-managed Apache RocketMQ message (`msgId`)",
                what("EventBridge event")
            )));
        }
    })
}

/// Where an EventBridge event's message came from: the topic `name`, else the queue its
/// subject names (after `queues/`); the subject is the resource name.
fn bus_source<T>(
    event: &EventBridgeEvent<T>,
    kind: SourceKind,
    name: Option<&str>,
) -> MessageSource {
    let name = name.map(str::to_owned).unwrap_or_else(|| {
        event
            .subject
            .as_deref()
            .and_then(|subject| subject.rsplit_once("queues/"))
            .map(|(_, name)| name.to_owned())
            .unwrap_or_default()
    });
    let mut source = MessageSource::new(kind, name);
    source.arn.clone_from(&event.subject);
    source
}

/// A message's body: text as it is, any other JSON value as its JSON.
fn json_body(value: serde_json::Value) -> Bytes {
    match value {
        serde_json::Value::String(text) => Bytes::from(text),
        other => Bytes::from(other.to_string()),
    }
}

fn text(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    }
}

fn queue_message(event: MnsQueueEvent) -> Message {
    // acs:mns:<region>:<account>:queues/<name>
    let source = bus_source(&event, SourceKind::Queue, None);
    let mut message = Message::new(event.data.message_id, event.data.message_body, source);
    message.time = event.time;
    message
}

fn kafka_message(event: EventBridgeEvent<KafkaData>) -> Message {
    let source = bus_source(&event, SourceKind::Stream, Some(&event.data.topic));
    let data = event.data;
    let partition = format!("{}-{}", data.topic, data.partition);
    let mut message = Message::new(
        format!("{partition}:{}", data.offset),
        json_body(data.value),
        source,
    );
    message.partition = Some(partition);
    message.offset = Some(data.offset);
    message.partition_key = data.key;
    message.time = data
        .timestamp
        .map(Timestamp::from_unix_millis)
        .or(event.time);
    message
}

fn rocketmq_message(event: EventBridgeEvent<RocketMqData>) -> Message {
    let source = bus_source(&event, SourceKind::Topic, Some(&event.data.topic));
    let mut message = rocketmq(event.data, event.id, source);
    message.time = event.time;
    message
}

fn apache_rocketmq_message(data: RocketMqData) -> Message {
    let source = MessageSource::new(SourceKind::Topic, data.topic.clone());
    let id = data.msg_id.clone().unwrap_or_default();
    rocketmq(data, id, source)
}

/// A RocketMQ message: `UNIQ_KEY` is its own id, else `id`; the user properties, keys and tags
/// are its attributes.
fn rocketmq(mut data: RocketMqData, id: String, source: MessageSource) -> Message {
    let id = data
        .system_properties
        .remove("UNIQ_KEY")
        .map(text)
        .unwrap_or(id);
    let mut message = Message::new(id, json_body(data.body), source);
    for (name, value) in data.user_properties {
        message.attributes.insert(name, text(value));
    }
    for name in ["KEYS", "TAGS"] {
        if let Some(value) = data.system_properties.remove(name) {
            message.attributes.insert(name.to_owned(), text(value));
        }
    }
    message
}

fn rabbitmq_message(event: EventBridgeEvent<RabbitMqData>) -> Message {
    // acs:amqp:<region>:<account>:/instances/<id>/vhosts/<vhost>/queues/<name>
    let source = bus_source(&event, SourceKind::Queue, None);
    let data = event.data;
    let id = data.props.message_id.unwrap_or(event.id);
    let mut message = Message::new(id, json_body(data.body), source);
    message.time = event.time;
    message
        .attributes
        .insert("routingKey".to_owned(), data.envelope.routing_key);
    if !data.envelope.exchange.is_empty() {
        message
            .attributes
            .insert("exchange".to_owned(), data.envelope.exchange);
    }
    message
}

fn topic_message(event: MnsTopicMessage) -> Message {
    let source = MessageSource::new(SourceKind::Topic, event.topic_name);
    let mut message = Message::new(event.message_id, event.message, source);
    message.time = event.publish_time.map(Timestamp::from_unix_millis);
    for (name, value) in event.attributes {
        message.attributes.insert(name, text(value));
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
