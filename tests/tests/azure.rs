//! fc's functions as Azure Functions custom handlers, driven as the Functions host drives them:
//! the readiness probe, `POST /{FunctionName}` invocations with `{Data, Metadata}` for HTTP,
//! timer, blob and queue triggers, forwarded HTTP requests, and bad input.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use fc_tests::Server;
use serde_json::{Value, json};

const HELLO: &str = env!("CARGO_BIN_EXE_hello");
const OBJECT: &str = env!("CARGO_BIN_EXE_object");
const SCHEDULE: &str = env!("CARGO_BIN_EXE_probe-schedule");
const MESSAGES: &str = env!("CARGO_BIN_EXE_probe-messages");

/// `binary` as the host starts a custom handler.
fn start(binary: &str) -> Server {
    Server::start(
        binary,
        &[
            ("FUNCTIONS_CUSTOMHANDLER_PORT", "0"),
            ("FUNCTIONS_WORKER_RUNTIME", "Custom"),
            ("FC_LISTEN_HOST", "127.0.0.1"),
        ],
    )
}

/// One invocation of `function` with `data` and `metadata`, as the host posts it.
fn invoke(server: &Server, function: &str, data: Value, metadata: Value) -> (u16, Value) {
    let mut metadata = metadata;
    metadata["sys"] = json!({
        "MethodName": function,
        "UtcNow": "2026-12-03T03:00:00.0000000Z",
        "RandGuid": "35e6e68c-5583-436c-a277-5aec2b416ba8",
    });
    let body = json!({ "Data": data, "Metadata": metadata }).to_string();
    let reply = server.request(
        "POST",
        &format!("/{function}"),
        &[
            ("content-type", "application/json; charset=utf-8"),
            (
                "x-azure-functions-invocationid",
                "83a33220-a921-460a-bec0-b3f043dcf1ff",
            ),
        ],
        body.as_bytes(),
    );
    (reply.status, reply.json())
}

#[test]
fn http_functions_answer_invocations_and_forwarded_requests() {
    let hello = start(HELLO);
    // The host's readiness probe: any answer will do.
    assert_eq!(hello.get("/").status, 200);
    let req = json!({"req": {
        "Url": "http://localhost:7071/api/hello?name=az",
        "Method": "GET",
        "Query": {"name": "az"},
        "Headers": {"Accept": ["text/plain"]},
        "Params": {},
    }});
    let (status, answer) = invoke(&hello, "hello", req, json!({}));
    assert_eq!(status, 200, "{answer}");
    let res = &answer["Outputs"]["res"];
    assert_eq!(res["statusCode"], "200");
    assert_eq!(res["body"], "hello, az!\n");
    assert!(answer["ReturnValue"].is_null());
    // With enableForwardingHttpRequest the request itself arrives, at /api/<route>.
    let forwarded = hello.request(
        "GET",
        "/api/hello?name=fwd",
        &[("x-azure-functions-invocationid", "f-1")],
        b"",
    );
    assert_eq!(
        (forwarded.status, forwarded.text()),
        (200, "hello, fwd!\n".to_owned())
    );
    // An invocation that is no HTTP request: 400, the reason in Logs, and the handler serves on.
    let (status, answer) = invoke(
        &hello,
        "hello",
        json!({"timer": {"IsPastDue": false}}),
        json!({}),
    );
    assert_eq!(status, 400);
    assert!(
        answer["Logs"][0].as_str().unwrap().contains("httpTrigger"),
        "{answer}"
    );
    let reply = hello.request(
        "POST",
        "/hello",
        &[("x-azure-functions-invocationid", "bad")],
        b"{not json",
    );
    assert_eq!(reply.status, 400);
    assert_eq!(hello.get("/api/hello?name=again").text(), "hello, again!\n");
}

#[test]
fn timer_blob_and_queue_triggers_are_fc_events() {
    let schedule = start(SCHEDULE);
    let timer = json!({"timer": {"Schedule": {"AdjustForDST": true}, "ScheduleStatus": null, "IsPastDue": false}});
    let (status, answer) = invoke(&schedule, "nightly", timer, json!({}));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["ReturnValue"]["name"], "nightly");
    let object = start(OBJECT);
    let (status, answer) = invoke(
        &object,
        "object",
        json!({"myBlob": "aGVsbG8="}),
        json!({"Uri": "https://acct.blob.core.windows.net/photos/cat%201.jpg", "Properties": {"Length": 5}}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["ReturnValue"]["created"],
        json!(["photos/cat 1.jpg"])
    );
    assert_eq!(answer["ReturnValue"]["bytes_added"], 5);
    let messages = start(MESSAGES);
    // The host writes a string message as JSON text.
    let survey = json!({"name": "Ada", "satisfaction": 5}).to_string();
    let queue =
        json!({"DequeueCount": 1, "Id": "m-1", "InsertionTime": "2026-12-03T03:00:00+00:00"});
    let (status, answer) = invoke(
        &messages,
        "store",
        json!({"myQueueItem": Value::String(survey).to_string()}),
        queue.clone(),
    );
    assert_eq!(status, 200, "{answer}");
    // A message that is no survey fails the invocation, so the host delivers it again.
    let (status, answer) = invoke(&messages, "store", json!({"myQueueItem": "{}"}), queue);
    assert_eq!(status, 500, "{answer}");
    assert!(
        answer["Logs"][0]
            .as_str()
            .unwrap()
            .contains("items of the batch failed"),
        "{answer}"
    );
}
