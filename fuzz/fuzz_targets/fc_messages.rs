//! The FC MessageEvent decoder (MNS queue and topic triggers) on arbitrary bytes: it may refuse
//! them, never panic or run away.
#![no_main]

use fc_aliyun::FromFc;
use fc_core::MessageEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = <MessageEvent as FromFc>::from_invoke(data);
});
