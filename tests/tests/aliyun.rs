//! Function binaries as FC custom runtimes under the invoker emulator: errors reported as FC
//! expects, concurrency with a context per request, secrets kept out of requests and logs,
//! init and stop.

use bytes::Bytes;
use fc_local_cli::EmulatorError;
use fc_local_cli::aliyun::{FcEmulator, FcFunction, Output};
use http::Request;

async fn start(function: FcFunction) -> FcEmulator {
    FcEmulator::start(function)
        .await
        .expect("the function starts")
}

fn get(path: &str) -> Request<Bytes> {
    Request::builder()
        .uri(path)
        .body(Bytes::new())
        .expect("a valid request")
}

#[tokio::test]
async fn a_failing_event_handler_answers_x_fc_status_404_and_the_instance_keeps_serving() {
    let fc =
        start(FcFunction::new(env!("CARGO_BIN_EXE_probe-event")).output(Output::Discard)).await;
    let error = fc
        .invoke(r#"{"action":"fail","message":"quota exceeded"}"#)
        .await
        .unwrap()
        .result
        .unwrap_err();
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        ("HandlerError", "quota exceeded")
    );
    let error = fc
        .invoke(r#"{"action":"panic"}"#)
        .await
        .unwrap()
        .result
        .unwrap_err();
    assert_eq!(error.error_type, "Panic");
    let error = fc
        .invoke(fc_tests::WRONG_TYPE.0)
        .await
        .unwrap()
        .result
        .unwrap_err();
    fc_tests::assert_wrong_type(&error);
    let ok = fc
        .invoke(r#"{"action":"echo","value":"still here"}"#)
        .await
        .unwrap();
    let echoed: serde_json::Value = serde_json::from_slice(&ok.result.unwrap()).unwrap();
    assert_eq!(
        echoed,
        serde_json::json!({"echo": "still here", "platform": "aliyun"})
    );
}

#[tokio::test]
async fn twenty_concurrent_requests_each_see_their_own_request_id() {
    let fc = std::sync::Arc::new(
        start(FcFunction::new(env!("CARGO_BIN_EXE_probe-http")).output(Output::Discard)).await,
    );
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let fc = std::sync::Arc::clone(&fc);
            tokio::spawn(async move { fc.http(get("/barrier?n=20"), None).await.unwrap() })
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    for call in calls {
        let (_, response) = call.await.unwrap();
        assert_eq!(
            response.body().as_ref(),
            b"all arrived",
            "all 20 were in the handler at once"
        );
    }
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let fc = std::sync::Arc::clone(&fc);
            tokio::spawn(async move { fc.http(get("/context"), None).await.unwrap() })
        })
        .collect();
    for call in calls {
        let (request_id, response) = call.await.unwrap();
        let ctx: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(ctx["requestId"], request_id.as_str());
        assert_eq!(ctx["platform"], "aliyun");
        assert!(seen.insert(request_id));
    }
    assert_eq!(seen.len(), 20);
}

#[tokio::test]
async fn credentials_headers_never_reach_the_request_or_the_logs() {
    let function = FcFunction::new(env!("CARGO_BIN_EXE_probe-http"))
        .credentials(
            "STS.EXAMPLEKEYID",
            "fc-secret-KEY-value",
            "fc-security-TOKEN-value",
        )
        .output(Output::Capture);
    let fc = start(function).await;
    let (_, response) = fc.http(get("/echo-headers"), None).await.unwrap();
    let seen: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    let names: Vec<&str> = seen
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        names.iter().all(|name| !name.starts_with("x-fc-")),
        "{names:?}"
    );
    let (_, response) = fc.http(get("/context"), None).await.unwrap();
    let ctx: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(ctx["accessKeyId"], "STS.EXAMPLEKEYID");
    let (_, response) = fc.http(get("/error"), None).await.unwrap();
    assert_eq!(response.status(), 500);
    fc.http(get("/log-context"), None).await.unwrap();
    let output = fc.output();
    assert!(output.contains("FC Invoke Start RequestId:"), "{output}");
    assert!(
        output.contains("handler failed"),
        "the error was logged: {output}"
    );
    assert!(
        output.contains("STS.EXAMPLEKEYID"),
        "the context was logged: {output}"
    );
    assert!(!output.contains("fc-secret-KEY-value"), "{output}");
    assert!(!output.contains("fc-security-TOKEN-value"), "{output}");
}

#[tokio::test]
async fn an_event_function_refuses_http_requests_clearly() {
    let fc =
        start(FcFunction::new(env!("CARGO_BIN_EXE_probe-event")).output(Output::Discard)).await;
    let (_, response) = fc.http(get("/anything"), None).await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["x-fc-status"], "404");
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("this function takes JSON event events"),
        "{body}"
    );
}

#[tokio::test]
async fn init_runs_at_initialize_and_a_failure_fails_the_invocation_without_calling_the_instance() {
    let fc = start(FcFunction::new(env!("CARGO_BIN_EXE_probe-init")).output(Output::Discard)).await;
    assert!(fc.init_result().is_ok());
    let (_, response) = fc.http(get("/"), None).await.unwrap();
    assert_eq!(response.body().as_ref(), b"pool surveys");

    let function = FcFunction::new(env!("CARGO_BIN_EXE_probe-init"))
        .env("PROBE_INIT_FAIL", "database unreachable")
        .output(Output::Capture);
    let fc = start(function).await;
    let error = fc.init_result().unwrap_err();
    assert_eq!(error.error_type, "InitializationError");
    assert!(
        error
            .error_message
            .ends_with("cannot open the pool: database unreachable"),
        "{error}"
    );
    assert!(!fc.init_failure_reported());
    match fc.http(get("/"), None).await {
        Err(EmulatorError::InitializationFailed(err)) => assert_eq!(err, error),
        other => panic!("expected the initializer's failure, got {other:?}"),
    }
    let invocation = fc.invoke("{}").await.unwrap();
    assert_eq!(invocation.result, Err(error));
    // FC starts a new instance for the next invocation.
    assert!(fc.init_failure_reported());
    let output = fc.output();
    assert!(
        output.contains("FC Initialize Start RequestId:")
            && output.contains("FC Initialize End RequestId:"),
        "{output}"
    );
}

/// FC 2.0's `/pre-freeze` is answered, between its markers, and the instance goes on serving.
#[tokio::test]
async fn pre_freeze_is_answered_and_the_instance_goes_on() {
    let fc = start(FcFunction::new(env!("CARGO_BIN_EXE_probe-init")).output(Output::Capture)).await;
    assert_eq!(fc.pre_freeze().await.unwrap(), 200);
    let (_, response) = fc.http(get("/"), None).await.unwrap();
    assert_eq!(response.body().as_ref(), b"pool surveys");
    let output = fc.output();
    assert!(
        output.contains("FC PreFreeze Start RequestId:")
            && output.contains("FC PreFreeze End RequestId:"),
        "{output}"
    );
}

#[tokio::test]
async fn pre_stop_lets_invocations_finish_then_the_process_exits() {
    let fc = start(FcFunction::new(env!("CARGO_BIN_EXE_probe-http")).output(Output::Capture)).await;
    let fc = std::sync::Arc::new(fc);
    let slow = {
        let fc = std::sync::Arc::clone(&fc);
        tokio::spawn(async move { fc.http(get("/sleep?ms=500"), None).await.unwrap() })
    };
    while !fc.output().contains("probe sleeping") {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let stopper = std::sync::Arc::clone(&fc);
    let (_, response) = slow.await.unwrap();
    assert_eq!(response.body().as_ref(), b"slept");
    drop(stopper);
    let fc = std::sync::Arc::into_inner(fc).expect("one owner left");
    let status = fc.stop().await.unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn oversize_http_bodies_are_refused_with_413() {
    let fc = start(FcFunction::new(env!("CARGO_BIN_EXE_probe-http")).output(Output::Discard)).await;
    let big = Request::builder()
        .method("POST")
        .uri("/echo")
        .body(Bytes::from(vec![b'x'; fc_aliyun_limit() + 1]))
        .unwrap();
    let (_, response) = fc.http(big, None).await.unwrap();
    assert_eq!(response.status(), 413);
}

fn fc_aliyun_limit() -> usize {
    32 * 1024 * 1024
}

/// FC groups an invocation's log by its markers: a handler's lines come between its
/// `FC Invoke Start` and `FC Invoke End`, in the invocation's span, which names its request.
#[tokio::test]
async fn a_handlers_log_lines_come_between_its_invocation_markers() {
    let logged = logged_between_markers(&[]).await;
    assert!(
        logged.1.contains(&format!("requestId={}", logged.0)),
        "the line is not in the invocation's span: {}",
        logged.1
    );
}

/// With `FC_LOG_FORMAT=json` the lines are JSON, between the same plain markers.
#[tokio::test]
async fn json_log_lines_come_between_the_invocation_markers_too() {
    let (request_id, logged) = logged_between_markers(&[("FC_LOG_FORMAT", "json")]).await;
    let line: serde_json::Value = serde_json::from_str(&logged)
        .unwrap_or_else(|err| panic!("not a JSON line ({err}): {logged}"));
    assert_eq!(line["message"], "probe sleeping", "{logged}");
    assert_eq!(line["span"]["requestId"], request_id.as_str(), "{logged}");
    assert_eq!(line["level"], "INFO", "{logged}");
}

/// The request id of one invocation of probe-http and the line its handler logged, checked to
/// stand between the invocation's markers.
async fn logged_between_markers(env: &[(&str, &str)]) -> (String, String) {
    let mut function = FcFunction::new(env!("CARGO_BIN_EXE_probe-http")).output(Output::Capture);
    for (name, value) in env {
        function = function.env(*name, *value);
    }
    let fc = start(function).await;
    let (request_id, response) = fc
        .http(get("/sleep?ms=1"), None)
        .await
        .expect("probe-http answers");
    assert_eq!(response.status(), 200);
    let end = format!("FC Invoke End RequestId: {request_id}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !fc.output().contains(&end) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let output = fc.output();
    let line = |text: &str| {
        output
            .lines()
            .position(|line| line.contains(text))
            .unwrap_or_else(|| panic!("no line with {text:?} in:\n{output}"))
    };
    let start_at = line(&format!("FC Invoke Start RequestId: {request_id}"));
    let logged_at = line("probe sleeping");
    let end_at = line(&end);
    assert!(start_at < logged_at && logged_at < end_at, "{output}");
    let logged = output.lines().nth(logged_at).unwrap_or_default().to_owned();
    (request_id, logged)
}

/// Behind FC's HTTP trigger, passed through or as an event, an instance whose initializer failed
/// gets FC's answer — 502 with `X-Fc-Error-Type: InitializationError` — and the next request
/// a new instance, which runs the initializer again.
#[test]
fn a_failed_initializer_is_answered_as_fc_does_and_the_next_request_gets_a_new_instance() {
    for trigger in ["http", "http-event"] {
        let server = fc_tests::start_behind_gateway(
            env!("CARGO_BIN_EXE_fc-local"),
            "aliyun",
            &[
                "--trigger",
                trigger,
                "--env",
                "PROBE_INIT_FAIL=database unreachable",
            ],
            env!("CARGO_BIN_EXE_probe-init"),
        );
        for _ in 0..2 {
            let reply = server.get("/");
            assert_eq!(reply.status, 502, "{trigger}: {}", reply.text());
            assert_eq!(
                reply.header("x-fc-error-type"),
                Some("InitializationError"),
                "{trigger}"
            );
            let body = reply.json();
            assert_eq!(body["errorType"], "InitializationError");
            assert!(
                body["errorMessage"]
                    .as_str()
                    .is_some_and(|m| m.ends_with("cannot open the pool: database unreachable")),
                "{trigger}: {body}"
            );
        }
        assert!(
            server.logged("the instance failed to initialise; starting a new one"),
            "{trigger}: {}",
            server.stderr()
        );
    }
}
