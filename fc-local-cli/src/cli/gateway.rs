//! The HTTP gateway of `fc-local start`: each request becomes the chosen trigger's event (or is
//! passed through, for FC's HTTP trigger), and the function's answer becomes the response. On
//! AWS the same listener serves Lambda's Invoke API too (see [`invoke_api`]).

mod invoke_api;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use bytes::Bytes;
use fc_core::http::Body;
use http::{HeaderValue, Response, StatusCode, header};
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tower::ServiceExt;

use fc_core::Platform;
use fc_core::http::Trigger;

use super::backend::{Backend, Outcome};
use super::report::report;
use crate::aliyun;
use crate::emulator::{EmulatorError, FunctionError};
use crate::lambda::Invoke;

/// What one gateway serves.
#[derive(Debug)]
pub(crate) struct Gateway {
    pub(crate) backend: tokio::sync::RwLock<Arc<Backend>>,
    pub(crate) trigger: Trigger,
    pub(crate) memory_mb: u32,
    pub(crate) platform: Platform,
    /// AWS: the function's responses stream (`InvokeMode: RESPONSE_STREAM`).
    pub(crate) streaming: bool,
}

/// How long a stop waits for the requests in flight.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves until `shutdown` completes, then lets the requests in flight finish.
pub(crate) async fn serve(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut router = Router::new();
    if gateway.platform == Platform::Aws {
        router = invoke_api::routes(router);
    }
    let router = router.fallback(trigger).with_state(gateway);
    let service = |peer| {
        let router = router.clone();
        tower::service_fn(move |mut req: hyper::Request<Incoming>| {
            let router = router.clone();
            let started = Instant::now();
            let method = req.method().clone();
            let target = req
                .uri()
                .path_and_query()
                .map_or_else(|| "/".to_owned(), ToString::to_string);
            req.extensions_mut().insert(ConnectInfo(peer));
            async move {
                let response = router.oneshot(req).await?;
                eprintln!(
                    "fc-local: {method} {target} -> {} ({:.1} ms)",
                    response.status().as_u16(),
                    started.elapsed().as_secs_f64() * 1000.0
                );
                Ok::<_, Infallible>(response)
            }
        })
    };
    let open = fc_core::serve::serve(&listener, service, shutdown).await;
    if !open.drain(DRAIN).await {
        eprintln!("fc-local: requests still running after {DRAIN:?}; stopping anyway");
    }
}

fn json(status: StatusCode, body: serde_json::Value) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The gateway's own failure answer, as API Gateway gives it.
fn api_gateway_error(status: StatusCode) -> Response<Bytes> {
    let message = match status {
        StatusCode::GATEWAY_TIMEOUT => "Endpoint request timed out",
        StatusCode::PAYLOAD_TOO_LARGE => "Request Entity Too Large",
        _ => "Internal server error",
    };
    json(status, serde_json::json!({ "message": message }))
}

/// The front door's answer when the function gave none it could pass on: API Gateway's with
/// `status`; Azure's host answers 500 with no body, whatever went wrong.
fn gateway_error(platform: Platform, status: StatusCode) -> Response<Bytes> {
    if platform == Platform::Azure {
        return crate::azure::host_error();
    }
    api_gateway_error(status)
}

/// A request for the function's HTTP trigger: passed through, or made the trigger's event.
async fn trigger(
    State(gateway): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: http::Request<axum::body::Body>,
) -> Response<Body> {
    if gateway.platform == Platform::Aws && invoke_api::serves(req.uri().path()) {
        return invoke_api::unknown_operation();
    }
    let backend = Arc::clone(&*gateway.backend.read().await);
    let limit = match gateway.platform {
        Platform::Aws => crate::lambda::PAYLOAD_LIMIT,
        // An activation's parameters.
        Platform::OpenWhisk => 1024 * 1024,
        Platform::Tencent => crate::tencent::PAYLOAD_LIMIT,
        Platform::Azure => crate::azure::PAYLOAD_LIMIT,
        _ => 32 * 1024 * 1024,
    };
    let (parts, body) = req.into_parts();
    let body = match fc_core::serve::read_body(body, limit).await {
        Ok(body) => body,
        Err(_) => {
            eprintln!(
                "fc-local: {} {}: the body is over the platform's limit of {limit} bytes",
                parts.method, parts.uri
            );
            return api_gateway_error(StatusCode::PAYLOAD_TOO_LARGE).map(Body::binary);
        }
    };
    let source_ip = peer.ip().to_string();
    match (&*backend, gateway.trigger) {
        (
            backend,
            Trigger::FcHttp
            | Trigger::Knative
            | Trigger::CloudRun
            | Trigger::OpenWhiskWeb
            | Trigger::ScfWeb
            | Trigger::AzureHttp,
        ) => {
            let mut parts = parts;
            if gateway.platform == Platform::Azure
                && let Ok(peer) = HeaderValue::from_str(&peer.to_string())
            {
                // Azure's front end says who asked, with the port.
                parts.headers.append("x-forwarded-for", peer);
            }
            match backend.http(hyper::Request::from_parts(parts, body)).await {
                Ok((outcome, response)) => {
                    if let Some(outcome) = outcome {
                        report(gateway.platform, &outcome, gateway.memory_mb);
                    }
                    // Passed on as it streams from the function, as FC's HTTP trigger and
                    // Knative's ingress do.
                    response
                }
                Err(err) => unreachable_function(gateway.platform, &err).map(Body::binary),
            }
        }
        (backend, trigger) => {
            let http_event = match gateway.platform {
                Platform::Aws => crate::lambda::http_event,
                Platform::Tencent => crate::tencent::http_event,
                Platform::Azure => crate::azure::http_event,
                _ => crate::aliyun::http_event,
            };
            let event = http_event(
                trigger,
                &parts.method,
                &parts.uri,
                &parts.headers,
                &body,
                &source_ip,
            );
            let event = match event {
                Ok(event) => Bytes::from(event.to_string()),
                Err(err) => {
                    eprintln!("fc-local: {err}");
                    return api_gateway_error(StatusCode::INTERNAL_SERVER_ERROR).map(Body::binary);
                }
            };
            match backend {
                Backend::Aws(pool) if gateway.streaming => {
                    match pool.invoke_streaming(event, Invoke::default()).await {
                        Ok((outcome, result)) => {
                            report(gateway.platform, &outcome, gateway.memory_mb);
                            streamed(result).await
                        }
                        Err(err) => unreachable_function(gateway.platform, &err).map(Body::binary),
                    }
                }
                backend => match backend.invoke(event).await {
                    Ok(outcome) => {
                        report(gateway.platform, &outcome, gateway.memory_mb);
                        answer(gateway.platform, trigger, outcome)
                    }
                    Err(err) => unreachable_function(gateway.platform, &err),
                }
                .map(Body::binary),
            }
        }
    }
}

/// A streamed answer as a Function URL in `RESPONSE_STREAM` mode passes it on: the prelude's
/// status, headers and cookies, then the body as it comes.
async fn streamed(result: Result<Body, crate::emulator::FunctionError>) -> Response<Body> {
    let body = match result {
        Ok(body) => body,
        Err(err) => {
            eprintln!("fc-local: the function failed: {err}");
            return api_gateway_error(StatusCode::BAD_GATEWAY).map(Body::binary);
        }
    };
    crate::lambda::split_prelude(body)
        .await
        .unwrap_or_else(|why| {
            eprintln!("fc-local: the function's answer is not a streamed HTTP response: {why}");
            api_gateway_error(StatusCode::BAD_GATEWAY).map(Body::binary)
        })
}

fn unreachable_function(platform: Platform, err: &EmulatorError) -> Response<Bytes> {
    eprintln!("fc-local: {err}");
    match err {
        EmulatorError::TimedOut(_) => gateway_error(platform, StatusCode::GATEWAY_TIMEOUT),
        EmulatorError::InitializationFailed(err) => fc_function_error(err),
        _ => gateway_error(platform, StatusCode::BAD_GATEWAY),
    }
}

/// FC's answer to an HTTP request whose function failed: 502, with the kind of failure in
/// `X-Fc-Error-Type` (`InitializationError` when the instance's initializer failed,
/// `UnhandledInvocationError` otherwise) and FC's `{"errorMessage", "errorType"}` body.
///
/// Source: Function Compute FAQ, "HTTP trigger errors" (`UnhandledInvocationError`: 502), and
/// "Lifecycle hooks for function instances" (`X-Fc-Error-Type: InitializationError`).
fn fc_function_error(err: &FunctionError) -> Response<Bytes> {
    let kind = if err.error_type == aliyun::INITIALIZATION_ERROR {
        aliyun::INITIALIZATION_ERROR
    } else {
        aliyun::UNHANDLED_INVOCATION_ERROR
    };
    let mut response = json(
        StatusCode::BAD_GATEWAY,
        serde_json::json!({ "errorMessage": err.error_message, "errorType": err.error_type }),
    );
    response
        .headers_mut()
        .insert("x-fc-error-type", HeaderValue::from_static(kind));
    response
}

/// The response a gateway makes of the function's answer; a function error or an answer in the
/// wrong shape is a 502, as API Gateway answers (with the reason on fc-local's own output).
fn answer(platform: Platform, trigger: Trigger, outcome: Outcome) -> Response<Bytes> {
    let payload = match outcome.result {
        Ok(payload) => payload,
        Err(err) => {
            eprintln!("fc-local: the function failed: {err}");
            // Alibaba's API Gateway is a product of its own, with API Gateway's answers.
            if platform == Platform::Aliyun && trigger != Trigger::FcApiGateway {
                return fc_function_error(&err);
            }
            return gateway_error(platform, StatusCode::BAD_GATEWAY);
        }
    };
    let decoded = match platform {
        Platform::Aws => crate::lambda::http_response(trigger, &payload),
        Platform::Tencent => crate::tencent::http_response(trigger, &payload),
        Platform::Azure => crate::azure::http_response(&payload),
        _ => crate::aliyun::http_response(trigger, &payload),
    };
    decoded.unwrap_or_else(|why| {
        eprintln!(
            "fc-local: the function's answer is not a {} response: {why}",
            trigger.description()
        );
        // Alibaba's API Gateway answers 503 to a result in the wrong format; the others 502.
        let status = match trigger {
            Trigger::FcApiGateway => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_GATEWAY,
        };
        gateway_error(platform, status)
    })
}
