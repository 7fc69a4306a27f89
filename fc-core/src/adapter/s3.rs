//! S3 bucket notifications as [`ObjectEvent`]s: Amazon S3's, and those of the S3-compatible
//! stores that send the same records (MinIO, Ceph RGW; their event names carry an `s3:`
//! prefix). The records are read straight into what fc keeps, skipping the rest.
//!
//! Sources: Amazon S3, "Event message structure"; MinIO, `docs/bucket/notifications`.

use serde::Deserialize;

use crate::{Error, ObjectEvent, ObjectRecord, Timestamp};

/// A notification: its `Records`.
#[derive(Debug, Deserialize)]
pub struct Notification {
    #[serde(rename = "Records")]
    records: Vec<Record>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    #[serde(default)]
    aws_region: Option<String>,
    event_time: Timestamp,
    #[serde(default)]
    event_name: Option<String>,
    s3: Entity,
}

#[derive(Debug, Deserialize)]
struct Entity {
    bucket: Bucket,
    object: Object,
}

#[derive(Debug, Deserialize)]
struct Bucket {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Object {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    size: Option<i64>,
    #[serde(default)]
    e_tag: Option<String>,
}

impl Notification {
    /// The records as fc's object event; `what` names the event in errors.
    pub fn into_event(self, what: &str) -> Result<ObjectEvent, Error> {
        let records = self
            .records
            .into_iter()
            .enumerate()
            .map(|(index, record)| record.into_object(index, what))
            .collect::<Result<_, _>>()?;
        Ok(ObjectEvent::new(records))
    }
}

impl Record {
    fn into_object(self, index: usize, what: &str) -> Result<ObjectRecord, Error> {
        let missing = |field: &str| {
            Error::invalid_event(format!(
                "invalid {what} at `Records[{index}].{field}`: missing"
            ))
        };
        let event_name = self.event_name.ok_or_else(|| missing("eventName"))?;
        let bucket = self
            .s3
            .bucket
            .name
            .ok_or_else(|| missing("s3.bucket.name"))?;
        let key = self.s3.object.key.ok_or_else(|| missing("s3.object.key"))?;
        let mut out = ObjectRecord::new(event_name, bucket, decode_key(key));
        out.size = self.s3.object.size.and_then(|s| u64::try_from(s).ok());
        out.etag = self.s3.object.e_tag.filter(|e| !e.is_empty());
        out.time = Some(self.event_time);
        out.region = self.aws_region.filter(|region| !region.is_empty());
        Ok(out)
    }
}

/// S3 sends keys URL-encoded with `+` for spaces: `my+photo%281%29.jpg` is `my photo(1).jpg`.
pub fn decode_key(key: String) -> String {
    if !key.contains(['+', '%']) {
        return key;
    }
    let spaced = key.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ObjectChange;

    #[test]
    fn keys_are_url_decoded_with_plus_as_space() {
        assert_eq!(decode_key("Happy%20Face.jpg".into()), "Happy Face.jpg");
        assert_eq!(decode_key("my+photo%281%29.jpg".into()), "my photo(1).jpg");
        assert_eq!(decode_key("a%2Bb".into()), "a+b");
        assert_eq!(decode_key("%E4%BD%A0%E5%A5%BD.txt".into()), "你好.txt");
    }

    #[test]
    fn s3_compatible_stores_name_events_with_a_prefix() {
        let raw = r#"{"EventName":"s3:ObjectRemoved:Delete","Key":"b/k","Records":[{"eventName":"s3:ObjectRemoved:Delete","eventTime":"2019-10-22T09:27:27Z","awsRegion":"","s3":{"bucket":{"name":"b"},"object":{"key":"k"}}}]}"#;
        let event = serde_json::from_str::<Notification>(raw)
            .unwrap()
            .into_event("notification")
            .unwrap();
        let record = &event.records[0];
        assert_eq!(record.kind, ObjectChange::Removed);
        assert_eq!(record.region, None);
    }
}
