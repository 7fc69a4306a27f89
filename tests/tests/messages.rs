//! A queue consumer on every platform: fc-local's message templates, the messages it failed
//! reported for retry (Lambda's partial batch response; on FC a failed invocation), and the
//! instance serving on.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use fc_local_cli::aliyun::{FcEmulator, FcFunction};
use fc_local_cli::lambda::{LambdaEmulator, LambdaFunction, Output};
use fc_tests::{event_template, run};

const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");
const PROBE: &str = env!("CARGO_BIN_EXE_probe-messages");
const GOOD: &str = r#"{"name":"Ada","satisfaction":5}"#;
const BAD: &str = r#"{"name":"Bob","satisfaction":0}"#;

fn template(kind: &str, platform: &str, body: &str) -> Vec<u8> {
    event_template(
        FC_LOCAL,
        kind,
        platform,
        &["--queue", "surveys", "--body", body],
    )
}

/// How Lambda names the event's first record in a partial batch response.
fn item_identifier(event: &[u8]) -> serde_json::Value {
    let event: serde_json::Value = serde_json::from_slice(event).unwrap();
    if let Some(partitions) = event["records"].as_object() {
        let (partition, records) = partitions.iter().next().unwrap();
        return serde_json::json!({"partition": partition, "offset": records[0]["offset"]});
    }
    let record = &event["Records"][0];
    let id = record["messageId"]
        .as_str()
        .or(record["Sns"]["MessageId"].as_str())
        .or(record["kinesis"]["sequenceNumber"].as_str())
        .unwrap();
    serde_json::Value::from(id)
}

#[test]
fn locally_a_template_of_each_cloud_runs_and_failures_are_named() {
    for (kind, platform) in [
        ("sqs", "aws"),
        ("sqs-fifo", "aws"),
        ("sns", "aws"),
        ("kinesis", "aws"),
        ("kafka", "aws"),
        ("mns-queue", "aliyun"),
        ("mns-topic", "aliyun"),
        ("kafka", "aliyun"),
        ("rocketmq", "aliyun"),
        ("rabbitmq", "aliyun"),
    ] {
        let (status, out, err) = run(PROBE, &[], &[], &template(kind, platform, GOOD));
        assert!(status.success(), "{kind}: {err}");
        assert_eq!(out.trim(), r#"{"batchItemFailures":[]}"#, "{kind}");
        assert!(err.contains("stored the survey of Ada"), "{kind}: {err}");
        assert!(err.contains("source=\"surveys"), "{kind}: {err}");
    }
    let event = template("sqs", "aws", BAD);
    let (status, out, _) = run(PROBE, &[], &[], &event);
    assert!(status.success());
    let expected =
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": item_identifier(&event)}]});
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(out.trim()).unwrap(),
        expected
    );
}

#[tokio::test]
async fn on_lambda_failed_messages_come_back_as_the_partial_batch_response() {
    let lambda = LambdaEmulator::start(LambdaFunction::new(PROBE).output(Output::Discard))
        .await
        .unwrap();
    for kind in ["sqs", "sqs-fifo", "sns", "kinesis", "kafka"] {
        let good = lambda.invoke(template(kind, "aws", GOOD)).await.unwrap();
        assert_eq!(
            good.result.unwrap().as_ref(),
            br#"{"batchItemFailures":[]}"#,
            "{kind}"
        );
        let bad = template(kind, "aws", BAD);
        let answer = lambda.invoke(bad.clone()).await.unwrap().result.unwrap();
        let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(
            answer["batchItemFailures"][0]["itemIdentifier"],
            item_identifier(&bad),
            "{kind}"
        );
    }
}

#[tokio::test]
async fn on_fc_a_failed_message_fails_the_invocation_and_the_instance_serves_on() {
    let fc =
        FcEmulator::start(FcFunction::new(PROBE).output(fc_local_cli::aliyun::Output::Discard))
            .await
            .unwrap();
    for kind in ["mns-queue", "mns-topic", "kafka", "rocketmq", "rabbitmq"] {
        let bad = fc.invoke(template(kind, "aliyun", BAD)).await.unwrap();
        let error = bad.result.unwrap_err();
        assert!(
            error
                .error_message
                .contains("1 item(s) of the batch failed"),
            "{kind}: {error}"
        );
        let good = fc.invoke(template(kind, "aliyun", GOOD)).await.unwrap();
        assert_eq!(
            good.result.unwrap().as_ref(),
            br#"{"batchItemFailures":[]}"#,
            "{kind}"
        );
    }
}
