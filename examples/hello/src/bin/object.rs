//! An object-storage function: summarises the objects created and removed in one event.
//!
//! Run with an event on stdin:
//!
//! ```sh
//! echo '{"records":[{"kind":"created","eventName":"ObjectCreated:Put","bucket":"photos","key":"cat.jpg","size":1024}]}' \
//!   | cargo run -p hello --bin object
//! ```

use fc::{Context, ObjectChange, ObjectEvent};
use serde::Serialize;

/// What the function answers.
#[derive(Debug, Default, Serialize, PartialEq)]
struct Summary {
    request_id: String,
    created: Vec<String>,
    removed: Vec<String>,
    bytes_added: u64,
}

#[fc::handler]
async fn object(event: ObjectEvent, ctx: Context) -> Summary {
    let mut summary = Summary {
        request_id: ctx.request_id,
        ..Summary::default()
    };
    for record in event.records {
        let path = format!("{}/{}", record.bucket, record.key);
        match record.kind {
            ObjectChange::Created => {
                summary.bytes_added += record.size.unwrap_or(0);
                summary.created.push(path);
            }
            ObjectChange::Removed => summary.removed.push(path),
            _ => tracing::info!("ignoring {} on {path}", record.event_name),
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc::testing;

    #[tokio::test]
    async fn counts_created_and_removed_objects() {
        let mut event = testing::object_created("photos", "cat one.jpg");
        event.records[0].size = Some(2048);
        event
            .records
            .extend(testing::object_removed("photos", "dog.jpg").records);
        let summary: serde_json::Value =
            testing::invoke(object, event).await.unwrap().to().unwrap();
        assert_eq!(
            summary["created"],
            serde_json::json!(["photos/cat one.jpg"])
        );
        assert_eq!(summary["removed"], serde_json::json!(["photos/dog.jpg"]));
        assert_eq!(summary["bytes_added"], 2048);
        assert!(
            summary["request_id"]
                .as_str()
                .unwrap()
                .starts_with("test-request-")
        );
    }
}
