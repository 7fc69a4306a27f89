//! A bounded, deterministic fuzz run in every `cargo test`: each real sample, mutated thousands
//! of ways (bytes flipped, cut, repeated, inserted), through every decoder. Decoders may refuse
//! an input; they must not panic. The long runs are `cargo fuzz` (see fuzz/README.md).

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report

use std::path::PathBuf;

use fc_aws::FromLambda;
use fc_core::http::Request;
use fc_core::{MessageEvent, ObjectEvent, ScheduleEvent, TableEvent};

fn samples() -> Vec<(String, Vec<u8>)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let dir = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "aws_lambda_events")
        .map(|p| {
            PathBuf::from(p["manifest_path"].as_str().unwrap())
                .parent()
                .unwrap()
                .join("src/fixtures")
        })
        .unwrap();
    let mut samples: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            [
                "apigw",
                "alb",
                "s3-event",
                "dynamodb",
                "eventbridge",
                "sqs-event",
                "sns-event",
                "kinesis-event",
                "kafka-event",
            ]
            .iter()
            .any(|k| name.contains(k))
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    samples.sort();
    samples
}

#[test]
fn mutated_samples_never_panic_a_decoder() {
    let samples = samples();
    assert!(samples.len() >= 30, "{} samples", samples.len());
    let mut decoded = 0usize;
    for (name, seed) in &samples {
        for input in fc_core::testing::mutations(seed, 400, 0x9e37_79b9_7f4a_7c15) {
            let Ok(text) = std::str::from_utf8(&input) else {
                continue;
            };
            let run = std::panic::catch_unwind(|| {
                let ok = [
                    Request::from_lambda(text).is_ok(),
                    ObjectEvent::from_lambda(text).is_ok(),
                    TableEvent::from_lambda(text).is_ok(),
                    ScheduleEvent::from_lambda(text).is_ok(),
                    MessageEvent::from_lambda(text).is_ok(),
                    fc_core::CloudEvent::<serde_json::Value>::from_lambda(text).is_ok(),
                ];
                ok.iter().filter(|ok| **ok).count()
            });
            match run {
                Ok(n) => decoded += n,
                Err(_) => panic!("a decoder panicked on a mutation of {name}: {text:?}"),
            }
        }
    }
    // Mutations that keep a sample valid still decode: the run exercised the happy paths too.
    assert!(decoded > 300, "{decoded}");
}
