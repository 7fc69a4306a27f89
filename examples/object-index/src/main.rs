//! Records each object created or removed in a bucket (S3 on AWS, OSS on FC) in the shop's SQL
//! store, once per change even when the platform delivers it again, and answers a summary.
//!
//! Run with `fc-local event s3-put --platform aws | fc-local invoke --platform aws --
//! target/debug/object-index`.

use fc::{Context, Error, ObjectChange, ObjectEvent};
use serde::Serialize;
use survey::Store;

/// What one invocation did.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
struct Summary {
    recorded: usize,
    duplicates: usize,
    created: usize,
    removed: usize,
    total: i64,
}

async fn setup() -> Result<Store, Error> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| survey::store::DEFAULT_URL.into());
    Store::connect(&url).await
}

#[fc::handler(init = setup)]
async fn index(event: ObjectEvent, ctx: Context, store: &Store) -> Result<Summary, Error> {
    let mut summary = Summary::default();
    for record in &event.records {
        if store.record_object(ctx.platform, record).await? {
            summary.recorded += 1;
        } else {
            summary.duplicates += 1;
        }
        match record.kind {
            ObjectChange::Created => summary.created += 1,
            ObjectChange::Removed => summary.removed += 1,
            _ => {}
        }
    }
    summary.total = store.object_count().await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc::testing;

    #[tokio::test]
    async fn changes_are_recorded_once() {
        let dir = std::env::temp_dir().join(format!("index-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&format!("sqlite://{}/index.db", dir.display()))
            .await
            .unwrap();
        let mut event = testing::object_created("photos", "a.jpg");
        event
            .records
            .extend(testing::object_removed("photos", "b.jpg").records);
        let again = event.clone();
        let first: serde_json::Value = testing::invoke_with_state(index, store.clone(), event)
            .await
            .unwrap()
            .to()
            .unwrap();
        assert_eq!(
            first,
            serde_json::json!({"recorded": 2, "duplicates": 0, "created": 1, "removed": 1, "total": 2})
        );
        let second: serde_json::Value = testing::invoke_with_state(index, store, again)
            .await
            .unwrap()
            .to()
            .unwrap();
        assert_eq!(second["duplicates"], 2);
        assert_eq!(second["total"], 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
