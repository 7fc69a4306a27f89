//! The development HTTP server: serves an HTTP handler on loopback, one task per connection.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fc_core::http::{Body, Request, RequestInfo, Response, StatusCode, Trigger, header};
use fc_core::{Function, Instance};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::config::Config;

/// How long a stop waits for requests in flight before it gives up on them.
const DRAIN: Duration = Duration::from_secs(10);

/// Runs `function` as the local platform does: `init`, then serve on `config.addr` until
/// Ctrl-C or SIGTERM, then let requests in flight finish.
///
/// The first line on stdout says where it serves.
pub async fn serve(function: Function<Request>, config: Config) -> Result<(), String> {
    let instance = function
        .init()
        .await
        .map_err(|err| format!("init failed: {err:#}"))?;
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", config.addr))?;
    let addr = listener
        .local_addr()
        .map_err(|err| format!("cannot read the listening address: {err}"))?;
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
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(err) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let instance = instance.clone();
        let config = config.clone();
        let service = service_fn(move |req| {
            let instance = instance.clone();
            let config = config.clone();
            async move { Ok::<_, Infallible>(handle(req, peer, &instance, &config).await) }
        });
        let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(err) = conn.await {
                tracing::debug!("connection from {peer}: {err}");
            }
        });
    }
    tracing::info!("stopping: waiting for requests in flight");
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
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
pub(crate) async fn shutdown_signal() {
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

async fn handle(
    req: hyper::Request<Incoming>,
    peer: SocketAddr,
    instance: &Instance<Request>,
    config: &Config,
) -> hyper::Response<Body> {
    let started = Instant::now();
    // What the access line names, kept only when that line is written.
    let access = tracing::enabled!(target: "fc_local::access", tracing::Level::INFO).then(|| {
        let target = req
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_owned(), ToString::to_string);
        (req.method().clone(), target)
    });
    let ctx = config.context();
    let request_id = ctx.request_id.clone();

    let response = match read_request(req, peer, config.body_limit).await {
        Ok(request) => invoke(instance, request, ctx, config.timeout).await,
        Err(rejection) => rejection,
    };
    let response = to_hyper(response, &request_id);
    if let Some((method, target)) = access {
        tracing::info!(
            target: "fc_local::access",
            request_id,
            "{method} {target} {} {:.1}ms",
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    response
}

/// Runs the handler as a platform would: a client that hangs up does not cancel it; the
/// deadline does.
async fn invoke(
    instance: &Instance<Request>,
    request: Request,
    ctx: fc_core::Context,
    timeout: Duration,
) -> Response {
    let request_id = ctx.request_id.clone();
    let mut invocation = instance.invocation(request, ctx);
    match tokio::time::timeout(timeout, &mut invocation).await {
        Ok(response) => response,
        Err(_) => {
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
        return Err(too_large(limit));
    }
    let (parts, body) = req.into_parts();
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => return Err(too_large(limit)),
        Err(err) => {
            let message = format!("the request body could not be read: {err}");
            return Err(message_response(StatusCode::BAD_REQUEST, &message));
        }
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let body = Body::from_bytes(bytes, content_type);
    let mut info = RequestInfo::default();
    info.trigger = Trigger::Local;
    info.source_ip = Some(peer.ip());
    info.raw_path = Some(parts.uri.path().to_owned());
    let mut request = Request::from_parts(parts, body);
    request.extensions_mut().insert(info);
    Ok(request)
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

/// The response as hyper sends it: fc's body is an `http_body::Body`, so a stream reaches the
/// client chunk by chunk.
fn to_hyper(mut response: Response, request_id: &str) -> Response {
    if let Ok(id) = header::HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-request-id", id);
    }
    response
}
