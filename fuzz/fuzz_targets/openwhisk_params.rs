//! The OpenWhisk decoders on arbitrary activation parameters (web actions, alarms, bucket
//! notifications, JSON): each may refuse them, never panic or run away.
#![no_main]

use fc_core::http::Request;
use fc_core::{JsonEvent, ObjectEvent, ScheduleEvent};
use fc_openwhisk::FromOpenWhisk;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(params) = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(data)
    else {
        return;
    };
    let _ = Request::from_params(params.clone());
    let _ = ScheduleEvent::from_params(params.clone());
    let _ = ObjectEvent::from_params(params.clone());
    let _ = <JsonEvent<serde_json::Value> as FromOpenWhisk>::from_params(params);
});
