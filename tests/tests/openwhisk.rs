//! fc's functions as Apache OpenWhisk runs an action: a Docker action's server (`POST /init`
//! once, then `POST /run` per activation, the log sentinel after each), and a native action's
//! one-shot run (the parameters in the first argument, the result on stdout's last line);
//! web actions, alarms and bad input.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use fc_tests::{Server, run};
use serde_json::{Value, json};

const HELLO: &str = env!("CARGO_BIN_EXE_hello");
const OBJECT: &str = env!("CARGO_BIN_EXE_object");
const SCHEDULE: &str = env!("CARGO_BIN_EXE_probe-schedule");

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
    assert_eq!(status, 502);
    assert!(
        answer["error"].as_str().unwrap().contains("--web true"),
        "{answer}"
    );
    let (status, _) = post(&hello, "/run", &b"not json"[..]);
    assert_eq!(status, 502);
    let web = json!({"__ow_method": "get", "__ow_path": "/hello", "__ow_headers": {}});
    assert_eq!(post(&hello, "/run", &activation(web)).0, 200);
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
    assert_eq!(status, 502);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("no source of ObjectEvent events"),
        "{answer}"
    );
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
