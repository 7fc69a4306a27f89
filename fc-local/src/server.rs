//! The development HTTP server: serves an HTTP handler on loopback, one task per connection.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::Bytes;
use fc_core::http::{Body, Request, RequestInfo, Response, StatusCode, Trigger, header};
use fc_core::serve::BodyError;
use fc_core::{Function, Instance, Invocation};
use hyper::body::{Body as _, Incoming};
use tokio::net::TcpListener;

use crate::config::Config;

/// How long a stop waits for requests in flight before it gives up on them.
const DRAIN: Duration = Duration::from_secs(10);

/// Why the local platform could not serve.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The function's `init` failed.
    #[error("init failed: {0:#}")]
    Init(fc_core::Error),
    /// The address could not be listened on (in use, not allowed).
    // The system's error is in the message, so it is not also given as the source.
    #[error("cannot listen on {addr}: {error}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// What the system said.
        error: std::io::Error,
    },
}

/// Runs `function` as the local platform does: `init`, then serve on `config.addr` until
/// Ctrl-C or SIGTERM, then let requests in flight finish.
///
/// The first line on stdout says where it serves.
pub async fn serve(function: Function<Request>, config: Config) -> Result<(), ServeError> {
    let instance = function.init().await.map_err(ServeError::Init)?;
    let listen = |error| ServeError::Listen {
        addr: config.addr,
        error,
    };
    let listener = TcpListener::bind(config.addr).await.map_err(listen)?;
    let addr = listener.local_addr().map_err(listen)?;
    println!(
        "fc: serving {} on http://{addr} (Ctrl-C to stop)",
        config.function_name
    );
    serve_on(listener, instance.clone(), config, shutdown_signal()).await;
    stop(&instance).await;
    Ok(())
}

/// Serves `instance` on `listener` until `shutdown` completes, then waits (up to 10 s) for the
/// requests in flight.
pub async fn serve_on(
    listener: TcpListener,
    instance: Instance<Request>,
    config: Config,
    shutdown: impl Future<Output = ()>,
) {
    let context = config.instance_context();
    let served = Arc::new(Served {
        instance,
        config,
        context,
    });
    let service = |peer| {
        let served = Arc::clone(&served);
        tower::service_fn(move |req| handle(req, peer, &served))
    };
    let open = fc_core::serve::serve(&listener, service, shutdown).await;
    tracing::info!("stopping: waiting for requests in flight");
    if !open.drain(DRAIN).await {
        tracing::warn!("requests still running after {DRAIN:?}; stopping anyway");
    }
}

/// Runs the function's shutdown hook, for at most as long as a stop waits for requests.
pub(crate) async fn stop<E: fc_core::Event>(instance: &Instance<E>) {
    if tokio::time::timeout(DRAIN, instance.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("the shutdown hook still runs after {DRAIN:?}; stopping anyway");
    }
}

/// Ctrl-C, or SIGTERM where there are signals: what stops a dev server or a service.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// What every connection serves.
struct Served {
    instance: Instance<Request>,
    config: Config,
    /// What every invocation's context shares.
    context: fc_core::Context,
}

/// One request: what needs no waiting is done here, so the future hyper keeps per request holds
/// only what outlives the handler's call.
fn handle(
    req: hyper::Request<Incoming>,
    peer: SocketAddr,
    served: &Arc<Served>,
) -> impl Future<Output = Result<hyper::Response<Body>, Infallible>> + Send + use<> {
    // What the access line names, kept only when that line is written.
    let access = tracing::enabled!(target: "fc_local::access", tracing::Level::INFO).then(|| {
        let target = req
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_owned(), ToString::to_string);
        (req.method().clone(), target, Instant::now())
    });
    let config = &served.config;
    let ctx = config.next_context(&served.context);
    // Every answer names its request, as the clouds' front doors do.
    let id = header::HeaderValue::from_str(&ctx.request_id).ok();
    // A body is read only when there is one; most requests have none, and start at once.
    let started = if req.body().is_end_stream() {
        Ok(served
            .instance
            .invocation(to_request(req.into_parts().0, Bytes::new(), peer), ctx))
    } else {
        let served = Arc::clone(served);
        Err(Box::pin(async move {
            let request = read_request(req, peer, served.config.body_limit).await?;
            Ok::<_, Response>(served.instance.invocation(request, ctx))
        }))
    };
    let timeout = config.timeout;
    async move {
        let mut response = match started {
            Ok(invocation) => finish(invocation, timeout).await,
            Err(reading) => match reading.await {
                Ok(invocation) => finish(invocation, timeout).await,
                Err(rejection) => rejection,
            },
        };
        if let Some(id) = id {
            if let Some((method, target, started)) = access {
                tracing::info!(
                    target: "fc_local::access",
                    request_id = id.to_str().unwrap_or_default(),
                    "{method} {target} {} {:.1}ms",
                    response.status().as_u16(),
                    started.elapsed().as_secs_f64() * 1000.0
                );
            }
            response.headers_mut().insert(X_REQUEST_ID, id);
        }
        Ok(response)
    }
}

const X_REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// Runs the handler as a platform would: a client that hangs up does not cancel it; the
/// deadline does.
async fn finish(mut invocation: Invocation<Response>, timeout: Duration) -> Response {
    let deadline = tokio::time::Instant::now() + timeout;
    // Most handlers answer on their first poll, and need no timer: setting one up takes the
    // runtime's shared handle on every request.
    let first = std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut invocation).poll(cx))).await;
    if let Poll::Ready(response) = first {
        return response;
    }
    match tokio::time::timeout_at(deadline, &mut invocation).await {
        Ok(response) => response,
        Err(_) => {
            let request_id = invocation.request_id().to_owned();
            invocation.cancel();
            tracing::error!(
                request_id,
                "invocation timed out after {:.2} seconds",
                timeout.as_secs_f64()
            );
            error_response(StatusCode::GATEWAY_TIMEOUT, "Task timed out", &request_id)
        }
    }
}

async fn read_request(
    req: hyper::Request<Incoming>,
    peer: SocketAddr,
    limit: usize,
) -> Result<Request, Response> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        fc_core::serve::discard(req.into_body()).await;
        return Err(too_large(limit));
    }
    let (parts, body) = req.into_parts();
    let bytes = match fc_core::serve::read_body(body, limit).await {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => return Err(too_large(limit)),
        Err(err) => {
            let message = format!("the request body could not be read: {err}");
            return Err(message_response(StatusCode::BAD_REQUEST, &message));
        }
    };
    Ok(to_request(parts, bytes, peer))
}

/// The request as the handler sees it, its body read.
fn to_request(parts: ::http::request::Parts, bytes: Bytes, peer: SocketAddr) -> Request {
    let mut info = RequestInfo::default();
    info.trigger = Trigger::Local;
    info.source_ip = Some(peer.ip());
    info.raw_path = Some(parts.uri.path().to_owned());
    fc_core::adapter::passthrough(parts, bytes, info)
}

fn too_large(limit: usize) -> Response {
    let message = format!("the request body is larger than the limit of {limit} bytes");
    message_response(StatusCode::PAYLOAD_TOO_LARGE, &message)
}

fn message_response(status: StatusCode, message: &str) -> Response {
    json_response(status, serde_json::json!({ "error": message }))
}

fn error_response(status: StatusCode, message: &str, request_id: &str) -> Response {
    json_response(
        status,
        serde_json::json!({ "error": message, "requestId": request_id }),
    )
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = Response::new(Body::text(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}
