//! The custom-runtime HTTP server.

use std::convert::Infallible;
use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use bytes::Bytes;
use fc_core::http::{Body, HeaderMap, Response, StatusCode, header};
use fc_core::serve::BodyError;
use fc_core::{Context, Error, ErrorKind, Function, Instance, Invocation, Outcome};
use hyper::body::{Body as _, Incoming};
use tokio::net::TcpListener;
use tokio::sync::{Notify, OnceCell};
use tokio_util::task::TaskTracker;

use crate::headers::{self, Env, Phase};
use crate::{FromFc, PAYLOAD_LIMIT, error_body};

/// How long a stop waits for connections to close after the invocations are done, and for the
/// shutdown hook.
const DRAIN: Duration = Duration::from_secs(10);

/// The port FC tells the runtime to listen on: `FC_CUSTOM_LISTEN_PORT`, else `FC_SERVER_PORT`,
/// else 9000 (Source: Function Compute, "Custom runtime: basic principles").
pub fn listen_port() -> Result<u16, Error> {
    for name in ["FC_CUSTOM_LISTEN_PORT", "FC_SERVER_PORT"] {
        if let Ok(value) = std::env::var(name) {
            return value.trim().parse().map_err(|_| {
                Error::new(
                    ErrorKind::Internal,
                    format!("{name} must be a port number, got `{value}`"),
                )
            });
        }
    }
    Ok(9000)
}

pub use fc_core::serve::listen_host;

/// Runs `function` as FC's custom runtime: listens on `0.0.0.0` (see [`listen_host`]) until
/// `/pre-stop` or SIGTERM.
pub async fn run<E: FromFc>(function: Function<E>) -> Result<(), Error> {
    let addr = SocketAddr::from((listen_host()?, listen_port()?));
    let listener = TcpListener::bind(addr).await.map_err(|err| {
        Error::new(
            ErrorKind::Internal,
            format!("cannot listen on {addr}: {err}"),
        )
    })?;
    tracing::info!("FC custom runtime listening on {addr}");
    serve(listener, function, fc_core::serve::terminated()).await;
    Ok(())
}

struct State<E: FromFc> {
    function: Mutex<Option<Function<E>>>,
    instance: OnceCell<Result<Instance<E>, String>>,
    /// The invocations in flight, which a stop waits for.
    in_flight: TaskTracker,
    stop: Notify,
    env: Env,
}

impl<E: FromFc> State<E> {
    /// The started instance, running `init` on first use; a failed `init` fails every call.
    async fn instance(&self) -> Result<&Instance<E>, Error> {
        if let Some(Ok(instance)) = self.instance.get() {
            return Ok(instance);
        }
        let started = self
            .instance
            .get_or_init(|| async {
                let function = self
                    .function
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                match function {
                    Some(function) => function.init().await.map_err(|err| format!("{err:#}")),
                    None => Err("init was already attempted".to_owned()),
                }
            })
            .await;
        started.as_ref().map_err(|message| {
            Error::new(
                ErrorKind::Init,
                format!("the instance failed to initialise: {message}"),
            )
        })
    }
}

/// Serves FC's requests on `listener` until `/pre-stop` or `shutdown`.
pub async fn serve<E: FromFc>(
    listener: TcpListener,
    function: Function<E>,
    shutdown: impl Future<Output = ()>,
) {
    let state = Arc::new(State {
        function: Mutex::new(Some(function)),
        instance: OnceCell::new(),
        in_flight: TaskTracker::new(),
        stop: Notify::new(),
        env: Env::from_env(),
    });
    let service = |_| {
        let state = Arc::clone(&state);
        tower::service_fn(move |req| route(req, &state))
    };
    let stopped = async {
        tokio::select! {
            () = shutdown => {}
            () = state.stop.notified() => {}
        }
    };
    let open = fc_core::serve::serve(&listener, service, stopped).await;
    wait_idle(&state).await;
    run_shutdown_hook(&state).await;
    if !open.drain(DRAIN).await {
        tracing::warn!("connections still open after {DRAIN:?}; stopping anyway");
    }
}

/// Waits for the invocations in flight to end.
async fn wait_idle<E: FromFc>(state: &State<E>) {
    state.in_flight.close();
    state.in_flight.wait().await;
}

/// Runs the function's shutdown hook once, if `init` ran, for at most [`DRAIN`].
async fn run_shutdown_hook<E: FromFc>(state: &State<E>) {
    if let Some(Ok(instance)) = state.instance.get()
        && tokio::time::timeout(DRAIN, instance.shutdown())
            .await
            .is_err()
    {
        tracing::warn!("the shutdown hook still runs after {DRAIN:?}; stopping anyway");
    }
}

// fc's body streams, so an HTTP function's streaming response reaches the client as it is made.
type HyperResponse = hyper::Response<Body>;

fn respond(status: StatusCode, content_type: Option<&'static str>, body: Bytes) -> HyperResponse {
    let mut response = hyper::Response::new(Body::binary(body));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static(content_type),
        );
    }
    response
}

/// An event invocation's answer: the status and `x-fc-status` both say 200 for success and
/// 404 for failure (Source: Function Compute, "Event handlers (custom runtime)").
fn event_answer(result: Result<Bytes, Error>, request_id: &str) -> (HyperResponse, bool) {
    let (status, fc_status, body) = match result {
        Ok(body) => (StatusCode::OK, "200", body),
        Err(err) => {
            tracing::error!(
                request_id,
                kind = err.kind().as_str(),
                "invocation failed: {err:#}"
            );
            (StatusCode::NOT_FOUND, "404", error_body(&err))
        }
    };
    let mut response = respond(status, Some("application/json"), body);
    response
        .headers_mut()
        .insert(headers::STATUS, header::HeaderValue::from_static(fc_status));
    (response, fc_status == "404")
}

/// The end marker FC's console reads the invocation's log by; a failure gets FC's suffix.
fn log_end(request_id: &str, failed: bool) {
    if failed {
        mark(&[
            "FC Invoke End RequestId: ",
            request_id,
            ", Error: Unhandled function error",
        ]);
    } else {
        mark(&["FC Invoke End RequestId: ", request_id]);
    }
}

/// Writes one of FC's log markers to stdout, by which FC's console groups an invocation's log:
/// one line, one write, assembled on the stack (a request id longer than the buffer, which FC
/// does not send, is written in parts); a stdout that cannot be written to is no reason to fail
/// the invocation.
fn mark(parts: &[&str]) {
    let mut line = [0u8; 256];
    let mut len = 0;
    for part in parts.iter().chain([&"\n"]) {
        let Some(room) = line.get_mut(len..len + part.len()) else {
            let mut out = std::io::stdout().lock();
            for part in parts {
                let _ = out.write_all(part.as_bytes());
            }
            let _ = out.write_all(b"\n");
            return;
        };
        room.copy_from_slice(part.as_bytes());
        len += part.len();
    }
    match unlocked_stdout() {
        Some(mut out) => {
            let _ = out.write_all(&line[..len]);
        }
        None => {
            let _ = std::io::stdout().lock().write_all(&line[..len]);
        }
    }
}

/// Stdout without std's lock around it. A marker is a whole line in one `write`, which the
/// kernel keeps whole, so the lock only served to make the workers of a busy instance wait
/// for each other (a futex call per marker under load). Lines a handler prints go through
/// std's line-buffered stdout, which writes each line whole as soon as it ends.
fn unlocked_stdout() -> Option<&'static std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        static OUT: std::sync::OnceLock<Option<std::fs::File>> = std::sync::OnceLock::new();
        OUT.get_or_init(|| {
            let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
            Some(std::fs::File::from(fd))
        })
        .as_ref()
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Reads a body up to FC's limit; the status says why it could not be read.
async fn read_body(body: Incoming) -> Result<Bytes, (StatusCode, Error)> {
    match fc_core::serve::read_body(body, PAYLOAD_LIMIT).await {
        Ok(body) => Ok(body),
        Err(BodyError::TooLarge) => Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            Error::invalid_event(format!(
                "the request is larger than Function Compute's limit of {PAYLOAD_LIMIT} bytes (32 MB)"
            )),
        )),
        Err(err) => Err((
            StatusCode::BAD_REQUEST,
            Error::invalid_event(format!("the request body could not be read: {err}")),
        )),
    }
}

type Answer = Pin<Box<dyn Future<Output = HyperResponse> + Send>>;

pin_project_lite::pin_project! {
    /// A request's answer: HTTP invocations, FC's hot path, in place; the rest boxed.
    #[project = RouteProj]
    enum Route<F> {
        Http { #[pin] answer: F },
        Other { answer: Answer },
    }
}

impl<F: Future<Output = HyperResponse>> Future for Route<F> {
    type Output = Result<HyperResponse, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match self.project() {
            RouteProj::Http { answer } => answer.poll(cx).map(Ok),
            RouteProj::Other { answer } => answer.as_mut().poll(cx).map(Ok),
        }
    }
}

fn route<E: FromFc>(
    req: hyper::Request<Incoming>,
    state: &Arc<State<E>>,
) -> Route<impl Future<Output = HyperResponse> + Send + use<E>> {
    let control = req
        .headers()
        .get(headers::CONTROL_PATH)
        .and_then(|v| v.to_str().ok());
    // The control path says what a request is; without it, FC's fixed paths do.
    let what = match control.unwrap_or(req.uri().path()) {
        "/initialize" => Control::Initialize,
        "/invoke" => Control::Invoke,
        "/pre-stop" => Control::PreStop,
        "/pre-freeze" => Control::PreFreeze,
        _ => {
            return Route::Http {
                answer: http_invoke(req, state),
            };
        }
    };
    let state = Arc::clone(state);
    let answer: Answer = match what {
        Control::Initialize => Box::pin(async move { initialize(req, &state).await }),
        Control::Invoke => Box::pin(async move { invoke(req, &state).await }),
        Control::PreStop => Box::pin(async move { pre_stop(req, &state).await }),
        Control::PreFreeze => {
            let id = request_id(&req);
            mark(&["FC PreFreeze Start RequestId: ", &id]);
            mark(&["FC PreFreeze End RequestId: ", &id]);
            Box::pin(std::future::ready(respond(
                StatusCode::OK,
                None,
                Bytes::new(),
            )))
        }
    };
    Route::Other { answer }
}

/// The requests FC sends on its control paths.
enum Control {
    Initialize,
    Invoke,
    PreStop,
    PreFreeze,
}

fn request_id(req: &hyper::Request<Incoming>) -> String {
    req.headers()
        .get(headers::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn initialize<E: FromFc>(req: hyper::Request<Incoming>, state: &State<E>) -> HyperResponse {
    let ctx = headers::context(req.headers(), &state.env, Phase::Initialize);
    let id = ctx.request_id;
    mark(&["FC Initialize Start RequestId: ", &id]);
    let result = state.instance().await;
    mark(&["FC Initialize End RequestId: ", &id]);
    match result {
        Ok(_) => respond(StatusCode::OK, None, Bytes::new()),
        Err(err) => {
            tracing::error!(request_id = id, "{err:#}");
            respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some("application/json"),
                error_body(&err),
            )
        }
    }
}

async fn invoke<E: FromFc>(req: hyper::Request<Incoming>, state: &Arc<State<E>>) -> HyperResponse {
    let _in_flight = state.in_flight.token();
    let ctx = headers::context(req.headers(), &state.env, Phase::Invoke);
    let id = ctx.request_id.clone();
    mark(&["FC Invoke Start RequestId: ", &id]);
    let result = async {
        let body = read_body(req.into_body()).await.map_err(|(_, err)| err)?;
        let instance = state.instance().await?;
        event_invocation(instance, ctx, &body).await
    }
    .await;
    let (answer, failed) = event_answer(result, &id);
    log_end(&id, failed);
    answer
}

/// A passed-through HTTP request. What needs no waiting happens before the first poll, so the
/// future hyper keeps holds only what outlives the handler's call: with `init` done and no body,
/// that is the invocation itself.
fn http_invoke<E: FromFc>(
    req: hyper::Request<Incoming>,
    state: &Arc<State<E>>,
) -> impl Future<Output = HyperResponse> + Send + use<E> {
    let in_flight = state.in_flight.token();
    let ctx = headers::context(req.headers(), &state.env, Phase::Invoke);
    mark(&["FC Invoke Start RequestId: ", &ctx.request_id]);
    let started = match state.instance.get() {
        Some(Ok(instance)) if req.body().is_end_stream() => {
            let (parts, _) = req.into_parts();
            Ok(http_invocation(instance, ctx, parts, Bytes::new()))
        }
        _ => {
            let state = Arc::clone(state);
            Err(Box::pin(async move {
                let (parts, body) = req.into_parts();
                let body = match read_body(body).await {
                    Ok(body) => body,
                    Err(failure) => return Err((failure, ctx.request_id)),
                };
                match state.instance().await {
                    Ok(instance) => http_invocation(instance, ctx, parts, body),
                    Err(err) => Err(((StatusCode::INTERNAL_SERVER_ERROR, err), ctx.request_id)),
                }
            }))
        }
    };
    async move {
        let started = match started {
            Ok(started) => started,
            Err(starting) => starting.await,
        };
        let answer = match started {
            Ok(mut invocation) => {
                let response = E::into_http((&mut invocation).await);
                log_end(invocation.request_id(), false);
                response
            }
            Err(((status, err), id)) => {
                tracing::error!(request_id = id, kind = err.kind().as_str(), "{err:#}");
                let mut response = respond(status, Some("application/json"), error_body(&err));
                response
                    .headers_mut()
                    .insert(headers::STATUS, header::HeaderValue::from_static("404"));
                log_end(&id, true);
                response
            }
        };
        drop(in_flight);
        answer
    }
}

/// An `/invoke` once its body is read: decode, run the handler, encode.
async fn event_invocation<E: FromFc>(
    instance: &Instance<E>,
    ctx: Context,
    body: &[u8],
) -> Result<Bytes, Error> {
    let (event, origin) = E::from_invoke(body)?;
    let request_id = ctx.request_id.clone();
    // Nothing the connection does cancels the handler halfway.
    let outcome = instance.invocation(event, ctx).await;
    E::into_invoke(outcome.buffered(&request_id).await, origin)
}

/// Why an HTTP request was not run: the status and error to answer with, and the request id.
type Refused = ((StatusCode, Error), String);

/// A passed-through HTTP request once its body is read: started, or refused.
fn http_invocation<E: FromFc>(
    instance: &Instance<E>,
    ctx: Context,
    parts: ::http::request::Parts,
    body: Bytes,
) -> Result<Invocation<E::Outcome>, Refused> {
    match E::from_http(parts, body) {
        // Nothing the connection does cancels the handler halfway.
        Ok(request) => Ok(instance.invocation(request, ctx)),
        Err(err) => Err(((StatusCode::NOT_FOUND, err), ctx.request_id)),
    }
}

/// One invocation as the server performs it once the request is read; public for the
/// benchmarks, which drive it without sockets.
#[doc(hidden)]
#[derive(Debug)]
pub struct Invoker<E: FromFc> {
    instance: Instance<E>,
    env: Env,
}

impl<E: FromFc> Invoker<E> {
    /// An invoker of a started function, with the instance's environment read now.
    pub fn new(instance: Instance<E>) -> Self {
        Invoker {
            instance,
            env: Env::from_env(),
        }
    }

    /// An `/invoke` with these headers and body: the answer's body, or the error to report.
    pub async fn invoke(&self, headers: &HeaderMap, body: &[u8]) -> Result<Bytes, Error> {
        let ctx = headers::context(headers, &self.env, Phase::Invoke);
        event_invocation(&self.instance, ctx, body).await
    }

    /// A request to an HTTP function: the response, or the status and error to report.
    pub async fn http(
        &self,
        request: ::http::Request<Bytes>,
    ) -> Result<Response, (StatusCode, Error)> {
        let ctx = headers::context(request.headers(), &self.env, Phase::Invoke);
        let (parts, body) = request.into_parts();
        match http_invocation(&self.instance, ctx, parts, body) {
            Ok(invocation) => Ok(E::into_http(invocation.await)),
            Err((failure, _)) => Err(failure),
        }
    }
}

async fn pre_stop<E: FromFc>(req: hyper::Request<Incoming>, state: &State<E>) -> HyperResponse {
    let id = request_id(&req);
    mark(&["FC PreStop Start RequestId: ", &id]);
    wait_idle(state).await;
    run_shutdown_hook(state).await;
    mark(&["FC PreStop End RequestId: ", &id]);
    state.stop.notify_one();
    respond(StatusCode::OK, None, Bytes::new())
}
