//! `fc-local queue`: a message queue that speaks the platform's API — SQS's JSON protocol on
//! AWS, MNS's REST API on FC — so a function's own SDK client can send to it, and that
//! delivers its messages to the function in batches as the platform's trigger does: on AWS as
//! an SQS event source mapping with `ReportBatchItemFailures` (only the messages named in
//! `batchItemFailures` come back), on FC as an MNS queue trigger (a failed invocation fails
//! its whole batch). A message that keeps failing moves to the dead-letter queue after
//! `--max-receives` deliveries; it is printed, never dropped silently.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::routing::post;
use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use fc_core::Platform;

use super::backend::Backend;
use super::report::report;
use super::templates::{Queued, mns_id, mns_queue_event, sqs_record};

/// The largest message body: SQS takes 1 MiB, MNS 64 KiB.
fn body_limit(platform: Platform) -> usize {
    match platform {
        Platform::Aws => 1024 * 1024,
        _ => 64 * 1024,
    }
}

/// The account in the queue URLs fc-local prints.
pub(crate) const ACCOUNT: &str = "000000000000";

/// How the queue behaves.
#[derive(Debug, Clone)]
pub(crate) struct QueueSettings {
    pub(crate) platform: Platform,
    pub(crate) name: String,
    pub(crate) batch_size: usize,
    pub(crate) retry_after: Duration,
    pub(crate) max_receives: u32,
    /// FC: the access key pair whose MNS signatures are checked (fc-local's own
    /// `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`); without it any signature passes.
    pub(crate) signer: Option<(String, String)>,
    pub(crate) memory_mb: u32,
}

#[derive(Debug)]
struct Stored {
    id: String,
    body: String,
    sent_ms: i64,
    receives: u32,
    visible_at: Instant,
    sequence: u64,
    group: Option<String>,
    dedup: Option<String>,
}

#[derive(Debug, Default)]
struct Messages {
    /// In the order sent (FIFO order), failed ones back in their place.
    waiting: Vec<Stored>,
    sequence: u64,
    /// FIFO: deduplication ids seen in the last five minutes, with the message's id.
    seen: HashMap<String, (String, Instant)>,
}

/// The queue: its messages and the settings it delivers them by.
#[derive(Debug)]
pub(crate) struct Broker {
    settings: QueueSettings,
    state: Mutex<Messages>,
    arrived: Notify,
}

/// SQS keeps a FIFO deduplication id for five minutes.
const DEDUP_WINDOW: Duration = Duration::from_secs(300);

impl Broker {
    pub(crate) fn new(settings: QueueSettings) -> Broker {
        Broker {
            settings,
            state: Mutex::new(Messages::default()),
            arrived: Notify::new(),
        }
    }

    fn fifo(&self) -> bool {
        self.settings.platform == Platform::Aws && self.settings.name.ends_with(".fifo")
    }

    /// The queue's URL, on `origin`.
    pub(crate) fn url(&self, origin: &str) -> String {
        match self.settings.platform {
            Platform::Aws => format!("{origin}/{ACCOUNT}/{}", self.settings.name),
            _ => format!("{origin}/queues/{}", self.settings.name),
        }
    }

    /// Puts a message on the queue; the id it got (an earlier one for a FIFO duplicate) and,
    /// on FIFO queues, its sequence number.
    fn put(
        &self,
        body: String,
        delay: Duration,
        fifo: Option<(String, String)>,
    ) -> (String, Option<u64>) {
        let mut state = self.state.lock().expect("queue lock");
        let now = Instant::now();
        state
            .seen
            .retain(|_, (_, at)| now.duration_since(*at) < DEDUP_WINDOW);
        if let Some((_, dedup)) = &fifo
            && let Some((id, _)) = state.seen.get(dedup)
        {
            return (id.clone(), None);
        }
        state.sequence += 1;
        let id = match self.settings.platform {
            Platform::Aws => fc_local::request_id(),
            _ => mns_id(),
        };
        let (group, dedup) = fifo.map_or((None, None), |(g, d)| (Some(g), Some(d)));
        if let Some(dedup) = &dedup {
            state.seen.insert(dedup.clone(), (id.clone(), now));
        }
        let sequence = state.sequence;
        state.waiting.push(Stored {
            id: id.clone(),
            body,
            sent_ms: fc_core::Timestamp::now().unix_millis(),
            receives: 0,
            visible_at: now + delay,
            sequence,
            group,
            dedup,
        });
        drop(state);
        self.arrived.notify_one();
        (id, self.fifo().then_some(sequence))
    }

    /// The next batch: visible messages in order, up to the batch size; on a FIFO queue none
    /// of a group whose earlier message waits for its retry.
    fn take(&self) -> Vec<Stored> {
        let mut state = self.state.lock().expect("queue lock");
        let now = Instant::now();
        let mut blocked = HashSet::new();
        let mut picked = Vec::new();
        for (index, message) in state.waiting.iter().enumerate() {
            if picked.len() == self.settings.batch_size {
                break;
            }
            let group = message.group.as_deref();
            if group.is_some_and(|g| blocked.contains(g)) {
                continue;
            }
            if message.visible_at <= now {
                picked.push(index);
            } else if let Some(group) = group {
                blocked.insert(group.to_owned());
            }
        }
        let mut batch = Vec::with_capacity(picked.len());
        for index in picked.into_iter().rev() {
            let mut message = state.waiting.remove(index);
            message.receives += 1;
            batch.push(message);
        }
        batch.reverse();
        batch
    }

    /// When the next waiting message becomes visible.
    fn next_visible(&self) -> Option<Instant> {
        let state = self.state.lock().expect("queue lock");
        state.waiting.iter().map(|m| m.visible_at).min()
    }

    /// Deletes the delivered messages except `failed` (all of them with `None`); those wait
    /// for their retry, or move to the dead-letter queue.
    fn settle(&self, batch: Vec<Stored>, failed: Option<&HashSet<String>>) {
        let mut state = self.state.lock().expect("queue lock");
        let retry_at = Instant::now() + self.settings.retry_after;
        for mut message in batch {
            if failed.is_some_and(|ids| !ids.contains(&message.id)) {
                continue;
            }
            if message.receives >= self.settings.max_receives {
                eprintln!(
                    "fc-local: message {} moved to the dead-letter queue after {} failed deliveries; its body: {}",
                    message.id, message.receives, message.body
                );
                continue;
            }
            message.visible_at = retry_at;
            let at = state
                .waiting
                .partition_point(|m| m.sequence < message.sequence);
            state.waiting.insert(at, message);
        }
    }

    /// How many messages are still on the queue.
    pub(crate) fn len(&self) -> usize {
        self.state.lock().expect("queue lock").waiting.len()
    }

    fn queued<'a>(&'a self, message: &'a Stored) -> Queued<'a> {
        Queued {
            queue: &self.settings.name,
            id: &message.id,
            body: &message.body,
            sent_ms: message.sent_ms,
            receives: message.receives,
            fifo: message
                .group
                .as_deref()
                .zip(message.dedup.as_deref())
                .map(|(group, dedup)| (group, dedup, u128::from(message.sequence))),
        }
    }

    /// The function's event for `batch`.
    fn event(&self, batch: &[Stored]) -> Result<Vec<u8>, serde_json::Error> {
        if self.settings.platform == Platform::Aws {
            let mut event = fc_aws::wire::SqsEvent::default();
            event.records = batch.iter().map(|m| sqs_record(&self.queued(m))).collect();
            return serde_json::to_vec(&event);
        }
        let events: Vec<_> = batch
            .iter()
            .map(|m| mns_queue_event(&self.queued(m)))
            .collect();
        // One event alone, as a trigger without batching sends it; an array otherwise.
        match events.as_slice() {
            [one] if self.settings.batch_size == 1 => serde_json::to_vec(one),
            _ => serde_json::to_vec(&events),
        }
    }
}

/// Which messages of the batch failed, by the function's answer: on AWS the
/// `batchItemFailures` it names (`None`: all), as Lambda reads them — an answer that is not
/// JSON, or names an id that is empty or not in the batch, fails the whole batch.
fn failed_ids(platform: Platform, batch: &[Stored], answer: &[u8]) -> Option<HashSet<String>> {
    if platform != Platform::Aws {
        return Some(HashSet::new());
    }
    #[derive(Deserialize)]
    struct Item {
        #[serde(rename = "itemIdentifier")]
        id: Option<String>,
    }
    #[derive(Deserialize)]
    struct Answer {
        #[serde(rename = "batchItemFailures")]
        failures: Option<Vec<Item>>,
    }
    let answer: Answer = match serde_json::from_slice::<serde_json::Value>(answer) {
        Ok(serde_json::Value::Object(map)) => {
            serde_json::from_value(serde_json::Value::Object(map)).ok()?
        }
        Ok(_) => return Some(HashSet::new()),
        Err(_) => return None,
    };
    let ids: HashSet<String> = batch.iter().map(|m| m.id.clone()).collect();
    let mut failed = HashSet::new();
    for item in answer.failures.unwrap_or_default() {
        match item.id {
            Some(id) if ids.contains(&id) => failed.insert(id),
            _ => return None,
        };
    }
    Some(failed)
}

/// Delivers batches to the function, one at a time, until the task is dropped.
pub(crate) async fn deliver(broker: Arc<Broker>, backend: Arc<Backend>) {
    let platform = broker.settings.platform;
    loop {
        let batch = broker.take();
        if batch.is_empty() {
            let wait = broker
                .next_visible()
                .map_or(Duration::from_secs(3600), |at| {
                    at.saturating_duration_since(Instant::now())
                });
            tokio::select! {
                () = broker.arrived.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
            continue;
        }
        let payload = match broker.event(&batch) {
            Ok(payload) => payload,
            Err(err) => {
                eprintln!("fc-local: the batch cannot be written as an event: {err}");
                broker.settle(batch, None);
                continue;
            }
        };
        let count = batch.len();
        let failed = match backend.invoke(Bytes::from(payload)).await {
            Ok(outcome) => {
                report(platform, &outcome, broker.settings.memory_mb);
                match &outcome.result {
                    Ok(answer) => failed_ids(platform, &batch, answer),
                    Err(err) => {
                        eprintln!("fc-local: the function failed: {err}");
                        None
                    }
                }
            }
            Err(err) => {
                eprintln!("fc-local: the function could not be invoked: {err}");
                None
            }
        };
        let failures = failed.as_ref().map_or(count, HashSet::len);
        eprintln!(
            "fc-local: delivered {count} message{} from {}, {failures} failed",
            if count == 1 { "" } else { "s" },
            broker.settings.name
        );
        broker.settle(batch, failed.as_ref());
    }
}

/// The queue's API routes.
pub(crate) fn routes(broker: Arc<Broker>) -> Router {
    match broker.settings.platform {
        Platform::Aws => Router::new().route("/", post(sqs_api)),
        _ => Router::new().route("/queues/{name}/messages", post(mns_send)),
    }
    .with_state(broker)
}

// --- SQS: the AWS JSON 1.0 protocol the SDKs speak -------------------------------------------

/// An SQS error, as the JSON protocol carries it (and the query-compatible code the SDKs map).
fn sqs_error(code: &str, query_code: &str, message: &str) -> Response<Body> {
    let body =
        serde_json::json!({ "__type": format!("com.amazonaws.sqs#{code}"), "message": message });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("{query_code};Sender")) {
        headers.insert("x-amzn-query-error", value);
    }
    response
}

fn sqs_answer(body: &impl Serialize) -> Response<Body> {
    let mut response = Response::new(Body::from(serde_json::to_vec(body).unwrap_or_default()));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    if let Ok(id) = HeaderValue::from_str(&fc_local::request_id()) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SqsSend {
    queue_url: Option<String>,
    #[serde(flatten)]
    send: SqsSendFields,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SqsBatchEntry {
    id: String,
    #[serde(flatten)]
    send: SqsSendFields,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SqsSendFields {
    #[serde(default)]
    message_body: Option<String>,
    #[serde(default)]
    delay_seconds: Option<u64>,
    #[serde(default)]
    message_group_id: Option<String>,
    #[serde(default)]
    message_deduplication_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SqsBatch {
    queue_url: Option<String>,
    entries: Vec<SqsBatchEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SqsQueueName {
    queue_name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SqsSent {
    message_id: String,
    #[serde(rename = "MD5OfMessageBody")]
    md5_of_message_body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence_number: Option<String>,
}

/// An SQS failure: code, query-compatible code and message.
type SqsFailure = (&'static str, &'static str, String);

impl Broker {
    fn check_queue(&self, url: Option<&str>) -> Result<(), SqsFailure> {
        let named = url.and_then(|u| u.trim_end_matches('/').rsplit('/').next());
        if named == Some(self.settings.name.as_str()) {
            return Ok(());
        }
        Err((
            "QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue",
            format!(
                "The specified queue does not exist: {}; fc-local serves {}",
                url.unwrap_or("(no QueueUrl)"),
                self.settings.name
            ),
        ))
    }

    fn sqs_send(&self, send: SqsSendFields) -> Result<SqsSent, SqsFailure> {
        let invalid = |message: String| ("InvalidParameterValue", "InvalidParameterValue", message);
        let body = send.message_body.filter(|b| !b.is_empty()).ok_or((
            "MissingParameter",
            "MissingParameter",
            "The request must contain the parameter MessageBody.".to_owned(),
        ))?;
        let limit = body_limit(Platform::Aws);
        if body.len() > limit {
            return Err(invalid(format!(
                "One or more parameters are invalid. Reason: Message must be shorter than {limit} bytes."
            )));
        }
        let delay = send.delay_seconds.unwrap_or(0);
        if delay > 900 {
            return Err(invalid(format!(
                "Value {delay} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900."
            )));
        }
        let fifo = if self.fifo() {
            let group = send.message_group_id.ok_or_else(|| {
                invalid("The request must contain the parameter MessageGroupId.".to_owned())
            })?;
            // Content-based deduplication, when no id is given.
            let dedup = send
                .message_deduplication_id
                .unwrap_or_else(|| format!("{:x}", md5::compute(body.as_bytes())));
            Some((group, dedup))
        } else {
            None
        };
        let md5 = format!("{:x}", md5::compute(body.as_bytes()));
        let (id, sequence) = self.put(body, Duration::from_secs(delay), fifo);
        Ok(SqsSent {
            message_id: id,
            md5_of_message_body: md5,
            sequence_number: sequence.map(|s| format!("{s:020}")),
        })
    }
}

async fn sqs_api(
    State(broker): State<Arc<Broker>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(operation) = target.strip_prefix("AmazonSQS.") else {
        return sqs_error(
            "InvalidAction",
            "AWS.SimpleQueueService.UnsupportedOperation",
            "fc-local speaks SQS's JSON protocol (X-Amz-Target: AmazonSQS.<Operation>); update the SDK if it sends the query protocol",
        );
    };
    if !headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256 "))
    {
        return sqs_error(
            "MissingAuthenticationToken",
            "MissingAuthenticationToken",
            "The request must be signed with AWS Signature Version 4 (any credentials do for fc-local).",
        );
    }
    fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, SqsFailure> {
        serde_json::from_slice(body).map_err(|err| {
            (
                "InvalidParameterValue",
                "InvalidParameterValue",
                format!("The request body is not what SQS takes: {err}"),
            )
        })
    }
    let answer = match operation {
        "SendMessage" => parse::<SqsSend>(&body).and_then(|send| {
            broker.check_queue(send.queue_url.as_deref())?;
            let sent = broker.sqs_send(send.send)?;
            Ok(serde_json::to_value(sent).unwrap_or_default())
        }),
        "SendMessageBatch" => parse::<SqsBatch>(&body).and_then(|batch| {
            broker.check_queue(batch.queue_url.as_deref())?;
            if batch.entries.is_empty() || batch.entries.len() > 10 {
                return Err((
                    "TooManyEntriesInBatchRequest",
                    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                    format!(
                        "A batch holds 1 to 10 entries, not {}.",
                        batch.entries.len()
                    ),
                ));
            }
            let mut successful = Vec::new();
            let mut failed = Vec::new();
            for entry in batch.entries {
                match broker.sqs_send(entry.send) {
                    Ok(sent) => {
                        let mut value = serde_json::to_value(sent).unwrap_or_default();
                        value["Id"] = entry.id.into();
                        successful.push(value);
                    }
                    Err((code, _, message)) => failed.push(serde_json::json!({
                        "Id": entry.id, "SenderFault": true, "Code": code, "Message": message
                    })),
                }
            }
            Ok(serde_json::json!({ "Successful": successful, "Failed": failed }))
        }),
        "GetQueueUrl" => parse::<SqsQueueName>(&body).and_then(|named| {
            let url = format!("/{ACCOUNT}/{}", named.queue_name);
            broker.check_queue(Some(&url))?;
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("127.0.0.1");
            Ok(serde_json::json!({ "QueueUrl": broker.url(&format!("http://{host}")) }))
        }),
        other => Err((
            "InvalidAction",
            "AWS.SimpleQueueService.UnsupportedOperation",
            format!(
                "fc-local's queue takes SendMessage, SendMessageBatch and GetQueueUrl, not {other}; the function receives the messages"
            ),
        )),
    };
    match answer {
        Ok(value) => sqs_answer(&value),
        Err((code, query_code, message)) => sqs_error(code, query_code, &message),
    }
}

// --- MNS: the REST API, version 2015-06-06 ---------------------------------------------------

const MNS_NAMESPACE: &str = "http://mns.aliyuncs.com/doc/v1/";

fn mns_xml(status: StatusCode, xml: String) -> Response<Body> {
    let mut response = Response::new(Body::from(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>{xml}"#
    )));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=utf-8"),
    );
    headers.insert("x-mns-version", HeaderValue::from_static("2015-06-06"));
    if let Ok(id) = HeaderValue::from_str(&mns_id()) {
        headers.insert("x-mns-request-id", id);
    }
    response
}

#[derive(Serialize)]
#[serde(rename = "Error")]
struct MnsError<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "Code")]
    code: &'a str,
    #[serde(rename = "Message")]
    message: &'a str,
    #[serde(rename = "RequestId")]
    request_id: String,
    #[serde(rename = "HostId")]
    host_id: &'static str,
}

fn mns_error(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    let error = MnsError {
        xmlns: MNS_NAMESPACE,
        code,
        message,
        request_id: mns_id(),
        host_id: "http://127.0.0.1",
    };
    mns_xml(status, quick_xml::se::to_string(&error).unwrap_or_default())
}

#[derive(Deserialize)]
struct MnsMessage {
    #[serde(rename = "MessageBody")]
    body: Option<String>,
    #[serde(rename = "DelaySeconds", default)]
    delay: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename = "Message")]
struct MnsSent {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "MessageId")]
    id: String,
    #[serde(rename = "MessageBodyMD5")]
    md5: String,
}

/// MNS's check of a request's `Authorization: MNS <id>:<signature>`: HMAC-SHA1 over the
/// method, Content-MD5, Content-Type, Date, the sorted `x-mns-*` headers and the resource.
fn mns_signature_problem(
    headers: &HeaderMap,
    resource: &str,
    signer: Option<&(String, String)>,
) -> Option<(StatusCode, &'static str, String)> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let Some((id, signature)) = get("authorization")
        .strip_prefix("MNS ")
        .and_then(|rest| rest.split_once(':'))
    else {
        return Some((
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "The request must carry `Authorization: MNS <AccessKeyId>:<Signature>`.".into(),
        ));
    };
    if get("x-mns-version").is_empty() || get("date").is_empty() {
        return Some((
            StatusCode::BAD_REQUEST,
            "MissingArgument",
            "The request must carry the Date and x-mns-version headers.".into(),
        ));
    }
    let (expected_id, secret) = signer?;
    if id != expected_id {
        return Some((
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            format!("The access key id {id} is not the one fc-local was given ({expected_id})."),
        ));
    }
    let mut mns_headers: Vec<(String, &str)> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-mns-"))
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or("")))
        .collect();
    mns_headers.sort();
    let canonical: String = mns_headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let to_sign = format!(
        "POST\n{}\n{}\n{}\n{canonical}{resource}",
        get("content-md5"),
        get("content-type"),
        get("date")
    );
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(to_sign.as_bytes());
    let computed = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (computed != signature).then(|| {
        (
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            format!(
                "The request signature does not match; the string signed should be {to_sign:?}."
            ),
        )
    })
}

async fn mns_send(
    State(broker): State<Arc<Broker>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let resource = format!("/queues/{name}/messages");
    if let Some((status, code, message)) =
        mns_signature_problem(&headers, &resource, broker.settings.signer.as_ref())
    {
        return mns_error(status, code, &message);
    }
    if name != broker.settings.name {
        return mns_error(
            StatusCode::NOT_FOUND,
            "QueueNotExist",
            &format!(
                "The queue name you provided is not exist: {name}; fc-local serves {}.",
                broker.settings.name
            ),
        );
    }
    let text = String::from_utf8_lossy(&body);
    let message: MnsMessage = match quick_xml::de::from_str(&text) {
        Ok(message) => message,
        Err(err) => {
            return mns_error(
                StatusCode::BAD_REQUEST,
                "MalformedXML",
                &format!("The request body is not a <Message> with a <MessageBody>: {err}"),
            );
        }
    };
    let Some(body) = message.body.filter(|b| !b.is_empty()) else {
        return mns_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "The message body must not be empty.",
        );
    };
    let limit = body_limit(Platform::Aliyun);
    if body.len() > limit {
        return mns_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            &format!(
                "The message body is {} bytes; the queue takes {limit} at most.",
                body.len()
            ),
        );
    }
    let md5 = format!("{:X}", md5::compute(body.as_bytes()));
    let delay = Duration::from_secs(message.delay.unwrap_or(0).min(604_800));
    let (id, _) = broker.put(body, delay, None);
    let sent = MnsSent {
        xmlns: MNS_NAMESPACE,
        id,
        md5,
    };
    mns_xml(
        StatusCode::CREATED,
        quick_xml::se::to_string(&sent).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broker(platform: Platform, name: &str) -> Broker {
        Broker::new(QueueSettings {
            platform,
            name: name.into(),
            batch_size: 10,
            retry_after: Duration::ZERO,
            max_receives: 2,
            signer: None,
            memory_mb: 128,
        })
    }

    #[test]
    fn failed_messages_come_back_until_the_dead_letter_queue() {
        let queue = broker(Platform::Aws, "q");
        let (a, _) = queue.put("a".into(), Duration::ZERO, None);
        queue.put("b".into(), Duration::ZERO, None);
        let batch = queue.take();
        assert_eq!(batch.len(), 2);
        queue.settle(batch, Some(&HashSet::from([a.clone()])));
        let batch = queue.take();
        assert_eq!(batch.iter().map(|m| m.id.clone()).collect::<Vec<_>>(), [a]);
        assert_eq!(batch[0].receives, 2);
        queue.settle(batch, None);
        assert_eq!(queue.len(), 0, "the second failure was the last");
    }

    #[test]
    fn lambda_reads_batch_item_failures_strictly() {
        let queue = broker(Platform::Aws, "q");
        queue.put("a".into(), Duration::ZERO, None);
        let batch = queue.take();
        let id = batch[0].id.clone();
        let named = format!(r#"{{"batchItemFailures":[{{"itemIdentifier":"{id}"}}]}}"#);
        assert_eq!(
            failed_ids(Platform::Aws, &batch, named.as_bytes()),
            Some(HashSet::from([id]))
        );
        assert_eq!(
            failed_ids(Platform::Aws, &batch, b"null"),
            Some(HashSet::new())
        );
        assert_eq!(
            failed_ids(Platform::Aws, &batch, b"{}"),
            Some(HashSet::new())
        );
        assert_eq!(failed_ids(Platform::Aws, &batch, b"not json"), None);
        let unknown = br#"{"batchItemFailures":[{"itemIdentifier":"other"}]}"#;
        assert_eq!(failed_ids(Platform::Aws, &batch, unknown), None);
        let empty = br#"{"batchItemFailures":[{"itemIdentifier":""}]}"#;
        assert_eq!(failed_ids(Platform::Aws, &batch, empty), None);
    }

    #[test]
    fn a_fifo_group_waits_for_its_failed_message() {
        let queue = broker(Platform::Aws, "q.fifo");
        let fifo = |g: &str, d: &str| Some((g.to_owned(), d.to_owned()));
        let (first, seq) = queue.put("1".into(), Duration::ZERO, fifo("g", "1"));
        assert_eq!(seq, Some(1));
        let (again, _) = queue.put("1".into(), Duration::ZERO, fifo("g", "1"));
        assert_eq!(again, first, "a duplicate gets the first one's id");
        queue.put("2".into(), Duration::ZERO, fifo("g", "2"));
        queue.put("x".into(), Duration::ZERO, fifo("h", "3"));
        let mut settings = queue.settings.clone();
        settings.retry_after = Duration::from_secs(60);
        let queue = Broker { settings, ..queue };
        let batch = queue.take();
        assert_eq!(batch.len(), 3);
        queue.settle(batch, Some(&HashSet::from([first])));
        queue.put("y".into(), Duration::ZERO, fifo("h", "4"));
        let bodies: Vec<String> = queue.take().into_iter().map(|m| m.body).collect();
        assert_eq!(
            bodies,
            ["y"],
            "group g waits behind its failed first message"
        );
    }

    async fn call(
        broker: Broker,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (StatusCode, String) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let mut request = http::Request::post(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Body::from(body.to_owned())).unwrap();
        let response = routes(Arc::new(broker)).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    const SIGNED: (&str, &str) = ("authorization", "AWS4-HMAC-SHA256 Credential=x");

    type Headers<'a> = &'a [(&'a str, &'a str)];

    #[tokio::test]
    async fn sqs_requests_that_do_not_fit_get_sqs_errors() {
        let send = ("x-amz-target", "AmazonSQS.SendMessage");
        let url = r#""QueueUrl":"http://127.0.0.1/000000000000/q""#;
        let cases: [(Headers<'_>, String, &str); 6] = [
            (
                &[send],
                format!(r#"{{{url},"MessageBody":"x"}}"#),
                "MissingAuthenticationToken",
            ),
            (
                &[SIGNED],
                format!(r#"{{{url},"MessageBody":"x"}}"#),
                "InvalidAction",
            ),
            (&[send, SIGNED], format!(r#"{{{url}}}"#), "MissingParameter"),
            (
                &[send, SIGNED],
                r#"{"QueueUrl":"http://127.0.0.1/000000000000/other","MessageBody":"x"}"#.into(),
                "QueueDoesNotExist",
            ),
            (&[send, SIGNED], "{not json".into(), "InvalidParameterValue"),
            (
                &[("x-amz-target", "AmazonSQS.ReceiveMessage"), SIGNED],
                format!("{{{url}}}"),
                "InvalidAction",
            ),
        ];
        for (headers, body, code) in cases {
            let (status, answer) = call(broker(Platform::Aws, "q"), "/", headers, &body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
            assert!(answer.contains(&format!("#{code}\"")), "{code}: {answer}");
        }
        let queue = broker(Platform::Aws, "q");
        let big = "x".repeat(1024 * 1024 + 1);
        let body = format!(r#"{{{url},"MessageBody":"{big}"}}"#);
        let (status, answer) = call(queue, "/", &[send, SIGNED], &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(answer.contains("shorter than"), "{answer}");
    }

    #[tokio::test]
    async fn sqs_sends_answer_the_body_md5_and_fifo_sequence() {
        let queue = broker(Platform::Aws, "q.fifo");
        let headers = [("x-amz-target", "AmazonSQS.SendMessage"), SIGNED];
        let body = r#"{"QueueUrl":"http://h/000000000000/q.fifo","MessageBody":"hello","MessageGroupId":"g"}"#;
        let (status, answer) = call(queue, "/", &headers, body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(
            answer["MD5OfMessageBody"],
            "5d41402abc4b2a76b9719d911017c592"
        );
        assert_eq!(answer["SequenceNumber"], "00000000000000000001");
        let queue = broker(Platform::Aws, "q.fifo");
        let no_group = r#"{"QueueUrl":"http://h/000000000000/q.fifo","MessageBody":"hello"}"#;
        let (status, answer) = call(queue, "/", &headers, no_group).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(answer.contains("MessageGroupId"), "{answer}");
    }

    #[tokio::test]
    async fn mns_requests_that_do_not_fit_get_mns_errors() {
        let signed = [
            ("authorization", "MNS id:sig"),
            ("date", "Thu, 09 Jul 2015 03:01:34 GMT"),
            ("x-mns-version", "2015-06-06"),
        ];
        let message = "<Message><MessageBody>hi</MessageBody></Message>";
        let cases: [(&str, Headers<'_>, &str, StatusCode, &str); 4] = [
            (
                "/queues/q/messages",
                &[],
                message,
                StatusCode::FORBIDDEN,
                "AccessDenied",
            ),
            (
                "/queues/other/messages",
                &signed,
                message,
                StatusCode::NOT_FOUND,
                "QueueNotExist",
            ),
            (
                "/queues/q/messages",
                &signed,
                "<Message>",
                StatusCode::BAD_REQUEST,
                "MalformedXML",
            ),
            (
                "/queues/q/messages",
                &signed,
                "<Message><MessageBody></MessageBody></Message>",
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
            ),
        ];
        for (path, headers, body, status, code) in cases {
            let (got, answer) = call(broker(Platform::Aliyun, "q"), path, headers, body).await;
            assert_eq!(got, status, "{answer}");
            assert!(answer.contains(&format!("<Code>{code}</Code>")), "{answer}");
        }
        let (status, answer) = call(
            broker(Platform::Aliyun, "q"),
            "/queues/q/messages",
            &signed,
            message,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        // MNS gives the body's MD5 in upper case.
        assert!(
            answer.contains("<MessageBodyMD5>49F68A5C8493EC2C0BF489821C21FC3B</MessageBodyMD5>"),
            "{answer}"
        );
    }

    #[test]
    fn mns_signatures_are_checked_with_the_given_key() {
        let signer = ("id".to_owned(), "secret".to_owned());
        let date = "Thu, 09 Jul 2015 03:01:34 GMT";
        let to_sign = format!(
            "POST\n\ntext/xml;charset=utf-8\n{date}\nx-mns-version:2015-06-06\n/queues/q/messages"
        );
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(b"secret").unwrap();
        mac.update(to_sign.as_bytes());
        let good = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let headers = |signature: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                "authorization",
                format!("MNS id:{signature}").parse().unwrap(),
            );
            h.insert("date", date.parse().unwrap());
            h.insert("content-type", "text/xml;charset=utf-8".parse().unwrap());
            h.insert("x-mns-version", "2015-06-06".parse().unwrap());
            h
        };
        let resource = "/queues/q/messages";
        assert!(mns_signature_problem(&headers(&good), resource, Some(&signer)).is_none());
        let (status, code, _) =
            mns_signature_problem(&headers("bad"), resource, Some(&signer)).unwrap();
        assert_eq!(
            (status, code),
            (StatusCode::FORBIDDEN, "SignatureDoesNotMatch")
        );
        assert!(mns_signature_problem(&headers("bad"), resource, None).is_none());
        let (_, code, _) = mns_signature_problem(&HeaderMap::new(), resource, None).unwrap();
        assert_eq!(code, "AccessDenied");
    }
}
