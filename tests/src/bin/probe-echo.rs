//! A function that answers any event with a summary of it: right for a queue, wrong for a
//! gateway that expects an HTTP response.

use fc::JsonEvent;

#[fc::handler]
async fn probe(JsonEvent(event): JsonEvent<serde_json::Value>) -> serde_json::Value {
    let fields: Vec<String> = event
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    serde_json::json!({ "fields": fields })
}
