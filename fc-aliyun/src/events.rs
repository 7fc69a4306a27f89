//! OSS notifications and timer triggers as fc's neutral types.

use fc_core::{CloudEvent, Error, ObjectEvent, ObjectRecord, ScheduleEvent, Timestamp};

use fc_core::adapter::parse_json;

use crate::wire::{EventBridgeEvent, OssEvent, TimerEvent};

const OSS: &str = "OSS event";
const TIMER: &str = "timer event";

pub(crate) fn cloud_event<T: serde::de::DeserializeOwned>(
    raw: &[u8],
) -> Result<CloudEvent<T>, Error> {
    let event: EventBridgeEvent<T> = parse_json(raw, "EventBridge event")?;
    let mut out = CloudEvent::new(event.id, event.source, event.kind, event.data);
    out.subject = event.subject;
    out.time = event.time;
    out.account = event.aliyunaccountid;
    out.region = event.aliyunregionid;
    Ok(out)
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

pub(crate) fn schedule_event(raw: &[u8]) -> Result<ScheduleEvent, Error> {
    let event: TimerEvent = parse_json(raw, TIMER)?;
    let mut out = ScheduleEvent::new(event.trigger_name, Some(event.trigger_time));
    out.payload = event.payload.filter(|p| !p.is_empty());
    Ok(out)
}
