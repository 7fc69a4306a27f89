//! Events from event buses: AWS EventBridge, Alibaba Cloud EventBridge (CloudEvents 1.0).

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// An event from an event bus, its data read into `T`: an AWS EventBridge event (`detail` as
/// `T`) or an Alibaba Cloud EventBridge event (a CloudEvent, `data` as `T`). Schedules have
/// their own type, [`ScheduleEvent`](crate::ScheduleEvent).
///
/// ```
/// use fc_core::CloudEvent;
///
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct OrderPlaced { order: u64 }
///
/// async fn handle(event: CloudEvent<OrderPlaced>) -> String {
///     format!("{} from {}: order {}", event.kind, event.source, event.data.order)
/// }
/// ```
///
/// Data that does not fit `T` fails the invocation with an `InvalidEvent` error naming the
/// field. It serializes to fc's own form (the fields below, `kind` as `type`), which is also
/// how it is written for the local platform, and a handler may return it as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CloudEvent<T> {
    /// The event's id.
    pub id: String,
    /// What sent it (`aws.s3`, `com.example.orders`, `acs.oss`).
    pub source: String,
    /// What happened: EventBridge's `detail-type`, a CloudEvent's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it is about, within the source (a CloudEvent's `subject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// When it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
    /// The resources it concerns (EventBridge's `resources`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// The account it came from, when the bus says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The region it came from, when the bus says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The event's data.
    pub data: T,
}

impl<T> CloudEvent<T> {
    /// An event with this id, source, type and data.
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        kind: impl Into<String>,
        data: T,
    ) -> Self {
        CloudEvent {
            id: id.into(),
            source: source.into(),
            kind: kind.into(),
            subject: None,
            time: None,
            resources: Vec::new(),
            account: None,
            region: None,
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcs_form_names_the_type_and_leaves_out_what_is_absent() {
        let event = CloudEvent::new(
            "1",
            "com.example",
            "OrderPlaced",
            serde_json::json!({"n": 1}),
        );
        let json = serde_json::to_value(&event).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"id": "1", "source": "com.example", "type": "OrderPlaced", "data": {"n": 1}})
        );
        let back: CloudEvent<serde_json::Value> = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}
