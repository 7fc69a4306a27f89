//! The FC Request decoder on arbitrary bytes: it may refuse them, never panic or run away.
#![no_main]

use fc_aliyun::FromFc;
use fc_core::http::Request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = <Request as FromFc>::from_invoke(data);
});
