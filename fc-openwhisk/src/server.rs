//! The action container's server (Docker actions) and the one-shot run (native actions).

use std::convert::Infallible;
use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use fc_core::http::{Body, StatusCode, header};
use fc_core::{Error, ErrorKind, Function, Instance};
use hyper::body::Incoming;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::OnceCell;

use crate::{Activation, FromOpenWhisk, SENTINEL};

/// OpenWhisk's limit on an activation's parameters and result.
const PAYLOAD_LIMIT: usize = 1024 * 1024;

/// Runs `function` as OpenWhisk runs the action: once, with the parameters in the first
/// argument, under a native action's skeleton; otherwise as a Docker action's server on
/// `0.0.0.0:8080` (`PORT` when set; the host is `FC_LISTEN_HOST` when set) until SIGTERM.
pub async fn run<E: FromOpenWhisk>(function: Function<E>) -> Result<(), Error> {
    if let Some(params) = std::env::args()
        .nth(1)
        .filter(|arg| arg.trim_start().starts_with('{'))
    {
        return oneshot(function, &params).await;
    }
    // Parameters too long for an argument come on stdin alone.
    if std::env::var_os("__OW_ACTIVATION_ID").is_some() {
        let mut params = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut params).map_err(|err| {
            Error::invalid_event(format!(
                "the parameters could not be read from stdin: {err}"
            ))
        })?;
        return oneshot(function, &params).await;
    }
    let port = fc_core::serve::port(8080)?;
    let listener = fc_core::serve::bind(port, "OpenWhisk action").await?;
    serve(listener, function, fc_core::serve::terminated()).await;
    Ok(())
}

/// A native action's activation: the parameters (`params`, JSON) and the `__OW_*` variables
/// the skeleton sets; the result is printed as the last line of stdout.
pub async fn oneshot<E: FromOpenWhisk>(function: Function<E>, params: &str) -> Result<(), Error> {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let result = async {
        let value: Map<String, Value> =
            fc_core::adapter::parse_json(params.as_bytes(), "activation parameters")?;
        let activation = Activation {
            value,
            activation_id: var("__OW_ACTIVATION_ID"),
            action_name: var("__OW_ACTION_NAME"),
            action_version: var("__OW_ACTION_VERSION"),
            namespace: var("__OW_NAMESPACE"),
            deadline: Some(Value::String(var("__OW_DEADLINE"))),
        };
        let instance = function.init().await?;
        activate(&instance, activation).await
    }
    .await;
    let line = result.unwrap_or_else(|err| application_error(&err));
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    Ok(())
}

/// One activation: the event from its parameters, the handler, the result object.
async fn activate<E: FromOpenWhisk>(
    instance: &Instance<E>,
    mut activation: Activation,
) -> Result<Value, Error> {
    let ctx = activation.context();
    let params = std::mem::take(&mut activation.value);
    let event = E::from_params(params).inspect_err(|err| {
        tracing::error!(
            request_id = ctx.request_id,
            kind = err.kind().as_str(),
            "{err:#}"
        );
    })?;
    E::into_result(instance.invoke(event, ctx).await).await
}

struct State<E: FromOpenWhisk> {
    function: Mutex<Option<Function<E>>>,
    instance: OnceCell<Result<Instance<E>, String>>,
}

type Answer = hyper::Response<Body>;

fn answer(status: StatusCode, body: &Value) -> Answer {
    let mut response = hyper::Response::new(Body::binary(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// The end of an activation's log, which OpenWhisk waits for on both streams; a stream that
/// cannot be written to is no reason to fail the activation.
fn sentinel() {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{SENTINEL}");
    let _ = out.flush();
    let _ = writeln!(std::io::stderr(), "{SENTINEL}");
}

/// Serves the action interface on `listener` until `shutdown`.
pub async fn serve<E: FromOpenWhisk>(
    listener: TcpListener,
    function: Function<E>,
    shutdown: impl Future<Output = ()>,
) {
    let state = Arc::new(State {
        function: Mutex::new(Some(function)),
        instance: OnceCell::new(),
    });
    let service = |_| {
        let state = Arc::clone(&state);
        tower::service_fn(move |req: hyper::Request<Incoming>| {
            let state = Arc::clone(&state);
            async move { Ok::<_, Infallible>(route(req, &state).await) }
        })
    };
    let open = fc_core::serve::serve(&listener, service, shutdown).await;
    if let Some(Ok(instance)) = state.instance.get() {
        instance.shutdown().await;
    }
    let _ = open.drain(std::time::Duration::from_secs(10)).await;
}

async fn route<E: FromOpenWhisk>(req: hyper::Request<Incoming>, state: &State<E>) -> Answer {
    let path = req.uri().path().to_owned();
    let body = match fc_core::serve::read_body(req.into_body(), PAYLOAD_LIMIT).await {
        Ok(body) => body,
        Err(err) => {
            return answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                &json!({ "error": format!("the request could not be read: {err}") }),
            );
        }
    };
    match path.as_str() {
        "/init" => init(state).await,
        "/run" => {
            let result = run_activation(state, &body).await;
            sentinel();
            match result {
                Ok(value) => answer(StatusCode::OK, &value),
                Err(err) => answer(StatusCode::BAD_GATEWAY, &application_error(&err)),
            }
        }
        other => answer(
            StatusCode::NOT_FOUND,
            &json!({ "error": format!("an action serves POST /init and POST /run, not {other}") }),
        ),
    }
}

/// `/init`: runs the handler's `init`, once (OpenWhisk: "called exactly once").
async fn init<E: FromOpenWhisk>(state: &State<E>) -> Answer {
    let function = state
        .function
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    let Some(function) = function else {
        return answer(
            StatusCode::FORBIDDEN,
            &json!({ "error": "Cannot initialize the action more than once." }),
        );
    };
    let started = state
        .instance
        .get_or_init(|| async { function.init().await.map_err(|err| format!("{err:#}")) })
        .await;
    match started {
        Ok(_) => answer(StatusCode::OK, &json!({ "ok": true })),
        Err(message) => {
            tracing::error!("the action failed to initialise: {message}");
            answer(StatusCode::BAD_GATEWAY, &json!({ "error": message }))
        }
    }
}

async fn run_activation<E: FromOpenWhisk>(state: &State<E>, body: &[u8]) -> Result<Value, Error> {
    let instance = match state.instance.get() {
        Some(Ok(instance)) => instance,
        Some(Err(message)) => {
            return Err(Error::new(
                ErrorKind::Init,
                format!("the action failed to initialise: {message}"),
            ));
        }
        None => {
            return Err(Error::new(
                ErrorKind::Init,
                "the action was not initialised: OpenWhisk calls POST /init before POST /run",
            ));
        }
    };
    let activation: Activation = fc_core::adapter::parse_json(body, "activation")?;
    // A failure the handler or its event reports is the activation's application error, the
    // way OpenWhisk's runtimes report a caught exception; a non-200 answer is for actions that
    // produced no result at all.
    Ok(activate(instance, activation)
        .await
        .unwrap_or_else(|err| application_error(&err)))
}

/// `{"error": …}`: the result of an activation that failed.
fn application_error(err: &Error) -> Value {
    json!({ "error": format!("{err:#}") })
}
