//! The AWS CloudEvent decoder (EventBridge) on arbitrary bytes: it may refuse them, never
//! panic or run away.
#![no_main]

use fc_aws::FromLambda;
use fc_core::CloudEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = <CloudEvent<serde_json::Value> as FromLambda>::from_lambda(text);
    }
});
