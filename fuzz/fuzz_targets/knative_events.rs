//! The Knative / Cloud Run decoders on arbitrary requests: header lines (`name: value`), a
//! blank line, then the body — binary mode, structured mode, batches, Cloud Scheduler's plain
//! requests. Each may refuse them, never panic or run away.
#![no_main]

use bytes::Bytes;
use fc_core::{CloudEvent, MessageEvent, ObjectEvent, ScheduleEvent};
use fc_knative::FromKnative;
use libfuzzer_sys::fuzz_target;

fn request(data: &[u8]) -> (http::request::Parts, Bytes) {
    let split = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(data.len());
    let (head, body) = data.split_at(split);
    let mut builder = http::Request::post("/");
    for line in head.split(|b| *b == b'\n') {
        if let Some(colon) = line.iter().position(|b| *b == b':') {
            let (name, value) = line.split_at(colon);
            let value = value[1..].trim_ascii();
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.trim_ascii()),
                http::HeaderValue::from_bytes(value),
            ) {
                builder = builder.header(name, value);
            }
        }
    }
    let body = body.get(2..).unwrap_or_default();
    let (parts, ()) = builder.body(()).unwrap_or_default().into_parts();
    (parts, Bytes::copy_from_slice(body))
}

fuzz_target!(|data: &[u8]| {
    let (parts, body) = request(data);
    let _ = ObjectEvent::from_request(parts.clone(), body.clone());
    let _ = ScheduleEvent::from_request(parts.clone(), body.clone());
    let _ = MessageEvent::from_request(parts.clone(), body.clone());
    let _ = <CloudEvent<serde_json::Value> as FromKnative>::from_request(parts, body);
});
