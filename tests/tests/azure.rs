//! fc's functions as Azure Functions custom handlers, driven as the Functions host drives them:
//! the readiness probe, `POST /{FunctionName}` invocations with `{Data, Metadata}` for HTTP,
//! timer, blob and queue triggers, forwarded HTTP requests, and bad input; then under
//! `fc-local --platform azure`, with its event templates, and as `fc-local package` writes a
//! function app.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use fc_tests::{Package, Server, run, start_behind_gateway};
use serde_json::{Value, json};

const HELLO: &str = env!("CARGO_BIN_EXE_hello");
const OBJECT: &str = env!("CARGO_BIN_EXE_object");
const SCHEDULE: &str = env!("CARGO_BIN_EXE_probe-schedule");
const MESSAGES: &str = env!("CARGO_BIN_EXE_probe-messages");
const PROBE: &str = env!("CARGO_BIN_EXE_probe-http");
const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");

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
        b"{\"Data\": not json",
    );
    assert_eq!(reply.status, 400);
    assert_eq!(hello.get("/api/hello?name=again").text(), "hello, again!\n");
}

#[test]
fn the_apps_own_route_prefix_is_the_one_removed() {
    let handler_env = [
        ("FUNCTIONS_CUSTOMHANDLER_PORT", "0"),
        ("FUNCTIONS_WORKER_RUNTIME", "Custom"),
        ("FC_LISTEN_HOST", "127.0.0.1"),
    ];
    let forwarded = |server: &Server, path: &str| {
        let reply = server.request("GET", path, &[("x-azure-functions-invocationid", "f")], b"");
        (reply.status, reply.text())
    };
    // An app without a prefix (as `fc-local package` writes host.json): `/api/…` is a path of
    // the app's own, not the host's prefix.
    let app = std::env::temp_dir().join(format!("fc-azure-prefix-{}", std::process::id()));
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("host.json"),
        r#"{"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}"#,
    )
    .unwrap();
    let hello = Server::start_in(HELLO, &[], &handler_env, Some(&app));
    assert_eq!(
        forwarded(&hello, "/hello?name=root"),
        (200, "hello, root!\n".into())
    );
    assert_eq!(forwarded(&hello, "/api/hello?name=root").0, 404);
    // The app setting wins over host.json.
    let mut env = handler_env.to_vec();
    env.push((
        "AzureFunctionsJobHost__extensions__http__routePrefix",
        "shop",
    ));
    let hello = Server::start_in(HELLO, &[], &env, Some(&app));
    assert_eq!(
        forwarded(&hello, "/shop/hello?name=s"),
        (200, "hello, s!\n".into())
    );
    assert_eq!(forwarded(&hello, "/api/hello?name=s").0, 404);
    std::fs::remove_dir_all(&app).unwrap();
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

/// `fc-local event <kind> --platform azure <extra>` piped into `fc-local invoke` of
/// `function`: whether it succeeded, stdout, stderr.
fn invoke_template(kind: &str, extra: &[&str], function: &str) -> (bool, String, String) {
    let mut args = vec!["event", kind, "--platform", "azure"];
    args.extend_from_slice(extra);
    let (status, event, err) = run(FC_LOCAL, &args, &[], b"");
    assert!(status.success(), "{err}");
    let (status, out, err) = run(
        FC_LOCAL,
        &["invoke", "--platform", "azure", "--", function],
        &[],
        event.as_bytes(),
    );
    (status.success(), out, err)
}

#[test]
fn http_functions_answer_under_the_emulator_forwarded_and_as_invocations() {
    for trigger in ["http", "http-event"] {
        let hello = start_behind_gateway(FC_LOCAL, "azure", &["--trigger", trigger], HELLO);
        let reply = hello.get("/hello?name=az");
        assert_eq!(reply.status, 200, "{trigger}: {}", hello.stderr());
        assert_eq!(reply.text(), "hello, az!\n");
        assert_eq!(hello.get("/nope").status, 404, "{trigger}");
        // The host's own prefix, for an app deployed with it, reaches the same route.
        assert_eq!(hello.get("/api/hello?name=p").text(), "hello, p!\n");
        let probe = start_behind_gateway(FC_LOCAL, "azure", &["--trigger", trigger], PROBE);
        let echo = probe
            .request(
                "POST",
                "/echo?a=1",
                &[("content-type", "application/json")],
                br#"{"n":1}"#,
            )
            .json();
        assert_eq!(echo["text"], r#"{"n":1}"#, "{trigger}");
        assert_eq!(echo["query"], "a=1", "{trigger}");
        assert_eq!(echo["sourceIp"], "127.0.0.1", "{trigger}");
        let bytes = probe.request(
            "PUT",
            "/echo",
            &[("content-type", "application/octet-stream")],
            &[0, 159, 146, 150],
        );
        assert_eq!(bytes.json()["length"], 4, "{trigger}");
        // A failure tells the client nothing of its text; a panic fails that request only.
        let failed = probe.get("/error");
        assert_eq!(failed.status, 500, "{trigger}");
        assert!(!failed.text().contains("hunter2"), "{trigger}");
        assert_eq!(probe.get("/panic").status, 500, "{trigger}");
        assert_eq!(probe.get("/hello").status, 200, "{trigger}");
    }
    // The invocation a request makes, as a template.
    let (ok, out, err) = invoke_template(
        "http",
        &["--trigger", "http-event", "--path", "/hello?name=tpl"],
        HELLO,
    );
    assert!(ok, "{err}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["Outputs"]["res"]["body"], "hello, tpl!\n");
    let (status, _, err) = run(
        FC_LOCAL,
        &["event", "http", "--platform", "azure"],
        &[],
        b"",
    );
    assert!(!status.success());
    assert!(err.contains("--trigger http-event"), "{err}");
}

#[test]
fn trigger_templates_become_fc_events() {
    let (ok, out, err) = invoke_template("timer", &[], SCHEDULE);
    assert!(ok, "{err}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    // A timer's schedule is the function's name.
    assert_eq!(answer["ReturnValue"]["name"], "probe-schedule", "{out}");
    let (ok, out, err) = invoke_template(
        "blob",
        &[
            "--bucket",
            "photos",
            "--key",
            "cats/cat 1.jpg",
            "--size",
            "7",
        ],
        OBJECT,
    );
    assert!(ok, "{err}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        answer["ReturnValue"]["created"],
        json!(["photos/cats/cat 1.jpg"])
    );
    assert_eq!(answer["ReturnValue"]["bytes_added"], 7);
    let survey = r#"{"name":"Ada","satisfaction":5}"#;
    for kind in ["queue", "servicebus", "eventhub"] {
        let (ok, _, err) = invoke_template(kind, &["--body", survey], MESSAGES);
        assert!(ok, "{kind}: {err}");
        // A message that is no survey fails the invocation, and fc-local says why.
        let (ok, _, err) = invoke_template(kind, &["--body", "{}"], MESSAGES);
        assert!(!ok, "{kind}");
        assert!(err.contains("items of the batch failed"), "{kind}: {err}");
    }
    // The wrong event for the function: an error naming what was expected.
    let (ok, _, err) = invoke_template("timer", &[], OBJECT);
    assert!(!ok);
    assert!(err.contains("`Metadata.Uri` is missing"), "{err}");
}

#[test]
fn bad_invocations_get_clear_errors_and_the_handler_serves_on() {
    use fc_local_cli::Output;
    use fc_local_cli::azure::{AzureEmulator, AzureFunction};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut function = AzureFunction::new(HELLO);
        function.output = Output::Discard;
        let azure = AzureEmulator::start(function).await.unwrap();
        let cases: [(&[u8], &str); 5] = [
            (br#"{"Data": not json"#, "InvalidEvent"),
            (br#"{"Data":{}}"#, "no binding in `Data` is an HTTP request"),
            (
                br#"{"Data":{"req":{"Url":"http://h/hello","Method":"FETCH ME"}}}"#,
                "is not an HTTP method",
            ),
            (
                br#"{"Data":{"req":{"Url":"http://h/hello","Method":"POST","Headers":{"Content-Type":["application/octet-stream"]},"Body":"%%"}}}"#,
                "base64",
            ),
            (br#"{"Data":[1,2]}"#, "invalid invocation"),
        ];
        for (payload, expected) in cases {
            let invocation = azure.invoke(bytes::Bytes::from_static(payload)).await.unwrap();
            let err = invocation.result.unwrap_err();
            assert!(
                format!("{err}").contains(expected),
                "{}: {err}",
                String::from_utf8_lossy(payload)
            );
            assert!(!invocation.logs.is_empty(), "the reason is in Logs too");
        }
        // The same handler answers the next good invocation.
        let good = br#"{"Data":{"req":{"Url":"http://h/hello?name=again","Method":"GET"}}}"#;
        let answer = azure.invoke(bytes::Bytes::from_static(good)).await.unwrap();
        let answer: Value = serde_json::from_slice(&answer.result.unwrap()).unwrap();
        assert_eq!(answer["Outputs"]["res"]["body"], "hello, again!\n");
        assert!(azure.is_alive().await);
        // The host stops a handler by killing it.
        azure.stop().await.unwrap();
        assert!(!azure.is_alive().await);
    });
}

#[test]
fn packages_are_a_function_app_per_binary() {
    let packaging = Package::new(FC_LOCAL, HELLO, "azure");
    let (out, out_text) = (&packaging.out, packaging.out_text());
    let package = |args: &[&str]| packaging.run(args);
    let (status, stdout, err) = package(&[
        "--trigger",
        "http",
        "--trigger",
        "timer",
        "--env",
        "GREETING=hi",
        "--region",
        "northeurope",
    ]);
    assert!(status.success(), "{err}");
    assert_eq!(stdout.trim(), out_text);
    let app = out.join("hello");
    let read = |path: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(app.join(path)).unwrap()).unwrap()
    };
    let host = read("host.json");
    assert_eq!(host["version"], "2.0");
    assert_eq!(
        host["customHandler"]["description"]["defaultExecutablePath"],
        "hello"
    );
    assert_eq!(host["customHandler"]["enableForwardingHttpRequest"], true);
    assert_eq!(host["extensions"]["http"]["routePrefix"], "");
    let http = read("hello-http/function.json");
    assert_eq!(http["bindings"][0]["type"], "httpTrigger");
    assert_eq!(http["bindings"][0]["route"], "{*path}");
    assert_eq!(http["bindings"][1]["name"], "res");
    let timer = read("hello-timer/function.json");
    assert_eq!(timer["bindings"][0]["type"], "timerTrigger");
    assert_eq!(timer["bindings"][0]["schedule"], "0 0 * * * *");
    let settings = read("local.settings.json");
    assert_eq!(settings["Values"]["FUNCTIONS_WORKER_RUNTIME"], "custom");
    assert_eq!(settings["Values"]["GREETING"], "hi");
    let script = std::fs::read_to_string(out.join("deploy.sh")).unwrap();
    for line in [
        "--runtime custom --functions-version 4",
        "LOCATION=\"${LOCATION:-northeurope}\"",
        "'GREETING=hi'",
        "--src hello.zip",
    ] {
        assert!(script.contains(line), "{line}: {script}");
    }
    assert!(out.join("hello.zip").is_file());
    // The packaged handler runs as the host runs it.
    let handler = app.join("hello");
    let hello = start_behind_gateway(FC_LOCAL, "azure", &[], handler.to_str().unwrap());
    assert_eq!(hello.get("/hello?name=zip").text(), "hello, zip!\n");
    drop(hello);
    for (args, expected) in [
        (&["--trigger", "dynamodb"][..], "http, blob, timer, queue"),
        (&[][..], "needs a trigger"),
    ] {
        let (status, _, err) = package(args);
        assert!(!status.success());
        assert!(err.contains(expected), "{err}");
    }
    let _ = std::fs::remove_dir_all(out);
}
