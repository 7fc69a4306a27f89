//! The Runtime API's HTTP side: what a function's runtime client talks to.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use bytes::Bytes;
use fc_core::http::Body;
use http::{HeaderMap, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Frame;
use serde_json::json;
use tokio::net::TcpListener;

use super::{FunctionError, PAYLOAD_LIMIT, Shared, StreamError, lock};

use fc_aws::wire::header::{
    DEADLINE_MS, ERROR_BODY, ERROR_TYPE, INVOKED_FUNCTION_ARN, REQUEST_ID, RESPONSE_MODE,
    TENANT_ID, TRACE_ID,
};

/// The Runtime API and the part of the Extensions API a function's own extension uses, until
/// the emulator drops the task.
pub(super) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let router = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .route(
            "/2018-06-01/runtime/invocation/{id}/{outcome}",
            post(outcome),
        )
        .route("/2020-01-01/extension/register", post(register))
        // An extension that takes no events waits for one for ever.
        .route(
            "/2020-01-01/extension/event/next",
            get(std::future::pending::<()>),
        )
        .fallback(|| async { not_found() })
        .with_state(shared);
    let _ = fc_core::serve::serve(&listener, |_| router.clone(), std::future::pending()).await;
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({ "errorMessage": "not found" })),
    )
        .into_response()
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, axum::Json(json!({ "status": "OK" }))).into_response()
}

fn invalid_request_id() -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(
            json!({ "errorType": "InvalidRequestID", "errorMessage": "Invalid request ID" }),
        ),
    )
        .into_response()
}

async fn init_error(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let error = read_error(&headers, body).await;
    *lock(&shared.init_error) = Some(error);
    accepted()
}

/// `/invocation/{id}/response` or `/invocation/{id}/error`: the function's answer.
async fn outcome(
    State(shared): State<Arc<Shared>>,
    Path((id, outcome)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    if outcome != "response" && outcome != "error" {
        return not_found();
    }
    let Some(waiting) = lock(&shared.waiting).remove(&id) else {
        return invalid_request_id();
    };
    if outcome == "error" {
        let _ = waiting.send(Err(read_error(&headers, body).await));
        return accepted();
    }
    let streaming = headers
        .get(RESPONSE_MODE)
        .is_some_and(|mode| mode.as_bytes().eq_ignore_ascii_case(b"streaming"));
    if streaming {
        stream_response(body, waiting).await;
        return accepted();
    }
    match Limited::new(body, PAYLOAD_LIMIT).collect().await {
        Ok(body) => {
            let _ = waiting.send(Ok(Body::binary(body.to_bytes())));
            accepted()
        }
        Err(_) => {
            let _ = waiting.send(Err(FunctionError {
                error_type: "Function.ResponseSizeTooLarge".into(),
                error_message: format!(
                    "Response payload size exceeded maximum allowed payload size ({PAYLOAD_LIMIT} bytes)."
                ),
            }));
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                axum::Json(json!({ "errorType": "RequestEntityTooLarge" })),
            )
                .into_response()
        }
    }
}

/// A streamed response: the invoker gets a body at once and each chunk as the function sends
/// it; the function's request is answered when its stream ends.
async fn stream_response(
    mut body: axum::body::Body,
    waiting: tokio::sync::oneshot::Sender<Result<Body, FunctionError>>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, fc_core::BoxError>>(16);
    let mut rx = rx;
    let chunks = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let _ = waiting.send(Ok(Body::from_stream(chunks)));
    while let Some(frame) = body.frame().await {
        let chunk = match frame.map(Frame::into_data) {
            Ok(Ok(data)) => Ok(data),
            // Trailers: a mid-stream error, when they name one, ends the stream with it.
            Ok(Err(frame)) => match frame.into_trailers().ok().and_then(|t| trailer_error(&t)) {
                Some(error) => Err(StreamError(error).into()),
                None => continue,
            },
            Err(err) => Err(err.into()),
        };
        if tx.send(chunk).await.is_err() {
            // The client went away; the function's writes go nowhere, as on Lambda.
            continue;
        }
    }
}

/// Registering an extension (a function's own, internal one) makes Lambda send SIGTERM before
/// it stops the instance.
async fn register(State(shared): State<Arc<Shared>>) -> Response {
    shared
        .extensions
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut response = axum::Json(json!({
        "functionName": shared.arn.rsplit(':').next().unwrap_or_default(),
        "functionVersion": "$LATEST",
        "handler": "bootstrap",
        "accountId": "123456789012"
    }))
    .into_response();
    if let Ok(id) = http::HeaderValue::from_str(&fc_local::request_id()) {
        response
            .headers_mut()
            .insert("lambda-extension-identifier", id);
    }
    response
}

/// Waits for an event and hands it over with Lambda's headers.
async fn next(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.first_poll).get_or_insert_with(std::time::Instant::now);
    let queued = loop {
        // Waiting before looking: with several `/next` in flight (a Managed Instances
        // runtime), an event queued in between still wakes one of them.
        let ready = shared.ready.notified();
        let mut ready = std::pin::pin!(ready);
        ready.as_mut().enable();
        if let Some(queued) = lock(&shared.queue).pop_front() {
            break queued;
        }
        ready.await;
    };
    let mut response = Response::new(axum::body::Body::from(queued.payload));
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("content-type", "application/json");
    set(REQUEST_ID, &queued.request_id);
    set(DEADLINE_MS, &queued.deadline_ms.to_string());
    set(INVOKED_FUNCTION_ARN, &shared.arn);
    set(TRACE_ID, &queued.trace_id);
    if let Some(tenant_id) = &queued.tenant_id {
        set(TENANT_ID, tenant_id);
    }
    response
}

/// The error a streaming runtime reports in its trailers (AWS's custom-runtime docs):
/// `Lambda-Runtime-Function-Error-Type`, and `Lambda-Runtime-Function-Error-Body` in base64.
fn trailer_error(trailers: &http::HeaderMap) -> Option<FunctionError> {
    let error_type = trailers.get(ERROR_TYPE)?;
    let body = trailers
        .get(ERROR_BODY)
        .and_then(|body| {
            base64::engine::general_purpose::STANDARD
                .decode(body.as_bytes())
                .ok()
        })
        .unwrap_or_default();
    Some(parse_error(Some(error_type), &body))
}

/// The `{errorType, errorMessage}` a runtime posts, read leniently as Lambda does.
async fn read_error(headers: &HeaderMap, body: axum::body::Body) -> FunctionError {
    let body = Limited::new(body, PAYLOAD_LIMIT)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    parse_error(headers.get(ERROR_TYPE), &body)
}

/// An error from its type header and its body: JSON `{errorType, errorMessage}` where it is,
/// the text otherwise.
fn parse_error(header_type: Option<&http::HeaderValue>, body: &[u8]) -> FunctionError {
    let header_type = header_type.and_then(|v| v.to_str().ok()).map(str::to_owned);
    let parsed: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |key: &str| parsed.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    FunctionError {
        error_type: text("errorType")
            .or(header_type)
            .unwrap_or_else(|| "Unhandled".into()),
        error_message: text("errorMessage")
            .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a panic is the failure report

    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;

    use super::*;

    /// A runtime that fails mid-stream says why in trailers; the streamed body ends with it.
    #[tokio::test]
    async fn error_trailers_end_a_streamed_answer_with_the_function_error() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let (tx, rx) = tokio::sync::oneshot::channel();
        lock(&shared.waiting).insert("r1".into(), tx);
        let server = tokio::spawn(serve(listener, Arc::clone(&shared)));
        let error_body =
            base64::engine::general_purpose::STANDARD.encode(r#"{"errorMessage":"went wrong"}"#);
        let mut runtime = tokio::net::TcpStream::connect(addr).await.unwrap();
        runtime
            .write_all(
                format!(
                    "POST /2018-06-01/runtime/invocation/r1/response HTTP/1.1\r\nHost: {addr}\r\n\
                     Lambda-Runtime-Function-Response-Mode: streaming\r\n\
                     Transfer-Encoding: chunked\r\n\
                     Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n\
                     4\r\nhalf\r\n0\r\n\
                     Lambda-Runtime-Function-Error-Type: Function.Oops\r\n\
                     Lambda-Runtime-Function-Error-Body: {error_body}\r\n\r\n"
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        let mut chunks = rx.await.unwrap().unwrap().into_data_stream();
        assert_eq!(chunks.next().await.unwrap().unwrap(), "half");
        let err = chunks.next().await.unwrap().unwrap_err();
        assert_eq!(
            StreamError::of(&*err),
            FunctionError {
                error_type: "Function.Oops".into(),
                error_message: "went wrong".into(),
            }
        );
        assert!(chunks.next().await.is_none());
        server.abort();
    }
}
