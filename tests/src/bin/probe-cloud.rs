//! An event-bus consumer: reads the event's data as a survey and returns the event as it is,
//! in fc's own form, with its satisfaction doubled.

use fc::CloudEvent;

#[derive(serde::Deserialize, serde::Serialize)]
struct Survey {
    name: String,
    satisfaction: u8,
}

#[fc::handler]
async fn probe(mut event: CloudEvent<Survey>) -> CloudEvent<Survey> {
    tracing::info!(
        source = event.source,
        "{} from {}",
        event.kind,
        event.data.name
    );
    event.data.satisfaction *= 2;
    event
}
