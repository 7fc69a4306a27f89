//! Stopping an instance lets the invocations in flight finish, then runs the function's
//! shutdown hook, on every platform.

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report

use bytes::Bytes;
use fc::http::Trigger;
use fc_local_cli::aliyun::{FcEmulator, FcFunction};
use fc_local_cli::lambda::{LambdaEmulator, LambdaFunction, Output, http_event};
use fc_tests::Server;

const PROBE_INIT: &str = env!("CARGO_BIN_EXE_probe-init");

#[test]
fn ctrl_c_on_the_local_platform_runs_the_hook() {
    let mut server = Server::start(PROBE_INIT, &[]);
    assert_eq!(server.get("/").text(), "pool surveys");
    let status = server.interrupt();
    assert!(status.success(), "{status:?}");
    assert!(
        server.logged("shutdown hook finished"),
        "{}",
        server.stderr()
    );
}

#[tokio::test]
async fn fc_pre_stop_runs_the_hook_after_the_invocations() {
    let function = FcFunction::new(PROBE_INIT).output(Output::Capture);
    let fc = FcEmulator::start(function).await.unwrap();
    let (_, response) = fc
        .http(
            http::Request::builder()
                .uri("/")
                .body(Bytes::new())
                .unwrap(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(response.body().as_ref(), b"pool surveys");
    let output_before = fc.output();
    assert!(!output_before.contains("closed"));
    // stop() consumes the emulator; read the output through a second handle first.
    let status = fc.stop_and_output().await.unwrap();
    assert!(status.0.success(), "{:?}", status.0);
    let output = status.1;
    let stop_start = output
        .find("FC PreStop Start")
        .expect("the pre-stop marker");
    let closed = output.find("pool surveys closed").expect("the hook ran");
    let stop_end = output.find("FC PreStop End").expect("the end marker");
    assert!(stop_start < closed && closed < stop_end, "{output}");
}

#[tokio::test]
async fn lambda_sends_sigterm_and_the_hook_runs() {
    let function = LambdaFunction::new(PROBE_INIT).output(Output::Capture);
    let lambda = LambdaEmulator::start(function).await.unwrap();
    let event = http_event(
        Trigger::ApiGatewayHttp,
        &http::Method::GET,
        &"/".parse().unwrap(),
        &http::HeaderMap::new(),
        b"",
        "10.0.0.1",
    )
    .expect("a trigger of the platform");
    assert!(
        lambda
            .invoke(event.to_string())
            .await
            .unwrap()
            .result
            .is_ok()
    );
    let exited = lambda.shutdown().await;
    assert!(
        exited,
        "the function exited on SIGTERM within Lambda's window"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !lambda.output().contains("pool surveys closed") && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let output = lambda.output();
    assert!(output.contains("SIGTERM received"), "{output}");
    assert!(output.contains("pool surveys closed"), "{output}");
}
