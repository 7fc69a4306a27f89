//! The HTTP server a Knative or Cloud Run container runs.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use fc_core::http::{Body, HeaderMap, StatusCode, header};
use fc_core::serve::BodyError;
use fc_core::{Context, Error, Function, Instance, Platform, SharedStr};
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

use crate::{FromKnative, PAYLOAD_LIMIT, failure, wire};

/// How long a stop waits for the requests in flight, and then for the shutdown hook: Cloud Run
/// gives a container 10 s between SIGTERM and SIGKILL.
const DRAIN: Duration = Duration::from_secs(10);

/// The port to listen on: `PORT` (which Knative and Cloud Run must set), else 8080.
pub fn listen_port() -> Result<u16, Error> {
    fc_core::serve::port(8080)
}

/// Runs `function` as a Knative or Cloud Run container: its `init` first, then serving on
/// `$PORT` until SIGTERM.
pub async fn run<E: FromKnative>(function: Function<E>) -> Result<(), Error> {
    let instance = function.init().await?;
    let listener = fc_core::serve::bind(listen_port()?, "Knative / Cloud Run container").await?;
    serve(listener, instance, fc_core::serve::terminated()).await;
    Ok(())
}

/// What every request's context shares, read from the environment once.
#[derive(Debug)]
struct Env {
    platform: Platform,
    function_name: SharedStr,
    revision: SharedStr,
}

impl Env {
    fn from_env() -> Env {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let platform = if var("FUNCTION_TARGET").is_some() {
            Platform::Gcp
        } else {
            Platform::Knative
        };
        Env {
            platform,
            function_name: SharedStr::for_instance(
                var("K_SERVICE")
                    .or_else(|| var("FUNCTION_TARGET"))
                    .unwrap_or_default(),
            ),
            revision: SharedStr::for_instance(var("K_REVISION").unwrap_or_default()),
        }
    }
}

struct State<E: FromKnative> {
    instance: Instance<E>,
    in_flight: TaskTracker,
    env: Env,
}

/// Serves `instance` on `listener` until `shutdown`, then lets the requests in flight finish and
/// runs its shutdown hook.
pub async fn serve<E: FromKnative>(
    listener: TcpListener,
    instance: Instance<E>,
    shutdown: impl Future<Output = ()>,
) {
    let state = Arc::new(State {
        instance,
        in_flight: TaskTracker::new(),
        env: Env::from_env(),
    });
    let service = |_| {
        let state = Arc::clone(&state);
        tower::service_fn(move |req| {
            let state = Arc::clone(&state);
            async move { Ok::<_, Infallible>(handle(req, &state).await) }
        })
    };
    let open = fc_core::serve::serve(&listener, service, shutdown).await;
    state.in_flight.close();
    if tokio::time::timeout(DRAIN, state.in_flight.wait())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {DRAIN:?}; stopping anyway");
    }
    if tokio::time::timeout(DRAIN, state.instance.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("the shutdown hook still runs after {DRAIN:?}; stopping anyway");
    }
    let _ = open.drain(DRAIN).await;
}

/// The request's id: the CloudEvent's (so a redelivery keeps it), else the front end's, else a
/// new one.
fn request_id(headers: &HeaderMap, body: &Bytes) -> String {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
    };
    if let Some(id) = header("ce-id") {
        return id.to_owned();
    }
    if wire::mode(headers) == wire::Mode::Structured
        && let Ok(Id { id }) = serde_json::from_slice::<Id>(body)
    {
        return id;
    }
    header("x-request-id")
        .map(str::to_owned)
        .unwrap_or_else(fc_core::adapter::request_id)
}

/// The trace id from a W3C `traceparent`, else Cloud Run's `X-Cloud-Trace-Context`.
fn trace_id(headers: &HeaderMap) -> Option<String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    header("traceparent")
        .and_then(|tp| tp.split('-').nth(1))
        .or_else(|| header("x-cloud-trace-context").and_then(|tc| tc.split('/').next()))
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

async fn handle<E: FromKnative>(
    req: hyper::Request<Incoming>,
    state: &State<E>,
) -> hyper::Response<Body> {
    let _in_flight = state.in_flight.token();
    let (parts, body) = req.into_parts();
    let body = match fc_core::serve::read_body(body, PAYLOAD_LIMIT).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            let mut response = failure(&Error::invalid_event(format!(
                "the request is larger than the limit of {PAYLOAD_LIMIT} bytes (32 MiB)"
            )));
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return response;
        }
        Err(err) => {
            return failure(&Error::invalid_event(format!(
                "the request body could not be read: {err}"
            )));
        }
    };
    let mut ctx = Context::default();
    ctx.platform = state.env.platform;
    ctx.request_id = request_id(&parts.headers, &body);
    ctx.function_name = state.env.function_name.clone();
    ctx.function_version = state.env.revision.clone();
    ctx.trace_id = trace_id(&parts.headers);
    let request_id = ctx.request_id.clone();
    match E::from_request(parts, body) {
        Ok(event) => E::into_response(state.instance.invocation(event, ctx).await),
        Err(err) => {
            tracing::error!(request_id, kind = err.kind().as_str(), "{err:#}");
            let mut response = failure(&err);
            if let Ok(id) = header::HeaderValue::from_str(&request_id) {
                response.headers_mut().insert("x-request-id", id);
            }
            response
        }
    }
}
