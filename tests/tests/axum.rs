//! A plain axum app (examples/axum-app) served with `fc::run`: the same answers locally, under
//! every Lambda trigger and every FC trigger, with CORS, axum's own rejections, the context in
//! the extensions, and server-sent events that stream where the platform streams.

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report

use std::net::SocketAddr;

use fc::http::Trigger;
use fc_local_cli::lambda::{LambdaEmulator, LambdaFunction, Output, http_event};
use fc_tests::{Server, Streamed, request, start_behind_gateway};
use http::{HeaderMap, Method};

const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");
const APP: &str = env!("CARGO_BIN_EXE_axum-app");
const STREAMING_APP: &str = env!("CARGO_BIN_EXE_axum-app-streaming");
const PROBE_STREAM: &str = env!("CARGO_BIN_EXE_probe-stream");

fn start(platform: &str, trigger: &str) -> Server {
    start_app(platform, trigger, &[], APP)
}

fn start_app(platform: &str, trigger: &str, extra: &[&str], app: &str) -> Server {
    let mut args = vec!["--trigger", trigger];
    args.extend_from_slice(extra);
    start_behind_gateway(FC_LOCAL, platform, &args, app)
}

/// What every platform must answer the same way; `platform` is what `fc::Context` says.
fn answers_as_axum_serve_would(addr: SocketAddr, platform: &str, label: &str) {
    let reply = request(addr, "GET", "/items/7?verbose=true", &[], b"");
    assert_eq!(reply.status, 200, "{label}: {}", reply.text());
    assert_eq!(
        reply.json(),
        serde_json::json!({"id": 7, "name": "item 7", "detail": "item 7, in stock"}),
        "{label}"
    );
    assert_eq!(
        request(addr, "GET", "/items/x", &[], b"").status,
        400,
        "{label}: a bad path parameter"
    );
    assert_eq!(
        request(addr, "GET", "/nowhere", &[], b"").status,
        404,
        "{label}"
    );

    let json = [("content-type", "application/json")];
    let reply = request(
        addr,
        "POST",
        "/items",
        &json,
        br#"{"name":"pear","quantity":3}"#,
    );
    assert_eq!(reply.status, 201, "{label}: {}", reply.text());
    assert_eq!(
        reply.json(),
        serde_json::json!({"name": "pear", "quantity": 3}),
        "{label}"
    );
    // axum's own rejections, with its messages.
    let reply = request(addr, "POST", "/items", &json, br#"{"name": "#);
    assert_eq!(reply.status, 400, "{label}: {}", reply.text());
    assert!(
        reply
            .text()
            .starts_with("Failed to parse the request body as JSON"),
        "{label}: {}",
        reply.text()
    );
    let reply = request(addr, "POST", "/items", &json, br#"{"name":"pear"}"#);
    assert_eq!(reply.status, 422, "{label}: {}", reply.text());
    assert!(
        reply.text().contains("missing field `quantity`"),
        "{label}: {}",
        reply.text()
    );
    let reply = request(
        addr,
        "POST",
        "/items",
        &[],
        br#"{"name":"pear","quantity":3}"#,
    );
    assert_eq!(reply.status, 415, "{label}: {}", reply.text());

    let reply = request(addr, "GET", "/whoami", &[], b"");
    let who = reply.json();
    assert_eq!(who["platform"], platform, "{label}");
    assert_eq!(who["hasDeadline"], true, "{label}");
    assert!(
        who["requestId"].as_str().is_some_and(|id| !id.is_empty()),
        "{label}: {who}"
    );

    let origin = ("origin", "https://shop.example");
    let preflight = request(
        addr,
        "OPTIONS",
        "/items",
        &[origin, ("access-control-request-method", "POST")],
        b"",
    );
    assert_eq!(preflight.status, 200, "{label}");
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("*"),
        "{label}"
    );
    let methods = preflight
        .header("access-control-allow-methods")
        .unwrap_or_default();
    assert!(methods.contains("POST"), "{label}: {methods}");
    let reply = request(addr, "GET", "/items/1", &[origin], b"");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("*"),
        "{label}"
    );
}

/// Reads `/events` as a browser's EventSource would: the first event must arrive while the
/// handler is still running, because the handler ends only after this client, having read it,
/// asks for the release.
fn events_stream(addr: SocketAddr, label: &str) {
    let key = format!("k{}", std::process::id());
    let target = format!("/events?key={key}");
    let seen = first_then_rest(addr, &target, "data: tick 1", label, || {
        let release = request(addr, "POST", &format!("/release?key={key}"), &[], b"");
        assert_eq!(
            release.status, 204,
            "{label}: the handler was still waiting"
        );
    });
    assert!(
        seen.to_ascii_lowercase()
            .contains("content-type: text/event-stream"),
        "{label}: {seen}"
    );
    let (first, last) = (seen.find("data: tick 1"), seen.find("data: released"));
    assert!(
        matches!((first, last), (Some(a), Some(b)) if a < b),
        "{label}: {seen}"
    );
}

/// Sends `GET target`, reads until `first` has arrived, runs `then`, and reads the rest.
fn first_then_rest(
    addr: SocketAddr,
    target: &str,
    first: &str,
    label: &str,
    then: impl FnOnce(),
) -> String {
    let mut stream = Streamed::get(addr, target, label);
    let seen = stream.until(first);
    assert!(!seen.contains("released"), "{label}");
    then();
    stream.rest()
}

#[test]
fn serves_locally_with_streaming_events() {
    let server = Server::start(APP, &[]);
    answers_as_axum_serve_would(server.addr, "local", "local");
    events_stream(server.addr, "local");
}

#[test]
fn serves_behind_every_fc_trigger_and_streams_through_the_http_trigger() {
    for trigger in ["http", "apigw", "http-event"] {
        let server = start("aliyun", trigger);
        answers_as_axum_serve_would(server.addr, "aliyun", trigger);
        if trigger == "http" {
            events_stream(server.addr, "FC HTTP trigger");
        }
    }
}

#[test]
fn serves_behind_every_lambda_trigger() {
    for trigger in ["apigw-v2", "apigw-v1", "alb", "url"] {
        let server = start("aws", trigger);
        answers_as_axum_serve_would(server.addr, "aws", trigger);
    }
}

/// With `fc::run_with_streaming_response`, Lambda gets every response as a stream (prelude,
/// 8 NUL bytes, body), which a Function URL or REST API in `RESPONSE_STREAM` mode passes on as
/// it comes.
#[test]
fn streams_on_lambda_when_the_function_opts_in() {
    for trigger in ["url", "apigw-v1"] {
        let server = start_app("aws", trigger, &["--streaming"], STREAMING_APP);
        answers_as_axum_serve_would(server.addr, "aws", trigger);
        // Each Lambda invocation may run in another instance, so the release is a file.
        let file = std::env::temp_dir().join(format!("fc-stream-{}-{trigger}", std::process::id()));
        let _ = std::fs::remove_file(&file);
        let server = start_app("aws", trigger, &["--streaming"], PROBE_STREAM);
        let target = format!("/events?file={}", file.display());
        let seen = first_then_rest(server.addr, &target, "tick 1", trigger, || {
            std::fs::write(&file, b"").unwrap();
        });
        let (first, last) = (seen.find("tick 1"), seen.find("released"));
        assert!(
            matches!((first, last), (Some(a), Some(b)) if a < b),
            "{trigger}: {seen}"
        );
        let _ = std::fs::remove_file(&file);
    }
    // A buffered function behind a streaming URL is a mistake the gateway names.
    let server = start_app("aws", "url", &["--streaming"], APP);
    assert_eq!(server.get("/items/1").status, 502);
    assert!(
        server.logged("not a streamed HTTP response"),
        "{}",
        server.stderr()
    );
}

/// An HTTP API on a named stage puts the stage in `rawPath`; the Router sees its own routes.
#[tokio::test]
async fn an_http_api_stage_is_not_part_of_the_routed_path() {
    let lambda = LambdaEmulator::start(LambdaFunction::new(APP).output(Output::Discard))
        .await
        .unwrap();
    let uri = "/prod/items/5".parse().unwrap();
    let mut event = http_event(
        Trigger::ApiGatewayHttp,
        &Method::GET,
        &uri,
        &HeaderMap::new(),
        b"",
        "198.51.100.7",
    )
    .expect("a trigger of the platform");
    event["requestContext"]["stage"] = "prod".into();
    let invocation = lambda.invoke(event.to_string()).await.unwrap();
    let response: serde_json::Value = serde_json::from_slice(&invocation.result.unwrap()).unwrap();
    assert_eq!(response["statusCode"], 200, "{response}");
    let body: serde_json::Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, serde_json::json!({"id": 5, "name": "item 5"}));
    lambda.shutdown().await;
}
