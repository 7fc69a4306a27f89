//! What the platform emulators share: their errors, and capturing a function's output.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpStream;
use tokio::process::Child;

/// What a function reported instead of a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_type}: {error_message}")]
pub struct FunctionError {
    /// The platform's `errorType` (`InvalidEvent`, `Sandbox.Timedout`, `Runtime.ExitError`…).
    pub error_type: String,
    /// The platform's `errorMessage`.
    pub error_message: String,
}

impl FunctionError {
    /// A failed HTTP answer (`status`, not 2xx) as the error it reports: fc's
    /// `{"errorType", "errorMessage"}` when `parsed` has them, else the status and the body.
    pub(crate) fn answered(
        status: http::StatusCode,
        parsed: &serde_json::Value,
        body: &[u8],
    ) -> FunctionError {
        let text = |key: &str| {
            parsed
                .get(key)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        FunctionError {
            error_type: text("errorType").unwrap_or_else(|| format!("HTTP {}", status.as_u16())),
            error_message: text("errorMessage")
                .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned()),
        }
    }
}

/// A function's answer that is not what its trigger expects (a gateway answers 502): not
/// JSON, no `statusCode`, a body that is not base64 although it says it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidAnswer(String);

impl From<String> for InvalidAnswer {
    fn from(why: String) -> Self {
        InvalidAnswer(why)
    }
}

impl From<&str> for InvalidAnswer {
    fn from(why: &str) -> Self {
        InvalidAnswer(why.to_owned())
    }
}

/// The emulator could not run the invocation at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The function's executable could not be started.
    #[error("cannot start the function: {0}")]
    Spawn(std::io::Error),
    /// The emulator could not listen.
    #[error("cannot open the emulated API: {0}")]
    Listen(std::io::Error),
    /// The function did not start serving, or stopped answering.
    #[error("the function cannot be reached: {0}")]
    Unreachable(String),
    /// The invocation ran past the function's timeout, and the instance was stopped.
    #[error("the function timed out after {} seconds", .0.as_secs_f64())]
    TimedOut(std::time::Duration),
    /// The instance's initializer failed, so the invocation was not run (FC).
    #[error("the function's initializer failed: {}", .0.error_message)]
    InitializationFailed(FunctionError),
}

/// Where a function's stdout and stderr go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Output {
    /// To the emulator's own stdout and stderr.
    #[default]
    Show,
    /// Nowhere.
    Discard,
    /// Into a buffer, read with the emulator's `output()`.
    Capture,
    /// To stderr, each line behind `[name] `, so it stands apart from the emulator's own lines.
    Prefixed(String),
}

/// A function's captured output, both streams interleaved by line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Captured {
    text: Arc<Mutex<String>>,
    readers: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Captured {
    pub(crate) fn text(&self) -> String {
        lock(&self.text).clone()
    }

    /// Adds output read otherwise (a one-shot process's).
    pub(crate) fn push(&self, text: &str) {
        lock(&self.text).push_str(text);
    }

    /// Waits until the readers have seen the end of their pipes (the process has exited).
    pub(crate) async fn drained(&self) {
        let readers = std::mem::take(&mut *lock(&self.readers));
        for reader in readers {
            let _ = reader.await;
        }
    }

    pub(crate) fn collect(&self, mut stream: impl AsyncRead + Unpin + Send + 'static) {
        let sink = Arc::clone(&self.text);
        let reader = tokio::spawn(async move {
            let mut buf = vec![0u8; 8192];
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => lock(&sink).push_str(&String::from_utf8_lossy(&buf[..n])),
                }
            }
        });
        lock(&self.readers).push(reader);
    }

    /// Passes the stream's lines on to stderr with the function's name in front; tracked like
    /// [`Captured::collect`], so a stop can wait for the last lines.
    fn prefix_lines(&self, stream: impl AsyncRead + Unpin + Send + 'static, name: String) {
        use tokio::io::AsyncBufReadExt;
        let reader = tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(stream).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                // OpenWhisk's end-of-activation marker is for its invoker, not for people.
                if line == fc_openwhisk::SENTINEL {
                    continue;
                }
                eprintln!("[{name}] {line}");
            }
        });
        lock(&self.readers).push(reader);
    }
}

/// A function's default name: its executable's, as a deploy tool would name it.
pub(crate) fn name_of(program: &std::path::Path) -> String {
    program.file_stem().map_or_else(
        || "function".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Applies `output` to a command, and ties the function's life to the emulator's.
pub(crate) fn configure(command: &mut tokio::process::Command, output: &Output) {
    use std::process::Stdio;
    die_with_parent(command);
    match output {
        Output::Show => {}
        Output::Discard => {
            command.stdout(Stdio::null()).stderr(Stdio::null());
        }
        Output::Capture | Output::Prefixed(_) => {
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
    }
}

/// Starts reading a spawned function's piped output, as `output` says.
pub(crate) fn capture(child: &mut tokio::process::Child, captured: &Captured, output: &Output) {
    let streams = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn AsyncRead + Unpin + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn AsyncRead + Unpin + Send>),
    ];
    for stream in streams.into_iter().flatten() {
        match output {
            Output::Prefixed(name) => captured.prefix_lines(stream, name.clone()),
            _ => captured.collect(stream),
        }
    }
}

/// The peak resident memory of a process so far, in KiB (Linux's `VmHWM`).
pub(crate) fn peak_memory_kib(pid: Option<u32>) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Sends SIGTERM to process `pid`, as Lambda stops an instance: its runtime may then run the
/// function's shutdown hook. Where there are no signals, the caller's kill follows.
pub(crate) fn terminate(pid: u32) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(pid) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGTERM,
        );
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// Makes the function die with the emulator even when the emulator is killed outright (SIGKILL
/// leaves it no chance to stop its instances), as an instance cannot outlive its platform:
/// Linux's parent-death signal, set in the child before it runs the function.
///
/// The signal follows the thread that spawned the child: the emulators spawn from the
/// runtime's worker threads, which live as long as the runtime.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn die_with_parent(command: &mut tokio::process::Command) {
    use nix::errno::Errno;
    use nix::sys::signal::Signal;

    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs in the child between fork and exec, where only
    // async-signal-safe calls may be made: `prctl` and `getppid` are single system calls, and
    // nothing is allocated (errors are plain error numbers).
    unsafe {
        command.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
            // The emulator died before the signal was set: none will come.
            if nix::unistd::getppid() != parent {
                return Err(Errno::ESRCH.into());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_: &mut tokio::process::Command) {}

/// Leaves out what every platform sets for its functions (and fc-local's own `FC_PLATFORM`), so
/// a function started by one emulator detects that emulator's platform alone, whatever
/// fc-local itself was started under.
pub(crate) fn clean_env(command: &mut tokio::process::Command) {
    for name in [
        "FC_PLATFORM",
        "AWS_LAMBDA_RUNTIME_API",
        "FC_CUSTOM_LISTEN_PORT",
        "FC_SERVER_PORT",
        "FC_FUNC_CODE_PATH",
        "FC_FUNCTION_NAME",
        "FUNCTIONS_CUSTOMHANDLER_PORT",
        "FUNCTIONS_HTTPWORKER_PORT",
        "SCF_RUNTIME_API",
        "TENCENTCLOUD_RUNENV",
        "SCF_FUNCTIONNAME",
        "__OW_API_HOST",
        "__OW_ACTIVATION_ID",
        "FUNCTION_TARGET",
        "K_SERVICE",
        "K_CONFIGURATION",
        "K_REVISION",
    ] {
        command.env_remove(name);
    }
}

/// A port no other emulator of this process has been given.
pub(crate) fn free_port() -> std::io::Result<u16> {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let port = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
            .local_addr()?
            .port();
        let mut given = GIVEN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !given.contains(&port) {
            given.push(port);
            return Ok(port);
        }
    }
}

/// Waits until something listens on `addr` while `child` is alive.
pub(crate) async fn wait_listening(
    child: &mut Child,
    addr: SocketAddr,
    limit: Duration,
    hint: &str,
) -> Result<(), EmulatorError> {
    let started = Instant::now();
    // Start polling fast: a Rust runtime listens within a couple of milliseconds, and a cold
    // start measured through the emulator should not be mostly the emulator's sleeping.
    let mut pause = Duration::from_millis(1);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(EmulatorError::Unreachable(format!(
                "the function exited before listening on {addr}: {status}"
            )));
        }
        if TcpStream::connect(addr).await.is_ok() {
            // Someone listens; make sure it is still our process (one that lost the port to
            // another listener exits as it fails to bind).
            tokio::time::sleep(Duration::from_millis(1)).await;
            if let Ok(None) = child.try_wait() {
                return Ok(());
            }
            continue;
        }
        if started.elapsed() > limit {
            return Err(EmulatorError::Unreachable(format!(
                "the function did not listen on port {} within {} s: {hint}",
                addr.port(),
                limit.as_secs_f64()
            )));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// Starts a server process (`spawn` given its port) on a free loopback port and waits until it
/// listens. A port picked free can be taken by another process before the function binds it;
/// then the function exits at once, and another port is tried.
pub(crate) async fn spawn_listening(
    mut spawn: impl FnMut(u16) -> Result<Child, EmulatorError>,
    limit: Duration,
    hint: &str,
) -> Result<(SocketAddr, Child), EmulatorError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let port = free_port().map_err(EmulatorError::Listen)?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let mut child = spawn(port)?;
        match wait_listening(&mut child, addr, limit, hint).await {
            Ok(()) => return Ok((addr, child)),
            Err(err) if attempts < 3 && matches!(child.try_wait(), Ok(Some(_))) => {
                tracing::debug!("retrying on another port: {err}");
            }
            Err(err) => return Err(err),
        }
    }
}

/// Sends `request` to the server at `addr` on a new connection; the answer streams.
pub(crate) async fn send(
    addr: SocketAddr,
    request: http::Request<bytes::Bytes>,
) -> Result<http::Response<hyper::body::Incoming>, EmulatorError> {
    let unreachable = |err: &dyn std::fmt::Display| EmulatorError::Unreachable(err.to_string());
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|err| unreachable(&err))?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|err| unreachable(&err))?;
    tokio::spawn(conn);
    let (parts, body) = request.into_parts();
    sender
        .send_request(http::Request::from_parts(
            parts,
            http_body_util::Full::new(body),
        ))
        .await
        .map_err(|err| unreachable(&err))
}

/// Stops a server process as a container is stopped: SIGTERM, then a kill after `grace`.
pub(crate) async fn stop(
    child: &mut Child,
    grace: Duration,
) -> Result<std::process::ExitStatus, EmulatorError> {
    if let Some(pid) = child.id() {
        terminate(pid);
    }
    match tokio::time::timeout(grace, child.wait()).await {
        Ok(status) => status.map_err(|err| EmulatorError::Unreachable(err.to_string())),
        Err(_) => {
            let _ = child.kill().await;
            Err(EmulatorError::Unreachable(format!(
                "the container did not exit within {grace:?} of SIGTERM; killed"
            )))
        }
    }
}

/// A function that is an HTTP server on a loopback port — a Knative container, an SCF web
/// function, an Azure custom handler: its process, its output, and requests to it with a
/// deadline.
#[derive(Debug)]
pub(crate) struct Listening {
    pub(crate) addr: SocketAddr,
    child: tokio::sync::Mutex<Child>,
    captured: Captured,
    timeout: Duration,
}

impl Listening {
    /// Starts the process (`spawn` given its port and where its output goes) and waits up to
    /// `limit` until it listens; each request may then take `timeout`.
    pub(crate) async fn start(
        mut spawn: impl FnMut(u16, &Captured) -> Result<Child, EmulatorError>,
        limit: Duration,
        hint: &str,
        timeout: Duration,
    ) -> Result<Listening, EmulatorError> {
        let captured = Captured::default();
        let (addr, child) = spawn_listening(|port| spawn(port, &captured), limit, hint).await?;
        Ok(Listening {
            addr,
            child: tokio::sync::Mutex::new(child),
            captured,
            timeout,
        })
    }

    /// Whether the process still runs.
    pub(crate) async fn is_alive(&self) -> bool {
        matches!(self.child.lock().await.try_wait(), Ok(None))
    }

    /// Waits up to `limit` for the process to exit; whether it did.
    pub(crate) async fn exited_within(&self, limit: Duration) -> bool {
        let mut child = self.child.lock().await;
        matches!(tokio::time::timeout(limit, child.wait()).await, Ok(Ok(_)))
    }

    /// What the process has printed so far, with [`Output::Capture`].
    pub(crate) fn output(&self) -> String {
        self.captured.text()
    }

    /// The process's peak memory so far, in KiB, when known.
    pub(crate) async fn peak_memory_kib(&self) -> Option<u64> {
        peak_memory_kib(self.child.lock().await.id())
    }

    /// The process itself, to stop it.
    pub(crate) async fn child(&self) -> tokio::sync::MutexGuard<'_, Child> {
        self.child.lock().await
    }

    /// Sends `request` on a new connection; the answer streams. Past the timeout it is
    /// [`EmulatorError::TimedOut`].
    pub(crate) async fn exchange(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<hyper::body::Incoming>, EmulatorError> {
        tokio::time::timeout(self.timeout, send(self.addr, request))
            .await
            .map_err(|_| EmulatorError::TimedOut(self.timeout))?
    }
}

/// The public face of an emulator holding a [`Listening`] in `self.server`.
macro_rules! listening_methods {
    ($what:literal) => {
        #[doc = concat!("Whether the ", $what, "'s process still runs.")]
        pub async fn is_alive(&self) -> bool {
            self.server.is_alive().await
        }

        /// Waits up to `limit` for the process to exit; whether it did.
        pub async fn exited_within(&self, limit: std::time::Duration) -> bool {
            self.server.exited_within(limit).await
        }

        /// What the function has printed so far, with [`Output::Capture`](crate::Output::Capture).
        pub fn output(&self) -> String {
            self.server.output()
        }

        #[doc = concat!("The ", $what, "'s peak memory so far, in KiB, when known.")]
        pub async fn peak_memory_kib(&self) -> Option<u64> {
            self.server.peak_memory_kib().await
        }
    };
}
pub(crate) use listening_methods;
