//! A bounded, deterministic fuzz run in every `cargo test`: FC samples (JSON and Tablestore
//! CBOR) mutated thousands of ways through every decoder, which may refuse an input but must
//! not panic. The long runs are `cargo fuzz` (see fuzz/README.md).

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report

mod support;

use bytes::Bytes;
use ciborium::value::Value as Cbor;
use fc_aliyun::FromFc;
use fc_core::http::Request;
use fc_core::{MessageEvent, ObjectEvent, ScheduleEvent, TableEvent};
use support::{
    CDN_LOG_FILE, EVENTBRIDGE, KAFKA, KAFKA_TEXTS, MNS_QUEUE, MNS_TOPIC_JSON, MNS_TOPIC_STREAM,
    RABBITMQ, ROCKETMQ, SLS, map, text,
};

fn tablestore_sample() -> Vec<u8> {
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
        MNS_QUEUE.as_bytes().to_vec(),
        EVENTBRIDGE.as_bytes().to_vec(),
        KAFKA.as_bytes().to_vec(),
        KAFKA_TEXTS.as_bytes().to_vec(),
        ROCKETMQ.as_bytes().to_vec(),
        RABBITMQ.as_bytes().to_vec(),
        SLS.as_bytes().to_vec(),
        CDN_LOG_FILE.as_bytes().to_vec(),
        format!("[{MNS_QUEUE}]").into_bytes(),
        MNS_TOPIC_JSON.as_bytes().to_vec(),
        MNS_TOPIC_STREAM.as_bytes().to_vec(),
    ]
}

#[test]
fn mutated_samples_never_panic_a_decoder() {
    let mut decoded = 0usize;
    for seed in samples() {
        for input in fc_core::testing::mutations(&seed, 4000, 0x2545_f491_4f6c_dd1d) {
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
                    MessageEvent::from_invoke(&input).is_ok(),
                    fc_core::CloudEvent::<serde_json::Value>::from_invoke(&input).is_ok(),
                    fc_core::JsonEvent::<fc_aliyun::SlsEvent>::from_invoke(&input).is_ok(),
                    fc_core::JsonEvent::<fc_aliyun::CdnEvent>::from_invoke(&input).is_ok(),
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
