//! Object storage notifications: S3 on AWS, OSS on FC.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// Objects created or removed in a bucket (S3, OSS).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ObjectEvent {
    /// One record per object change, in the order the platform sent them.
    pub records: Vec<ObjectRecord>,
}

impl ObjectEvent {
    /// An event with these records.
    pub fn new(records: Vec<ObjectRecord>) -> Self {
        ObjectEvent { records }
    }
}

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ObjectChange {
    /// Put, post, copy, multipart upload completed (`ObjectCreated:*`).
    Created,
    /// Deleted (`ObjectRemoved:*`).
    Removed,
    /// Any other notification (restore, replication, lifecycle…); see the event name.
    Other,
}

impl ObjectChange {
    /// The change an `ObjectCreated:Put`-style event name stands for (S3-compatible stores
    /// write `s3:ObjectCreated:Put`; Tencent COS `cos:ObjectCreated:Put` and
    /// `cos:ObjectRemove:Delete`).
    pub fn from_event_name(name: &str) -> ObjectChange {
        let name = name
            .strip_prefix("s3:")
            .or_else(|| name.strip_prefix("cos:"))
            .unwrap_or(name);
        if name.starts_with("ObjectCreated:") {
            ObjectChange::Created
        } else if name.starts_with("ObjectRemoved:") || name.starts_with("ObjectRemove:") {
            ObjectChange::Removed
        } else {
            ObjectChange::Other
        }
    }
}

/// One object change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectRecord {
    /// Created, removed or other.
    pub kind: ObjectChange,
    /// The platform's own name for the event (`ObjectCreated:Put`, `ObjectRemoved:DeleteObject`).
    pub event_name: String,
    /// The bucket's name.
    pub bucket: String,
    /// The object key, URL-decoded (`my photo.jpg`, not `my+photo.jpg`).
    pub key: String,
    /// The object's size in bytes, when the platform says.
    #[serde(default)]
    pub size: Option<u64>,
    /// The object's ETag, when the platform says.
    #[serde(default)]
    pub etag: Option<String>,
    /// When the change happened.
    #[serde(default)]
    pub time: Option<Timestamp>,
    /// The region of the bucket.
    #[serde(default)]
    pub region: Option<String>,
}

impl ObjectRecord {
    /// A record from the platform's event name, the bucket and the decoded key.
    pub fn new(
        event_name: impl Into<String>,
        bucket: impl Into<String>,
        key: impl Into<String>,
    ) -> Self {
        let event_name = event_name.into();
        ObjectRecord {
            kind: ObjectChange::from_event_name(&event_name),
            event_name,
            bucket: bucket.into(),
            key: key.into(),
            size: None,
            etag: None,
            time: None,
            region: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_map_to_changes() {
        assert_eq!(
            ObjectChange::from_event_name("ObjectCreated:Put"),
            ObjectChange::Created
        );
        assert_eq!(
            ObjectChange::from_event_name("ObjectCreated:PutObject"),
            ObjectChange::Created
        );
        assert_eq!(
            ObjectChange::from_event_name("ObjectRemoved:DeleteObject"),
            ObjectChange::Removed
        );
        assert_eq!(
            ObjectChange::from_event_name("ObjectRestore:Completed"),
            ObjectChange::Other
        );
    }

    #[test]
    fn neutral_json_form() {
        let json = r#"{"records":[{"kind":"created","eventName":"ObjectCreated:Put","bucket":"b","key":"a b.txt","size":3,"time":"2024-01-01T00:00:00Z"}]}"#;
        let event: ObjectEvent = serde_json::from_str(json).unwrap_or_default();
        assert_eq!(event.records.len(), 1);
        assert_eq!(event.records[0].key, "a b.txt");
        assert_eq!(event.records[0].etag, None);
    }
}
