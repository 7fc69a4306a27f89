//! A bounded, deterministic fuzz run in every `cargo test`: each real sample, mutated thousands
//! of ways (bytes flipped, cut, repeated, inserted), through every decoder. Decoders may refuse
//! an input; they must not panic. The long runs are `cargo fuzz` (see fuzz/README.md).

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report

use std::path::PathBuf;

use fc_aws::FromLambda;
use fc_core::http::Request;
use fc_core::{ObjectEvent, ScheduleEvent, TableEvent};

/// xorshift64*: the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One mutation of `seed`.
fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = (rng.next() & 0xff) as u8;
            }
            1 => data.truncate(at),
            2 if at < data.len() => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            3 if at < data.len() => {
                let end = (at + rng.below(64)).min(data.len());
                let piece = data[at..end].to_vec();
                data.splice(at..at, piece);
            }
            4 => {
                let tokens: [&[u8]; 8] = [b"{", b"}", b"[", b"]", b"\"", b",", b"null", b"\\u0000"];
                let token = tokens[rng.below(tokens.len())];
                data.splice(at..at, token.iter().copied());
            }
            _ => data.insert(at, (rng.next() & 0xff) as u8),
        }
    }
    data
}

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
            ["apigw", "alb", "s3-event", "dynamodb", "eventbridge"]
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
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0usize;
    for (name, seed) in &samples {
        for _ in 0..400 {
            let input = mutate(seed, &mut rng);
            let Ok(text) = std::str::from_utf8(&input) else {
                continue;
            };
            let run = std::panic::catch_unwind(|| {
                let ok = [
                    Request::from_lambda(text).is_ok(),
                    ObjectEvent::from_lambda(text).is_ok(),
                    TableEvent::from_lambda(text).is_ok(),
                    ScheduleEvent::from_lambda(text).is_ok(),
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
