//! The AWS MessageEvent decoder (SQS, SNS, Kinesis) on arbitrary bytes: it may refuse them,
//! never panic or run away.
#![no_main]

use fc_aws::FromLambda;
use fc_core::MessageEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = <MessageEvent as FromLambda>::from_lambda(text);
    }
});
