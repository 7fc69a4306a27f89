//! Tencent Cloud SCF on a laptop: the Custom Runtime API an event function's `bootstrap` talks
//! to, and what API Gateway and function URLs make of an HTTP request.
//!
//! The process gets SCF's environment (`SCF_RUNTIME_API`, `SCF_RUNTIME_API_PORT`,
//! `SCF_FUNCTIONNAME`, `TENCENTCLOUD_RUNENV=SCF`…); it reports `POST /runtime/init/ready`
//! within the init timeout, then takes one event at a time from `GET /runtime/invocation/next`
//! (with the `request_id`, `memory_limit_in_mb` and `time_limit_in_ms` headers) and answers on
//! `/runtime/invocation/response` or `/runtime/invocation/error`. An invocation past the
//! timeout ends the instance, as SCF recycles it.
//!
//! Source: Tencent Cloud, "Custom Runtime 说明" (cloud.tencent.com/document/product/583/47274);
//! the trigger events' samples are in fc-tencent/tests/data.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response as AxumResponse};
use axum::routing::{get, post};
use base64::Engine;
use bytes::Bytes;
use fc_core::http::Trigger;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri, header};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::emulator::{Captured, EmulatorError, FunctionError, InvalidAnswer, Output};

/// The largest event or result of a synchronous invocation.
pub const PAYLOAD_LIMIT: usize = 6 * 1024 * 1024;

/// How the function is run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScfFunction {
    /// The executable (a `bootstrap`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// `SCF_FUNCTIONNAME`.
    pub function_name: String,
    /// Memory in MB.
    pub memory_mb: u32,
    /// How long one invocation may run (SCF's default: 3 s).
    pub timeout: Duration,
    /// How long `init` may take before reporting ready (the init timeout).
    pub init_timeout: Duration,
    /// Where the function's output goes.
    pub output: Output,
}

impl ScfFunction {
    /// `program` as a function named after it, with SCF's defaults: 128 MB, 3 s.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        let program = program.into();
        ScfFunction {
            function_name: crate::emulator::name_of(&program),
            program,
            args: Vec::new(),
            env: Vec::new(),
            memory_mb: 128,
            timeout: Duration::from_secs(3),
            init_timeout: Duration::from_secs(30),
            output: Output::default(),
        }
    }
}

/// One invocation's result.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScfInvocation {
    /// The request id the function was given.
    pub request_id: String,
    /// What the function answered, or the error it reported.
    pub result: Result<Bytes, FunctionError>,
    /// From delivery to answer.
    pub duration: Duration,
}

type Answer = Result<Bytes, FunctionError>;

/// An event waiting for the function, and where its answer goes.
struct Pending {
    request_id: String,
    event: Bytes,
    answer: oneshot::Sender<Answer>,
}

/// What the runtime API shares with the emulator.
struct Shared {
    ready: Notify,
    is_ready: Mutex<bool>,
    queue: tokio::sync::Mutex<mpsc::Receiver<Pending>>,
    /// The event being handled: `next` again gives it again, as SCF does.
    current: Mutex<Option<Pending>>,
    memory_mb: u32,
    timeout: Duration,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A running SCF instance.
pub struct ScfEmulator {
    function: ScfFunction,
    child: tokio::sync::Mutex<Child>,
    sender: mpsc::Sender<Pending>,
    captured: Captured,
    /// An invocation timed out: SCF recycles the instance.
    recycled: std::sync::atomic::AtomicBool,
    api: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for ScfEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScfEmulator")
            .field("function", &self.function)
            .finish_non_exhaustive()
    }
}

impl Drop for ScfEmulator {
    fn drop(&mut self) {
        self.api.abort();
    }
}

impl ScfEmulator {
    /// Starts the runtime API and the function, and waits until it reports ready.
    pub async fn start(function: ScfFunction) -> Result<ScfEmulator, EmulatorError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(EmulatorError::Listen)?;
        let addr = listener.local_addr().map_err(EmulatorError::Listen)?;
        let (sender, receiver) = mpsc::channel(64);
        let shared = Arc::new(Shared {
            ready: Notify::new(),
            is_ready: Mutex::new(false),
            queue: tokio::sync::Mutex::new(receiver),
            current: Mutex::new(None),
            memory_mb: function.memory_mb,
            timeout: function.timeout,
        });
        let api = tokio::spawn(serve(listener, Arc::clone(&shared)));
        let captured = Captured::default();
        let mut child = spawn(&function, addr, &captured)?;
        let started = Instant::now();
        let ready = shared.ready.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        while !*lock(&shared.is_ready) {
            tokio::select! {
                () = &mut ready => {}
                status = child.wait() => {
                    api.abort();
                    let status = status.map_or_else(|err| err.to_string(), |s| s.to_string());
                    return Err(EmulatorError::InitializationFailed(FunctionError {
                        error_type: "ContainerInitError".into(),
                        error_message: format!("the function exited before it was ready: {status}"),
                    }));
                }
                () = tokio::time::sleep(function.init_timeout.saturating_sub(started.elapsed())) => {
                    api.abort();
                    let _ = child.kill().await;
                    return Err(EmulatorError::InitializationFailed(FunctionError {
                        error_type: "InitContainerTimeout".into(),
                        error_message: format!(
                            "the function did not report POST /runtime/init/ready within {} s",
                            function.init_timeout.as_secs_f64()
                        ),
                    }));
                }
            }
        }
        Ok(ScfEmulator {
            function,
            child: tokio::sync::Mutex::new(child),
            sender,
            captured,
            recycled: std::sync::atomic::AtomicBool::new(false),
            api,
        })
    }

    /// The function's settings.
    pub fn function(&self) -> &ScfFunction {
        &self.function
    }

    /// What the function has printed so far, with [`Output::Capture`].
    pub fn output(&self) -> String {
        self.captured.text()
    }

    /// Whether the instance takes the next invocation.
    pub async fn is_alive(&self) -> bool {
        !self.recycled.load(std::sync::atomic::Ordering::Relaxed)
            && matches!(self.child.lock().await.try_wait(), Ok(None))
    }

    /// Waits up to `limit` for the process to exit.
    pub async fn exited_within(&self, limit: Duration) {
        let mut child = self.child.lock().await;
        let _ = tokio::time::timeout(limit, child.wait()).await;
    }

    /// The instance's peak memory so far, in KiB, when known.
    pub async fn peak_memory_kib(&self) -> Option<u64> {
        crate::emulator::peak_memory_kib(self.child.lock().await.id())
    }

    /// Stops the instance: SIGTERM, then a kill.
    pub async fn stop(&self) {
        let mut child = self.child.lock().await;
        let _ = crate::emulator::stop(&mut child, Duration::from_secs(2)).await;
    }

    /// One invocation with `event`.
    pub async fn invoke(&self, event: Bytes) -> Result<ScfInvocation, EmulatorError> {
        let request_id = fc_local::request_id();
        if event.len() > PAYLOAD_LIMIT {
            return Ok(ScfInvocation {
                request_id,
                result: Err(FunctionError {
                    error_type: "RequestTooLarge".into(),
                    error_message: format!(
                        "the event is larger than the limit of {PAYLOAD_LIMIT} bytes"
                    ),
                }),
                duration: Duration::ZERO,
            });
        }
        let (answer, answered) = oneshot::channel();
        let pending = Pending {
            request_id: request_id.clone(),
            event,
            answer,
        };
        self.sender
            .send(pending)
            .await
            .map_err(|_| EmulatorError::Unreachable("the instance is gone".into()))?;
        let started = Instant::now();
        let exited = async {
            loop {
                if !matches!(self.child.lock().await.try_wait(), Ok(None)) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        let result = tokio::select! {
            answer = answered => answer.map_err(|_| EmulatorError::Unreachable("the runtime API stopped".into()))?,
            () = exited => Err(FunctionError {
                error_type: "UserProcessExited".into(),
                error_message: "the function's process exited during the invocation".into(),
            }),
            () = tokio::time::sleep(self.function.timeout) => {
                self.recycled.store(true, std::sync::atomic::Ordering::Relaxed);
                self.stop().await;
                return Err(EmulatorError::TimedOut(self.function.timeout));
            }
        };
        Ok(ScfInvocation {
            request_id,
            result,
            duration: started.elapsed(),
        })
    }
}

fn spawn(f: &ScfFunction, api: SocketAddr, captured: &Captured) -> Result<Child, EmulatorError> {
    let mut command = Command::new(&f.program);
    command.args(&f.args);
    crate::emulator::clean_env(&mut command);
    command
        .env("SCF_RUNTIME_API", api.ip().to_string())
        .env("SCF_RUNTIME_API_PORT", api.port().to_string())
        .env("SCF_FUNCTIONNAME", &f.function_name)
        .env("SCF_FUNCTIONVERSION", "$LATEST")
        .env("SCF_NAMESPACE", "default")
        .env("SCF_RUNTIME", "CustomRuntime")
        .env("TENCENTCLOUD_RUNENV", "SCF")
        .env("TENCENTCLOUD_REGION", "ap-guangzhou")
        .env("TENCENTCLOUD_APPID", "1250000000")
        .env("_HANDLER", "index.main_handler")
        .envs(f.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    crate::emulator::configure(&mut command, &f.output);
    let mut child = command.spawn().map_err(EmulatorError::Spawn)?;
    crate::emulator::capture(&mut child, captured, &f.output);
    Ok(child)
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let router = Router::new()
        .route("/runtime/init/ready", post(ready))
        .route("/runtime/invocation/next", get(next))
        .route("/runtime/invocation/response", post(response))
        .route("/runtime/invocation/error", post(error))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
        .with_state(shared);
    let _ = fc_core::serve::serve(&listener, |_| router.clone(), std::future::pending()).await;
}

async fn ready(State(shared): State<Arc<Shared>>) -> StatusCode {
    *lock(&shared.is_ready) = true;
    shared.ready.notify_waiters();
    StatusCode::OK
}

fn event_response(shared: &Shared, pending: &Pending) -> AxumResponse {
    let mut response = pending.event.clone().into_response();
    let headers = response.headers_mut();
    let values = [
        ("request_id", pending.request_id.clone()),
        ("memory_limit_in_mb", shared.memory_mb.to_string()),
        ("time_limit_in_ms", shared.timeout.as_millis().to_string()),
    ];
    for (name, value) in values {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The next event, once there is one; the current one again while it has no answer.
async fn next(State(shared): State<Arc<Shared>>) -> AxumResponse {
    if let Some(current) = lock(&shared.current).as_ref() {
        return event_response(&shared, current);
    }
    let Some(pending) = shared.queue.lock().await.recv().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let response = event_response(&shared, &pending);
    *lock(&shared.current) = Some(pending);
    response
}

async fn response(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    answer(&shared, Ok(body))
}

/// An error: its text as the invocation's result (fc's runtime writes
/// `{"errorType", "errorMessage"}`; other runtimes plain text).
async fn error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = |key: &str| parsed.get(key).and_then(Value::as_str).map(str::to_owned);
    let error = FunctionError {
        error_type: text("errorType").unwrap_or_else(|| "UserCodeError".into()),
        error_message: text("errorMessage")
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned()),
    };
    answer(&shared, Err(error))
}

/// The current invocation's answer; the first one counts, as on SCF.
fn answer(shared: &Shared, answer: Answer) -> StatusCode {
    if let Some(pending) = lock(&shared.current).take() {
        let _ = pending.answer.send(answer);
    }
    StatusCode::OK
}

/// The event `trigger` makes of a request: API Gateway's (with `requestContext`) or a function
/// URL's (without), as fc-tencent's `wire::HttpEvent` reads them.
pub fn http_event(
    trigger: Trigger,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    source_ip: &str,
) -> Result<Value, crate::UnsupportedTrigger> {
    let mut header_map = serde_json::Map::new();
    for (name, value) in headers {
        header_map.insert(
            name.as_str().to_owned(),
            Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()),
        );
    }
    let mut query: BTreeMap<String, Value> = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        let value = Value::String(value.into_owned());
        match query.get_mut(name.as_ref()) {
            Some(Value::Array(values)) => values.push(value),
            Some(existing) => *existing = Value::Array(vec![existing.take(), value]),
            None => {
                query.insert(name.into_owned(), value);
            }
        }
    }
    let text = std::str::from_utf8(body).ok();
    let mut event = json!({
        "httpMethod": method.as_str(),
        "path": uri.path(),
        "headers": header_map,
        "queryString": query,
        "body": text.map_or_else(|| base64::engine::general_purpose::STANDARD.encode(body), str::to_owned),
    });
    match trigger {
        Trigger::ScfApiGateway => {
            let single: serde_json::Map<String, Value> = query
                .iter()
                .map(|(k, v)| {
                    let first = match v {
                        Value::Array(values) => values.first().cloned().unwrap_or_default(),
                        other => other.clone(),
                    };
                    (k.clone(), first)
                })
                .collect();
            event["queryStringParameters"] = Value::Object(single);
            event["pathParameters"] = json!({});
            event["headerParameters"] = json!({});
            event["stageVariables"] = json!({ "stage": "release" });
            event["isBase64Encoded"] = Value::Bool(text.is_none());
            event["requestContext"] = json!({
                "serviceId": "service-local",
                "path": uri.path(),
                "httpMethod": method.as_str(),
                "requestId": fc_local::request_id(),
                "identity": {},
                "sourceIp": source_ip,
                "stage": "release",
            });
        }
        Trigger::ScfFunctionUrl => {
            // A function URL's event has no base64 flag: its body is text.
            event["headers"]["x-scf-remote-addr"] = Value::String(source_ip.to_owned());
        }
        other => {
            return Err(crate::UnsupportedTrigger::new(
                other,
                fc_core::Platform::Tencent,
            ));
        }
    }
    Ok(event)
}

/// The response API Gateway or a function URL makes of the function's answer: the
/// integration response, or — a function URL's inference — any other JSON as a 200 with it.
pub fn http_response(trigger: Trigger, payload: &[u8]) -> Result<Response<Bytes>, InvalidAnswer> {
    let value: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    if value.get("statusCode").is_none() {
        if trigger == Trigger::ScfFunctionUrl && !value.is_null() {
            return Ok(crate::answer::json(payload));
        }
        return Err("Invalid scf response format. please check your scf response format.".into());
    }
    let mut response = Response::new(crate::answer::body(&value, false)?);
    *response.status_mut() = crate::answer::status(&value)?;
    crate::answer::append_headers(response.headers_mut(), &value["headers"]);
    Ok(response)
}
