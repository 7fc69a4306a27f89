//! fc's events from the CloudEvents of Knative and Google Cloud.

use std::collections::BTreeMap;

use base64::Engine;
use bytes::Bytes;
use fc_core::{
    CloudEvent, Error, Message, MessageEvent, MessageSource, ObjectChange, ObjectEvent,
    ObjectRecord, ScheduleEvent, SourceKind, Timestamp,
};
use http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::wire::{
    self, HttpCloudEvent, MessagePublishedData, PING, PUBSUB_PUBLISHED, SCHEDULER_EXECUTED,
    STORAGE_DELETED, STORAGE_FINALIZED, STORAGE_PREFIX, SchedulerJobData, StorageObjectData,
};

/// The one event a request carries; `what` names the event type the handler takes.
pub(crate) fn single(mut events: Vec<HttpCloudEvent>, what: &str) -> Result<HttpCloudEvent, Error> {
    match events.len() {
        1 => Ok(events.remove(0)),
        n => Err(Error::invalid_event(format!(
            "a {what} is made from one CloudEvent, and the request carried {n}"
        ))),
    }
}

/// The event's data as JSON `T`.
fn data<T: DeserializeOwned>(event: &HttpCloudEvent, what: &str) -> Result<T, Error> {
    if !event.data_is_json() {
        return Err(Error::invalid_event(format!(
            "invalid {what}: its data is `{}`, not JSON",
            event.datacontenttype.as_deref().unwrap_or_default()
        )));
    }
    fc_core::adapter::parse_json(&event.data, &format!("{what} data"))
}

/// A Cloud Storage object event (`google.cloud.storage.object.v1.*`).
pub(crate) fn object_event(event: &HttpCloudEvent) -> Result<ObjectEvent, Error> {
    if !event.kind.starts_with(STORAGE_PREFIX) {
        return Err(Error::invalid_event(format!(
            "expected a Cloud Storage object event (`{STORAGE_FINALIZED}`, `{STORAGE_DELETED}`…), got a CloudEvent of type `{}`",
            event.kind
        )));
    }
    let object: StorageObjectData = data(event, "Cloud Storage event")?;
    let kind = match event.kind.as_str() {
        STORAGE_FINALIZED => ObjectChange::Created,
        STORAGE_DELETED => ObjectChange::Removed,
        _ => ObjectChange::Other,
    };
    let mut record = ObjectRecord::new(event.kind.clone(), object.bucket, object.name);
    // Google names the change in the type, not as S3 and OSS do.
    record.kind = kind;
    record.size = object.size;
    record.etag = object.etag;
    record.time = event
        .time
        .or(object.time_deleted)
        .or(object.updated)
        .or(object.time_created);
    Ok(ObjectEvent::new(vec![record]))
}

/// The last segment of a source or subject: a topic, a PingSource, a job.
fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A PingSource tick, or a Cloud Scheduler job as a CloudEvent.
pub(crate) fn schedule_event(event: &HttpCloudEvent) -> Result<ScheduleEvent, Error> {
    let payload = match event.kind.as_str() {
        PING => (!event.data.is_empty()).then(|| String::from_utf8_lossy(&event.data).into_owned()),
        SCHEDULER_EXECUTED => {
            let job: SchedulerJobData = data(event, "Cloud Scheduler event")?;
            job.custom_data
                .map(|encoded| {
                    base64::engine::general_purpose::STANDARD
                        .decode(encoded.trim())
                        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                        .map_err(|err| {
                            Error::invalid_event(format!(
                                "invalid Cloud Scheduler event: `data.customData` is not base64: {err}"
                            ))
                        })
                })
                .transpose()?
        }
        other => {
            return Err(Error::invalid_event(format!(
                "expected a schedule (`{PING}` from a PingSource, `{SCHEDULER_EXECUTED}`), got a CloudEvent of type `{other}`"
            )));
        }
    };
    let mut schedule = ScheduleEvent::new(last_segment(&event.source), event.time);
    schedule.payload = payload;
    Ok(schedule)
}

/// A Cloud Scheduler job's plain HTTP request (its `X-CloudScheduler-*` headers), which is no
/// CloudEvent; `None` when the headers are not there.
pub(crate) fn scheduler_request(
    headers: &HeaderMap,
    body: &Bytes,
) -> Option<Result<ScheduleEvent, Error>> {
    use wire::scheduler_headers::{JOB_NAME, MARK, SCHEDULE_TIME};
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    get(MARK)?;
    let time = match get(SCHEDULE_TIME).map(str::parse::<Timestamp>).transpose() {
        Ok(time) => time,
        Err(err) => {
            return Some(Err(Error::invalid_event(format!(
                "invalid Cloud Scheduler request: `X-CloudScheduler-ScheduleTime` is not an RFC 3339 time: {err}"
            ))));
        }
    };
    let mut schedule = ScheduleEvent::new(get(JOB_NAME).unwrap_or_default(), time);
    schedule.payload = (!body.is_empty()).then(|| String::from_utf8_lossy(body).into_owned());
    Some(Ok(schedule))
}

/// Messages: a Pub/Sub message, or any other CloudEvent (a Knative broker's, a KafkaSource's)
/// as one message.
pub(crate) fn message_event(events: Vec<HttpCloudEvent>) -> Result<MessageEvent, Error> {
    events
        .into_iter()
        .map(|event| match event.kind.as_str() {
            PUBSUB_PUBLISHED => pubsub_message(&event),
            _ => Ok(bus_message(event)),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(MessageEvent::new)
}

fn pubsub_message(event: &HttpCloudEvent) -> Result<Message, Error> {
    let published: MessagePublishedData = data(event, "Pub/Sub event")?;
    let message = published.message;
    let body = match message.data {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map(Bytes::from)
            .map_err(|err| {
                Error::invalid_event(format!(
                    "invalid Pub/Sub event: `data.message.data` of message `{}` is not base64: {err}",
                    message.message_id
                ))
            })?,
        None => Bytes::new(),
    };
    if message.message_id.is_empty() {
        return Err(Error::invalid_event(
            "invalid Pub/Sub event: `data.message.messageId` is missing or empty",
        ));
    }
    // //pubsub.googleapis.com/projects/<project>/topics/<topic>
    let mut source = MessageSource::new(SourceKind::Topic, last_segment(&event.source));
    source.arn = Some(event.source.clone());
    let mut out = Message::new(message.message_id, body, source);
    out.attributes = message.attributes;
    out.time = message.publish_time.or(event.time);
    out.partition_key = message.ordering_key.filter(|key| !key.is_empty());
    Ok(out)
}

/// A CloudEvent as a message: its id, its data, its source; the type, the subject and the
/// extensions as attributes.
fn bus_message(event: HttpCloudEvent) -> Message {
    let mut attributes: BTreeMap<String, String> = event.extensions;
    attributes.insert("type".to_owned(), event.kind);
    if let Some(subject) = event.subject {
        attributes.insert("subject".to_owned(), subject);
    }
    let mut source = MessageSource::new(SourceKind::Topic, event.source.clone());
    source.arn = Some(event.source);
    let mut message = Message::new(event.id, event.data, source);
    message.attributes = attributes;
    message.time = event.time;
    message
}

/// Any CloudEvent, its data read as `T`.
pub(crate) fn cloud_event<T: DeserializeOwned>(
    event: HttpCloudEvent,
) -> Result<CloudEvent<T>, Error> {
    let value: T = if event.data.is_empty() {
        // No data reads as JSON null, which `Option<T>` and `()` take.
        fc_core::adapter::parse_json(b"null", "CloudEvent data")?
    } else {
        data(&event, "CloudEvent")?
    };
    let mut out = CloudEvent::new(event.id, event.source, event.kind, value);
    out.subject = event.subject;
    out.time = event.time;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GoogleCloudPlatform/functions-framework-conformance,
    /// `events/generate/data/storage-cloudevent-output.json` (9abf1e4).
    const STORAGE: &str = include_str!("../tests/data/storage-cloudevent.json");
    /// GoogleCloudPlatform/functions-framework-conformance,
    /// `events/generate/data/pubsub_text-cloudevent-input.json` (42c4416).
    const PUBSUB: &str = include_str!("../tests/data/pubsub-cloudevent.json");

    fn structured(json: &str) -> HttpCloudEvent {
        wire::from_structured(json.as_bytes(), "test event").unwrap()
    }

    #[test]
    fn a_storage_event_is_an_object_event() {
        let event = object_event(&structured(STORAGE)).unwrap();
        let record = &event.records[0];
        assert_eq!(record.kind, ObjectChange::Created);
        assert_eq!(
            (record.bucket.as_str(), record.key.as_str()),
            ("some-bucket", "folder/Test.cs")
        );
        assert_eq!(record.size, Some(352));
        assert_eq!(record.etag.as_deref(), Some("CNHZkbuF/ugCEAE="));
        assert_eq!(
            record.time.map(|t| t.to_string()).as_deref(),
            Some("2020-09-29T11:32:00Z")
        );
        let deleted = STORAGE.replace("v1.finalized", "v1.deleted");
        assert_eq!(
            object_event(&structured(&deleted)).unwrap().records[0].kind,
            ObjectChange::Removed
        );
        let err = object_event(&structured(PUBSUB)).unwrap_err();
        assert!(
            err.message()
                .contains("expected a Cloud Storage object event"),
            "{err}"
        );
        let no_name = STORAGE.replace("\"name\": \"folder/Test.cs\",", "");
        let err = object_event(&structured(&no_name)).unwrap_err();
        assert!(err.message().contains("missing field `name`"), "{err}");
    }

    #[test]
    fn a_pubsub_event_is_a_message() {
        let event = message_event(vec![structured(PUBSUB)]).unwrap();
        let message = &event.messages[0];
        assert_eq!(message.id, "aaaaaa-1111-bbbb-2222-cccccccccccc");
        assert_eq!(message.text().unwrap(), "test message 3");
        assert_eq!(message.attributes["attr1"], "attr1-value");
        assert_eq!(
            (message.source.kind, message.source.name.as_str()),
            (SourceKind::Topic, "gcf-test")
        );
        let bad = PUBSUB.replace("dGVzdCBtZXNzYWdlIDM=", "not base64!");
        let err = message_event(vec![structured(&bad)]).unwrap_err();
        assert!(
            err.message().contains("`data.message.data` of message"),
            "{err}"
        );
        let no_id = PUBSUB.replace("\"messageId\": \"aaaaaa-1111-bbbb-2222-cccccccccccc\",", "");
        let err = message_event(vec![structured(&no_id)]).unwrap_err();
        assert!(err.message().contains("messageId"), "{err}");
    }

    #[test]
    fn a_ping_is_a_schedule_and_other_events_are_messages() {
        let ping = r#"{"specversion":"1.0","id":"p1","source":"/apis/v1/namespaces/shop/pingsources/nightly","type":"dev.knative.sources.ping","time":"2026-01-02T03:00:00Z","datacontenttype":"application/json","data":{"message":"Hello world!"}}"#;
        let schedule = schedule_event(&structured(ping)).unwrap();
        assert_eq!(schedule.name, "nightly");
        assert_eq!(
            schedule.payload.as_deref(),
            Some(r#"{"message":"Hello world!"}"#)
        );
        let err = schedule_event(&structured(STORAGE)).unwrap_err();
        assert!(err.message().contains("expected a schedule"), "{err}");
        let order = r#"{"specversion":"1.0","id":"o1","source":"/shop","type":"com.example.order","subject":"7","data":{"n":1},"partitionkey":"k"}"#;
        let message = &message_event(vec![structured(order)]).unwrap().messages[0];
        assert_eq!(message.id, "o1");
        assert_eq!(message.attributes["type"], "com.example.order");
        assert_eq!(message.attributes["partitionkey"], "k");
        assert_eq!(message.json::<serde_json::Value>().unwrap()["n"], 1);
    }

    #[test]
    fn scheduler_requests_are_schedules() {
        let mut headers = HeaderMap::new();
        assert!(scheduler_request(&headers, &Bytes::new()).is_none());
        headers.insert("x-cloudscheduler", "true".parse().unwrap());
        headers.insert(
            "x-cloudscheduler-jobname",
            "nightly-report".parse().unwrap(),
        );
        headers.insert(
            "x-cloudscheduler-scheduletime",
            "2026-01-02T03:00:00Z".parse().unwrap(),
        );
        let schedule = scheduler_request(&headers, &Bytes::from_static(b"go"))
            .unwrap()
            .unwrap();
        assert_eq!(schedule.name, "nightly-report");
        assert_eq!(schedule.payload.as_deref(), Some("go"));
        headers.insert("x-cloudscheduler-scheduletime", "soon".parse().unwrap());
        assert!(scheduler_request(&headers, &Bytes::new()).unwrap().is_err());
    }
}
