//! The event-driven variant of the survey flow: when a survey row is inserted in the table
//! (DynamoDB Streams on AWS, Tablestore on FC), e-mail the shop.
//!
//! Run with `fc-local event dynamodb-insert --platform aws | fc-local invoke --platform aws --
//! target/debug/survey-notify`.

use fc::{BatchFailures, Context, Error, Platform, RowChange, TableEvent};
use survey::{Mailer, Submission};

/// A survey row as the table holds it.
#[derive(Debug, serde::Deserialize)]
struct SurveyRow {
    id: i64,
    name: String,
    phone: String,
    satisfaction: u8,
    #[serde(default)]
    email: Option<String>,
}

async fn setup() -> Result<Mailer, Error> {
    Mailer::from_env()
}

#[fc::handler(init = setup)]
async fn notify(event: TableEvent, ctx: Context, mailer: &Mailer) -> Result<BatchFailures, Error> {
    let mut failures = BatchFailures::new();
    for record in event.records.iter().filter(|r| r.kind == RowChange::Insert) {
        let sent = match record.new_as::<SurveyRow>() {
            Ok(row) => {
                let survey = Submission {
                    name: row.name,
                    phone: row.phone,
                    satisfaction: row.satisfaction,
                    email: row.email,
                };
                mailer.notify(row.id, &survey).await
            }
            Err(err) => Err(err),
        };
        if let Err(err) = sent {
            tracing::error!(request_id = ctx.request_id, record = record.id, "{err:#}");
            failures.push(record);
        }
    }
    // Lambda retries only the records reported; Tablestore has no such report, so the whole
    // batch fails and is delivered again.
    if ctx.platform == Platform::Aliyun && !failures.is_empty() {
        return Err(Error::msg(format!(
            "{} of the records could not be notified",
            failures.ids().len()
        )));
    }
    Ok(failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc::testing;

    fn mailer(dir: &std::path::Path) -> Mailer {
        Mailer::new(None, dir, "survey@example.com", "shop@example.com").unwrap()
    }

    #[tokio::test]
    async fn inserts_are_notified_and_bad_rows_reported() {
        let dir = std::env::temp_dir().join(format!("notify-{}", std::process::id()));
        let good = testing::table_insert(
            "surveys",
            &serde_json::json!({"id": 1}),
            &serde_json::json!({"id": 1, "name": "Ada", "phone": "12345", "satisfaction": 5}),
        );
        let mut bad = testing::table_insert(
            "surveys",
            &serde_json::json!({"id": 2}),
            &serde_json::json!({"id": 2, "name": "Bob"}),
        );
        bad.records[0].id = "seq-2".into();
        let mut event = good;
        event.records.extend(bad.records);
        let out = testing::invoke_with_state(notify, mailer(&dir), event)
            .await
            .unwrap();
        let answer: serde_json::Value = out.to().unwrap();
        assert_eq!(
            answer,
            serde_json::json!({"batchItemFailures": [{"itemIdentifier": "seq-2"}]})
        );
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "one e-mail for the good row"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
