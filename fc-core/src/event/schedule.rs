//! Scheduled invocations: EventBridge schedules on AWS, timer triggers on FC.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// A scheduled invocation (EventBridge rule or scheduler, FC timer trigger).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScheduleEvent {
    /// When the schedule fired.
    #[serde(default)]
    pub time: Option<Timestamp>,
    /// The rule's or trigger's name.
    #[serde(default)]
    pub name: String,
    /// The text configured on the trigger, if any.
    #[serde(default)]
    pub payload: Option<String>,
}

impl ScheduleEvent {
    /// A schedule named `name`, fired at `time`.
    pub fn new(name: impl Into<String>, time: Option<Timestamp>) -> Self {
        ScheduleEvent {
            time,
            name: name.into(),
            payload: None,
        }
    }
}
