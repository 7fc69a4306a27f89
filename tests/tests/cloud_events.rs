//! Event-bus events on every platform: fc-local's EventBridge templates of both clouds read as
//! `CloudEvent<T>`, returned as they are, and data that does not fit `T` named.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use fc_local_cli::aliyun::{FcEmulator, FcFunction};
use fc_local_cli::lambda::{LambdaEmulator, LambdaFunction, Output};
use fc_tests::{event_template, run};

const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");
const PROBE: &str = env!("CARGO_BIN_EXE_probe-cloud");
const ROW: &str = r#"{"name":"Ada","satisfaction":2}"#;

fn template(platform: &str, row: &str) -> Vec<u8> {
    event_template(
        FC_LOCAL,
        "eventbridge",
        platform,
        &["--name", "SurveySubmitted", "--row", row],
    )
}

/// The handler's answer: the event in fc's form, its satisfaction doubled.
fn assert_answer(answer: &[u8], label: &str) {
    let answer: serde_json::Value = serde_json::from_slice(answer).unwrap();
    assert_eq!(answer["type"], "SurveySubmitted", "{label}: {answer}");
    assert_eq!(answer["source"], "com.example.fc-local", "{label}");
    assert_eq!(answer["data"]["satisfaction"], 4, "{label}");
    assert!(
        answer["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{label}"
    );
}

#[test]
fn locally_both_clouds_events_are_read_and_returned() {
    for platform in ["aws", "aliyun"] {
        let (status, out, err) = run(PROBE, &[], &[], &template(platform, ROW));
        assert!(status.success(), "{platform}: {err}");
        assert_answer(out.as_bytes(), platform);
        // fc's own form, as returned, reads back in.
        let (status, again, err) = run(PROBE, &[], &[], out.as_bytes());
        assert!(status.success(), "{platform}: {err}");
        let again: serde_json::Value = serde_json::from_str(&again).unwrap();
        assert_eq!(again["data"]["satisfaction"], 8);
    }
}

#[tokio::test]
async fn on_lambda_the_detail_is_the_data_and_a_misfit_is_named() {
    let lambda = LambdaEmulator::start(LambdaFunction::new(PROBE).output(Output::Discard))
        .await
        .unwrap();
    let answer = lambda
        .invoke(template("aws", ROW))
        .await
        .unwrap()
        .result
        .unwrap();
    assert_answer(&answer, "aws");
    let bad = template("aws", r#"{"name":"Ada","satisfaction":"high"}"#);
    let error = lambda.invoke(bad).await.unwrap().result.unwrap_err();
    assert_eq!(error.error_type, "InvalidEvent");
    assert!(
        error
            .error_message
            .starts_with("invalid EventBridge event at `detail.satisfaction`"),
        "{error}"
    );
}

#[tokio::test]
async fn on_fc_the_cloudevents_data_is_the_data_and_a_misfit_is_named() {
    let fc =
        FcEmulator::start(FcFunction::new(PROBE).output(fc_local_cli::aliyun::Output::Discard))
            .await
            .unwrap();
    let answer = fc
        .invoke(template("aliyun", ROW))
        .await
        .unwrap()
        .result
        .unwrap();
    assert_answer(&answer, "aliyun");
    let bad = template("aliyun", r#"{"name":"Ada"}"#);
    let error = fc.invoke(bad).await.unwrap().result.unwrap_err();
    assert!(
        error
            .error_message
            .starts_with("invalid EventBridge event at `data`: missing field `satisfaction`"),
        "{error}"
    );
}
