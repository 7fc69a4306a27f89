//! An emulator of Function Compute's invoker for custom runtimes: runs a function binary as FC
//! does and sends it invocations.
//!
//! The process gets FC's environment (`FC_FUNC_CODE_PATH`, `FC_FUNCTION_NAME`,
//! `FC_CUSTOM_LISTEN_PORT`…, and the role's credentials); once its port accepts connections
//! the emulator calls `POST /initialize`, then sends events to `POST /invoke` and HTTP requests
//! with `x-fc-control-path: /http-invoke`, each with the `x-fc-*` headers FC sends. As on FC,
//! one instance takes many requests at once.

mod gateway;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use fc_aliyun::wire::header;
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

pub use crate::emulator::{EmulatorError, FunctionError, Output};
pub use gateway::{http_event, http_response};

use crate::emulator::Captured;

/// The function to run and the settings FC would give it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FcFunction {
    /// The executable (a `bootstrap`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables (the function's configuration).
    pub env: Vec<(String, String)>,
    /// `FC_FUNCTION_NAME`.
    pub function_name: String,
    /// Memory in MB.
    pub memory_mb: u32,
    /// How long one invocation may run.
    pub timeout: Duration,
    /// `FC_REGION`.
    pub region: String,
    /// `FC_ACCOUNT_ID`.
    pub account_id: String,
    /// The role's credentials (access key id, secret, security token), sent in the
    /// `x-fc-access-key-*` headers and set in the environment.
    pub credentials: Option<(String, String, String)>,
    /// Where the function's stdout and stderr go.
    pub output: Output,
    /// How long a new instance may take to listen on its port.
    pub start_timeout: Duration,
}

impl FcFunction {
    /// A function from an executable, named after it, with FC's defaults: 512 MB, 60 s,
    /// `cn-hangzhou`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        let program = program.into();
        let function_name = crate::emulator::name_of(&program);
        FcFunction {
            program,
            args: Vec::new(),
            env: Vec::new(),
            function_name,
            memory_mb: 512,
            timeout: Duration::from_secs(60),
            region: "cn-hangzhou".into(),
            account_id: "1234567890123456".into(),
            credentials: None,
            output: Output::Show,
            start_timeout: Duration::from_secs(30),
        }
    }

    /// Sets the timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Gives the function credentials.
    pub fn credentials(mut self, id: &str, secret: &str, token: &str) -> Self {
        self.credentials = Some((id.into(), secret.into(), token.into()));
        self
    }

    /// Shows, discards or captures the function's output.
    pub fn output(mut self, output: Output) -> Self {
        self.output = output;
        self
    }
}

/// One event invocation's result.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FcInvocation {
    /// The request id the function was given.
    pub request_id: String,
    /// The response body, or the error the function reported (`x-fc-status: 404`).
    pub result: Result<Bytes, FunctionError>,
    /// From sending to answer.
    pub duration: Duration,
    /// The instance's peak memory so far, in KiB, when known.
    pub peak_memory_kib: Option<u64>,
}

/// A running function instance and the invoker in front of it.
#[derive(Debug)]
pub struct FcEmulator {
    function: FcFunction,
    addr: SocketAddr,
    child: tokio::sync::Mutex<Child>,
    init: Result<(), FunctionError>,
    /// Whether an invocation was failed for the failed `init`: FC then starts a new instance.
    init_reported: AtomicBool,
    captured: Captured,
}

/// FC's `X-Fc-Error-Type` for an instance whose initializer failed.
pub const INITIALIZATION_ERROR: &str = "InitializationError";
/// FC's `X-Fc-Error-Type` for an invocation the function failed.
pub const UNHANDLED_INVOCATION_ERROR: &str = "UnhandledInvocationError";

/// What a runtime that never listens is told.
const FC_LISTEN_HINT: &str =
    "a custom runtime must listen on 0.0.0.0:$FC_CUSTOM_LISTEN_PORT (FC cannot reach 127.0.0.1)";

/// How long the process may take to exit after `/pre-stop`.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

impl FcEmulator {
    /// Starts the instance, waits until it listens, and calls `/initialize` as FC does.
    pub async fn start(function: FcFunction) -> Result<FcEmulator, EmulatorError> {
        let captured = Captured::default();
        let (addr, child) = crate::emulator::spawn_listening(
            |port| spawn(&function, port, &captured),
            function.start_timeout,
            FC_LISTEN_HINT,
        )
        .await?;
        let mut emulator = FcEmulator {
            function,
            addr,
            child: tokio::sync::Mutex::new(child),
            init: Ok(()),
            init_reported: AtomicBool::new(false),
            captured,
        };
        let request_id = fc_local::request_id();
        let mut request = Request::new(Bytes::new());
        *request.method_mut() = Method::POST;
        *request.uri_mut() = "/initialize".parse().expect("a static path");
        emulator.add_headers(request.headers_mut(), &request_id, "/initialize");
        let response = emulator.send(request).await?;
        if !response.status().is_success() {
            // FC names the failure itself, whatever type the runtime gave it.
            emulator.init = Err(FunctionError {
                error_type: INITIALIZATION_ERROR.to_owned(),
                ..function_error(response.body(), INITIALIZATION_ERROR)
            });
        }
        Ok(emulator)
    }

    /// The instance's peak memory so far, in KiB, when known.
    pub async fn peak_memory_kib(&self) -> Option<u64> {
        crate::emulator::peak_memory_kib(self.child.lock().await.id())
    }

    /// Whether the instance's process is still running.
    pub async fn is_alive(&self) -> bool {
        matches!(self.child.lock().await.try_wait(), Ok(None))
    }

    /// Waits up to `limit` for the process to exit; whether it did. A request that failed
    /// because the process is exiting can wait here, so the next one does not find it half-dead.
    pub async fn exited_within(&self, limit: Duration) -> bool {
        let mut child = self.child.lock().await;
        matches!(tokio::time::timeout(limit, child.wait()).await, Ok(Ok(_)))
    }

    /// The function's settings.
    pub fn function(&self) -> &FcFunction {
        &self.function
    }

    /// What `/initialize` answered: the error, if `init` failed.
    pub fn init_result(&self) -> Result<(), FunctionError> {
        self.init.clone()
    }

    /// Whether an invocation has been failed for a failed `init`, after which FC starts a new
    /// instance for the next one.
    pub fn init_failure_reported(&self) -> bool {
        self.init_reported.load(Ordering::Relaxed)
    }

    /// The error an invocation fails with when `init` failed, as FC reports it: the instance
    /// is not called ("if the Initializer hook fails on its first attempt, the function
    /// invocation fails immediately"), and the error type is `InitializationError`.
    fn failed_init(&self) -> Option<FunctionError> {
        let err = self.init.as_ref().err()?;
        self.init_reported.store(true, Ordering::Relaxed);
        Some(err.clone())
    }

    /// What the function has printed so far, with [`Output::Capture`].
    pub fn output(&self) -> String {
        self.captured.text()
    }

    fn add_headers(&self, headers: &mut HeaderMap, request_id: &str, control_path: &str) {
        let f = &self.function;
        let mut set = |name: &str, value: &str| {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        };
        set(header::REQUEST_ID, request_id);
        set(header::CONTROL_PATH.as_str(), control_path);
        set(header::FUNCTION_NAME, &f.function_name);
        set(header::FUNCTION_HANDLER, "index.handler");
        set(header::MEMORY, &f.memory_mb.to_string());
        set(header::TIMEOUT, &f.timeout.as_secs().max(1).to_string());
        set(
            header::INITIALIZATION_TIMEOUT,
            &f.timeout.as_secs().max(1).to_string(),
        );
        set(header::REGION, &f.region);
        set(header::ACCOUNT_ID, &f.account_id);
        set(header::QUALIFIER, "LATEST");
        set(header::VERSION_ID, "LATEST");
        set(header::RETRY_COUNT, "0");
        set(
            header::TRACING_SPAN_CONTEXT,
            &format!(
                "{}:{}:0:1",
                &request_id.replace('-', "")[..16],
                &request_id.replace('-', "")[16..32]
            ),
        );
        if let Some((id, secret, token)) = &f.credentials {
            set(header::ACCESS_KEY_ID, id);
            set(header::ACCESS_KEY_SECRET, secret);
            set(header::SECURITY_TOKEN, token);
        }
    }

    /// Sends one request on a connection of its own, with the function's timeout on the
    /// whole exchange.
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, EmulatorError> {
        self.within_timeout(async {
            let (parts, body) = self.exchange(request).await?.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|err| EmulatorError::Unreachable(err.to_string()))?
                .to_bytes();
            Ok(Response::from_parts(parts, body))
        })
        .await
    }

    /// Sends one request and returns as soon as the response head arrives: the body streams
    /// from the function as it writes it. The timeout bounds the wait for the head.
    async fn send_streaming(
        &self,
        request: Request<Bytes>,
    ) -> Result<Response<Incoming>, EmulatorError> {
        self.within_timeout(self.exchange(request)).await
    }

    async fn exchange(&self, request: Request<Bytes>) -> Result<Response<Incoming>, EmulatorError> {
        let stream = TcpStream::connect(self.addr)
            .await
            .map_err(|err| EmulatorError::Unreachable(err.to_string()))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|err| EmulatorError::Unreachable(err.to_string()))?;
        tokio::spawn(conn);
        let (parts, body) = request.into_parts();
        sender
            .send_request(Request::from_parts(parts, Full::new(body)))
            .await
            .map_err(|err| EmulatorError::Unreachable(err.to_string()))
    }

    async fn within_timeout<T>(
        &self,
        exchange: impl std::future::Future<Output = Result<T, EmulatorError>>,
    ) -> Result<T, EmulatorError> {
        match tokio::time::timeout(self.function.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => {
                // FC stops an instance whose invocation runs past the timeout.
                let _ = self.child.lock().await.kill().await;
                Err(EmulatorError::TimedOut(self.function.timeout))
            }
        }
    }

    /// One event invocation.
    pub async fn invoke(&self, event: impl Into<Bytes>) -> Result<FcInvocation, EmulatorError> {
        let request_id = fc_local::request_id();
        if let Some(err) = self.failed_init() {
            return Ok(FcInvocation {
                request_id,
                result: Err(err),
                duration: Duration::ZERO,
                peak_memory_kib: self.peak_memory_kib().await,
            });
        }
        let mut request = Request::new(event.into());
        *request.method_mut() = Method::POST;
        *request.uri_mut() = "/invoke".parse().expect("a static path");
        request.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        self.add_headers(request.headers_mut(), &request_id, "/invoke");
        let started = Instant::now();
        let response = self.send(request).await?;
        let failed = response
            .headers()
            .get(header::STATUS)
            .is_some_and(|status| status.as_bytes() != b"200");
        let result = if failed || !response.status().is_success() {
            Err(function_error(response.body(), "UnhandledInvocationError"))
        } else {
            Ok(response.into_body())
        };
        Ok(FcInvocation {
            request_id,
            result,
            duration: started.elapsed(),
            peak_memory_kib: self.peak_memory_kib().await,
        })
    }

    /// One HTTP request to an HTTP function, passed through with `x-fc-control-path:
    /// /http-invoke`; with `base_path`, as on the default domain
    /// (`/2016-08-15/proxy/<service>/<function>`). Returns the request id with the response,
    /// read whole.
    pub async fn http(
        &self,
        request: Request<Bytes>,
        base_path: Option<&str>,
    ) -> Result<(String, Response<Bytes>), EmulatorError> {
        let (request_id, request) = self.http_request(request, base_path)?;
        let response = self.send(request).await?;
        Ok((request_id, response))
    }

    /// Like [`FcEmulator::http`], returning once the response head arrives, with the body
    /// still streaming from the function (chunked responses, server-sent events).
    pub async fn http_streaming(
        &self,
        request: Request<Bytes>,
        base_path: Option<&str>,
    ) -> Result<(String, Response<Incoming>), EmulatorError> {
        let (request_id, request) = self.http_request(request, base_path)?;
        let response = self.send_streaming(request).await?;
        Ok((request_id, response))
    }

    fn http_request(
        &self,
        request: Request<Bytes>,
        base_path: Option<&str>,
    ) -> Result<(String, Request<Bytes>), EmulatorError> {
        if let Some(err) = self.failed_init() {
            return Err(EmulatorError::InitializationFailed(err));
        }
        let request_id = fc_local::request_id();
        let (mut parts, body) = request.into_parts();
        if let Some(base) = base_path {
            let base = base.trim_end_matches('/');
            let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
            parts.uri = format!("{base}{target}")
                .parse()
                .map_err(|err| EmulatorError::Unreachable(format!("bad path: {err}")))?;
            if let Ok(value) = HeaderValue::from_str(&format!("{base}/")) {
                parts.headers.insert(header::BASE_PATH, value);
            }
        }
        self.add_headers(&mut parts.headers, &request_id, "/http-invoke");
        Ok((request_id, Request::from_parts(parts, body)))
    }

    /// Like [`FcEmulator::stop`], returning what the function printed (with
    /// [`Output::Capture`]) once it has exited.
    pub async fn stop_and_output(
        self,
    ) -> Result<(std::process::ExitStatus, String), EmulatorError> {
        let captured = self.captured.clone();
        let status = self.stop().await?;
        captured.drained().await;
        Ok((status, captured.text()))
    }

    /// Calls the instance's `GET /pre-freeze`, as FC 2.0 does before it freezes an instance
    /// (FC 3.0 has no such hook); the status it answered.
    pub async fn pre_freeze(&self) -> Result<http::StatusCode, EmulatorError> {
        let request_id = fc_local::request_id();
        let mut request = Request::new(Bytes::new());
        *request.uri_mut() = "/pre-freeze".parse().expect("a static path");
        self.add_headers(request.headers_mut(), &request_id, "/pre-freeze");
        Ok(self.send(request).await?.status())
    }

    /// Asks the instance to stop (`GET /pre-stop`) and waits for it to exit.
    pub async fn stop(&self) -> Result<std::process::ExitStatus, EmulatorError> {
        let request_id = fc_local::request_id();
        let mut request = Request::new(Bytes::new());
        *request.uri_mut() = "/pre-stop".parse().expect("a static path");
        self.add_headers(request.headers_mut(), &request_id, "/pre-stop");
        self.send(request).await?;
        let mut child = self.child.lock().await;
        tokio::time::timeout(STOP_TIMEOUT, child.wait())
            .await
            .map_err(|_| {
                EmulatorError::Unreachable("the function did not exit after /pre-stop".into())
            })?
            .map_err(|err| EmulatorError::Unreachable(err.to_string()))
    }
}

fn function_error(body: &[u8], default_type: &str) -> FunctionError {
    let parsed: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |key: &str| parsed.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    FunctionError {
        error_type: text("errorType").unwrap_or_else(|| default_type.to_owned()),
        error_message: text("errorMessage")
            .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned()),
    }
}

fn spawn(f: &FcFunction, port: u16, captured: &Captured) -> Result<Child, EmulatorError> {
    let code_path = f
        .program
        .parent()
        .map_or_else(|| ".".into(), |p| p.display().to_string());
    let mut command = Command::new(&f.program);
    command
        .args(&f.args)
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env_remove("FC_PLATFORM")
        .env("FC_FUNC_CODE_PATH", code_path)
        .env("FC_FUNCTION_NAME", &f.function_name)
        .env("FC_FUNCTION_HANDLER", "index.handler")
        .env("FC_FUNCTION_MEMORY_SIZE", f.memory_mb.to_string())
        .env("FC_REGION", &f.region)
        .env("FC_ACCOUNT_ID", &f.account_id)
        .env("FC_CUSTOM_LISTEN_PORT", port.to_string())
        // FC needs 0.0.0.0; a laptop does not, and should not expose the instance.
        .env("FC_LISTEN_HOST", "127.0.0.1")
        .env("FC_INSTANCE_ID", fc_local::request_id())
        .env("FC_QUALIFIER", "LATEST")
        .envs(f.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some((id, secret, token)) = &f.credentials {
        command
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", id)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
            .env("ALIBABA_CLOUD_SECURITY_TOKEN", token);
    }
    crate::emulator::configure(&mut command, &f.output);
    let mut child = command.spawn().map_err(EmulatorError::Spawn)?;
    crate::emulator::capture(&mut child, captured, &f.output);
    Ok(child)
}
