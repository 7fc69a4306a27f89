//! fc-local's AWS events checked by an implementation nobody here wrote: the pydantic models of
//! `aws-lambda-powertools[parser]` (PyPI), AWS's own description of every event it parses.
//!
//! The models run in a Python that has the package: `FC_POWERTOOLS_PYTHON`, else `python3`.
//! CI installs it; elsewhere, without it, the test says so and passes.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use std::path::PathBuf;
use std::process::Command;

use fc_tests::event_template;

const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");

/// Each AWS template, with the options that shape it, and the model it must satisfy.
const CASES: &[(&str, &[&str], &str)] = &[
    (
        "http",
        &["--trigger", "apigw-v1"],
        "APIGatewayProxyEventModel",
    ),
    (
        "http",
        &[
            "--trigger",
            "apigw-v1",
            "--method",
            "POST",
            "--path",
            "/items?a=1&a=2",
            "--body",
            "{\"n\":1}",
        ],
        "APIGatewayProxyEventModel",
    ),
    (
        "http",
        &["--trigger", "apigw-v2"],
        "APIGatewayProxyEventV2Model",
    ),
    (
        "http",
        &[
            "--trigger",
            "apigw-v2",
            "--method",
            "PUT",
            "--path",
            "/items/7?q=x",
            "--body",
            "{}",
        ],
        "APIGatewayProxyEventV2Model",
    ),
    ("http", &["--trigger", "url"], "LambdaFunctionUrlModel"),
    ("http", &["--trigger", "alb"], "AlbModel"),
    (
        "http",
        &["--trigger", "alb", "--method", "POST", "--body", "x"],
        "AlbModel",
    ),
    (
        "s3-put",
        &["--bucket", "photos", "--key", "cat 1.jpg"],
        "S3Model",
    ),
    ("s3-delete", &[], "S3Model"),
    ("dynamodb-insert", &[], "DynamoDBStreamModel"),
    (
        "dynamodb-modify",
        &[
            "--row",
            "{\"id\":7,\"name\":\"Ada\",\"tags\":[\"a\"],\"ok\":true,\"n\":null}",
        ],
        "DynamoDBStreamModel",
    ),
    ("dynamodb-remove", &[], "DynamoDBStreamModel"),
    ("schedule", &["--name", "nightly"], "EventBridgeModel"),
    ("sqs", &[], "SqsModel"),
    ("sqs-fifo", &["--body", "plain text"], "SqsModel"),
    ("sns", &[], "SnsModel"),
    ("kinesis", &[], "KinesisDataStreamModel"),
    ("kafka", &[], "KafkaMskEventModel"),
    (
        "eventbridge",
        &["--name", "OrderPlaced"],
        "EventBridgeModel",
    ),
];

fn python() -> Option<String> {
    let candidates = std::env::var("FC_POWERTOOLS_PYTHON")
        .into_iter()
        .chain(["python3".to_owned()]);
    candidates.into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import aws_lambda_powertools.utilities.parser.models"])
            .output()
            .is_ok_and(|out| out.status.success())
    })
}

#[test]
fn every_aws_template_satisfies_powertools_models() {
    let Some(python) = python() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must provide aws-lambda-powertools[parser] (FC_POWERTOOLS_PYTHON)"
        );
        eprintln!("skipped: no Python with aws-lambda-powertools[parser]");
        return;
    };
    let dir = std::env::temp_dir().join(format!("fc-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut args = vec![
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("oracle/powertools.py")
            .display()
            .to_string(),
    ];
    for (i, (kind, extra, model)) in CASES.iter().enumerate() {
        let event = event_template(FC_LOCAL, kind, "aws", extra);
        let path = dir.join(format!("{i}-{kind}.json"));
        std::fs::write(&path, event).unwrap();
        args.push(format!("{model}={}", path.display()));
    }
    let out = Command::new(&python).args(&args).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report.lines().count(), CASES.len(), "{report}");
}
