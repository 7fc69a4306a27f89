//! The Azure Functions decoders on arbitrary invocations (`{Data, Metadata}` for HTTP, timer,
//! blob, queue, Service Bus and Event Hubs triggers): each may refuse one, never panic or run
//! away.
#![no_main]

use fc_azure::{FromAzure, Invocation};
use fc_core::http::Request;
use fc_core::{JsonEvent, MessageEvent, ObjectEvent, ScheduleEvent};
use libfuzzer_sys::fuzz_target;

fn invocation(data: &[u8]) -> Option<Invocation> {
    serde_json::from_slice(data).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some(_) = invocation(data) else { return };
    let _ = invocation(data).map(Request::from_invocation);
    let _ = invocation(data).map(ObjectEvent::from_invocation);
    let _ = invocation(data).map(ScheduleEvent::from_invocation);
    let _ = invocation(data).map(MessageEvent::from_invocation);
    let _ = invocation(data).map(<JsonEvent<serde_json::Value> as FromAzure>::from_invocation);
});
