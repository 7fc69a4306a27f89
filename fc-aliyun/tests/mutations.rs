//! A bounded, deterministic fuzz run in every `cargo test`: FC samples (JSON and Tablestore
//! CBOR) mutated thousands of ways through every decoder, which may refuse an input but must
//! not panic. The long runs are `cargo fuzz` (see fuzz/README.md).

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report

use bytes::Bytes;
use ciborium::value::Value as Cbor;
use fc_aliyun::FromFc;
use fc_core::http::Request;
use fc_core::{ObjectEvent, ScheduleEvent, TableEvent};

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

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(5) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = (rng.next() & 0xff) as u8;
            }
            1 => data.truncate(at),
            2 if at < data.len() => {
                let end = (at + rng.below(32)).min(data.len());
                data.drain(at..end);
            }
            3 if at < data.len() => {
                let end = (at + rng.below(32)).min(data.len());
                let piece = data[at..end].to_vec();
                data.splice(at..at, piece);
            }
            _ => data.insert(at, (rng.next() & 0xff) as u8),
        }
    }
    data
}

fn tablestore_sample() -> Vec<u8> {
    let text = |s: &str| Cbor::Text(s.into());
    let map = |entries: Vec<(&str, Cbor)>| {
        Cbor::Map(entries.into_iter().map(|(k, v)| (text(k), v)).collect())
    };
    let record = map(vec![
        ("Type", text("UpdateRow")),
        (
            "Info",
            map(vec![(
                "Timestamp",
                Cbor::Integer(1_506_416_585_740_836_i64.into()),
            )]),
        ),
        (
            "PrimaryKey",
            Cbor::Array(vec![map(vec![
                ("ColumnName", text("pk")),
                ("Value", Cbor::Integer(7.into())),
            ])]),
        ),
        (
            "Columns",
            Cbor::Array(vec![
                map(vec![
                    ("Type", text("Put")),
                    ("ColumnName", text("a")),
                    ("Value", Cbor::Bytes(vec![1, 2])),
                    ("Timestamp", Cbor::Integer(1.into())),
                ]),
                map(vec![
                    ("Type", text("Put")),
                    ("ColumnName", text("b")),
                    ("Value", Cbor::Float(1.5)),
                    ("Timestamp", Cbor::Integer(1.into())),
                ]),
                map(vec![
                    ("Type", text("DeleteAllVersions")),
                    ("ColumnName", text("c")),
                    ("Timestamp", Cbor::Integer(1.into())),
                ]),
            ]),
        ),
    ]);
    let mut out = Vec::new();
    ciborium::ser::into_writer(
        &map(vec![
            ("Version", text("Sync-v1")),
            ("Records", Cbor::Array(vec![record])),
        ]),
        &mut out,
    )
    .unwrap();
    out
}

fn samples() -> Vec<Vec<u8>> {
    vec![
        br#"{"path":"/api/items/42","httpMethod":"POST","headers":{"Content-Type":"application/json"},"queryParameters":{"q":"a b"},"pathParameters":{"id":"42"},"body":"eyJuYW1lIjoiQWRhIn0=","isBase64Encoded":"true"}"#.to_vec(),
        br#"{"version":"v1","rawPath":"/example","body":"Hello FC!","isBase64Encoded":false,"headers":{"header1":"value1"},"queryParameters":{"p":"v1,v2"},"requestContext":{"http":{"method":"GET","path":"/example","sourceIp":"11.11.11.11"},"requestId":"1-64f6cd87"}}"#.to_vec(),
        br#"{"events":[{"eventName":"ObjectCreated:PutObject","eventTime":"2022-06-10T06:21:35.000Z","region":"cn-shenzhen","oss":{"bucket":{"name":"testbucket"},"object":{"key":"image/a.jpg","size":29203,"eTag":"7D73E1052AF595535DE90994F4C3E6D5"}}}]}"#.to_vec(),
        br#"{"triggerTime":"2023-12-26T07:49:00Z","triggerName":"timer-trigger","payload":"awesome-fc"}"#.to_vec(),
        tablestore_sample(),
    ]
}

#[test]
fn mutated_samples_never_panic_a_decoder() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut decoded = 0usize;
    for seed in samples() {
        for _ in 0..4000 {
            let input = mutate(&seed, &mut rng);
            let run = std::panic::catch_unwind(|| {
                let http = http::Request::builder()
                    .uri("/x")
                    .header("x-fc-request-id", "r")
                    .body(())
                    .unwrap()
                    .into_parts()
                    .0;
                [
                    Request::from_invoke(&input).is_ok(),
                    ObjectEvent::from_invoke(&input).is_ok(),
                    TableEvent::from_invoke(&input).is_ok(),
                    ScheduleEvent::from_invoke(&input).is_ok(),
                    Request::from_http(http, Bytes::from(input.clone())).is_ok(),
                ]
                .iter()
                .filter(|ok| **ok)
                .count()
            });
            match run {
                Ok(n) => decoded += n,
                Err(_) => panic!(
                    "a decoder panicked on {:?}",
                    String::from_utf8_lossy(&input)
                ),
            }
        }
    }
    assert!(decoded > 1000, "{decoded}");
}
