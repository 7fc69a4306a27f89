//! The local platform running an event function binary once per event.

use fc_tests::run;

const PROBE: &str = env!("CARGO_BIN_EXE_probe-event");

#[test]
fn prints_the_result_of_an_event_on_stdin() {
    let (status, out, err) = run(PROBE, &[], &[], br#"{"action":"echo","value":[1,"two"]}"#);
    assert!(status.success(), "{err}");
    assert_eq!(out.trim(), r#"{"echo":[1,"two"],"platform":"local"}"#);
    assert!(!err.contains("\"echo\""), "logs stay on stderr");
}

#[test]
fn reads_the_event_from_a_file() {
    let path = std::env::temp_dir().join(format!("fc-event-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"action":"echo","value":"from a file"}"#).unwrap();
    let (status, out, _) = run(PROBE, &["--event", path.to_str().unwrap()], &[], b"");
    let _ = std::fs::remove_file(&path);
    assert!(status.success());
    assert!(out.contains("from a file"), "{out}");
    let (status, _, err) = run(PROBE, &["--event", "/nonexistent/e.json"], &[], b"");
    assert_eq!(status.code(), Some(2));
    assert!(err.contains("cannot read /nonexistent/e.json"), "{err}");
}

#[test]
fn a_malformed_event_is_a_clear_error() {
    let (status, out, err) = run(PROBE, &[], &[], fc_tests::WRONG_TYPE.0.as_bytes());
    assert_eq!(status.code(), Some(1));
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("error: InvalidEvent: invalid JSON event"),
        "{err}"
    );
    assert!(err.contains(fc_tests::WRONG_TYPE.1), "{err}");

    let (status, _, err) = run(PROBE, &[], &[], b"{\"action\":");
    assert_eq!(status.code(), Some(1));
    assert!(err.contains("EOF while parsing"), "{err}");

    let (status, _, err) = run(PROBE, &[], &[], b"");
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains("no event: expected a JSON event as JSON"),
        "{err}"
    );
}

#[test]
fn handler_errors_and_panics_exit_non_zero_with_the_message() {
    let (status, _, err) = run(
        PROBE,
        &[],
        &[],
        br#"{"action":"fail","message":"quota exceeded"}"#,
    );
    assert_eq!(status.code(), Some(1));
    assert!(err.contains("error: HandlerError: quota exceeded"), "{err}");

    let (status, _, err) = run(PROBE, &[], &[], br#"{"action":"panic"}"#);
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains("error: Panic: handler panicked: the probe panicked on purpose"),
        "{err}"
    );
}

#[test]
fn the_timeout_is_enforced() {
    let (status, _, err) = run(
        PROBE,
        &[],
        &[("FC_TIMEOUT", "0.2")],
        br#"{"action":"sleep","ms":10000}"#,
    );
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains("error: Timeout: Task timed out after 0.20 seconds"),
        "{err}"
    );
}

#[test]
fn bad_arguments_and_settings_are_explained() {
    let (status, _, err) = run(PROBE, &["--evnt", "x"], &[], b"");
    assert_eq!(status.code(), Some(2));
    assert!(
        err.contains("unexpected argument `--evnt`") && err.contains("usage: probe-event"),
        "{err}"
    );
    let (status, _, err) = run(PROBE, &[], &[("FC_TIMEOUT", "forever")], b"{}");
    assert_eq!(status.code(), Some(2));
    assert!(
        err.contains("FC_TIMEOUT must be a number of seconds"),
        "{err}"
    );
    let (status, out, _) = run(PROBE, &["--help"], &[], b"");
    assert!(status.success() && out.contains("--event FILE"), "{out}");
}

#[test]
fn a_detected_platform_that_cannot_run_says_why() {
    let (status, _, err) = run(
        PROBE,
        &[],
        &[("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")],
        b"{}",
    );
    assert_eq!(status.code(), Some(1));
    assert!(err.contains("AWS_LAMBDA_FUNCTION_NAME is not set"), "{err}");
    let (status, _, err) = run(PROBE, &[], &[("FC_CUSTOM_LISTEN_PORT", "ninety")], b"{}");
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains("FC_CUSTOM_LISTEN_PORT must be a port number, got `ninety`"),
        "{err}"
    );
    let (status, _, err) = run(PROBE, &[], &[("FC_PLATFORM", "gcf")], b"{}");
    assert_eq!(status.code(), Some(2));
    assert!(
        err.contains(
            "FC_PLATFORM must be `aws`, `aliyun`, `knative`, `gcp`, `openwhisk`, `tencent`, `azure` or `local`, got `gcf`"
        ),
        "{err}"
    );
    // Knative's port variable, wrong: the error names it and the process stops.
    let (status, _, err) = run(
        PROBE,
        &[],
        &[("K_SERVICE", "probe"), ("PORT", "eighty")],
        b"{}",
    );
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains("PORT must be a port number, got `eighty`"),
        "{err}"
    );
}

/// A cloud's own sample, as `fc-local event` prints it, piped into the function as it is:
/// the local runner reads it through the cloud's adapter.
#[test]
fn a_clouds_own_event_is_read_as_that_cloud_sends_it() {
    const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");
    const OBJECT: &str = env!("CARGO_BIN_EXE_object");
    for (kind, platform, expected) in [
        ("s3-put", "aws", "example-bucket/"),
        ("oss-put", "aliyun", "example-bucket/"),
    ] {
        let (status, sample, err) = run(
            FC_LOCAL,
            &["event", kind, "--platform", platform, "--key", "in/a b.txt"],
            &[],
            b"",
        );
        assert!(status.success(), "{err}");
        let (status, out, err) = run(OBJECT, &[], &[], sample.as_bytes());
        assert!(status.success(), "{kind}: {err}");
        let summary: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let created = summary["created"][0].as_str().unwrap_or_default();
        assert!(
            created.starts_with(expected) && created.ends_with("in/a b.txt"),
            "{kind}: {out}"
        );
    }
    // Neither fc's form nor a cloud's: the error says both were tried.
    let (status, _, err) = run(OBJECT, &[], &[], br#"{"Records":[{"s3":{}}]}"#);
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains(
            "nor is it an ObjectEvent as AWS Lambda or Function Compute or Tencent Cloud SCF or Knative / Cloud Run sends one"
        ),
        "{err}"
    );
}
