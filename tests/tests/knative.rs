//! fc's functions as Knative Serving and Cloud Run start them — `$PORT`, `K_SERVICE`, and
//! `FUNCTION_TARGET` for a Cloud Run function — fed what Knative Eventing and Eventarc send:
//! CloudEvents in binary and structured mode (Google's own samples, and events the CloudEvents
//! SDK encodes), Cloud Scheduler's plain requests, and bad input.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use fc_tests::{Server, run, start_behind_gateway};
use serde_json::{Value, json};

const HELLO: &str = env!("CARGO_BIN_EXE_hello");
const OBJECT: &str = env!("CARGO_BIN_EXE_object");
const SCHEDULE: &str = env!("CARGO_BIN_EXE_probe-schedule");
const MESSAGES: &str = env!("CARGO_BIN_EXE_probe-messages");
const CLOUD: &str = env!("CARGO_BIN_EXE_probe-cloud");
const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");

/// GoogleCloudPlatform/functions-framework-conformance,
/// `events/generate/data/storage-cloudevent-output.json` (9abf1e42).
const STORAGE: &str = include_str!("../../fc-knative/tests/data/storage-cloudevent.json");
/// GoogleCloudPlatform/functions-framework-conformance,
/// `events/generate/data/pubsub_text-cloudevent-input.json` (42c4416b).
const PUBSUB: &str = include_str!("../../fc-knative/tests/data/pubsub-cloudevent.json");

const STRUCTURED: (&str, &str) = ("content-type", "application/cloudevents+json");

/// `binary` as Knative starts a Service's container, or (`gcp`) as Cloud Run starts a function.
fn start(binary: &str, gcp: bool) -> Server {
    let mut envs = vec![
        ("K_SERVICE", "survey"),
        ("K_REVISION", "survey-00001"),
        ("K_CONFIGURATION", "survey"),
        ("FC_LISTEN_HOST", "127.0.0.1"),
    ];
    if gcp {
        envs.push(("FUNCTION_TARGET", "survey"));
        envs.push(("FUNCTION_SIGNATURE_TYPE", "cloudevent"));
    }
    Server::start(binary, &envs)
}

/// A structured-mode event as binary mode sends it: the attributes as `ce-` headers.
fn binary(structured: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let event: Value = serde_json::from_str(structured).unwrap();
    let mut headers = vec![];
    for (name, value) in event.as_object().unwrap() {
        match (name.as_str(), value) {
            ("data", _) => {}
            ("datacontenttype", Value::String(t)) => {
                headers.push(("content-type".into(), t.clone()))
            }
            (_, Value::String(v)) => headers.push((format!("ce-{name}"), v.clone())),
            _ => {}
        }
    }
    (headers, event["data"].to_string().into_bytes())
}

fn post(server: &Server, headers: &[(String, String)], body: &[u8]) -> fc_tests::Reply {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    server.request("POST", "/", &headers, body)
}

#[test]
fn http_functions_serve_every_request_on_knative_and_cloud_run() {
    for gcp in [false, true] {
        let mut hello = start(HELLO, gcp);
        let reply = hello.get("/hello?name=knative");
        assert_eq!(reply.status, 200, "{}", hello.stderr());
        assert_eq!(reply.text(), "hello, knative!\n");
        // SIGTERM, as Knative and Cloud Run stop a container: a clean exit.
        assert!(hello.terminate().success());
    }
}

#[test]
fn storage_events_arrive_in_both_modes_and_bad_ones_are_refused() {
    let object = start(OBJECT, true);
    let structured = post(
        &object,
        &[(STRUCTURED.0.into(), STRUCTURED.1.into())],
        STORAGE.as_bytes(),
    );
    assert_eq!(structured.status, 200, "{}", structured.text());
    let (headers, body) = binary(STORAGE);
    let binary = post(&object, &headers, &body);
    assert_eq!(binary.status, 200, "{}", binary.text());
    for reply in [&structured, &binary] {
        assert_eq!(
            reply.json(),
            json!({
                "request_id": "aaaaaa-1111-bbbb-2222-cccccccccccc",
                "created": ["some-bucket/folder/Test.cs"],
                "removed": [],
                "bytes_added": 352,
            })
        );
    }
    // No CloudEvent at all, a missing attribute, data that is not the object's: 400, which
    // the platform does not retry, and the instance serves on.
    let plain = object.request("POST", "/", &[("content-type", "application/json")], b"{}");
    assert_eq!(plain.status, 400);
    assert_eq!(plain.json()["errorType"], "InvalidEvent");
    assert!(
        plain.text().contains("this request is none"),
        "{}",
        plain.text()
    );
    let no_source: Vec<_> = headers
        .iter()
        .filter(|(k, _)| k != "ce-source")
        .cloned()
        .collect();
    let reply = post(&object, &no_source, &body);
    assert_eq!(reply.status, 400);
    assert!(
        reply.text().contains("`ce-source` is missing"),
        "{}",
        reply.text()
    );
    let reply = post(&object, &headers, br#"{"bucket": 7}"#);
    assert_eq!(reply.status, 400);
    assert!(
        reply.text().contains("Cloud Storage event data"),
        "{}",
        reply.text()
    );
    assert_eq!(post(&object, &headers, &body).status, 200);
}

#[test]
fn pings_and_scheduler_jobs_are_schedules() {
    let schedule = start(SCHEDULE, false);
    let ping = json!({
        "specversion": "1.0", "id": "p-1", "type": "dev.knative.sources.ping",
        "source": "/apis/v1/namespaces/shop/pingsources/nightly",
        "time": "2026-12-03T03:00:00Z", "datacontenttype": "application/json",
        "data": {"message": "Hello world!"},
    });
    let (headers, body) = binary(&ping.to_string());
    let reply = post(&schedule, &headers, &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["name"], "nightly");
    assert_eq!(reply.json()["payload"], r#"{"message":"Hello world!"}"#);
    let job = schedule.request(
        "POST",
        "/",
        &[
            ("x-cloudscheduler", "true"),
            ("x-cloudscheduler-jobname", "nightly-report"),
            ("x-cloudscheduler-scheduletime", "2026-12-03T03:00:00Z"),
        ],
        b"go",
    );
    assert_eq!(reply.status, 200);
    assert_eq!(
        job.json(),
        json!({"name": "nightly-report", "payload": "go", "fired": "2026-12-03T03:00:00Z"})
    );
}

#[test]
fn pubsub_messages_and_broker_events_are_messages_and_failures_are_retried() {
    let messages = start(MESSAGES, true);
    let survey = json!({"name": "Ada", "satisfaction": 5}).to_string();
    let mut event: Value = serde_json::from_str(PUBSUB).unwrap();
    event["data"]["message"]["data"] = base64(&survey).into();
    let reply = post(
        &messages,
        &[(STRUCTURED.0.into(), STRUCTURED.1.into())],
        event.to_string().as_bytes(),
    );
    // 200: the handler named no failed message.
    assert_eq!(reply.status, 200, "{}", reply.text());
    // Google's sample message is no survey: the handler reports it, and the whole delivery
    // fails with a 500 so that Pub/Sub delivers it again.
    let reply = post(
        &messages,
        &[(STRUCTURED.0.into(), STRUCTURED.1.into())],
        PUBSUB.as_bytes(),
    );
    assert_eq!(reply.status, 500, "{}", reply.text());
    assert!(
        reply.text().contains("aaaaaa-1111-bbbb-2222-cccccccccccc"),
        "{}",
        reply.text()
    );
    let bad = PUBSUB.replace("dGVzdCBtZXNzYWdlIDM=", "%%%");
    let reply = post(
        &messages,
        &[(STRUCTURED.0.into(), STRUCTURED.1.into())],
        bad.as_bytes(),
    );
    assert_eq!(reply.status, 400);
    assert!(reply.text().contains("is not base64"), "{}", reply.text());
    // A broker's event of any other type is one message, its data the body.
    let order = json!({"specversion": "1.0", "id": "b-1", "source": "/shop", "type": "com.example.survey", "data": {"name": "Bob", "satisfaction": 4}});
    let (headers, body) = binary(&order.to_string());
    assert_eq!(post(&messages, &headers, &body).status, 200);
    let not_a_survey = br#"{"name": "Bob"}"#;
    assert_eq!(post(&messages, &headers, not_a_survey).status, 500);
}

#[test]
fn a_returned_cloud_event_is_the_reply_in_binary_mode() {
    let cloud = start(CLOUD, false);
    let event = json!({"specversion": "1.0", "id": "c-1", "source": "/shop", "type": "com.example.survey", "subject": "Euro € 😀", "data": {"name": "Ada", "satisfaction": 2}});
    let reply = post(
        &cloud,
        &[(STRUCTURED.0.into(), STRUCTURED.1.into())],
        event.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("ce-type"), Some("com.example.survey"));
    assert_eq!(reply.header("ce-id"), Some("c-1"));
    assert_eq!(reply.header("ce-specversion"), Some("1.0"));
    assert_eq!(
        reply.header("ce-subject"),
        Some("Euro%20%E2%82%AC%20%F0%9F%98%80")
    );
    assert_eq!(reply.json(), json!({"name": "Ada", "satisfaction": 4}));
}

fn base64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Encodes a Cloud Storage event with the CloudEvents SDK in the mode asked, sends it, and
/// prints the status and the answer.
const SEND: &str = r#"
import sys, urllib.request, urllib.error
from cloudevents.v1.http import CloudEvent
from cloudevents.v1.conversion import to_binary, to_structured
url, mode = sys.argv[1:]
event = CloudEvent({
    "type": "google.cloud.storage.object.v1.finalized",
    "source": "//storage.googleapis.com/projects/_/buckets/photos",
    "subject": "objects/cat 1.jpg",
    "datacontenttype": "application/json",
}, {"bucket": "photos", "name": "cat 1.jpg", "size": "1024"})
headers, body = (to_binary if mode == "binary" else to_structured)(event)
request = urllib.request.Request(url, data=body, headers=headers, method="POST")
try:
    with urllib.request.urlopen(request) as answer:
        print(answer.status, answer.read().decode())
except urllib.error.HTTPError as err:
    print(err.code, err.read().decode())
"#;

#[test]
fn the_cloudevents_sdk_encodes_what_fc_decodes() {
    let Some(python) = fc_tests::tool("FC_POWERTOOLS_PYTHON", "the CloudEvents SDK in CI's venv")
    else {
        return;
    };
    let mut object = start(OBJECT, false);
    for mode in ["binary", "structured"] {
        let out = std::process::Command::new(&python)
            .args(["-c", SEND, &format!("http://{}/", object.addr), mode])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (status, answer) = stdout.trim().split_once(' ').unwrap();
        assert_eq!(status, "200", "{mode}: {answer}");
        let answer: Value = serde_json::from_str(answer).unwrap();
        assert_eq!(answer["created"], json!(["photos/cat 1.jpg"]), "{mode}");
        assert_eq!(answer["bytes_added"], 1024, "{mode}");
    }
    assert!(object.terminate().success());
}

/// `fc-local event <kind> --platform <platform> <extra>`, piped into `fc-local invoke` of
/// `function`: what the function answered, or why it failed.
fn invoke_template(
    platform: &str,
    kind: &str,
    extra: &[&str],
    function: &str,
) -> (bool, String, String) {
    let mut args = vec!["event", kind, "--platform", platform];
    args.extend_from_slice(extra);
    let (status, event, err) = run(FC_LOCAL, &args, &[], b"");
    assert!(status.success(), "{err}");
    let (status, out, err) = run(
        FC_LOCAL,
        &["invoke", "--platform", platform, "--", function],
        &[],
        event.as_bytes(),
    );
    (status.success(), out, err)
}

#[test]
fn fc_local_runs_functions_as_knative_and_cloud_run_do() {
    for platform in ["knative", "gcp"] {
        let hello = start_behind_gateway(FC_LOCAL, platform, &[], HELLO);
        let reply = hello.get("/hello?name=kn");
        assert_eq!(reply.status, 200, "{platform}: {}", hello.stderr());
        assert_eq!(reply.text(), "hello, kn!\n");
    }
    let (ok, out, err) = invoke_template(
        "gcp",
        "storage-finalize",
        &["--bucket", "photos", "--key", "cat 1.jpg", "--size", "7"],
        OBJECT,
    );
    assert!(ok, "{err}");
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["created"], json!(["photos/cat 1.jpg"]));
    assert_eq!(answer["bytes_added"], 7);
    let (ok, out, err) = invoke_template(
        "knative",
        "ping",
        &["--name", "nightly", "--payload", "go"],
        SCHEDULE,
    );
    assert!(ok, "{err}");
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["name"],
        "nightly"
    );
    let survey = r#"{"name":"Ada","satisfaction":5}"#;
    let (ok, _, err) = invoke_template("gcp", "pubsub", &["--body", survey], MESSAGES);
    assert!(ok, "{err}");
    // A message that is no survey: the function answers 500, and fc-local says so.
    let (ok, _, err) = invoke_template("gcp", "pubsub", &["--body", "{}"], MESSAGES);
    assert!(!ok);
    assert!(err.contains("Handler"), "{err}");
    // The wrong event for the function: a 400 naming what was expected.
    let (ok, _, err) = invoke_template("knative", "ping", &[], OBJECT);
    assert!(!ok);
    assert!(
        err.contains("InvalidEvent: expected a Cloud Storage object event"),
        "{err}"
    );
    let (status, _, err) = run(
        FC_LOCAL,
        &["event", "http", "--platform", "knative"],
        &[],
        b"",
    );
    assert!(!status.success());
    assert!(err.contains("passes requests through as HTTP"), "{err}");
}

#[test]
fn packages_are_an_image_folder_per_function_and_what_deploys_them() {
    let out = std::env::temp_dir().join(format!("fc-package-knative-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let out_text = out.to_str().unwrap();
    let package = |args: &str, binary: &str| {
        let mut all: Vec<&str> = vec!["package", "--binary", binary, "--out", out_text];
        all.extend(args.split_whitespace());
        run(FC_LOCAL, &all, &[], b"")
    };
    let (status, stdout, err) = package(
        "--platform knative -p hello --bin hello --trigger hello=ping --env GREETING=hi",
        HELLO,
    );
    assert!(status.success(), "{err}");
    assert_eq!(stdout.trim(), out_text);
    let dockerfile = std::fs::read_to_string(out.join("hello/Dockerfile")).unwrap();
    assert!(dockerfile.contains("FROM scratch") && dockerfile.contains("ENTRYPOINT [\"/hello\"]"));
    let manifests = std::fs::read_to_string(out.join("service.yaml")).unwrap();
    for kind in [
        "kind: Service",
        "kind: PingSource",
        "image: REGISTRY/hello",
        "value: hi",
    ] {
        assert!(manifests.contains(kind), "{kind}: {manifests}");
    }
    // The packaged binary serves as Knative starts it.
    let packaged = out.join("hello/hello");
    let mut hello = start(packaged.to_str().unwrap(), false);
    assert_eq!(hello.get("/hello?name=image").text(), "hello, image!\n");
    assert!(hello.terminate().success());

    let (status, _, err) = package(
        "--platform gcp -p object --bin object --trigger object=storage --region europe-west1",
        OBJECT,
    );
    assert!(status.success(), "{err}");
    let script = std::fs::read_to_string(out.join("deploy.sh")).unwrap();
    for line in [
        "REGION=europe-west1",
        "gcloud run deploy object",
        "type=google.cloud.storage.object.v1.finalized",
    ] {
        assert!(script.contains(line), "{line}: {script}");
    }
    let (status, _, err) = package("--platform gcp -p object --trigger ping", OBJECT);
    assert!(!status.success());
    assert!(err.contains("http, storage, pubsub, scheduler"), "{err}");
    let _ = std::fs::remove_dir_all(&out);
}
