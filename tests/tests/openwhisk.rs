//! fc's functions as Apache OpenWhisk runs an action: a Docker action's server (`POST /init`
//! once, then `POST /run` per activation, the log sentinel after each), and a native action's
//! one-shot run (the parameters in the first argument, the result on stdout's last line);
//! web actions, alarms and bad input; and the same under `fc-local --platform openwhisk`, and
//! its packages.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use fc_tests::{Package, Server, run, start_behind_gateway};
use serde_json::{Value, json};

const HELLO: &str = env!("CARGO_BIN_EXE_hello");
const OBJECT: &str = env!("CARGO_BIN_EXE_object");
const SCHEDULE: &str = env!("CARGO_BIN_EXE_probe-schedule");
const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");
const PROBE: &str = env!("CARGO_BIN_EXE_probe-http");

const SENTINEL: &str = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

/// `binary` as OpenWhisk starts a Docker action's container.
fn start(binary: &str) -> Server {
    Server::start(
        binary,
        &[
            ("__OW_API_HOST", "https://openwhisk.example"),
            ("FC_LISTEN_HOST", "127.0.0.1"),
        ],
    )
}

fn activation(value: Value) -> Vec<u8> {
    json!({
        "value": value,
        "activation_id": "a1b2c3",
        "action_name": "/guest/hello",
        "namespace": "guest",
        "deadline": "4102444800000",
        "transaction_id": "t-1",
    })
    .to_string()
    .into_bytes()
}

fn post(server: &Server, path: &str, body: &[u8]) -> (u16, Value) {
    let reply = server.request("POST", path, &[("content-type", "application/json")], body);
    (reply.status, reply.json())
}

#[test]
fn a_docker_action_inits_once_and_answers_web_requests() {
    let hello = start(HELLO);
    let web = json!({
        "__ow_method": "get", "__ow_path": "/hello", "__ow_query": "name=ow",
        "__ow_headers": {"accept": "text/plain"},
    });
    // OpenWhisk always initialises first; a run before that says why it cannot run.
    let (status, answer) = post(&hello, "/run", &activation(web.clone()));
    assert_eq!(status, 502);
    assert!(
        answer["error"].as_str().unwrap().contains("POST /init"),
        "{answer}"
    );
    let init = json!({"value": {"name": "hello", "main": "main", "code": "", "binary": false}});
    let (status, answer) = post(&hello, "/init", init.to_string().as_bytes());
    assert_eq!((status, answer), (200, json!({"ok": true})));
    let (status, answer) = post(&hello, "/init", init.to_string().as_bytes());
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = post(&hello, "/run", &activation(web));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["statusCode"], 200);
    assert_eq!(answer["body"], "hello, ow!\n");
    assert!(
        hello.logged(SENTINEL),
        "the activation's log ends with the sentinel"
    );
    // Parameters that are no web request: an application error, and the action serves on.
    let (status, answer) = post(&hello, "/run", &activation(json!({"name": "x"})));
    assert_eq!(status, 200);
    assert!(
        answer["error"].as_str().unwrap().contains("--web raw"),
        "{answer}"
    );
    let (status, _) = post(&hello, "/run", &b"not json"[..]);
    assert_eq!(status, 502);
    let web =
        json!({"__ow_method": "get", "__ow_path": "/hello", "__ow_query": "", "__ow_headers": {}});
    assert_eq!(post(&hello, "/run", &activation(web)).0, 200);
    // A web action made without `raw`: its query became parameters; the answer says how to
    // make it.
    let merged =
        json!({"__ow_method": "get", "__ow_path": "/hello", "__ow_headers": {}, "name": "x"});
    let (status, answer) = post(&hello, "/run", &activation(merged));
    assert_eq!(status, 200);
    assert!(
        answer["error"].as_str().unwrap().contains("not raw"),
        "{answer}"
    );
}

#[test]
fn alarms_are_schedules_and_events_without_a_source_say_so() {
    let schedule = start(SCHEDULE);
    assert_eq!(post(&schedule, "/init", br#"{"value":{}}"#).0, 200);
    let (status, answer) = post(&schedule, "/run", &activation(json!({"name": "nightly"})));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["name"], "nightly");
    assert_eq!(answer["payload"], r#"{"name":"nightly"}"#);
    let object = start(OBJECT);
    assert_eq!(post(&object, "/init", br#"{"value":{}}"#).0, 200);
    let (status, answer) = post(&object, "/run", &activation(json!({"bucket": "b"})));
    assert_eq!(status, 200);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("expected an S3-compatible bucket notification"),
        "{answer}"
    );
    // MinIO's notification, as a trigger fires it (its fields are the parameters).
    let minio: Value = serde_json::from_str(include_str!(
        "../../fc-openwhisk/tests/data/minio-notification.json"
    ))
    .unwrap();
    let (status, answer) = post(&object, "/run", &activation(minio));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["created"], json!(["anze/hello.jpg"]));
}

#[test]
fn a_native_action_runs_once_with_its_parameters() {
    let envs = [
        ("__OW_ACTIVATION_ID", "n-1"),
        ("__OW_ACTION_NAME", "/guest/hello"),
        ("__OW_DEADLINE", "4102444800000"),
    ];
    let params = json!({"__ow_method": "get", "__ow_path": "/hello", "__ow_query": "name=native", "__ow_headers": {}});
    let (status, out, err) = run(HELLO, &[&params.to_string()], &envs, b"");
    assert!(status.success(), "{err}");
    let last: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["body"], "hello, native!\n", "{out}");
    let (status, out, _) = run(SCHEDULE, &[r#"{"name":"hourly"}"#], &envs, b"");
    assert!(status.success());
    let last: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["name"], "hourly");
    // Parameters too long for an argument arrive on stdin alone.
    let (status, out, _) = run(SCHEDULE, &[], &envs, br#"{"name":"from-stdin"}"#);
    assert!(status.success());
    let last: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["name"], "from-stdin");
    // Bad parameters: the result line is the error, as the skeleton reports it.
    let (_, out, _) = run(HELLO, &[r#"{"name":"x"}"#], &envs, b"");
    let last: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert!(
        last["error"].as_str().unwrap().contains("web action"),
        "{out}"
    );
}

/// `fc-local event <kind> --platform openwhisk <extra>` piped into `fc-local invoke` of
/// `function` (a native action with `native`): whether it succeeded, stdout, stderr.
fn invoke_template(
    kind: &str,
    extra: &[&str],
    function: &str,
    native: bool,
) -> (bool, String, String) {
    let mut args = vec!["event", kind, "--platform", "openwhisk"];
    args.extend_from_slice(extra);
    let (status, event, err) = run(FC_LOCAL, &args, &[], b"");
    assert!(status.success(), "{err}");
    let mut args = vec!["invoke", "--platform", "openwhisk"];
    if native {
        args.push("--native");
    }
    args.extend_from_slice(&["--", function]);
    let (status, out, err) = run(FC_LOCAL, &args, &[], event.as_bytes());
    (status.success(), out, err)
}

#[test]
fn fc_local_runs_actions_as_openwhisk_does() {
    for form in [&[][..], &["--native"][..]] {
        let hello = start_behind_gateway(FC_LOCAL, "openwhisk", form, HELLO);
        let reply = hello.get("/api/v1/web/guest/default/hello/hello?name=ow");
        assert_eq!(reply.status, 200, "{form:?}: {}", hello.stderr());
        assert_eq!(reply.text(), "hello, ow!\n");
        assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            reply.header("x-openwhisk-activation-id").map(str::len),
            Some(32)
        );
        // `.json` answers the result object itself.
        let reply = hello.get("/api/v1/web/guest/default/hello.json/hello?name=ow");
        assert_eq!(reply.json()["body"], "hello, ow!\n", "{form:?}");
        // Any other path reaches the action too, as a route to it would.
        assert_eq!(hello.get("/hello?name=x").text(), "hello, x!\n");
        let reply = hello.get("/api/v1/web/guest/default/other/hello");
        assert_eq!(reply.status, 404);
        assert!(
            reply.json()["error"]
                .as_str()
                .unwrap()
                .contains("does not exist")
        );
        // The controller answers a preflight itself.
        let reply = hello.request("OPTIONS", "/hello", &[], b"");
        assert_eq!(reply.status, 200);
        assert!(reply.header("access-control-allow-methods").is_some());
        // The handler's own answers keep their status.
        assert_eq!(hello.request("POST", "/hello", &[], b"").status, 405);
        assert!(
            !hello.stderr().contains(SENTINEL),
            "the invoker consumes the sentinel"
        );
    }
    for native in [false, true] {
        let (ok, out, err) = invoke_template("alarm", &["--name", "nightly"], SCHEDULE, native);
        assert!(ok, "{err}");
        assert_eq!(
            serde_json::from_str::<Value>(&out).unwrap()["name"],
            "nightly"
        );
        let (ok, out, err) = invoke_template("http", &["--path", "/hello?name=tpl"], HELLO, native);
        assert!(ok, "{err}");
        let result: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (result["statusCode"].clone(), result["body"].clone()),
            (json!(200), json!("hello, tpl!\n"))
        );
        let put = ["--bucket", "photos", "--key", "cat 1.jpg", "--size", "7"];
        let (ok, out, err) = invoke_template("object-put", &put, OBJECT, native);
        assert!(ok, "{err}");
        let answer: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(answer["created"], json!(["photos/cat 1.jpg"]));
        assert_eq!(answer["bytes_added"], 7);
        // The wrong event for the function: an application error naming what was expected.
        let (ok, _, err) = invoke_template("alarm", &[], OBJECT, native);
        assert!(!ok);
        assert!(err.contains("application error"), "{err}");
        assert!(err.contains("S3-compatible bucket notification"), "{err}");
    }
    // MinIO posting its notification to the object function's web action: the result is no
    // HTTP answer, so the controller answers 204; anything else is the function's application
    // error, which the controller answers with 400.
    let object = start_behind_gateway(FC_LOCAL, "openwhisk", &[], OBJECT);
    let minio = include_str!("../../fc-openwhisk/tests/data/minio-notification.json");
    let headers = [("content-type", "application/json")];
    let reply = object.request(
        "POST",
        "/api/v1/web/guest/default/object",
        &headers,
        minio.as_bytes(),
    );
    assert_eq!(reply.status, 204, "{}", object.stderr());
    let reply = object.request("POST", "/api/v1/web/guest/default/object", &headers, b"{}");
    assert_eq!(reply.status, 400);
    assert!(object.logged("S3-compatible bucket notification"));
    let (status, _, err) = run(
        FC_LOCAL,
        &["invoke", "--platform", "openwhisk", "--", HELLO],
        &[],
        b"[1]",
    );
    assert!(!status.success());
    assert!(err.contains("JSON object"), "{err}");
    let (status, _, err) = run(
        FC_LOCAL,
        &[
            "event",
            "alarm",
            "--platform",
            "openwhisk",
            "--payload",
            "go",
        ],
        &[],
        b"",
    );
    assert!(!status.success());
    assert!(err.contains("--payload must be a JSON object"), "{err}");
}

#[test]
fn packages_are_native_actions_images_and_the_wsk_commands() {
    let packaging = Package::new(FC_LOCAL, HELLO, "openwhisk");
    let (out, out_text) = (&packaging.out, packaging.out_text());
    let package = |args: &[&str]| packaging.run(args);
    let (status, stdout, err) = package(&[
        "--trigger",
        "http",
        "--trigger",
        "alarm",
        "--env",
        "GREETING=it's me",
    ]);
    assert!(status.success(), "{err}");
    assert_eq!(stdout.trim(), out_text);
    let script = std::fs::read_to_string(out.join("deploy.sh")).unwrap();
    for line in [
        "wsk action update hello --native hello.zip --memory 128 --timeout 10000 --web raw",
        "--feed /whisk.system/alarms/alarm",
        "wsk rule update hello-alarm hello-alarm hello",
    ] {
        assert!(script.contains(line), "{line}: {script}");
    }
    let dockerfile = std::fs::read_to_string(out.join("hello/Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("ENV GREETING=\"it's me\""),
        "{dockerfile}"
    );
    // The native action as OpenWhisk's proxy unpacks it: `exec` sets the environment and runs
    // the binary beside it.
    let action = out.join("action");
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(out.join("hello.zip")).unwrap()).unwrap();
    zip.extract(&action).unwrap();
    let exec = std::fs::read_to_string(action.join("exec")).unwrap();
    assert!(exec.contains("export GREETING='it'\\''s me'"), "{exec}");
    let exec = action.join("exec");
    let hello = start_behind_gateway(FC_LOCAL, "openwhisk", &["--native"], exec.to_str().unwrap());
    assert_eq!(hello.get("/hello?name=zip").text(), "hello, zip!\n");
    drop(hello);
    let (status, _, err) = package(&["--trigger", "sqs"]);
    assert!(!status.success());
    assert!(err.contains("http (or web), alarm, objects"), "{err}");
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn web_bodies_failures_and_timeouts_are_what_openwhisk_makes_of_them() {
    for form in [&["--timeout", "1"][..], &["--timeout", "1", "--native"][..]] {
        let probe = start_behind_gateway(FC_LOCAL, "openwhisk", form, PROBE);
        // JSON and form bodies arrive as sent (JSON base64-encoded by the controller), binary
        // ones as bytes.
        let json = probe.request(
            "POST",
            "/echo?a=1",
            &[("content-type", "application/json")],
            br#"{"n":1}"#,
        );
        let echo = json.json();
        assert_eq!(
            (echo["text"].clone(), echo["query"].clone()),
            (json!(r#"{"n":1}"#), json!("a=1")),
            "{form:?}"
        );
        let form_body = probe.request(
            "POST",
            "/echo",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"a=1&b=2",
        );
        assert_eq!(form_body.json()["text"], "a=1&b=2");
        let png = probe.request(
            "PUT",
            "/echo",
            &[("content-type", "image/png")],
            &[0, 159, 146, 150],
        );
        assert_eq!(
            (png.json()["binary"].clone(), png.json()["length"].clone()),
            (json!(true), json!(4))
        );
        // A handler's failure is a 500 it answers itself, with nothing of the error's text.
        let failed = probe.get("/error");
        assert_eq!(failed.status, 500);
        assert!(!failed.text().contains("hunter2"));
        assert_eq!(probe.get("/panic").status, 500);
        // Past the time limit: the developer's error, which the controller answers with 400; a
        // Docker action's container is destroyed and the next activation gets a new one.
        let before = probe.get("/pid?ms=0").text();
        assert_eq!(probe.get("/sleep?ms=3000").status, 400, "{form:?}");
        assert!(
            probe.logged("exceeded its time limits"),
            "{}",
            probe.stderr()
        );
        let after = probe.get("/pid?ms=0").text();
        if form.contains(&"--native") {
            assert_ne!(before, after, "a native action is a process per activation");
        } else {
            assert_ne!(before, after, "a new container after the timeout");
            assert_eq!(
                after,
                probe.get("/pid?ms=0").text(),
                "a warm container is reused"
            );
        }
    }
}
