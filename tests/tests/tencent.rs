//! fc's functions on Tencent Cloud SCF, under `fc-local --platform tencent`: an event function
//! on the Custom Runtime API behind API Gateway and a function URL, the COS, timer, CKafka and
//! CMQ triggers' events, bad input and timeouts; and a web function, as SCF starts one and
//! under the emulator.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use fc_tests::{Package, Server, run, start_behind_gateway};
use serde_json::{Value, json};

const HELLO: &str = env!("CARGO_BIN_EXE_hello");
const OBJECT: &str = env!("CARGO_BIN_EXE_object");
const SCHEDULE: &str = env!("CARGO_BIN_EXE_probe-schedule");
const MESSAGES: &str = env!("CARGO_BIN_EXE_probe-messages");
const PROBE: &str = env!("CARGO_BIN_EXE_probe-http");
const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");

/// `fc-local event <kind> --platform tencent <extra>` piped into `fc-local invoke` of
/// `function`: whether it succeeded, stdout, stderr.
fn invoke_template(kind: &str, extra: &[&str], function: &str) -> (bool, String, String) {
    let mut args = vec!["event", kind, "--platform", "tencent"];
    args.extend_from_slice(extra);
    let (status, event, err) = run(FC_LOCAL, &args, &[], b"");
    assert!(status.success(), "{err}");
    let (status, out, err) = run(
        FC_LOCAL,
        &["invoke", "--platform", "tencent", "--", function],
        &[],
        event.as_bytes(),
    );
    (status.success(), out, err)
}

#[test]
fn http_functions_answer_behind_api_gateway_and_function_urls() {
    for trigger in ["apigw", "url", "web"] {
        let hello = start_behind_gateway(FC_LOCAL, "tencent", &["--trigger", trigger], HELLO);
        let reply = hello.get("/hello?name=scf");
        assert_eq!(reply.status, 200, "{trigger}: {}", hello.stderr());
        assert_eq!(reply.text(), "hello, scf!\n");
        assert_eq!(hello.get("/nope").status, 404);
        assert_eq!(hello.request("POST", "/hello", &[], b"").status, 405);
    }
    // The request as the handler sees it: JSON and binary bodies, the query.
    let probe = start_behind_gateway(FC_LOCAL, "tencent", &[], PROBE);
    let echo = probe
        .request(
            "POST",
            "/echo?a=1&a=2",
            &[("content-type", "application/json")],
            br#"{"n":1}"#,
        )
        .json();
    assert_eq!(echo["text"], r#"{"n":1}"#);
    assert_eq!(echo["query"], "a=1&a=2");
    let png = probe.request(
        "PUT",
        "/echo",
        &[("content-type", "image/png")],
        &[0, 159, 146, 150],
    );
    assert_eq!(png.json()["length"], 4);
    // A failure is the handler's own 500, with nothing of its text; a panic fails that
    // request only.
    let failed = probe.get("/error");
    assert_eq!(failed.status, 500);
    assert!(!failed.text().contains("hunter2"));
    assert_eq!(probe.get("/panic").status, 500);
    assert_eq!(probe.get("/hello").status, 200);
}

#[test]
fn a_timed_out_invocation_recycles_the_instance() {
    let probe = start_behind_gateway(FC_LOCAL, "tencent", &["--timeout", "1"], PROBE);
    let before = probe.get("/pid?ms=0").text();
    assert_eq!(probe.get("/sleep?ms=3000").status, 504);
    let after = probe.get("/pid?ms=0").text();
    assert_ne!(before, after, "a new instance after the timeout");
    assert_eq!(
        after,
        probe.get("/pid?ms=0").text(),
        "a warm instance is reused"
    );
}

#[test]
fn trigger_events_become_fc_events() {
    let (ok, out, err) = invoke_template(
        "cos-put",
        &[
            "--bucket",
            "photos-1250000000",
            "--key",
            "cat 1.jpg",
            "--size",
            "7",
        ],
        OBJECT,
    );
    assert!(ok, "{err}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["created"], json!(["photos-1250000000/cat 1.jpg"]));
    assert_eq!(answer["bytes_added"], 7);
    let (ok, out, err) = invoke_template("cos-delete", &["--key", "old.txt"], OBJECT);
    assert!(ok, "{err}");
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["removed"],
        json!(["example-bucket-1250000000/old.txt"])
    );
    let (ok, out, err) =
        invoke_template("timer", &["--name", "nightly", "--payload", "go"], SCHEDULE);
    assert!(ok, "{err}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (answer["name"].clone(), answer["payload"].clone()),
        (json!("nightly"), json!("go"))
    );
    let survey = r#"{"name":"Ada","satisfaction":5}"#;
    for kind in ["ckafka", "cmq"] {
        let (ok, _, err) = invoke_template(kind, &["--body", survey], MESSAGES);
        assert!(ok, "{kind}: {err}");
        // A message that is no survey fails the invocation, and fc-local says why.
        let (ok, _, err) = invoke_template(kind, &["--body", "{}"], MESSAGES);
        assert!(!ok, "{kind}");
        assert!(err.contains("Handler"), "{kind}: {err}");
    }
    // The wrong event for the function: an error naming what was expected.
    let (ok, _, err) = invoke_template("timer", &[], OBJECT);
    assert!(!ok);
    assert!(
        err.contains("InvalidEvent: invalid COS trigger event"),
        "{err}"
    );
}

#[test]
fn a_web_function_serves_on_its_port_with_scf_headers() {
    let hello = Server::start(
        HELLO,
        &[
            ("TENCENTCLOUD_RUNENV", "SCF"),
            ("FC_LISTEN_HOST", "127.0.0.1"),
        ],
    );
    let reply = hello.request(
        "GET",
        "/hello?name=web",
        &[("x-scf-request-id", "r-1"), ("x-scf-timeout", "3")],
        b"",
    );
    assert_eq!(reply.status, 200, "{}", hello.stderr());
    assert_eq!(reply.text(), "hello, web!\n");
    // An event function deployed as a web function says so.
    let object = Server::start(
        OBJECT,
        &[
            ("TENCENTCLOUD_RUNENV", "SCF"),
            ("FC_LISTEN_HOST", "127.0.0.1"),
        ],
    );
    let reply = object.request("POST", "/", &[], b"{}");
    assert_eq!(reply.status, 400);
    assert!(
        reply.text().contains("deploy it as an event function"),
        "{}",
        reply.text()
    );
}

#[test]
fn bad_events_get_clear_errors_and_the_instance_serves_on() {
    use fc_local_cli::Output;
    use fc_local_cli::tencent::{ScfEmulator, ScfFunction};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut function = ScfFunction::new(HELLO);
        function.output = Output::Discard;
        let scf = ScfEmulator::start(function).await.unwrap();
        let error = |bytes: &'static [u8]| {
            let scf = &scf;
            async move {
                scf.invoke(bytes::Bytes::from_static(bytes))
                    .await
                    .unwrap()
                    .result
                    .unwrap_err()
            }
        };
        let cases: [(&[u8], &str); 4] = [
            (b"{not json", "InvalidEvent"),
            (br#"{"path":"/hello"}"#, "missing field `httpMethod`"),
            (
                br#"{"httpMethod":"POST","path":"/hello","body":"%%","isBase64Encoded":true}"#,
                "not valid base64",
            ),
            (
                br#"{"httpMethod":"FETCH ME","path":"/hello"}"#,
                "is not an HTTP method",
            ),
        ];
        for (event, expected) in cases {
            let err = error(event).await;
            assert!(
                format!("{err}").contains(expected),
                "{}: {err}",
                String::from_utf8_lossy(event)
            );
        }
        let oversize = vec![b' '; 7 * 1024 * 1024];
        let err = scf
            .invoke(oversize.into())
            .await
            .unwrap()
            .result
            .unwrap_err();
        assert_eq!(err.error_type, "RequestTooLarge");
        // The same instance answers the next good event.
        let good = br#"{"httpMethod":"GET","path":"/hello","queryString":{"name":"again"}}"#;
        let answer = scf.invoke(bytes::Bytes::from_static(good)).await.unwrap();
        let answer: Value = serde_json::from_slice(&answer.result.unwrap()).unwrap();
        assert_eq!(answer["body"], "hello, again!\n");
        assert!(scf.is_alive().await);
    });
}

#[test]
fn packages_are_a_bootstrap_and_serverless_yml_per_function() {
    let packaging = Package::new(FC_LOCAL, HELLO, "tencent");
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
        "ap-shanghai",
    ]);
    assert!(status.success(), "{err}");
    assert_eq!(stdout.trim(), out_text);
    let yaml = std::fs::read_to_string(out.join("hello/serverless.yml")).unwrap();
    for line in [
        "component: scf",
        "runtime: CustomRuntime",
        "region: ap-shanghai",
        "isIntegratedResponse: true",
        "cronExpression: 0 0 * * * * *",
        "GREETING: hi",
    ] {
        assert!(yaml.contains(line), "{line}: {yaml}");
    }
    // The packaged bootstrap runs as SCF runs it.
    let bootstrap = out.join("hello/bootstrap");
    let hello = start_behind_gateway(FC_LOCAL, "tencent", &[], bootstrap.to_str().unwrap());
    assert_eq!(hello.get("/hello?name=zip").text(), "hello, zip!\n");
    drop(hello);
    let (status, _, err) = package(&["--trigger", "dynamodb"]);
    assert!(!status.success());
    assert!(err.contains("http (or apigw), cos, timer, ckafka"), "{err}");
    let _ = std::fs::remove_dir_all(out);
}
