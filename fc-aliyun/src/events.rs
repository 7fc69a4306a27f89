//! OSS notifications and timer triggers as fc's neutral types.

use fc_core::{Error, ObjectEvent, ObjectRecord, ScheduleEvent, Timestamp};
use serde::Deserialize;

use fc_core::adapter::parse_json;

const OSS: &str = "OSS event";
const TIMER: &str = "timer event";

/// Source: Function Compute, "Configure an OSS trigger" — event format:
/// `{"events": [{"eventName": "ObjectCreated:PutObject", "eventTime", "region",
/// "oss": {"bucket": {"name", …}, "object": {"key", "size", "eTag", …}}, …}]}`.
#[derive(Debug, Deserialize)]
struct OssEvent {
    events: Vec<OssRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OssRecord {
    event_name: String,
    #[serde(default)]
    event_time: Option<String>,
    #[serde(default)]
    region: Option<String>,
    oss: OssEntity,
}

#[derive(Debug, Deserialize)]
struct OssEntity {
    bucket: OssBucket,
    object: OssObject,
}

#[derive(Debug, Deserialize)]
struct OssBucket {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OssObject {
    key: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    e_tag: Option<String>,
}

pub(crate) fn object_event(raw: &[u8]) -> Result<ObjectEvent, Error> {
    let event: OssEvent = parse_json(raw, OSS)?;
    let records = event
        .events
        .into_iter()
        .enumerate()
        .map(|(i, record)| {
            // Unlike S3, OSS sends the key as it is, not URL-encoded: Alibaba's own samples pass
            // `oss.object.key` straight to `get_object` (awesome-fc, OSS trigger samples).
            let mut out = ObjectRecord::new(
                record.event_name,
                record.oss.bucket.name,
                record.oss.object.key,
            );
            out.size = record.oss.object.size;
            out.etag = record.oss.object.e_tag.filter(|e| !e.is_empty());
            out.region = record.region;
            out.time = match record.event_time.as_deref() {
                None | Some("") => None,
                Some(text) => Some(Timestamp::parse_rfc3339(text).map_err(|err| {
                    Error::invalid_event(format!("invalid {OSS} at `events[{i}].eventTime`: {err}"))
                })?),
            };
            Ok(out)
        })
        .collect::<Result<_, Error>>()?;
    Ok(ObjectEvent::new(records))
}

/// Source: Function Compute, "Configure a timer trigger" — event format:
/// `{"triggerTime": "2018-02-09T05:49:00Z", "triggerName": "timer-trigger", "payload": "awesome-fc"}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TimerEvent {
    trigger_time: Timestamp,
    trigger_name: String,
    #[serde(default)]
    payload: Option<String>,
}

pub(crate) fn schedule_event(raw: &[u8]) -> Result<ScheduleEvent, Error> {
    let event: TimerEvent = parse_json(raw, TIMER)?;
    let mut out = ScheduleEvent::new(event.trigger_name, Some(event.trigger_time));
    out.payload = event.payload.filter(|p| !p.is_empty());
    Ok(out)
}
