//! An emulator of the AWS Lambda Runtime API: runs a function binary as Lambda does and
//! delivers invocations to it.
//!
//! The function process gets the environment Lambda gives a `provided.al2023` runtime (the four
//! variables `lambda_runtime` requires among them) and polls
//! `GET /2018-06-01/runtime/invocation/next`; it answers on `/{id}/response` or `/{id}/error`,
//! or reports a failed start on `/runtime/init/error`. As on Lambda, one instance runs one
//! invocation at a time, each with a real epoch deadline; past it the invocation fails with
//! Lambda's timeout message and the instance is replaced. A process that exits is started again
//! for the next invocation.
//!
//! With [`LambdaFunction::concurrency`] above 1 the instance is a Lambda Managed Instances
//! environment: `AWS_LAMBDA_MAX_CONCURRENCY` tells the runtime to poll that many invocations at
//! once, and an invocation past its deadline fails alone, the instance and the other
//! invocations going on (Source: AWS Lambda, "Understanding the Lambda Managed Instances
//! execution environment"). An invocation for a tenant (tenant isolation) gets
//! `Lambda-Runtime-Aws-Tenant-Id`, and an instance serves one tenant only: another tenant's
//! invocation starts a new one (Source: AWS Lambda, "Invoking Lambda functions with tenant
//! isolation").

mod gateway;
mod server;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use fc_core::http::Body;
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{Notify, Semaphore, oneshot, watch};

pub use crate::emulator::{EmulatorError, FunctionError, Output};
pub use gateway::{http_event, http_response, split_prelude};

use crate::emulator::Captured;

/// Lambda's limit on a synchronous invocation's request and response payloads.
pub const PAYLOAD_LIMIT: usize = 6 * 1024 * 1024;

/// Lambda's limit on an asynchronous (`Event`) invocation's payload: 1 MB since January 2026.
pub const ASYNC_PAYLOAD_LIMIT: usize = 1024 * 1024;

/// The `errorType` of a payload over the limit, as Lambda's Invoke API answers it (HTTP 413).
pub const TOO_LARGE: &str = "RequestEntityTooLargeException";

/// Lambda's refusal of a payload over `limit` bytes.
pub fn too_large(limit: usize) -> FunctionError {
    FunctionError {
        error_type: TOO_LARGE.into(),
        error_message: format!(
            "Request must be smaller than {limit} bytes for the InvokeFunction operation"
        ),
    }
}

/// Why the Invoke API refuses `payload` before any function runs, if it does: over `limit`
/// bytes ([`too_large`]), or not JSON (`InvalidRequestContentException`, HTTP 400).
pub fn refusal(payload: &[u8], limit: usize) -> Option<FunctionError> {
    if payload.len() > limit {
        return Some(too_large(limit));
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(payload)
        .err()
        // Deep nesting is valid JSON that this check cannot follow; Lambda passes it on.
        .filter(|err| !err.to_string().starts_with("recursion limit exceeded"))
        .map(|err| FunctionError {
            error_type: "InvalidRequestContentException".into(),
            error_message: format!("Could not parse request body into json: {err}"),
        })
}

/// The function to run and the settings Lambda would give it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LambdaFunction {
    /// The executable (a `bootstrap`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables (the function's configuration).
    pub env: Vec<(String, String)>,
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub function_name: String,
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB.
    pub memory_mb: u32,
    /// How long one invocation may run.
    pub timeout: Duration,
    /// `AWS_REGION`.
    pub region: String,
    /// Where the function's stdout and stderr go.
    pub output: Output,
    /// How many invocations the instance takes at once: 1 on Lambda, up to
    /// `PerExecutionEnvironmentMaxConcurrency` on Lambda Managed Instances.
    pub concurrency: u32,
}

impl LambdaFunction {
    /// A function from an executable, named after it, with Lambda's defaults: 128 MB, 3 s,
    /// `us-east-1`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        let program = program.into();
        let function_name = crate::emulator::name_of(&program);
        LambdaFunction {
            program,
            args: Vec::new(),
            env: Vec::new(),
            function_name,
            memory_mb: 128,
            timeout: Duration::from_secs(3),
            region: "us-east-1".into(),
            output: Output::Show,
            concurrency: 1,
        }
    }

    /// Sets how many invocations the instance takes at once (Lambda Managed Instances).
    pub fn concurrency(mut self, concurrency: u32) -> Self {
        self.concurrency = concurrency.max(1);
        self
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

    /// Shows, discards or captures the function's output.
    pub fn output(mut self, output: Output) -> Self {
        self.output = output;
        self
    }

    /// The function's ARN, in the emulator's account (`123456789012`).
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:lambda:{}:123456789012:function:{}",
            self.region, self.function_name
        )
    }
}

/// One invocation's result: with `T = Bytes` the payload read whole, with `T = Body` as it
/// streams ([`LambdaEmulator::invoke_streaming`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Invocation<T = Bytes> {
    /// The request id the function was given.
    pub request_id: String,
    /// The response payload, or the error the function (or Lambda) reported.
    pub result: Result<T, FunctionError>,
    /// From delivery to answer.
    pub duration: Duration,
    /// Whether this invocation started a new instance (a cold start).
    pub cold_start: bool,
    /// On a cold start, how long the instance took to start: from its process to its first
    /// `/next` (Lambda's "Init Duration", which `duration` leaves out).
    pub init_duration: Option<Duration>,
    /// The instance's peak memory so far, in KiB (Lambda's "Max Memory Used"), when known.
    pub peak_memory_kib: Option<u64>,
}

/// How a streamed answer fails after it began, as an error of its body's stream: the error the
/// function reported in its trailers, or the stream broke (`Runtime.StreamError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError(pub FunctionError);

impl StreamError {
    /// The function's error behind a streamed body's error.
    pub fn of(err: &(dyn std::error::Error + 'static)) -> FunctionError {
        err.downcast_ref::<StreamError>().map_or_else(
            || FunctionError {
                error_type: "Runtime.StreamError".into(),
                error_message: err.to_string(),
            },
            |StreamError(error)| error.clone(),
        )
    }
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for StreamError {}

/// How an invocation is asked for, besides its payload.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Invoke {
    /// The request id to give the function; a new one when `None`. Lambda retries an
    /// asynchronous invocation under the same id.
    pub request_id: Option<String>,
    /// The tenant, for a function with tenant isolation (the Invoke API's `X-Amz-Tenant-Id`).
    pub tenant_id: Option<String>,
}

impl Invoke {
    /// An invocation under this request id.
    pub fn as_request(request_id: impl Into<String>) -> Self {
        Invoke {
            request_id: Some(request_id.into()),
            ..Invoke::default()
        }
    }
}

/// An event waiting for the function's `/next`.
#[derive(Debug)]
struct Queued {
    request_id: String,
    payload: Bytes,
    deadline_ms: u64,
    trace_id: String,
    tenant_id: Option<String>,
}

/// State shared by the Runtime API server and the invokers.
#[derive(Debug, Default)]
struct Shared {
    queue: Mutex<VecDeque<Queued>>,
    ready: Notify,
    waiting: Mutex<HashMap<String, oneshot::Sender<Result<Body, FunctionError>>>>,
    init_error: Mutex<Option<FunctionError>>,
    arn: String,
    /// How many extensions registered; with one, a stop begins with SIGTERM.
    extensions: std::sync::atomic::AtomicUsize,
    /// When the current instance first asked for an event: the end of its init.
    first_poll: Mutex<Option<Instant>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these locks leaves consistent data; keep going.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An instance's process, owned by a task that waits for it to exit, so that every invocation
/// in flight sees the exit.
#[derive(Debug)]
struct Running {
    pid: Option<u32>,
    exited: watch::Receiver<Option<String>>,
    /// Sent, or dropped, to kill the process.
    kill: Option<oneshot::Sender<()>>,
    /// The tenant the instance serves, under tenant isolation.
    tenant_id: Option<String>,
    spawned: Instant,
}

impl Running {
    fn watch(mut child: Child, tenant_id: Option<String>) -> Running {
        let pid = child.id();
        let (exit, exited) = watch::channel(None);
        let (kill, killed) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let status = tokio::select! {
                status = child.wait() => status,
                _ = killed => {
                    let _ = child.start_kill();
                    child.wait().await
                }
            };
            let _ = exit.send(Some(
                status.map_or_else(|err| err.to_string(), |status| status.to_string()),
            ));
        });
        Running {
            pid,
            exited,
            kill: Some(kill),
            tenant_id,
            spawned: Instant::now(),
        }
    }

    fn is_running(&self) -> bool {
        self.exited.borrow().is_none()
    }

    /// Kills the process and waits until it is gone.
    async fn kill(mut self) {
        drop(self.kill.take());
        let _ = self.exited.wait_for(Option::is_some).await;
    }
}

/// How the process ended, once it has.
async fn exit_of(mut exited: watch::Receiver<Option<String>>) -> String {
    match exited.wait_for(Option::is_some).await {
        Ok(status) => status.clone().unwrap_or_default(),
        Err(_) => "the instance is gone".into(),
    }
}

/// A running Runtime API with its function.
#[derive(Debug)]
pub struct LambdaEmulator {
    function: LambdaFunction,
    addr: SocketAddr,
    shared: Arc<Shared>,
    instance: Mutex<Option<Running>>,
    /// One permit per invocation the instance takes at once.
    slots: Semaphore,
    server: tokio::task::JoinHandle<()>,
    captured: Captured,
}

impl LambdaEmulator {
    /// Opens the Runtime API on a free loopback port. The function starts with the first
    /// invocation, as on Lambda.
    pub async fn start(function: LambdaFunction) -> Result<LambdaEmulator, EmulatorError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(EmulatorError::Listen)?;
        let addr = listener.local_addr().map_err(EmulatorError::Listen)?;
        let shared = Arc::new(Shared {
            arn: function.arn(),
            ..Shared::default()
        });
        let server = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        Ok(LambdaEmulator {
            slots: Semaphore::new(function.concurrency.max(1) as usize),
            function,
            addr,
            shared,
            instance: Mutex::new(None),
            server,
            captured: Captured::default(),
        })
    }

    /// The Runtime API's address (`AWS_LAMBDA_RUNTIME_API`).
    pub fn runtime_api(&self) -> SocketAddr {
        self.addr
    }

    /// What the function has printed so far, with [`Output::Capture`].
    pub fn output(&self) -> String {
        self.captured.text()
    }

    /// The error the function reported on `/runtime/init/error`, if it did.
    pub fn init_error(&self) -> Option<FunctionError> {
        lock(&self.shared.init_error).clone()
    }

    fn spawn(&self) -> Result<Child, EmulatorError> {
        let f = &self.function;
        let mut command = Command::new(&f.program);
        command
            .args(&f.args)
            // Forced platforms and FC's markers would send the function elsewhere.
            .env_remove("FC_PLATFORM")
            .env_remove("FC_SERVER_PORT")
            .env_remove("FC_CUSTOM_LISTEN_PORT")
            .env_remove("FC_FUNC_CODE_PATH")
            .env_remove("FC_FUNCTION_NAME")
            .env("AWS_LAMBDA_RUNTIME_API", self.addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", &f.function_name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", f.memory_mb.to_string())
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{}", f.function_name),
            )
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "local/[$LATEST]fc-local")
            .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
            .env("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023")
            .env("AWS_REGION", &f.region)
            .env("AWS_DEFAULT_REGION", &f.region)
            .env("TZ", ":UTC");
        if f.concurrency > 1 {
            command.env("AWS_LAMBDA_MAX_CONCURRENCY", f.concurrency.to_string());
        }
        command
            .envs(f.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .kill_on_drop(true);
        crate::emulator::configure(&mut command, &f.output);
        let mut child = command.spawn().map_err(EmulatorError::Spawn)?;
        crate::emulator::capture(&mut child, &self.captured, &f.output);
        Ok(child)
    }

    /// Invokes the function once with `payload`, as a synchronous `Invoke` would.
    pub async fn invoke(&self, payload: impl Into<Bytes>) -> Result<Invocation, EmulatorError> {
        self.invoke_with(payload, Invoke::default()).await
    }

    /// Invokes with a request id of the caller's choosing: Lambda retries an asynchronous
    /// invocation under the same id, which this reproduces.
    pub async fn invoke_as(
        &self,
        request_id: String,
        payload: impl Into<Bytes>,
    ) -> Result<Invocation, EmulatorError> {
        self.invoke_with(payload, Invoke::as_request(request_id))
            .await
    }

    /// Invokes as `how` says: under a given request id, for a tenant.
    pub async fn invoke_with(
        &self,
        payload: impl Into<Bytes>,
        how: Invoke,
    ) -> Result<Invocation, EmulatorError> {
        let invocation = self.deliver(payload.into(), how).await?;
        let result = match invocation.result {
            Ok(body) => body.collect(None).await.map_or_else(
                |err| Err(StreamError::of(&*err)),
                |body| Ok(body.into_bytes().unwrap_or_default()),
            ),
            Err(err) => Err(err),
        };
        Ok(Invocation {
            request_id: invocation.request_id,
            result,
            duration: invocation.duration,
            cold_start: invocation.cold_start,
            init_duration: invocation.init_duration,
            peak_memory_kib: invocation.peak_memory_kib,
        })
    }

    /// Invokes as `InvokeWithResponseStream` does: returns once the function starts its
    /// answer, whose body then streams as the function writes it. A function that streams
    /// (`Lambda-Runtime-Function-Response-Mode: streaming`) sends its metadata prelude and 8
    /// NUL bytes first; see [`split_prelude`].
    pub async fn invoke_streaming(
        &self,
        payload: impl Into<Bytes>,
        how: Invoke,
    ) -> Result<Invocation<Body>, EmulatorError> {
        self.deliver(payload.into(), how).await
    }

    /// The instance to deliver to, started when there is none, or none for this tenant:
    /// whether it was started (a cold start), its exit, and when it started.
    async fn instance_for(
        &self,
        tenant_id: Option<&str>,
    ) -> Result<(bool, watch::Receiver<Option<String>>, Instant), EmulatorError> {
        let (old, exited, spawned) = {
            let mut instance = lock(&self.instance);
            let serving = instance.as_ref().filter(|running| {
                running.is_running() && running.tenant_id.as_deref() == tenant_id
            });
            if let Some(running) = serving {
                return Ok((false, running.exited.clone(), running.spawned));
            }
            *lock(&self.shared.init_error) = None;
            *lock(&self.shared.first_poll) = None;
            let running = Running::watch(self.spawn()?, tenant_id.map(str::to_owned));
            let (exited, spawned) = (running.exited.clone(), running.spawned);
            (instance.replace(running), exited, spawned)
        };
        if let Some(old) = old {
            old.kill().await;
        }
        Ok((true, exited, spawned))
    }

    async fn deliver(
        &self,
        payload: Bytes,
        how: Invoke,
    ) -> Result<Invocation<Body>, EmulatorError> {
        let request_id = how.request_id.unwrap_or_else(fc_local::request_id);
        if let Some(refused) = refusal(&payload, PAYLOAD_LIMIT) {
            return Ok(Invocation {
                request_id,
                result: Err(refused),
                duration: Duration::ZERO,
                cold_start: false,
                init_duration: None,
                peak_memory_kib: None,
            });
        }
        // As many invocations per instance at a time as it takes: one on Lambda.
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| EmulatorError::Unreachable("the instance is closed".into()))?;
        let (cold_start, exited, spawned) = self.instance_for(how.tenant_id.as_deref()).await?;
        let (tx, rx) = oneshot::channel();
        lock(&self.shared.waiting).insert(request_id.clone(), tx);
        let started = Instant::now();
        let deadline = SystemTime::now() + self.function.timeout;
        lock(&self.shared.queue).push_back(Queued {
            request_id: request_id.clone(),
            payload,
            deadline_ms: deadline
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            trace_id: trace_id(),
            tenant_id: how.tenant_id,
        });
        self.shared.ready.notify_one();

        enum Ended {
            Answer(Result<Body, FunctionError>),
            Timeout,
            Exit(String),
        }
        let ended = tokio::select! {
            answer = rx => Ended::Answer(answer.unwrap_or_else(|_| Err(FunctionError {
                error_type: "Runtime.Unknown".into(),
                error_message: "the Runtime API stopped".into(),
            }))),
            () = tokio::time::sleep(self.function.timeout) => Ended::Timeout,
            status = exit_of(exited) => Ended::Exit(status),
        };
        let result = match ended {
            Ended::Answer(result) => result,
            Ended::Timeout => {
                // Lambda stops the whole sandbox, and the next invocation gets a new one; a
                // Managed Instances environment goes on with its other invocations.
                if self.function.concurrency <= 1 {
                    self.kill_instance().await;
                }
                Err(FunctionError {
                    error_type: "Sandbox.Timedout".into(),
                    error_message: format!(
                        "RequestId: {request_id} Error: Task timed out after {:.2} seconds",
                        self.function.timeout.as_secs_f64()
                    ),
                })
            }
            Ended::Exit(status) => Err(self.init_error().unwrap_or(FunctionError {
                error_type: "Runtime.ExitError".into(),
                error_message: format!(
                    "RequestId: {request_id} Error: Runtime exited with error: {status}"
                ),
            })),
        };
        lock(&self.shared.waiting).remove(&request_id);
        lock(&self.shared.queue).retain(|q| q.request_id != request_id);
        // A cold invocation's duration starts when init ends, as Lambda counts it.
        let polled = *lock(&self.shared.first_poll);
        let init_duration = cold_start
            .then(|| polled.map(|polled| polled.saturating_duration_since(spawned)))
            .flatten();
        let duration = polled
            .map_or(started, |polled| polled.max(started))
            .elapsed();
        let pid = lock(&self.instance)
            .as_ref()
            .filter(|running| running.is_running())
            .and_then(|running| running.pid);
        let peak_memory_kib = crate::emulator::peak_memory_kib(pid);
        Ok(Invocation {
            request_id,
            result,
            duration,
            cold_start,
            init_duration,
            peak_memory_kib,
        })
    }

    /// Stops the current instance, if any; the next invocation starts a new one (with the
    /// executable as it is on disk then). What it wrote is all in [`LambdaEmulator::output`]
    /// after.
    pub async fn recycle(&self) {
        if self.kill_instance().await {
            let _ = tokio::time::timeout(Duration::from_secs(1), self.captured.drained()).await;
        }
    }

    /// Kills the current instance, if there is one; whether there was.
    async fn kill_instance(&self) -> bool {
        let running = lock(&self.instance).take();
        match running {
            Some(running) => {
                running.kill().await;
                true
            }
            None => false,
        }
    }

    /// The function's settings.
    pub fn function(&self) -> &LambdaFunction {
        &self.function
    }

    /// Stops the instance as Lambda does: with an extension registered, SIGTERM and up to
    /// 500 ms to finish (the graceful-shutdown window), then SIGKILL. Returns whether it exited
    /// on its own.
    pub async fn shutdown(&self) -> bool {
        let running = lock(&self.instance).take();
        let Some(running) = running.filter(Running::is_running) else {
            return false;
        };
        if self
            .shared
            .extensions
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0
            && let Some(pid) = running.pid
        {
            crate::emulator::terminate(pid);
            let exit = exit_of(running.exited.clone());
            if tokio::time::timeout(Duration::from_millis(500), exit)
                .await
                .is_ok()
            {
                // The last lines the function wrote while stopping are still in the pipes.
                let _ = tokio::time::timeout(Duration::from_secs(1), self.captured.drained()).await;
                return true;
            }
        }
        running.kill().await;
        false
    }
}

impl Drop for LambdaEmulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An X-Ray trace header for one invocation.
fn trace_id() -> String {
    let id = fc_local::request_id().replace('-', "");
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "Root=1-{secs:08x}-{};Parent={};Sampled=0",
        &id[..24],
        &id[16..32]
    )
}
