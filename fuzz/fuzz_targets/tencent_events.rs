//! The SCF decoders on arbitrary events (API Gateway and function URL requests, COS, timer,
//! CKafka, CMQ): each may refuse one, never panic or run away.
#![no_main]

use fc_core::http::Request;
use fc_core::{JsonEvent, MessageEvent, ObjectEvent, ScheduleEvent};
use fc_tencent::FromScf;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Request::from_event(data);
    let _ = ObjectEvent::from_event(data);
    let _ = ScheduleEvent::from_event(data);
    let _ = MessageEvent::from_event(data);
    let _ = <JsonEvent<serde_json::Value> as FromScf>::from_event(data);
});
