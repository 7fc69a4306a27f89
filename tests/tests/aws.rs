//! Function binaries under the Lambda Runtime API emulator: failures reach Lambda as it expects,
//! and the instance keeps serving.

use std::time::Duration;

use fc::http::Trigger;
use fc_local_cli::lambda::{LambdaEmulator, LambdaFunction, Output, http_event, http_response};
use http::{HeaderMap, Method};

async fn start(function: LambdaFunction) -> LambdaEmulator {
    LambdaEmulator::start(function.output(Output::Discard))
        .await
        .expect("the emulator starts")
}

fn get(path: &str) -> String {
    http_event(
        Trigger::ApiGatewayHttp,
        &Method::GET,
        &path.parse().expect("a valid path"),
        &HeaderMap::new(),
        b"",
        "198.51.100.7",
    )
    .expect("a trigger of the platform")
    .to_string()
}

#[tokio::test]
async fn an_event_handler_panic_is_reported_and_the_next_event_is_served() {
    let lambda = start(LambdaFunction::new(env!("CARGO_BIN_EXE_probe-event"))).await;
    let first = lambda.invoke(r#"{"action":"panic"}"#).await.unwrap();
    let error = first.result.unwrap_err();
    assert_eq!(error.error_type, "Panic");
    assert_eq!(
        error.error_message,
        "handler panicked: the probe panicked on purpose"
    );
    let second = lambda
        .invoke(r#"{"action":"echo","value":1}"#)
        .await
        .unwrap();
    assert!(!second.cold_start, "the instance survived");
    let echoed: serde_json::Value = serde_json::from_slice(&second.result.unwrap()).unwrap();
    assert_eq!(echoed, serde_json::json!({"echo": 1, "platform": "aws"}));
}

#[tokio::test]
async fn handler_errors_keep_their_kind_and_decode_errors_name_the_field() {
    let lambda = start(LambdaFunction::new(env!("CARGO_BIN_EXE_probe-event"))).await;
    let error = lambda
        .invoke(r#"{"action":"fail","message":"quota exceeded"}"#)
        .await
        .unwrap()
        .result
        .unwrap_err();
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        ("HandlerError", "quota exceeded")
    );
    let error = lambda
        .invoke(fc_tests::WRONG_TYPE.0)
        .await
        .unwrap()
        .result
        .unwrap_err();
    fc_tests::assert_wrong_type(&error);
}

#[tokio::test]
async fn http_handler_failures_are_500s_with_the_request_id() {
    let lambda = start(LambdaFunction::new(env!("CARGO_BIN_EXE_probe-http"))).await;
    for path in ["/panic", "/error"] {
        let invocation = lambda.invoke(get(path)).await.unwrap();
        let response = http_response(Trigger::ApiGatewayHttp, &invocation.result.unwrap()).unwrap();
        assert_eq!(response.status(), 500, "{path}");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["requestId"], invocation.request_id.as_str());
        assert!(!String::from_utf8_lossy(response.body()).contains("hunter2"));
    }
    let invocation = lambda.invoke(get("/hello")).await.unwrap();
    assert!(!invocation.cold_start);
    let response = http_response(Trigger::ApiGatewayHttp, &invocation.result.unwrap()).unwrap();
    assert_eq!(response.body().as_ref(), b"hello");
}

#[tokio::test]
async fn the_context_comes_from_the_invocation_and_secrets_stay_hidden() {
    let function = LambdaFunction::new(env!("CARGO_BIN_EXE_probe-http"))
        .timeout(Duration::from_secs(5))
        .env("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEKEY")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-SECRET")
        .env("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLE-TOKEN");
    let lambda = start(function).await;
    let invocation = lambda.invoke(get("/context")).await.unwrap();
    let response = http_response(Trigger::ApiGatewayHttp, &invocation.result.unwrap()).unwrap();
    let ctx: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(ctx["platform"], "aws");
    assert_eq!(ctx["requestId"], invocation.request_id.as_str());
    assert_eq!(ctx["functionName"], "probe-http");
    assert_eq!(ctx["region"], "us-east-1");
    assert_eq!(ctx["accountId"], "123456789012");
    assert_eq!(ctx["accessKeyId"], "ASIAEXAMPLEKEY");
    let remaining = ctx["remainingMs"].as_u64().unwrap();
    assert!(remaining > 3000 && remaining <= 5000, "{remaining}");
    let debug = ctx["debug"].as_str().unwrap();
    assert!(debug.contains("ASIAEXAMPLEKEY"));
    assert!(
        !debug.contains("SECRET") && !debug.contains("EXAMPLE-TOKEN"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_timeout_fails_the_invocation_and_a_new_instance_serves_the_next() {
    let function =
        LambdaFunction::new(env!("CARGO_BIN_EXE_probe-event")).timeout(Duration::from_millis(500));
    let lambda = start(function).await;
    let invocation = lambda
        .invoke(r#"{"action":"sleep","ms":10000}"#)
        .await
        .unwrap();
    let error = invocation.result.unwrap_err();
    assert_eq!(error.error_type, "Sandbox.Timedout");
    assert_eq!(
        error.error_message,
        format!(
            "RequestId: {} Error: Task timed out after 0.50 seconds",
            invocation.request_id
        )
    );
    let next = lambda
        .invoke(r#"{"action":"echo","value":"again"}"#)
        .await
        .unwrap();
    assert!(next.cold_start, "the timed-out instance was replaced");
    assert!(next.result.is_ok());
}

#[tokio::test]
async fn init_runs_once_and_a_failed_init_is_reported_as_an_init_error() {
    let lambda = start(LambdaFunction::new(env!("CARGO_BIN_EXE_probe-init"))).await;
    for _ in 0..2 {
        let payload = lambda.invoke(get("/")).await.unwrap().result.unwrap();
        let response = http_response(Trigger::ApiGatewayHttp, &payload).unwrap();
        assert_eq!(response.body().as_ref(), b"pool surveys");
    }
    let function = LambdaFunction::new(env!("CARGO_BIN_EXE_probe-init"))
        .env("PROBE_INIT_FAIL", "database unreachable");
    let lambda = start(function).await;
    let error = lambda.invoke(get("/")).await.unwrap().result.unwrap_err();
    assert_eq!(error.error_type, "InitError");
    assert_eq!(
        error.error_message,
        "cannot open the pool: database unreachable"
    );
    assert_eq!(lambda.init_error(), Some(error));
}

#[tokio::test]
async fn oversize_payloads_are_refused_before_the_function_sees_them() {
    let lambda = start(LambdaFunction::new(env!("CARGO_BIN_EXE_probe-event"))).await;
    let big = format!(
        r#"{{"action":"echo","value":"{}"}}"#,
        "x".repeat(fc_local_cli::lambda::PAYLOAD_LIMIT)
    );
    let error = lambda.invoke(big).await.unwrap().result.unwrap_err();
    assert_eq!(error.error_type, "RequestEntityTooLargeException");
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let function = LambdaFunction::new(env!("CARGO_BIN_EXE_probe-http"))
        .env("AWS_ACCESS_KEY_ID", "ASIALOGCHECK")
        .env("AWS_SECRET_ACCESS_KEY", "lambda-secret-KEY-value")
        .env("AWS_SESSION_TOKEN", "lambda-session-TOKEN-value")
        .output(Output::Capture);
    let lambda = LambdaEmulator::start(function)
        .await
        .expect("the emulator starts");
    for path in ["/log-context", "/error", "/panic", "/context"] {
        lambda.invoke(get(path)).await.unwrap();
    }
    let error = lambda
        .invoke("{\"not\": \"http\"}")
        .await
        .unwrap()
        .result
        .unwrap_err();
    assert_eq!(error.error_type, "InvalidEvent");
    let output = lambda.output();
    assert!(
        output.contains("ASIALOGCHECK"),
        "the context was logged: {output}"
    );
    assert!(output.contains("handler failed"), "{output}");
    assert!(!output.contains("lambda-secret-KEY-value"), "{output}");
    assert!(!output.contains("lambda-session-TOKEN-value"), "{output}");
}

/// A handler's error is logged once, with its detail and the request id — lambda_runtime's own
/// second report of it is left out — and JSON lines come with `AWS_LAMBDA_LOG_FORMAT=JSON`.
#[tokio::test]
async fn an_error_is_logged_once_and_json_logs_on_request() {
    for json in [false, true] {
        let mut function = LambdaFunction::new(env!("CARGO_BIN_EXE_probe-event"));
        if json {
            function = function.env("AWS_LAMBDA_LOG_FORMAT", "JSON");
        }
        let lambda = LambdaEmulator::start(function.output(Output::Capture))
            .await
            .unwrap();
        let invocation = lambda
            .invoke(r#"{"action":"fail","message":"quota exceeded"}"#)
            .await
            .unwrap();
        assert!(invocation.result.is_err());
        lambda.recycle().await;
        let output = lambda.output();
        let lines: Vec<&str> = output
            .lines()
            .filter(|line| line.contains("quota exceeded"))
            .collect();
        assert_eq!(lines.len(), 1, "logged {} times:\n{output}", lines.len());
        assert!(lines[0].contains(&invocation.request_id), "{}", lines[0]);
        if json {
            let line: serde_json::Value = serde_json::from_str(lines[0].trim())
                .unwrap_or_else(|err| panic!("not a JSON line ({err}): {}", lines[0]));
            assert_eq!(line["level"], "ERROR", "{line}");
        }
    }
}
