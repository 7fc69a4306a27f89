//! Lambda's Invoke API on `fc-local start --platform aws`, spoken as the AWS SDKs and CLI speak
//! it with `--endpoint-url`: Invoke (synchronous, `Event`, `DryRun`) and
//! InvokeWithResponseStream, whose event stream is read with the AWS SDK's own decoder.

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report

use std::io::{Read, Write};
use std::net::TcpStream;

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use aws_smithy_types::event_stream::Message;
use fc_tests::{PATIENCE, Reply, Server, event_template, start_behind_gateway};

const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");
const PROBE_EVENT: &str = env!("CARGO_BIN_EXE_probe-event");
const PROBE_STREAM: &str = env!("CARGO_BIN_EXE_probe-stream");
const PROBE_OVERLAP: &str = env!("CARGO_BIN_EXE_probe-overlap");

const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function";

fn start(function: &str) -> Server {
    start_behind_gateway(FC_LOCAL, "aws", &[], function)
}

fn invocations(name: &str) -> String {
    format!("/2015-03-31/functions/{name}/invocations")
}

fn streaming_invocations(name: &str) -> String {
    format!("/2021-11-15/functions/{name}/response-streaming-invocations")
}

fn invoke(server: &Server, name: &str, headers: &[(&str, &str)], payload: &[u8]) -> Reply {
    server.request("POST", &invocations(name), headers, payload)
}

/// Asserts an answer is Lambda's refusal: the status, the type in `x-amzn-ErrorType`, and
/// `{"Type": "User", "message"}` with `message` in it.
fn assert_refused(reply: &Reply, status: u16, error_type: &str, message: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(reply.header("x-amzn-errortype"), Some(error_type));
    assert!(reply.header("x-amzn-requestid").is_some());
    let body = reply.json();
    assert_eq!(body["Type"], "User", "{body}");
    let said = body["message"].as_str().unwrap_or_default();
    assert!(said.contains(message), "{error_type}: {said}");
}

/// A good invocation still succeeds: the refusal before it did not break the server.
fn assert_serves(server: &Server, after: &str) {
    let reply = invoke(
        server,
        "probe-event",
        &[],
        br#"{"action":"echo","value":"again"}"#,
    );
    assert_eq!(reply.status, 200, "after {after}: {}", reply.text());
    assert_eq!(reply.json()["echo"], "again", "after {after}");
}

/// The messages of an event stream, with the AWS SDK's decoder; `None` past the last whole one.
fn decode(mut body: &[u8]) -> Vec<Message> {
    let mut decoder = MessageFrameDecoder::new();
    let mut messages = Vec::new();
    while let DecodedFrame::Complete(message) = decoder
        .decode_frame(&mut body)
        .unwrap_or_else(|err| panic!("not an event stream: {err}"))
    {
        messages.push(message);
    }
    messages
}

fn header<'a>(message: &'a Message, name: &str) -> &'a str {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| h.value().as_string().ok())
        .map_or("", |value| value.as_str())
}

/// The payloads of the `PayloadChunk` events, in order.
fn chunks(messages: &[Message]) -> Vec<&[u8]> {
    messages
        .iter()
        .filter(|m| header(m, ":event-type") == "PayloadChunk")
        .inspect(|m| {
            assert_eq!(header(m, ":message-type"), "event");
            assert_eq!(header(m, ":content-type"), "application/octet-stream");
        })
        .map(|m| m.payload().as_ref())
        .collect()
}

/// The `InvokeComplete` event's JSON, which must be the last message.
fn completion(messages: &[Message]) -> serde_json::Value {
    let last = messages.last().expect("no event at all");
    assert_eq!(header(last, ":event-type"), "InvokeComplete");
    assert_eq!(
        messages
            .iter()
            .filter(|m| header(m, ":event-type") == "InvokeComplete")
            .count(),
        1
    );
    serde_json::from_slice(last.payload()).unwrap()
}

/// The data of the complete chunks of a chunked body so far (chunk sizes read by httparse).
fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Ok(httparse::Status::Complete((start, size))) = httparse::parse_chunk_size(data) {
        let size = usize::try_from(size).unwrap();
        if size == 0 || data.len() < start + size + 2 {
            break;
        }
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}

#[test]
fn invoke_answers_the_payload_or_the_function_error() {
    let server = start(PROBE_EVENT);
    assert!(server.banner.contains("probe-event"), "{}", server.banner);
    let echo = br#"{"action":"echo","value":{"n":1}}"#;
    let qualified = format!("{ARN}:probe-event:$LATEST");
    // As the AWS SDKs send an ARN: percent-encoded.
    let encoded =
        "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aprobe-event%3A%24LATEST";
    let mut ids = Vec::new();
    for name in ["probe-event", "function", qualified.as_str(), encoded] {
        let reply = invoke(&server, name, &[], echo);
        assert_eq!(reply.status, 200, "{name}: {}", reply.text());
        assert_eq!(
            reply.json(),
            serde_json::json!({ "echo": { "n": 1 }, "platform": "aws" }),
            "{name}"
        );
        assert_eq!(reply.header("x-amz-executed-version"), Some("$LATEST"));
        assert_eq!(reply.header("x-amz-function-error"), None);
        let id = reply.header("x-amzn-requestid").unwrap();
        assert!(server.logged(&format!("REPORT RequestId: {id}")), "{id}");
        ids.push(id.to_owned());
    }
    // Only the cold start reports the instance's init, as Lambda's REPORT line does.
    let stderr = server.stderr();
    let report = |id: &str| {
        stderr
            .lines()
            .find(|line| line.contains(&format!("REPORT RequestId: {id}")))
            .unwrap_or_default()
    };
    assert!(report(&ids[0]).contains("\tInit Duration: "), "{stderr}");
    for id in &ids[1..] {
        assert!(!report(id).contains("Init Duration"), "{stderr}");
    }

    let reply = invoke(
        &server,
        "probe-event",
        &[("X-Amz-Invocation-Type", "RequestResponse")],
        br#"{"action":"fail","message":"no stock left"}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("x-amz-function-error"), Some("Unhandled"));
    assert_eq!(reply.header("x-amz-executed-version"), Some("$LATEST"));
    let error = reply.json();
    assert_eq!(error["errorMessage"], "no stock left", "{error}");
    assert!(
        error["errorType"].as_str().is_some_and(|t| !t.is_empty()),
        "{error}"
    );

    for (name, asked) in [
        ("nope", format!("{ARN}:nope")),
        ("probe-event:7", format!("{ARN}:probe-event:7")),
    ] {
        let reply = invoke(&server, name, &[], echo);
        assert_refused(
            &reply,
            404,
            "ResourceNotFoundException",
            &format!("Function not found: {asked}"),
        );
    }
}

#[test]
fn an_event_invocation_is_accepted_before_the_function_runs_it() {
    let server = start(PROBE_EVENT);
    let reply = invoke(
        &server,
        "probe-event",
        &[("X-Amz-Invocation-Type", "Event")],
        br#"{"action":"sleep","ms":1000}"#,
    );
    assert_eq!(reply.status, 202, "{}", reply.text());
    assert!(reply.body.is_empty(), "{}", reply.text());
    let id = reply.header("x-amzn-requestid").unwrap().to_owned();
    let report = format!("REPORT RequestId: {id}");
    // Answered while the function sleeps; then it runs to its end under that request id.
    assert!(!server.stderr().contains(&report), "{}", server.stderr());
    assert!(server.logged(&report), "{}", server.stderr());

    let reply = invoke(
        &server,
        "probe-event",
        &[("X-Amz-Invocation-Type", "DryRun")],
        br#"{"action":"fail","message":"never runs"}"#,
    );
    assert_eq!(reply.status, 204);
    assert!(!server.stderr().contains("never runs"));
}

/// A streaming function's answer reaches the client as Lambda passes it to
/// InvokeWithResponseStream: the bytes the function wrote, its metadata prelude and 8 NUL bytes
/// included (only Function URLs read them), chunk by chunk as written. The function writes
/// `tick 1`, then waits for a file that this client creates only once it has read `tick 1`.
#[test]
fn response_streaming_invocations_stream_the_raw_answer_as_it_is_written() {
    let server = start(PROBE_STREAM);
    let file = std::env::temp_dir().join(format!("fc-invoke-stream-{}", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let event = event_template(
        FC_LOCAL,
        "http",
        "aws",
        &[
            "--trigger",
            "url",
            "--path",
            &format!("/events?file={}", file.display()),
        ],
    );

    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        streaming_invocations("probe-stream"),
        server.addr,
        event.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&event).unwrap();

    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let split = loop {
        let body_at = raw.windows(4).position(|w| w == b"\r\n\r\n");
        if let Some(at) = body_at {
            let messages = decode(&dechunk(&raw[at + 4..]));
            if chunks(&messages)
                .concat()
                .windows(6)
                .any(|w| w == b"tick 1")
            {
                let payload = chunks(&messages).concat();
                assert!(!payload.windows(8).any(|w| w == b"released"), "{payload:?}");
                assert!(
                    messages
                        .iter()
                        .all(|m| header(m, ":event-type") == "PayloadChunk")
                );
                break at;
            }
        }
        let n = match stream.read(&mut buf) {
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            read => read.unwrap(),
        };
        assert!(
            n > 0,
            "the stream ended before `tick 1`: {}",
            String::from_utf8_lossy(&raw)
        );
        raw.extend_from_slice(&buf[..n]);
    };
    // Only now may the function finish.
    std::fs::write(&file, b"").unwrap();
    stream.read_to_end(&mut raw).unwrap();
    let _ = std::fs::remove_file(&file);

    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("content-type: application/vnd.amazon.eventstream"),
        "{head}"
    );
    assert!(head.contains("x-amz-executed-version: $latest"), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    let messages = decode(&dechunk(&raw[split + 4..]));
    assert_eq!(completion(&messages), serde_json::json!({}));
    let payload = chunks(&messages).concat();
    let nuls = payload
        .windows(8)
        .position(|w| w == [0; 8])
        .unwrap_or_else(|| panic!("no 8 NUL bytes after a prelude: {payload:?}"));
    let prelude: serde_json::Value = serde_json::from_slice(&payload[..nuls]).unwrap();
    assert_eq!(prelude["statusCode"], 200, "{prelude}");
    assert_eq!(
        prelude["headers"]["content-type"], "text/plain",
        "{prelude}"
    );
    assert_eq!(
        String::from_utf8_lossy(&payload[nuls + 8..]),
        "tick 1\nreleased\n"
    );
}

/// A function that answers whole still answers through the stream: its payload as one chunk.
/// A failure is told by `InvokeComplete`.
#[test]
fn response_streaming_invocations_of_a_buffered_function() {
    let server = start(PROBE_EVENT);
    let path = streaming_invocations("probe-event");
    let reply = server.request("POST", &path, &[], br#"{"action":"echo","value":[1,2]}"#);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        Some("application/vnd.amazon.eventstream")
    );
    assert_eq!(reply.header("x-amz-executed-version"), Some("$LATEST"));
    let messages = decode(&reply.body);
    assert_eq!(messages.len(), 2, "{messages:?}");
    let chunks = chunks(&messages);
    assert_eq!(chunks.len(), 1);
    let payload: serde_json::Value = serde_json::from_slice(chunks[0]).unwrap();
    assert_eq!(
        payload,
        serde_json::json!({ "echo": [1, 2], "platform": "aws" })
    );
    assert_eq!(completion(&messages), serde_json::json!({}));

    let reply = server.request(
        "POST",
        &path,
        &[],
        br#"{"action":"fail","message":"no stock left"}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let messages = decode(&reply.body);
    assert_eq!(messages.len(), 1, "{messages:?}");
    let complete = completion(&messages);
    assert_eq!(complete["ErrorDetails"], "no stock left", "{complete}");
    assert!(
        complete["ErrorCode"]
            .as_str()
            .is_some_and(|code| !code.is_empty()),
        "{complete}"
    );
}

#[test]
fn bad_requests_get_lambdas_errors_and_the_server_keeps_serving() {
    let server = start(PROBE_EVENT);
    assert_serves(&server, "start");

    for path in [
        invocations("probe-event"),
        streaming_invocations("probe-event"),
    ] {
        let reply = server.request("POST", &path, &[], b"{\"action\":");
        assert_refused(
            &reply,
            400,
            "InvalidRequestContentException",
            "Could not parse request body into json",
        );
        assert_serves(&server, "invalid JSON");
    }

    let oversize = vec![b' '; 6 * 1024 * 1024 + 1];
    let reply = invoke(&server, "probe-event", &[], &oversize);
    assert_refused(
        &reply,
        413,
        "RequestEntityTooLargeException",
        "Request must be smaller than 6291456 bytes",
    );
    assert_serves(&server, "an oversize payload");
    // An asynchronous invocation's limit is 1 MB.
    let mut event = br#"{"action":"echo","value":""#.to_vec();
    event.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    event.extend_from_slice(br#""}"#);
    let reply = invoke(
        &server,
        "probe-event",
        &[("X-Amz-Invocation-Type", "Event")],
        &event,
    );
    assert_refused(
        &reply,
        413,
        "RequestEntityTooLargeException",
        "Request must be smaller than 1048576 bytes",
    );
    assert_serves(&server, "an oversize event");

    let reply = invoke(
        &server,
        "probe-event",
        &[("X-Amz-Invocation-Type", "Later")],
        b"{}",
    );
    assert_refused(&reply, 400, "InvalidParameterValueException", "`Later`");
    assert_serves(&server, "an unknown invocation type");

    for (method, path) in [
        ("POST", "/2015-03-31/functions/probe-event/invoke"),
        ("GET", "/2015-03-31/functions/probe-event/invocations"),
        ("GET", "/2015-03-31/functions"),
    ] {
        let reply = server.request(method, path, &[], b"");
        assert_refused(
            &reply,
            404,
            "UnknownOperationException",
            "/2015-03-31/functions/NAME/invocations",
        );
        assert_serves(&server, path);
    }
}

/// Invokes `probe-overlap` from `n` threads at once; its answers.
fn invoke_together(server: &Server, n: usize, payload: &[u8]) -> Vec<serde_json::Value> {
    let addr = server.addr;
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let payload = payload.to_vec();
            std::thread::spawn(move || {
                fc_tests::request(addr, "POST", &invocations("probe-overlap"), &[], &payload)
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|thread| {
            let reply = thread.join().unwrap();
            assert_eq!(reply.status, 200, "{}", reply.text());
            reply.json()
        })
        .collect()
}

/// With `--concurrency-per-instance 4` one instance takes four invocations at once, as a
/// Lambda Managed Instances environment does, and each keeps its own trace id.
#[test]
fn one_instance_takes_several_invocations_at_once() {
    let server = start_behind_gateway(
        FC_LOCAL,
        "aws",
        &[
            "--concurrency",
            "1",
            "--concurrency-per-instance",
            "4",
            "--timeout",
            "30",
        ],
        PROBE_OVERLAP,
    );
    let answers = invoke_together(&server, 4, br#"{"expect":4}"#);
    let pids: std::collections::HashSet<_> = answers.iter().map(|a| a["pid"].clone()).collect();
    let traces: std::collections::HashSet<_> = answers.iter().map(|a| a["trace"].clone()).collect();
    for answer in &answers {
        assert_eq!(
            answer["overlap"], 4,
            "the invocations did not overlap: {answers:?}"
        );
    }
    assert_eq!(pids.len(), 1, "more than one instance: {answers:?}");
    assert_eq!(traces.len(), 4, "trace ids shared: {answers:?}");
}

/// Without it, a Lambda instance takes one invocation at a time: two at once run in two.
#[test]
fn a_classic_instance_takes_one_invocation_at_a_time() {
    let server = start_behind_gateway(FC_LOCAL, "aws", &["--timeout", "30"], PROBE_OVERLAP);
    let answers = invoke_together(&server, 2, br#"{"expect":1}"#);
    for answer in &answers {
        assert_eq!(answer["overlap"], 1, "{answers:?}");
    }
    assert_ne!(answers[0]["pid"], answers[1]["pid"], "{answers:?}");
}

/// `X-Amz-Tenant-Id` reaches the handler's context, and a tenant's invocations run in an
/// instance of that tenant's only.
#[test]
fn each_tenant_gets_its_id_and_its_own_instance() {
    let server = start_behind_gateway(FC_LOCAL, "aws", &["--concurrency", "1"], PROBE_OVERLAP);
    let as_tenant = |tenant: Option<&str>| {
        let headers: Vec<(&str, &str)> =
            tenant.map(|t| ("X-Amz-Tenant-Id", t)).into_iter().collect();
        let reply = invoke(&server, "probe-overlap", &headers, b"{}");
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    };
    let blue = as_tenant(Some("blue"));
    let blue_again = as_tenant(Some("blue"));
    let green = as_tenant(Some("green"));
    let nobody = as_tenant(None);
    assert_eq!(
        (&blue["tenant"], &green["tenant"]),
        (&"blue".into(), &"green".into())
    );
    assert!(nobody["tenant"].is_null(), "{nobody}");
    assert_eq!(
        blue["pid"], blue_again["pid"],
        "a tenant's instance is reused"
    );
    assert_ne!(blue["pid"], green["pid"], "green ran in blue's instance");
    assert_ne!(
        green["pid"], nobody["pid"],
        "an untenanted call ran in green's instance"
    );
}
