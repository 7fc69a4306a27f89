//! Helpers for end-to-end tests: start a function binary the way a user or a platform would,
//! talk plain HTTP/1.1 to it, and read what it printed.

pub mod smtp;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use nix::sys::signal::Signal;

/// How long a test waits for a process to start, answer or stop before it fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A function binary serving HTTP on a free loopback port; killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// Where it serves.
    pub addr: SocketAddr,
    /// The first line it printed.
    pub banner: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `binary` with `PORT=0` and `envs`, and waits for its "serving on" line.
    pub fn start(binary: &str, envs: &[(&str, &str)]) -> Server {
        Server::start_with(binary, &[], envs)
    }

    /// Like [`Server::start`], with arguments.
    pub fn start_with(binary: &str, args: &[&str], envs: &[(&str, &str)]) -> Server {
        Server::start_in(binary, args, envs, None)
    }

    /// Like [`Server::start_with`], in the folder `dir`.
    pub fn start_in(
        binary: &str,
        args: &[&str],
        envs: &[(&str, &str)],
        dir: Option<&std::path::Path>,
    ) -> Server {
        let mut command = Command::new(binary);
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        command
            .args(args)
            .env("PORT", "0")
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .env_remove("FC_PLATFORM")
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = collect(child.stderr.take().expect("stderr is piped"));
        let lines = lines(stdout);
        let banner = lines.recv_timeout(PATIENCE).unwrap_or_else(|_| {
            panic!(
                "{binary} printed nothing; stderr: {}",
                stderr.lock().expect("lock")
            )
        });
        let url = banner
            .split_whitespace()
            .find_map(|word| word.strip_prefix("http://"))
            .unwrap_or_else(|| panic!("no address in the first line: {banner}"));
        let addr = url
            .parse()
            .unwrap_or_else(|e| panic!("bad address {url}: {e}"));
        Server {
            child,
            addr,
            banner,
            stderr,
        }
    }

    /// Sends one request and reads the whole response.
    pub fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        request(self.addr, method, target, headers, body)
    }

    /// `GET target`.
    pub fn get(&self, target: &str) -> Reply {
        self.request("GET", target, &[], b"")
    }

    /// What the process has written to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }

    /// Whether stderr contains `text`, waiting up to [`PATIENCE`] for it: the process writes
    /// before it answers, but this side reads the pipe in its own time.
    pub fn logged(&self, text: &str) -> bool {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            if self.stderr().contains(text) {
                return true;
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Sends SIGINT (Ctrl-C) and waits for the process to exit.
    pub fn interrupt(&mut self) -> ExitStatus {
        self.signal(Signal::SIGINT)
    }

    /// Sends SIGTERM, as a service manager or container runtime stops a process, and waits
    /// for it to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        self.signal(Signal::SIGTERM)
    }

    /// Sends SIGKILL, which leaves the process no chance to clean up, and waits for it.
    pub fn kill(&mut self) -> ExitStatus {
        self.signal(Signal::SIGKILL)
    }

    fn signal(&mut self, signal: Signal) -> ExitStatus {
        send(&self.child, signal).unwrap_or_else(|err| panic!("sending {signal} failed: {err}"));
        wait(&mut self.child)
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// Sends `signal` to `child`.
fn send(child: &Child, signal: Signal) -> nix::Result<()> {
    let pid = i32::try_from(child.id()).map_err(|_| nix::errno::Errno::ESRCH)?;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal)
}

/// Ctrl-C first, as a user stops it, so that `fc-local start` stops the instances it
/// started (killed outright, it would leave them running); killed if that takes too long.
impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = send(&self.child, Signal::SIGINT);
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while matches!(self.child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `fc-local start --platform <platform> --port 0 <extra…> -- <function>`: the function behind
/// fc-local's gateway on a free port, as a user starts it (`fc_local` is the built command).
pub fn start_behind_gateway(
    fc_local: &str,
    platform: &str,
    extra: &[&str],
    function: &str,
) -> Server {
    let mut args = vec!["start", "--platform", platform, "--port", "0"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--", function]);
    Server::start_with(fc_local, &args, &[])
}

/// Waits for `child` to exit, at most [`PATIENCE`].
pub fn wait(child: &mut Child) -> ExitStatus {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the process did not exit"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn lines(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn collect(stream: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut text = sink.lock().expect("lock");
            text.push_str(&line);
            text.push('\n');
        }
    });
    text
}

/// An HTTP response, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// The event that makes probe-event fail to decode (`ms` must be a number), and the part of
/// the error that names the field's problem, as serde says it on every platform.
pub const WRONG_TYPE: (&str, &str) = (
    r#"{"action":"sleep","ms":"soon"}"#,
    "invalid type: string \"soon\", expected u64",
);

/// Asserts that a function error is the `InvalidEvent` of [`WRONG_TYPE`].
pub fn assert_wrong_type(error: &fc_local_cli::FunctionError) {
    assert_eq!(error.error_type, "InvalidEvent", "{error}");
    assert!(error.error_message.contains(WRONG_TYPE.1), "{error}");
}

/// Asserts that every answer a platform's HTTP paths gave hello's `GET /hello?name=Jürgen`
/// is the same greeting: status, content type and body.
pub fn assert_one_greeting(answers: &[http::Response<bytes::Bytes>]) {
    let shown = |r: &http::Response<bytes::Bytes>| {
        let content_type = r.headers().get("content-type").cloned();
        (r.status(), content_type, r.body().clone())
    };
    let first = shown(&answers[0]);
    assert_eq!(first.0, 200);
    assert_eq!(
        first.1.as_ref().map(|v| v.as_bytes()),
        Some(&b"text/plain; charset=utf-8"[..])
    );
    assert_eq!(first.2.as_ref(), "hello, Jürgen!\n".as_bytes());
    for other in &answers[1..] {
        assert_eq!(shown(other), first);
    }
}

/// Sends one HTTP/1.1 request with hyper's client and reads the response to the end.
///
/// It runs on a thread of its own with its own runtime, so that both plain and `#[tokio::test]`
/// tests can call it.
pub fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut request = http::Request::new(Full::new(Bytes::copy_from_slice(body)));
    *request.method_mut() = http::Method::from_bytes(method.as_bytes())
        .unwrap_or_else(|e| panic!("method {method:?}: {e}"));
    *request.uri_mut() = target
        .parse()
        .unwrap_or_else(|e| panic!("target {target:?}: {e}"));
    let fields = request.headers_mut();
    fields.insert(
        http::header::HOST,
        http::HeaderValue::from_str(&addr.to_string()).expect("an address"),
    );
    fields.insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    for (name, value) in headers {
        fields.append(
            http::HeaderName::from_bytes(name.as_bytes())
                .unwrap_or_else(|e| panic!("header name {name:?}: {e}")),
            http::HeaderValue::from_bytes(value.as_bytes())
                .unwrap_or_else(|e| panic!("header {name}: {e}")),
        );
    }
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime")
                    .block_on(exchange(addr, request))
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

async fn exchange(addr: SocketAddr, request: http::Request<Full<Bytes>>) -> Reply {
    let answer = async {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let response = sender.send_request(request).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((parts, body))
    };
    let (parts, body) = tokio::time::timeout(PATIENCE, answer)
        .await
        .unwrap_or_else(|_| panic!("no answer from {addr} within {PATIENCE:?}"))
        .unwrap_or_else(|e| panic!("request to {addr}: {e}"));
    Reply {
        status: parts.status.as_u16(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
        body: body.to_vec(),
    }
}

/// A `GET` whose response is read as it arrives, as a browser's `EventSource` reads an event
/// stream: what came so far is kept, and reading stops at the text a test waits for.
#[derive(Debug)]
pub struct Streamed {
    stream: TcpStream,
    seen: Vec<u8>,
    label: String,
}

impl Streamed {
    /// Sends `GET target` asking for `text/event-stream`; `label` names it in failures.
    pub fn get(addr: SocketAddr, target: &str, label: &str) -> Streamed {
        let mut stream =
            TcpStream::connect(addr).unwrap_or_else(|e| panic!("{label}: connect {addr}: {e}"));
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n"
        )
        .unwrap_or_else(|e| panic!("{label}: send: {e}"));
        Streamed {
            stream,
            seen: Vec::new(),
            label: label.to_owned(),
        }
    }

    /// Everything received so far, head included.
    pub fn seen(&self) -> String {
        String::from_utf8_lossy(&self.seen).into_owned()
    }

    /// Reads until `text` has arrived; fails if the response ends first.
    pub fn until(&mut self, text: &str) -> String {
        let mut buf = [0u8; 4096];
        while !self.seen().contains(text) {
            let n = match self.stream.read(&mut buf) {
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                read => read.unwrap_or(0),
            };
            assert!(
                n > 0,
                "{}: the stream ended before `{text}`: {}",
                self.label,
                self.seen()
            );
            self.seen.extend_from_slice(&buf[..n]);
        }
        self.seen()
    }

    /// Reads the rest, to the end of the response.
    pub fn rest(mut self) -> String {
        let mut rest = Vec::new();
        let _ = self.stream.read_to_end(&mut rest);
        self.seen.extend_from_slice(&rest);
        self.seen()
    }
}

/// Sends raw bytes, as no client would (a malformed request, a body over a limit), and parses
/// whatever HTTP response comes back with httparse. The body is read by its `Content-Length` or
/// chunks, or to the end when it has neither, so a server that keeps the connection open is
/// still read whole.
pub fn send_raw(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    // A server may answer (413, 431) and close before the whole request is sent.
    let _ = stream.write_all(raw);
    let mut response = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if let Some(reply) = parse(&response, false) {
            return reply;
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            // A signal (a child's exit, say) may interrupt a blocking read: read again.
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err)
                if !response.is_empty() && err.kind() == std::io::ErrorKind::ConnectionReset =>
            {
                break;
            }
            Err(err) => panic!("read the response: {err}"),
        }
    }
    parse(&response, true).unwrap_or_else(|| {
        panic!(
            "no whole HTTP response in {:?}",
            String::from_utf8_lossy(&response)
        )
    })
}

/// The response in `bytes` once it is whole; `closed` says no more bytes will come.
fn parse(bytes: &[u8], closed: bool) -> Option<Reply> {
    let mut fields = [httparse::EMPTY_HEADER; 64];
    let mut head = httparse::Response::new(&mut fields);
    let httparse::Status::Complete(head_len) = head.parse(bytes).ok()? else {
        return None;
    };
    let status = head.code?;
    let headers: Vec<(String, String)> = head
        .headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value).trim().to_owned();
            (h.name.to_ascii_lowercase(), value)
        })
        .collect();
    let field = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let rest = &bytes[head_len..];
    let body = if field("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        dechunk(rest)?
    } else if let Some(length) = field("content-length").and_then(|l| l.parse::<usize>().ok()) {
        rest.get(..length)?.to_vec()
    } else if status < 200 || status == 204 || status == 304 {
        Vec::new()
    } else if closed {
        rest.to_vec()
    } else {
        return None;
    };
    Some(Reply {
        status,
        headers,
        body,
    })
}

/// A chunked body, once its last chunk has arrived.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let httparse::Status::Complete((start, size)) = httparse::parse_chunk_size(data).ok()?
        else {
            return None;
        };
        let size = usize::try_from(size).ok()?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(start..start + size)?);
        data = data.get(start + size + 2..)?;
    }
}

fn read_all(mut stream: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// `fc-local package` of `binary`, as the function `hello`, for one platform, into a directory
/// of its own that starts empty.
#[derive(Debug)]
pub struct Package {
    fc_local: &'static str,
    binary: &'static str,
    platform: &'static str,
    /// Where the packages are written.
    pub out: std::path::PathBuf,
}

impl Package {
    /// Packaging of `binary` by `fc_local` for `platform`, its directory emptied.
    pub fn new(fc_local: &'static str, binary: &'static str, platform: &'static str) -> Package {
        let out =
            std::env::temp_dir().join(format!("fc-package-{platform}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        Package {
            fc_local,
            binary,
            platform,
            out,
        }
    }

    /// The output directory as the command line names it.
    pub fn out_text(&self) -> &str {
        self.out.to_str().unwrap_or_default()
    }

    /// Runs the packaging with `args` after the fixed ones: its status, stdout and stderr.
    pub fn run(&self, args: &[&str]) -> (ExitStatus, String, String) {
        let mut all = vec![
            "package",
            "--binary",
            self.binary,
            "--out",
            self.out_text(),
            "--platform",
            self.platform,
            "-p",
            "hello",
        ];
        all.extend_from_slice(args);
        run(self.fc_local, &all, &[], b"")
    }
}

/// Runs `binary` to completion with `stdin` as its input; returns (status, stdout, stderr).
pub fn run(
    binary: &str,
    args: &[&str],
    envs: &[(&str, &str)],
    stdin: &[u8],
) -> (ExitStatus, String, String) {
    let mut child = Command::new(binary)
        .args(args)
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env_remove("FC_PLATFORM")
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
    let mut input = child.stdin.take().expect("stdin is piped");
    let stdin = stdin.to_vec();
    std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let stdout = read_all(child.stdout.take().expect("stdout is piped"));
    let stderr = read_all(child.stderr.take().expect("stderr is piped"));
    let status = wait(&mut child);
    let out = stdout.join().expect("stdout reader");
    let err = stderr.join().expect("stderr reader");
    (status, out, err)
}

/// The event `fc-local event kind --platform platform extra…` prints, from the `fc-local`
/// binary at `fc_local`: a valid event of that kind, as the platform delivers it.
pub fn event_template(fc_local: &str, kind: &str, platform: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["event", kind, "--platform", platform];
    args.extend_from_slice(extra);
    let output = Command::new(fc_local)
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("cannot start {fc_local}: {e}"));
    assert!(
        output.status.success(),
        "{kind}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The path in the environment variable `var`, a tool nobody here wrote that CI installs
/// (`what` says which), or `None` where it is not installed: the caller's test then says so and
/// passes. Under CI it must be there.
pub fn tool(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(path) if std::path::Path::new(&path).exists() => Some(path),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must provide {var} ({what})"
            );
            eprintln!("skipped: {var} is not set");
            None
        }
    }
}
