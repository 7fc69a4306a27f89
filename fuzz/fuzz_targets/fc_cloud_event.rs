//! The FC CloudEvent decoder (Alibaba Cloud EventBridge) on arbitrary bytes: it may refuse
//! them, never panic or run away.
#![no_main]

use fc_aliyun::FromFc;
use fc_core::CloudEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = <CloudEvent<serde_json::Value> as FromFc>::from_invoke(data);
});
