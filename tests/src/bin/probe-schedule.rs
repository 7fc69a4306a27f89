//! A scheduled function: answers with the schedule's name and payload.

use fc::ScheduleEvent;

#[fc::handler]
async fn probe(event: ScheduleEvent) -> serde_json::Value {
    serde_json::json!({ "name": event.name, "payload": event.payload, "fired": event.time })
}
