//! A queue consumer: reads each message as a survey; one it cannot read, or whose satisfaction
//! is 0, is reported as failed, so the platform delivers it again.

use fc::{BatchFailures, MessageEvent};

#[derive(serde::Deserialize)]
struct Survey {
    name: String,
    satisfaction: u8,
}

#[fc::handler]
async fn probe(event: MessageEvent) -> BatchFailures {
    let mut failures = BatchFailures::new();
    for message in &event.messages {
        match message.json::<Survey>() {
            Ok(survey) if survey.satisfaction > 0 => tracing::info!(
                id = message.id,
                source = message.source.name,
                "stored the survey of {}",
                survey.name
            ),
            Ok(_) => failures.push(message),
            Err(err) => {
                tracing::warn!("{err}");
                failures.push(message);
            }
        }
    }
    failures
}
