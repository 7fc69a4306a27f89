//! What every platform does with input that is wrong: one test per case, each asserting the
//! exact error the platform receives, then that the same instance serves the next invocation.

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report

use std::time::Duration;

use ciborium::value::Value as Cbor;
use fc::http::Trigger;
use fc_local_cli::FunctionError;
use fc_local_cli::aliyun::{FcEmulator, FcFunction};
use fc_local_cli::lambda::{LambdaEmulator, LambdaFunction, Output};
use fc_tests::{Server, event_template, run, send_raw};

// FC's documented samples and CBOR helpers, shared with fc-aliyun's own tests.
#[path = "../../fc-aliyun/tests/support/mod.rs"]
mod fc_samples;
use fc_samples::{cbor, map, text};

const HELLO: &str = env!("CARGO_BIN_EXE_hello");
const OBJECT: &str = env!("CARGO_BIN_EXE_object");
const PROBE_EVENT: &str = env!("CARGO_BIN_EXE_probe-event");
const PROBE_TABLE: &str = env!("CARGO_BIN_EXE_probe-table");
const PROBE_SCHEDULE: &str = env!("CARGO_BIN_EXE_probe-schedule");
const PROBE_MESSAGES: &str = env!("CARGO_BIN_EXE_probe-messages");
const PROBE_HTTP: &str = env!("CARGO_BIN_EXE_probe-http");
const PROBE_ECHO: &str = env!("CARGO_BIN_EXE_probe-echo");
const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");

/// A valid event of each kind, from fc-local's templates.
fn template(kind: &str, platform: &str) -> Vec<u8> {
    let extra: &[&str] = if kind == "http" && platform == "aliyun" {
        &["--trigger", "apigw"]
    } else {
        &[]
    };
    event_template(FC_LOCAL, kind, platform, extra)
}

fn good_aws(binary: &str) -> Vec<u8> {
    match binary {
        b if b == HELLO => template("http", "aws"),
        b if b == OBJECT => template("s3-put", "aws"),
        b if b == PROBE_TABLE => template("dynamodb-insert", "aws"),
        b if b == PROBE_SCHEDULE => template("schedule", "aws"),
        b if b == PROBE_MESSAGES => template("sqs", "aws"),
        _ => br#"{"action":"echo","value":1}"#.to_vec(),
    }
}

fn good_fc(binary: &str) -> Vec<u8> {
    match binary {
        b if b == HELLO => template("http", "aliyun"),
        b if b == OBJECT => template("oss-put", "aliyun"),
        b if b == PROBE_TABLE => template("tablestore-insert", "aliyun"),
        b if b == PROBE_SCHEDULE => template("timer", "aliyun"),
        b if b == PROBE_MESSAGES => template("mns-queue", "aliyun"),
        _ => br#"{"action":"echo","value":1}"#.to_vec(),
    }
}

/// The invocation failed with `error_type` and a message that contains `message`.
fn assert_fails_as<T: std::fmt::Debug>(
    result: Result<T, FunctionError>,
    error_type: &str,
    message: &str,
) {
    let error = result.expect_err("the bad input fails");
    assert_eq!(error.error_type, error_type, "{error}");
    assert!(
        error.error_message.contains(message),
        "expected `{message}` in: {}",
        error.error_message
    );
}

/// Sends `input` to `binary` on Lambda: the error must be `error_type` with a message that
/// contains `message`; then a valid event must succeed on the same instance.
async fn aws(binary: &str, input: Vec<u8>, error_type: &str, message: &str) {
    let function = LambdaFunction::new(binary)
        .output(Output::Discard)
        .timeout(Duration::from_secs(10));
    let lambda = LambdaEmulator::start(function).await.unwrap();
    let warm = lambda.invoke(good_aws(binary)).await.unwrap();
    assert!(
        warm.result.is_ok(),
        "the valid event works: {:?}",
        warm.result
    );
    let outcome = lambda.invoke(input).await.unwrap();
    assert_fails_as(outcome.result, error_type, message);
    let next = lambda.invoke(good_aws(binary)).await.unwrap();
    assert!(
        next.result.is_ok(),
        "the next invocation is served: {:?}",
        next.result
    );
    assert!(!next.cold_start, "by the same instance");
}

/// The same on Function Compute (`x-fc-status: 404` and the error body).
async fn fc(binary: &str, input: Vec<u8>, error_type: &str, message: &str) {
    let function = FcFunction::new(binary)
        .output(Output::Discard)
        .timeout(Duration::from_secs(20));
    let instance = FcEmulator::start(function).await.unwrap();
    let outcome = instance.invoke(input).await.unwrap();
    assert_fails_as(outcome.result, error_type, message);
    let next = instance.invoke(good_fc(binary)).await.unwrap();
    assert!(
        next.result.is_ok(),
        "the next invocation is served: {:?}",
        next.result
    );
    assert!(instance.is_alive().await, "by the same instance");
}

fn nested_json(depth: usize) -> Vec<u8> {
    let mut json = "[".repeat(depth).into_bytes();
    json.extend(std::iter::repeat_n(b']', depth));
    json
}

fn tablestore(record_type: &str, key_value: Cbor) -> Vec<u8> {
    let record = map(vec![
        ("Type", text(record_type)),
        (
            "Info",
            map(vec![(
                "Timestamp",
                Cbor::Integer(1_700_000_000_000_000_i64.into()),
            )]),
        ),
        (
            "PrimaryKey",
            Cbor::Array(vec![map(vec![
                ("ColumnName", text("id")),
                ("Value", key_value),
            ])]),
        ),
        ("Columns", Cbor::Array(vec![])),
    ]);
    cbor(&map(vec![
        ("Version", text("Sync-v1")),
        ("Records", Cbor::Array(vec![record])),
    ]))
}

fn replace(event: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(event.to_vec()).unwrap();
    assert!(text.contains(from), "{from} not in {text}");
    text.replacen(from, to, 1).into_bytes()
}

macro_rules! cases {
    ($($name:ident: $platform:ident($binary:expr, $input:expr, $type:expr, $message:expr);)*) => {$(
        #[tokio::test]
        async fn $name() {
            $platform($binary, $input, $type, $message).await;
        }
    )*};
}

cases! {
    // AWS, HTTP handler.
    aws_malformed_json: aws(HELLO, b"{\"version\":".to_vec(), "InvalidRequestContentException", "Could not parse request body into json");
    aws_s3_event_to_an_http_handler: aws(HELLO, template("s3-put", "aws"), "InvalidEvent", "expected an HTTP request from API Gateway (REST or HTTP API), an ALB or a Function URL");
    aws_empty_object_to_an_http_handler: aws(HELLO, b"{}".to_vec(), "InvalidEvent", "but the event has none of their fields");
    aws_array_to_an_http_handler: aws(HELLO, b"[1,2]".to_vec(), "InvalidEvent", "expected an HTTP request from API Gateway");
    aws_http_api_missing_method: aws(HELLO, br#"{"version":"2.0","rawPath":"/","requestContext":{"http":{}}}"#.to_vec(), "InvalidEvent", "invalid API Gateway HTTP API (v2) or Function URL request at `requestContext.http`: missing field `method`");
    aws_rest_api_mistyped_method: aws(HELLO, br#"{"httpMethod":5,"path":"/","requestContext":{}}"#.to_vec(), "InvalidEvent", "invalid API Gateway REST API (v1) request at `httpMethod`");
    aws_invalid_base64_body: aws(HELLO, replace(&template("http", "aws"), "\"isBase64Encoded\": false", "\"body\": \"%%%\", \"isBase64Encoded\": true"), "InvalidEvent", "`body` is not valid base64 although `isBase64Encoded` is true");
    aws_deeply_nested_json: aws(HELLO, nested_json(5000), "InvalidEvent", "the event is nested deeper than fc decodes: recursion limit exceeded");
    aws_payload_over_6_mb: aws(HELLO, format!("\"{}\"", "x".repeat(6 * 1024 * 1024)).into_bytes(), "RequestEntityTooLargeException", "Request must be smaller than 6291456 bytes");
    aws_empty_payload: aws(HELLO, Vec::new(), "InvalidRequestContentException", "Could not parse request body into json");
    // AWS, S3.
    aws_s3_missing_bucket_name: aws(OBJECT, replace(&template("s3-put", "aws"), "\"name\": \"example-bucket\",", ""), "InvalidEvent", "invalid S3 event at `Records[0].s3.bucket.name`: missing");
    aws_s3_mistyped_size: aws(OBJECT, replace(&template("s3-put", "aws"), "\"size\": 1024", "\"size\": \"big\""), "InvalidEvent", "invalid S3 event at `Records[0].s3.object.size`");
    aws_s3_records_not_a_list: aws(OBJECT, br#"{"Records":{}}"#.to_vec(), "InvalidEvent", "invalid S3 event at `Records`: invalid type: map, expected a sequence");
    aws_s3_bad_event_time: aws(OBJECT, replace(&template("s3-put", "aws"), "\"eventTime\": \"", "\"eventTime\": \"yesterday"), "InvalidEvent", "invalid S3 event at `Records[0].eventTime`");
    aws_http_event_to_an_object_handler: aws(OBJECT, template("http", "aws"), "InvalidEvent", "invalid S3 event");
    // AWS, DynamoDB Streams.
    aws_dynamodb_unknown_operation: aws(PROBE_TABLE, replace(&template("dynamodb-insert", "aws"), "\"eventName\": \"INSERT\"", "\"eventName\": \"UPSERT\""), "InvalidEvent", "expected INSERT, MODIFY or REMOVE, got `UPSERT`");
    aws_dynamodb_unknown_attribute_type: aws(PROBE_TABLE, replace(&template("dynamodb-insert", "aws"), "\"S\": \"Ada Lovelace\"", "\"Q\": \"Ada Lovelace\""), "InvalidEvent", "invalid DynamoDB Streams event at `Records[0].dynamodb.NewImage");
    aws_dynamodb_invalid_binary: aws(PROBE_TABLE, replace(&template("dynamodb-insert", "aws"), "\"S\": \"Ada Lovelace\"", "\"B\": \"%%%\""), "InvalidEvent", "invalid DynamoDB Streams event at `Records[0].dynamodb.NewImage");
    // AWS, messages.
    aws_sqs_missing_message_id: aws(PROBE_MESSAGES, replace(&template("sqs", "aws"), "\"messageId\"", "\"messageID\""), "InvalidEvent", "invalid SQS, SNS, Kinesis or Kafka event at `Records[0].messageId`: missing");
    aws_kinesis_invalid_base64: aws(PROBE_MESSAGES, replace(&template("kinesis", "aws"), "\"data\": \"", "\"data\": \"%%%"), "InvalidEvent", "invalid SQS, SNS, Kinesis or Kafka event at `Records[0].kinesis.data`: not base64");
    aws_kafka_invalid_base64: aws(PROBE_MESSAGES, replace(&template("kafka", "aws"), "\"value\": \"", "\"value\": \"%%%"), "InvalidEvent", "at `records.surveys-0[0].value`: not base64");
    aws_sns_missing_message: aws(PROBE_MESSAGES, replace(&template("sns", "aws"), "\"Message\":", "\"Messages\":"), "InvalidEvent", "at `Records[0].Sns.Message`: missing");
    // AWS, EventBridge and JSON events.
    aws_schedule_missing_detail_type: aws(PROBE_SCHEDULE, replace(&template("schedule", "aws"), "\"detail-type\": \"Scheduled Event\",", ""), "InvalidEvent", "missing field `detail-type`");
    aws_json_unknown_variant: aws(PROBE_EVENT, br#"{"action":"dance"}"#.to_vec(), "InvalidEvent", "unknown variant `dance`");
    aws_json_missing_field: aws(PROBE_EVENT, br#"{"action":"sleep"}"#.to_vec(), "InvalidEvent", "missing field `ms`");
    aws_json_deeply_nested: aws(PROBE_ECHO, nested_json(200), "InvalidEvent", "…`: recursion limit exceeded");
    fc_json_deeply_nested: fc(PROBE_ECHO, nested_json(200), "InvalidEvent", "…`: recursion limit exceeded");

    // FC, HTTP events.
    fc_malformed_json_to_an_http_handler: fc(HELLO, b"{\"httpMethod\":".to_vec(), "InvalidEvent", "expected an HTTP request as an API Gateway or HTTP trigger event (JSON)");
    fc_event_of_neither_http_shape: fc(HELLO, br#"{"path":"/"}"#.to_vec(), "InvalidEvent", "but the event has neither");
    fc_api_gateway_bad_method: fc(HELLO, replace(&template("http", "aliyun"), "\"httpMethod\": \"GET\"", "\"httpMethod\": \"G E T\""), "InvalidEvent", "`G E T` is not an HTTP method");
    fc_api_gateway_invalid_base64: fc(HELLO, replace(&replace(&template("http", "aliyun"), "\"isBase64Encoded\": false", "\"isBase64Encoded\": true"), "\"body\": \"\"", "\"body\": \"%%%\""), "InvalidEvent", "`body` is not valid base64");
    fc_api_gateway_bad_base64_flag: fc(HELLO, replace(&template("http", "aliyun"), "\"isBase64Encoded\": false", "\"isBase64Encoded\": \"maybe\""), "InvalidEvent", "expected true or false, got `maybe`");
    fc_http_trigger_event_missing_context: fc(HELLO, br#"{"version":"v1","rawPath":"/"}"#.to_vec(), "InvalidEvent", "invalid HTTP trigger event: missing field `requestContext`");
    fc_empty_body_to_an_http_handler: fc(HELLO, Vec::new(), "InvalidEvent", "expected an HTTP request as an API Gateway or HTTP trigger event (JSON): EOF");
    // FC, OSS.
    fc_oss_missing_key: fc(OBJECT, replace(&template("oss-put", "aliyun"), "\"key\": \"photos/my photo.jpg\",", ""), "InvalidEvent", "invalid OSS event at `events[0].oss.object`: missing field `key`");
    fc_oss_bad_event_time: fc(OBJECT, replace(&template("oss-put", "aliyun"), "\"eventTime\": \"", "\"eventTime\": \"soon"), "InvalidEvent", "invalid OSS event at `events[0].eventTime`: expected an RFC 3339 date-time");
    fc_oss_invalid_utf8: fc(OBJECT, b"{\"events\":[\"\xff\xfe\"]}".to_vec(), "InvalidEvent", "invalid OSS event");
    fc_payload_over_32_mb: fc(OBJECT, vec![b' '; 32 * 1024 * 1024 + 1], "InvalidEvent", "larger than Function Compute's limit of 33554432 bytes");
    // FC, Tablestore.
    fc_tablestore_truncated_cbor: fc(PROBE_TABLE, { let mut b = template("tablestore-insert", "aliyun"); b.truncate(b.len() / 2); b }, "InvalidEvent", "invalid Tablestore event: the body is not CBOR");
    fc_tablestore_deeply_nested_cbor: fc(PROBE_TABLE, { let mut deep = Cbor::Integer(1.into()); for _ in 0..500 { deep = Cbor::Array(vec![deep]); } cbor(&map(vec![("Version", text("Sync-v1")), ("Records", deep)])) }, "InvalidEvent", "invalid Tablestore event");
    fc_tablestore_null_value: fc(PROBE_TABLE, tablestore("PutRow", Cbor::Null), "InvalidEvent", "expected an Integer, String, Blob, Boolean or Double value, got null");
    fc_tablestore_array_value: fc(PROBE_TABLE, tablestore("PutRow", Cbor::Array(vec![])), "InvalidEvent", "expected an Integer, String, Blob, Boolean or Double value, got an array");
    fc_tablestore_tagged_value: fc(PROBE_TABLE, tablestore("PutRow", Cbor::Tag(1, Box::new(Cbor::Integer(1.into())))), "InvalidEvent", "got a tagged value");
    fc_tablestore_unknown_row_type: fc(PROBE_TABLE, tablestore("UpsertRow", Cbor::Integer(1.into())), "InvalidEvent", "expected PutRow, UpdateRow or DeleteRow, got `UpsertRow`");
    fc_tablestore_wrong_version: fc(PROBE_TABLE, cbor(&map(vec![("Version", text("Sync-v2")), ("Records", Cbor::Array(vec![]))])), "InvalidEvent", "expected `Sync-v1`, got `Sync-v2`");
    fc_tablestore_empty_body: fc(PROBE_TABLE, Vec::new(), "InvalidEvent", "invalid Tablestore event: the body is not CBOR");
    // FC, messages.
    fc_mns_queue_missing_message_id: fc(PROBE_MESSAGES, replace(&template("mns-queue", "aliyun"), "\"messageId\"", "\"messageID\""), "InvalidEvent", "invalid MNS queue event at `data`: missing field `messageId`");
    fc_mns_queue_batch_with_one_bad_event: fc(PROBE_MESSAGES, format!("[{}, {{\"specversion\": \"1.0\"}}]", String::from_utf8(template("mns-queue", "aliyun")).unwrap()).into_bytes(), "InvalidEvent", "invalid EventBridge event [1]: expected the `type` of an MNS queue");
    fc_mns_topic_missing_message_id: fc(PROBE_MESSAGES, replace(&template("mns-topic", "aliyun"), "\"MessageId\"", "\"MessageID\""), "InvalidEvent", "invalid MNS topic message: missing field `MessageId`");
    // FC, timer and JSON events.
    fc_timer_missing_name: fc(PROBE_SCHEDULE, br#"{"triggerTime":"2026-01-01T00:00:00Z"}"#.to_vec(), "InvalidEvent", "missing field `triggerName`");
    fc_timer_bad_time: fc(PROBE_SCHEDULE, br#"{"triggerTime":"noon","triggerName":"t"}"#.to_vec(), "InvalidEvent", "invalid timer event at `triggerTime`");
    fc_json_invalid_utf8_in_text: fc(PROBE_EVENT, b"{\"action\":\"echo\",\"value\":\"\xff\"}".to_vec(), "InvalidEvent", "invalid JSON event");
    fc_json_wrong_type: fc(PROBE_EVENT, br#"{"action":"sleep","ms":-1}"#.to_vec(), "InvalidEvent", "invalid value: integer `-1`, expected u64");
}

// The local platform, over HTTP and from stdin.

#[test]
fn local_malformed_http_gets_400_and_the_server_keeps_serving() {
    let server = Server::start(PROBE_HTTP, &[]);
    assert_eq!(
        send_raw(
            server.addr,
            b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"
        )
        .status,
        400
    );
    assert_eq!(server.get("/hello").status, 200);
}

#[test]
fn local_oversized_headers_get_431() {
    let server = Server::start(PROBE_HTTP, &[]);
    let big = "x".repeat(512 * 1024);
    let raw =
        format!("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\nConnection: close\r\n\r\n");
    let status = send_raw(server.addr, raw.as_bytes()).status;
    assert_eq!(status, 431);
    assert_eq!(server.get("/hello").status, 200);
}

#[test]
fn local_duplicate_headers_all_reach_the_handler() {
    let server = Server::start(PROBE_HTTP, &[]);
    let reply = server.request("GET", "/echo", &[("X-Tag", "a"), ("X-Tag", "b")], b"");
    assert_eq!(reply.json()["tags"], serde_json::json!(["a", "b"]));
}

#[test]
fn local_invalid_utf8_text_arrives_as_binary() {
    let server = Server::start(PROBE_HTTP, &[]);
    let reply = server.request(
        "POST",
        "/echo",
        &[("Content-Type", "text/plain")],
        b"\xff\xfeoops",
    );
    let json = reply.json();
    assert_eq!(
        (json["binary"].as_bool(), json["length"].as_u64()),
        (Some(true), Some(6))
    );
}

#[test]
fn local_body_over_the_limit_gets_413() {
    let server = Server::start(PROBE_HTTP, &[]);
    let reply = server.request("POST", "/echo", &[], &vec![b'x'; 6 * 1024 * 1024 + 1]);
    assert_eq!(reply.status, 413);
    assert_eq!(server.get("/hello").status, 200);
}

#[test]
fn local_empty_event_says_what_was_expected() {
    let (status, _, err) = run(OBJECT, &[], &[], b"");
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains("error: InvalidEvent: no event: expected a ObjectEvent as JSON"),
        "{err}"
    );
}

#[test]
fn local_wrong_event_type_names_the_field() {
    let (status, _, err) = run(
        OBJECT,
        &[],
        &[],
        br#"{"name":"nightly","time":"2026-01-01T00:00:00Z"}"#,
    );
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains("invalid ObjectEvent: missing field `records`"),
        "{err}"
    );
}

#[test]
fn gateway_answers_are_http_even_for_bad_requests() {
    // Through fc-local's AWS gateway, a request the function cannot take is a 502 with API
    // Gateway's body, and the gateway keeps serving.
    let args = ["start", "--platform", "aws", "--port", "0", "--", OBJECT];
    let server = Server::start_with(FC_LOCAL, &args, &[]);
    let reply = server.get("/hello");
    assert_eq!(
        (reply.status, reply.json()["message"].as_str()),
        (502, Some("Internal server error"))
    );
    assert!(
        server.logged("the function failed: InvalidEvent: invalid S3 event"),
        "{}",
        server.stderr()
    );
    let _ = Trigger::ApiGatewayHttp;
}
