//! Lambda's Invoke API on the gateway's listener (`--platform aws`), as AWS's Runtime Interface
//! Emulator (RIE) and cargo-lambda serve it, so AWS SDKs and the AWS CLI can take fc-local as
//! their `--endpoint-url`:
//!
//! - `POST /2015-03-31/functions/{FunctionName}/invocations` (Invoke). `RequestResponse` (the
//!   default) answers 200 with the function's payload, or with its error
//!   (`{errorMessage, errorType}`) and `X-Amz-Function-Error: Unhandled`; `Event` answers 202
//!   once the event is handed to the function; `DryRun` 204.
//! - `POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations`
//!   (InvokeWithResponseStream): an `application/vnd.amazon.eventstream` answer, one
//!   `PayloadChunk` event per chunk as the function writes it (the raw bytes: a streamed HTTP
//!   response keeps its metadata prelude and 8 NUL bytes, which only Function URLs read), then
//!   `InvokeComplete`, whose `ErrorCode` and `ErrorDetails` say how the function failed if it
//!   did. A function that answers whole is passed on as one chunk.
//!
//! `X-Amz-Tenant-Id` names the tenant of a function with tenant isolation; the function gets
//! it as `Lambda-Runtime-Aws-Tenant-Id`, in an instance of that tenant's own.
//!
//! `FunctionName` is the function's name (its executable's), ARN or partial ARN, unqualified or
//! `$LATEST`; `function`, the one name RIE answers to, works too. Anything the API refuses is
//! answered as Lambda does: the status, the error type in `x-amzn-ErrorType`, and
//! `{"Type": "User", "message": …}`.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Body as AxumBody;
use axum::extract::{Path, State};
use axum::routing::any;
use bytes::{Bytes, BytesMut};
use fc_core::http::Body;
use fc_core::serve::BodyError;
use futures_util::StreamExt;
use http::Request;
use http::{HeaderName, HeaderValue, Method, Response, StatusCode, Uri, header};

use super::{Gateway, json};
use crate::cli::backend::Backend;
use crate::cli::report::report;
use crate::emulator::{EmulatorError, FunctionError};
use crate::lambda::{
    ASYNC_PAYLOAD_LIMIT, Invoke, LambdaFunction, PAYLOAD_LIMIT, StreamError, TOO_LARGE, refusal,
    too_large,
};

const INVOKE: &str = "/2015-03-31/functions";
const STREAM: &str = "/2021-11-15/functions";
/// The function name AWS's Runtime Interface Emulator answers to.
const RIE_NAME: &str = "function";
const LATEST: &str = "$LATEST";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
const ERROR_TYPE: HeaderName = HeaderName::from_static("x-amzn-errortype");
const EXECUTED_VERSION: HeaderName = HeaderName::from_static("x-amz-executed-version");
const FUNCTION_ERROR: HeaderName = HeaderName::from_static("x-amz-function-error");
const INVOCATION_TYPE: HeaderName = HeaderName::from_static("x-amz-invocation-type");
/// The tenant of a function with tenant isolation (`aws lambda invoke --tenant-id`).
const TENANT_ID: HeaderName = HeaderName::from_static("x-amz-tenant-id");

/// The content type of an event stream, and of each `PayloadChunk`'s bytes.
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";
const OCTET_STREAM: &str = "application/octet-stream";

/// The largest `PayloadChunk`: a bigger chunk goes in pieces, well inside the event stream's
/// 16 MB message limit; a function's whole answer (at most this) always goes as one.
const MAX_CHUNK: usize = PAYLOAD_LIMIT;

/// Whether `path` is the Invoke API's, rather than a request for the HTTP trigger.
pub(super) fn serves(path: &str) -> bool {
    [INVOKE, STREAM].iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// The Invoke API's two operations on `router`; the other paths under their prefixes reach
/// the HTTP trigger's handler, which answers them with [`unknown_operation`].
pub(super) fn routes(router: Router<Arc<Gateway>>) -> Router<Arc<Gateway>> {
    router
        .route(
            "/2015-03-31/functions/{name}/invocations",
            any(
                |gateway: State<Arc<Gateway>>, name: Path<String>, req: Request<AxumBody>| {
                    handle(Operation::Invoke, gateway, name, req)
                },
            ),
        )
        .route(
            "/2021-11-15/functions/{name}/response-streaming-invocations",
            any(
                |gateway: State<Arc<Gateway>>, name: Path<String>, req: Request<AxumBody>| {
                    handle(Operation::InvokeWithResponseStream, gateway, name, req)
                },
            ),
        )
}

/// The answer to a path under the Invoke API's prefixes that is not one of its operations.
pub(super) fn unknown_operation() -> Response<Body> {
    error(
        StatusCode::NOT_FOUND,
        "UnknownOperationException",
        "fc-local serves Invoke (POST /2015-03-31/functions/NAME/invocations) and \
         InvokeWithResponseStream (POST /2021-11-15/functions/NAME/response-streaming-invocations)",
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Invoke,
    InvokeWithResponseStream,
}

/// Answers one request to the Invoke API for the function `name`.
async fn handle(
    operation: Operation,
    State(gateway): State<Arc<Gateway>>,
    Path(name): Path<String>,
    req: Request<AxumBody>,
) -> Response<Body> {
    if req.method() != Method::POST {
        return unknown_operation();
    }
    let backend = Arc::clone(&*gateway.backend.read().await);
    let gateway = &*gateway;
    let Backend::Aws(pool) = &*backend else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ServiceException",
            "the Invoke API is served for --platform aws only",
        );
    };
    if let Err(arn) = resolve(&name, qualifier(req.uri()).as_deref(), pool.function()) {
        return error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            &format!("Function not found: {arn}"),
        );
    }
    let invocation_type = req
        .headers()
        .get(INVOCATION_TYPE)
        .map_or("RequestResponse", |v| v.to_str().unwrap_or_default())
        .to_owned();
    let limit = match (operation, invocation_type.as_str()) {
        (_, "RequestResponse" | "DryRun") => PAYLOAD_LIMIT,
        (Operation::Invoke, "Event") => ASYNC_PAYLOAD_LIMIT,
        (Operation::Invoke, other) => {
            return invalid_parameter(&format!(
                "InvocationType `{other}` is not RequestResponse, Event or DryRun"
            ));
        }
        (Operation::InvokeWithResponseStream, other) => {
            return invalid_parameter(&format!(
                "InvocationType `{other}` is not RequestResponse or DryRun"
            ));
        }
    };
    let how = Invoke {
        tenant_id: req
            .headers()
            .get(TENANT_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ..Invoke::default()
    };
    let payload = match payload(req.into_body(), limit).await {
        Ok(payload) => payload,
        Err(refused) => return refused,
    };
    let answer = match (operation, invocation_type.as_str()) {
        (_, "DryRun") => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NO_CONTENT;
            Ok(response)
        }
        (Operation::Invoke, "Event") => Ok(hand_over(gateway, &backend, payload, how)),
        (Operation::Invoke, _) => pool.invoke_with(payload, how).await.map(|outcome| {
            report(gateway.platform, &outcome, gateway.memory_mb);
            let id = outcome.request_id;
            let response = match outcome.result {
                Ok(payload) => json_payload(payload),
                Err(err) => {
                    eprintln!("fc-local: the function failed: {err}");
                    function_error(&err)
                }
            };
            with_header(executed(response), REQUEST_ID, &id)
        }),
        (Operation::InvokeWithResponseStream, _) => {
            pool.invoke_streaming(payload, how)
                .await
                .map(|(outcome, result)| {
                    report(gateway.platform, &outcome, gateway.memory_mb);
                    if let Err(err) = &result {
                        eprintln!("fc-local: the function failed: {err}");
                    }
                    let response = with_header(
                        Response::new(event_stream(result)),
                        header::CONTENT_TYPE,
                        EVENT_STREAM,
                    );
                    with_header(executed(response), REQUEST_ID, &outcome.request_id)
                })
        }
    };
    answer.unwrap_or_else(|err| service_error(&err))
}

/// Whether the name in the path (with the `Qualifier` query parameter) names `function`: its
/// name (or RIE's), ARN or partial ARN, unqualified or `$LATEST`. If not, the ARN asked for.
fn resolve(name: &str, qualifier: Option<&str>, function: &LambdaFunction) -> Result<(), String> {
    let arn = function.arn();
    // `arn:aws:lambda:REGION:ACCOUNT:function:`: `arn:aws:lambda:REGION:`, then the partial
    // ARN's prefix `ACCOUNT:function:`.
    let arn_prefix = &arn[..arn.len() - function.function_name.len()];
    let partial_prefix = arn_prefix.splitn(5, ':').nth(4).unwrap_or_default();
    let region_prefix = &arn_prefix[..arn_prefix.len() - partial_prefix.len()];
    let (rest, asked) = if name.starts_with("arn:") {
        (name.strip_prefix(arn_prefix), name.to_string())
    } else if name.contains(":function:") {
        (
            name.strip_prefix(partial_prefix),
            format!("{region_prefix}{name}"),
        )
    } else {
        (Some(name), format!("{arn_prefix}{name}"))
    };
    let (short, in_name) = match rest.map(|rest| rest.split_once(':')) {
        Some(Some((short, qualifier))) => (Some(short), Some(qualifier)),
        Some(None) => (rest, None),
        None => (None, None),
    };
    let found = short.is_some_and(|short| short == function.function_name || short == RIE_NAME)
        && in_name.or(qualifier).is_none_or(|q| q == LATEST);
    if found {
        return Ok(());
    }
    Err(match qualifier {
        Some(qualifier) if in_name.is_none() => format!("{asked}:{qualifier}"),
        _ => asked,
    })
}

/// The `Qualifier` query parameter.
fn qualifier(uri: &Uri) -> Option<String> {
    form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(key, _)| key == "Qualifier")
        .map(|(_, value)| value.into_owned())
}

/// The request's payload, refused as Lambda refuses it: over `limit`, or not JSON. No payload
/// is the event `{}`, as the AWS CLI's `invoke` without `--payload` gives the function.
async fn payload(body: AxumBody, limit: usize) -> Result<Bytes, Response<Body>> {
    let refused = |refused: FunctionError| {
        let status = if refused.error_type == TOO_LARGE {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        error(status, &refused.error_type, &refused.error_message)
    };
    let payload = match fc_core::serve::read_body(body, limit).await {
        Ok(payload) => payload,
        Err(BodyError::TooLarge) => return Err(refused(too_large(limit))),
        Err(err) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "InvalidRequestContentException",
                &format!("the request body could not be read: {err}"),
            ));
        }
    };
    let payload = if payload.is_empty() {
        Bytes::from_static(b"{}")
    } else {
        payload
    };
    match refusal(&payload, limit) {
        Some(refusal) => Err(refused(refusal)),
        None => Ok(payload),
    }
}

/// An asynchronous invocation: the event is handed to the function, which runs after the
/// answer, 202 with the request id the function gets.
fn hand_over(
    gateway: &Gateway,
    backend: &Arc<Backend>,
    payload: Bytes,
    mut how: Invoke,
) -> Response<Body> {
    let request_id = fc_local::request_id();
    how.request_id = Some(request_id.clone());
    let backend = Arc::clone(backend);
    let (platform, memory_mb) = (gateway.platform, gateway.memory_mb);
    tokio::spawn(async move {
        let Backend::Aws(pool) = &*backend else {
            return;
        };
        match pool.invoke_with(payload, how).await {
            Ok(outcome) => {
                report(platform, &outcome, memory_mb);
                if let Err(err) = &outcome.result {
                    eprintln!("fc-local: the asynchronous invocation failed: {err}");
                }
            }
            Err(err) => eprintln!("fc-local: {err}"),
        }
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::ACCEPTED;
    with_header(response, REQUEST_ID, &request_id)
}

/// The function's payload, as Lambda answers a synchronous invocation.
fn json_payload(payload: Bytes) -> Response<Body> {
    with_header(
        Response::new(Body::binary(payload)),
        header::CONTENT_TYPE,
        "application/json",
    )
}

/// A function error, as Lambda answers it: 200, `X-Amz-Function-Error: Unhandled`, and the
/// error in the payload.
fn function_error(err: &FunctionError) -> Response<Body> {
    let body = serde_json::json!({
        "errorMessage": err.error_message,
        "errorType": err.error_type,
    });
    with_header(
        json(StatusCode::OK, body).map(Body::binary),
        FUNCTION_ERROR,
        "Unhandled",
    )
}

fn executed(response: Response<Body>) -> Response<Body> {
    with_header(response, EXECUTED_VERSION, LATEST)
}

fn with_header(mut response: Response<Body>, name: HeaderName, value: &str) -> Response<Body> {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
    response
}

/// A refusal, as Lambda's API answers one: the type in `x-amzn-ErrorType`, and
/// `{"Type": "User", "message"}` (`"Service"` for its own failures).
fn error(status: StatusCode, error_type: &str, message: &str) -> Response<Body> {
    let kind = if status.is_server_error() {
        "Service"
    } else {
        "User"
    };
    eprintln!("fc-local: {error_type}: {message}");
    let body = serde_json::json!({ "Type": kind, "message": message });
    let response = with_header(json(status, body).map(Body::binary), ERROR_TYPE, error_type);
    with_header(response, REQUEST_ID, &fc_local::request_id())
}

fn invalid_parameter(message: &str) -> Response<Body> {
    error(
        StatusCode::BAD_REQUEST,
        "InvalidParameterValueException",
        message,
    )
}

/// The function could not be run at all (it does not start, say): Lambda's 500.
fn service_error(err: &EmulatorError) -> Response<Body> {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "ServiceException",
        &err.to_string(),
    )
}

/// The event stream of an `InvokeWithResponseStream` answer: a `PayloadChunk` per chunk as it
/// comes, then `InvokeComplete`.
fn event_stream(answer: Result<Body, FunctionError>) -> Body {
    let chunks = match answer {
        Ok(body) => body.into_data_stream(),
        Err(err) => return Body::binary(invoke_complete(Some(&err))),
    };
    let frames = futures_util::stream::unfold(Some(chunks), |chunks| async move {
        let mut chunks = chunks?;
        let (frames, rest) = match chunks.next().await {
            Some(Ok(chunk)) => (payload_chunks(&chunk), Some(chunks)),
            Some(Err(err)) => (invoke_complete(Some(&StreamError::of(&*err))), None),
            None => (invoke_complete(None), None),
        };
        Some((Ok::<_, Infallible>(frames), rest))
    });
    Body::from_stream(frames)
}

/// `PayloadChunk` events carrying `chunk`, in pieces of at most [`MAX_CHUNK`] bytes.
fn payload_chunks(chunk: &Bytes) -> Bytes {
    let mut frames = BytesMut::new();
    for at in (0..chunk.len()).step_by(MAX_CHUNK) {
        let piece = chunk.slice(at..chunk.len().min(at + MAX_CHUNK));
        frames.extend_from_slice(&event("PayloadChunk", OCTET_STREAM, piece));
    }
    frames.freeze()
}

/// The `InvokeComplete` event: `{}`, or the function's error as `ErrorCode` and `ErrorDetails`.
fn invoke_complete(error: Option<&FunctionError>) -> Bytes {
    let body = match error {
        Some(err) => serde_json::json!({
            "ErrorCode": err.error_type,
            "ErrorDetails": err.error_message,
        }),
        None => serde_json::json!({}),
    };
    event(
        "InvokeComplete",
        "application/json",
        Bytes::from(body.to_string()),
    )
}

/// One event-stream message, framed (lengths, headers, CRCs) by the AWS SDK's own encoder.
fn event(event_type: &'static str, content_type: &'static str, payload: Bytes) -> Bytes {
    use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
    let string = |value: &'static str| HeaderValue::String(value.into());
    let message = Message::new(payload)
        .add_header(Header::new(":event-type", string(event_type)))
        .add_header(Header::new(":content-type", string(content_type)))
        .add_header(Header::new(":message-type", string("event")));
    let mut frame = Vec::new();
    // Fails only past the frame's size limits, which MAX_CHUNK keeps clear of.
    if let Err(err) = aws_smithy_eventstream::frame::write_message_to(&message, &mut frame) {
        eprintln!("fc-local: cannot frame a {event_type} event: {err}");
    }
    Bytes::from(frame)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a panic is the failure report

    use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
    use aws_smithy_types::event_stream::Message;

    use super::*;

    fn function() -> LambdaFunction {
        LambdaFunction::new("/bin/probe-event")
    }

    fn decode(mut bytes: &[u8]) -> Vec<Message> {
        let mut decoder = MessageFrameDecoder::new();
        let mut messages = Vec::new();
        while !bytes.is_empty() {
            match decoder.decode_frame(&mut bytes).unwrap() {
                DecodedFrame::Complete(message) => messages.push(message),
                DecodedFrame::Incomplete => panic!("a frame was cut short"),
            }
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

    #[test]
    fn only_the_invoke_api_paths_are_served_here() {
        assert!(serves("/2015-03-31/functions/f/invocations"));
        assert!(serves(
            "/2021-11-15/functions/f/response-streaming-invocations"
        ));
        assert!(serves("/2015-03-31/functions"));
        assert!(!serves("/2015-03-31/functionsx"));
        assert!(!serves("/hello"));
    }

    #[test]
    fn a_function_is_found_by_every_name_lambda_takes() {
        let f = function();
        for name in [
            "probe-event",
            "probe-event:$LATEST",
            "function",
            "function:$LATEST",
            "arn:aws:lambda:us-east-1:123456789012:function:probe-event",
            "arn:aws:lambda:us-east-1:123456789012:function:probe-event:$LATEST",
            "123456789012:function:probe-event",
        ] {
            assert_eq!(resolve(name, None, &f), Ok(()), "{name}");
        }
        assert_eq!(resolve("probe-event", Some("$LATEST"), &f), Ok(()));
        let arn = "arn:aws:lambda:us-east-1:123456789012:function";
        assert_eq!(resolve("other", None, &f), Err(format!("{arn}:other")));
        assert_eq!(
            resolve("probe-event", Some("3"), &f),
            Err(format!("{arn}:probe-event:3"))
        );
        assert_eq!(
            resolve("probe-event:live", None, &f),
            Err(format!("{arn}:probe-event:live"))
        );
        assert_eq!(
            resolve("999999999999:function:probe-event", None, &f),
            Err("arn:aws:lambda:us-east-1:999999999999:function:probe-event".to_owned())
        );
        let elsewhere = "arn:aws:lambda:eu-west-1:123456789012:function:probe-event";
        assert_eq!(resolve(elsewhere, None, &f), Err(elsewhere.to_owned()));
    }

    #[tokio::test]
    async fn chunks_become_payload_chunk_events_then_invoke_complete() {
        let chunks = futures_util::stream::iter([
            Ok::<_, Infallible>(Bytes::from_static(b"{\"statusCode\":200}")),
            Ok(Bytes::from_static(&[0; 8])),
            Ok(Bytes::from_static(b"tick")),
        ]);
        let body = event_stream(Ok(Body::from_stream(chunks)));
        let bytes = body.collect(None).await.unwrap().into_bytes().unwrap();
        let messages = decode(&bytes);
        assert_eq!(messages.len(), 4);
        for message in &messages[..3] {
            assert_eq!(header(message, ":event-type"), "PayloadChunk");
            assert_eq!(header(message, ":message-type"), "event");
            assert_eq!(header(message, ":content-type"), OCTET_STREAM);
        }
        let payloads: Vec<&[u8]> = messages.iter().map(|m| m.payload().as_ref()).collect();
        assert_eq!(
            payloads[..3],
            [&b"{\"statusCode\":200}"[..], &[0; 8], b"tick"]
        );
        assert_eq!(header(&messages[3], ":event-type"), "InvokeComplete");
        assert_eq!(payloads[3], b"{}");
    }

    #[tokio::test]
    async fn a_failure_ends_the_stream_with_its_error_code() {
        let failure = FunctionError {
            error_type: "Runtime.StreamError".into(),
            error_message: "broken".into(),
        };
        let chunks = futures_util::stream::iter([
            Ok(Bytes::from_static(b"half")),
            Err(StreamError(failure.clone())),
        ]);
        let body = event_stream(Ok(Body::from_stream(chunks)));
        let bytes = body.collect(None).await.unwrap().into_bytes().unwrap();
        let messages = decode(&bytes);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].payload().as_ref(), b"half");
        let complete: serde_json::Value = serde_json::from_slice(messages[1].payload()).unwrap();
        assert_eq!(
            complete,
            serde_json::json!({ "ErrorCode": "Runtime.StreamError", "ErrorDetails": "broken" })
        );
        // A function that fails before it answers: the stream is only the completion.
        let bytes = event_stream(Err(failure)).into_bytes().unwrap();
        let messages = decode(&bytes);
        assert_eq!(messages.len(), 1);
        assert_eq!(header(&messages[0], ":event-type"), "InvokeComplete");
    }

    #[tokio::test]
    async fn a_whole_answer_is_one_chunk() {
        let body = event_stream(Ok(Body::binary(vec![b'x'; 100_000])));
        let bytes = body.collect(None).await.unwrap().into_bytes().unwrap();
        let messages = decode(&bytes);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].payload().len(), 100_000);
        // Past the limit a chunk goes in pieces, each a valid frame.
        let big = Bytes::from(vec![b'y'; MAX_CHUNK + 1]);
        let messages = decode(&payload_chunks(&big));
        assert_eq!(
            messages
                .iter()
                .map(|m| m.payload().len())
                .collect::<Vec<_>>(),
            [MAX_CHUNK, 1]
        );
    }
}
