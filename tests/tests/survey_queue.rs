//! The survey's asynchronous path end to end on both clouds: the API (`survey-queue`) behind
//! fc-local's gateway queues each submission on fc-local's queue (SQS on AWS, MNS on FC), which
//! delivers it to `survey-store`; a mail server that refuses the first message makes that
//! message fail and come back; a message that is not a survey ends in the dead-letter queue.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use std::time::{Duration, Instant};

use fc::{Context, Credentials, Secret};
use fc_tests::smtp::SmtpServer;
use fc_tests::{PATIENCE, Server};
use serde_json::json;
use survey::Store;

const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");
const API: &str = env!("CARGO_BIN_EXE_survey-queue");
const STORE: &str = env!("CARGO_BIN_EXE_survey-store");

/// The key pair the API signs with and fc-local's MNS checks; any values do.
const KEY_ID: &str = "fc-local-key";
const KEY_SECRET: &str = "fc-local-secret";

/// The developer's credentials, as fc-local's functions inherit them.
const CREDENTIALS: [(&str, &str); 4] = [
    ("AWS_ACCESS_KEY_ID", KEY_ID),
    ("AWS_SECRET_ACCESS_KEY", KEY_SECRET),
    ("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID),
    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", KEY_SECRET),
];

fn surveys(url: &str) -> Vec<survey::store::StoredSurvey> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::connect(url).await.unwrap();
        store.surveys().await.unwrap()
    })
}

/// `fc-local queue --platform <platform>` delivering to `survey-store`, with its settings for
/// these tests; the database is in `dir`, the mail goes to `smtp`.
fn start_queue(platform: &str, dir: &std::path::Path, smtp: &SmtpServer) -> (Server, String) {
    let queue = Server::start_with(
        FC_LOCAL,
        &[
            "queue",
            "--platform",
            platform,
            "--port",
            "0",
            "--retry-after",
            "0.2",
            "--max-receives",
            "3",
            "--env",
            &format!("DATABASE_URL={}", database(dir)),
            "--env",
            &format!("SMTP_URL=smtp://{}", smtp.addr),
            "--",
            STORE,
        ],
        &CREDENTIALS,
    );
    let queue_url = queue
        .banner
        .split_once("QUEUE_URL=")
        .map(|(_, url)| url.trim().to_owned())
        .unwrap_or_else(|| panic!("no QUEUE_URL in {}", queue.banner));
    (queue, queue_url)
}

fn database(dir: &std::path::Path) -> String {
    format!("sqlite://{}/survey.db", dir.display())
}

fn fresh_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("survey-queue-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The surveys stored, once `done` holds for them (at most [`PATIENCE`]).
fn stored_when(
    url: &str,
    done: impl Fn(&[survey::store::StoredSurvey]) -> bool,
) -> Vec<survey::store::StoredSurvey> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let stored = surveys(url);
        if done(&stored) || Instant::now() > deadline {
            return stored;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn queued_path(platform: &str) {
    let dir = fresh_dir(platform);
    let database = database(&dir);
    let smtp = SmtpServer::greylisting(1);
    let (queue, queue_url) = start_queue(platform, &dir, &smtp);
    let api = Server::start_with(
        FC_LOCAL,
        &[
            "start",
            "--platform",
            platform,
            "--port",
            "0",
            "--env",
            &format!("QUEUE_URL={queue_url}"),
            "--",
            API,
        ],
        &CREDENTIALS,
    );

    let post = |key: &str, body: &serde_json::Value| {
        api.request(
            "POST",
            "/submitSurvey",
            &[
                ("content-type", "application/json"),
                ("idempotency-key", key),
            ],
            body.to_string().as_bytes(),
        )
    };
    let ada = json!({"name": "Ada", "phone": "+44 20 7946 0000", "satisfaction": 5});
    let bob = json!({"name": "Bob", "phone": "+1 555 0100", "satisfaction": "3"});
    for (key, body) in [("k-ada", &ada), ("k-bob", &bob), ("k-ada", &ada)] {
        let reply = post(key, body);
        assert_eq!(reply.status, 202, "{}", reply.text());
        assert!(
            reply.json()["queued"]
                .as_str()
                .is_some_and(|id| !id.is_empty())
        );
    }
    let invalid = post(
        "k-bad",
        &json!({"name": "", "phone": "1", "satisfaction": 9}),
    );
    assert_eq!(invalid.status, 400, "invalid surveys are not queued");
    assert!(
        invalid.json()["errors"]
            .as_array()
            .is_some_and(|e| e.len() == 3)
    );

    // A message that is not a survey, sent straight to the queue with the same client.
    let mut ctx = Context::default();
    ctx.credentials = Some(Credentials::new(KEY_ID, KEY_SECRET, None::<Secret>));
    let poison = tokio::runtime::Runtime::new().unwrap().block_on(async {
        survey_queue::Queue::new(&queue_url)
            .unwrap()
            .send("not a survey", "poison", &ctx)
            .await
            .unwrap()
    });

    // Ada's two submissions are one survey; the first mail was refused and sent again.
    let stored = stored_when(&database, |stored| {
        stored.len() >= 2 && stored.iter().all(|s| s.notified)
    });
    let mut names: Vec<&str> = stored.iter().map(|s| s.submission.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Ada", "Bob"], "{}", queue.stderr());
    assert!(stored.iter().all(|s| s.notified), "{stored:?}");
    assert_eq!(smtp.refused(), 1);
    assert_eq!(smtp.wait_for(2).len(), 2, "one mail per survey");

    assert!(
        queue.logged(&format!(
            "message {poison} moved to the dead-letter queue after 3 failed deliveries; its body: not a survey"
        )),
        "{}",
        queue.stderr()
    );
    assert!(
        queue.logged("is not"),
        "the consumer says why: {}",
        queue.stderr()
    );
    assert_eq!(surveys(&database).len(), 2, "nothing stored twice");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_queued_survey_is_stored_and_mailed_on_aws() {
    queued_path("aws");
}

#[test]
fn the_queued_survey_is_stored_and_mailed_on_fc() {
    queued_path("aliyun");
}

/// Sends with the cloud's own SDK: boto3 for SQS, Alibaba's MNS SDK for MNS (with a wrong
/// secret first, which must be refused). Prints the message id.
const SEND: &str = r#"
import sys
platform, url, key_id, secret, body = sys.argv[1:]
if platform == "aws":
    import boto3
    origin = url.rsplit("/", 2)[0]
    sqs = boto3.client("sqs", endpoint_url=origin, region_name="us-east-1",
                       aws_access_key_id=key_id, aws_secret_access_key=secret)
    assert sqs.get_queue_url(QueueName="surveys")["QueueUrl"].endswith("/surveys")
    print(sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"])
else:
    from mns.account import Account
    from mns.queue import Message
    from mns.mns_exception import MNSServerException
    origin = url.rsplit("/queues/", 1)[0]
    try:
        Account(origin, key_id, "wrong-" + secret).get_queue("surveys").send_message(Message(body))
        sys.exit("a wrong signature was accepted")
    except MNSServerException as err:
        assert err.type == "SignatureDoesNotMatch", err.type
    queue = Account(origin, key_id, secret).get_queue("surveys")
    queue.set_encoding(False)
    print(queue.send_message(Message(body)).message_id)
"#;

fn official_sdk_sends(platform: &str) {
    let Some(python) = fc_tests::tool(
        "FC_POWERTOOLS_PYTHON",
        "boto3 and aliyun-mns-sdk in CI's venv",
    ) else {
        return;
    };
    let dir = fresh_dir(&format!("sdk-{platform}"));
    let smtp = SmtpServer::start();
    let (queue, queue_url) = start_queue(platform, &dir, &smtp);
    let job = json!({
        "key": format!("sdk-{platform}"),
        "survey": {"name": "Grace", "phone": "+1 555 0199", "satisfaction": 4, "email": null},
    });
    let sent = std::process::Command::new(python)
        .args([
            "-c",
            SEND,
            platform,
            &queue_url,
            KEY_ID,
            KEY_SECRET,
            &job.to_string(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&sent.stdout);
    assert!(
        sent.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let stored = stored_when(&database(&dir), |stored| {
        stored.len() == 1 && stored[0].notified
    });
    assert_eq!(stored.len(), 1, "{}", queue.stderr());
    assert_eq!(stored[0].submission.name, "Grace");
    assert_eq!(stored[0].key, format!("sdk-{platform}"));
    assert!(queue.logged("delivered 1 message from surveys, 0 failed"));
    assert!(!stdout.trim().is_empty(), "the SDK got a message id");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn boto3_sends_to_the_sqs_queue() {
    official_sdk_sends("aws");
}

#[test]
fn alibabas_mns_sdk_sends_to_the_mns_queue() {
    official_sdk_sends("aliyun");
}
