//! Apache OpenWhisk on a laptop: the invoker's side of the action interface, in both forms an
//! action takes, and the controller's web actions.
//!
//! - A **Docker action** is a server: started with `__OW_API_HOST` in its environment, it gets
//!   `POST /init` once, then `POST /run` per activation with the parameters and the
//!   activation's facts; a timed-out activation destroys the container.
//! - A **native action** (`--native exec.zip`) is what OpenWhisk's action proxy runs once per
//!   activation: the parameters as JSON in the first argument (on stdin alone when longer than
//!   Linux's 131071-byte argument limit), `__OW_*` variables, and the result read from the last
//!   line of stdout; the lines before it are the activation's log.
//!
//! A web request becomes a raw web action's parameters (`__ow_method`, `__ow_headers`,
//! `__ow_path`, `__ow_query`, `__ow_body`), and its result the response, as the controller's
//! `.http` extension answers.
//!
//! Sources: Apache OpenWhisk, `docs/actions-new.md`, `docs/actions-docker.md`,
//! `docs/webactions.md`, the controller's `WebActions.scala`; openwhisk-runtime-docker's
//! `actionproxy.py`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Map, Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

use crate::emulator::{Captured, EmulatorError, FunctionError, Output};

/// The activation's status when the action answered with an `error` (a caught failure).
pub const APPLICATION_ERROR: &str = "application error";
/// The activation's status when the action failed to produce a result at all.
pub const DEVELOPER_ERROR: &str = "action developer error";

/// Linux's limit on one argument (`MAX_ARG_STRLEN - 1`), past which the action proxy passes the
/// parameters on stdin alone.
const ARGUMENT_LIMIT: usize = 131_071;

/// What a Docker action that never listens is told.
const LISTEN_HINT: &str = "an OpenWhisk Docker action must listen on port 8080 ($PORT here)";

/// The action and the settings OpenWhisk gives it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OpenWhiskFunction {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments (a Docker action's).
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// The action's name.
    pub action: String,
    /// Its namespace (`guest`, as in a standalone OpenWhisk).
    pub namespace: String,
    /// `__OW_API_HOST`.
    pub api_host: String,
    /// A native action, run once per activation, instead of a Docker action's server.
    pub native: bool,
    /// How long an activation may run (OpenWhisk's default: 60 s).
    pub timeout: Duration,
    /// How long a Docker action may take to listen.
    pub start_timeout: Duration,
    /// Where the action's output goes.
    pub output: Output,
}

impl OpenWhiskFunction {
    /// `program` as a Docker action named after it, in the `guest` namespace.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        let program = program.into();
        OpenWhiskFunction {
            action: crate::emulator::name_of(&program),
            program,
            args: Vec::new(),
            env: Vec::new(),
            namespace: "guest".into(),
            // A standalone OpenWhisk's address.
            api_host: "http://127.0.0.1:3233".into(),
            native: false,
            timeout: Duration::from_secs(60),
            start_timeout: Duration::from_secs(30),
            output: Output::default(),
        }
    }

    /// The fully qualified name, `/namespace/action`.
    pub fn qualified_name(&self) -> String {
        format!("/{}/{}", self.namespace, self.action)
    }
}

/// One activation's result.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OpenWhiskActivation {
    /// The activation id.
    pub activation_id: String,
    /// The result object, or the failure: an application error (the result's `error`) or a
    /// developer error (no result).
    pub result: Result<Value, FunctionError>,
    /// From sending to result.
    pub duration: Duration,
}

/// A Docker action's running container.
#[derive(Debug)]
struct Container {
    addr: std::net::SocketAddr,
    child: tokio::sync::Mutex<Child>,
    /// A timed-out activation condemned it: OpenWhisk destroys the container.
    destroyed: AtomicBool,
}

/// An action, ready for activations.
#[derive(Debug)]
pub struct OpenWhiskEmulator {
    function: OpenWhiskFunction,
    container: Option<Container>,
    captured: Captured,
}

impl OpenWhiskEmulator {
    /// A Docker action: starts its container, waits until it listens and initialises it (an
    /// init that fails is [`EmulatorError::InitializationFailed`]). A native action: checks
    /// that the executable is there.
    pub async fn start(function: OpenWhiskFunction) -> Result<OpenWhiskEmulator, EmulatorError> {
        let captured = Captured::default();
        if function.native {
            std::fs::metadata(&function.program).map_err(EmulatorError::Spawn)?;
            return Ok(OpenWhiskEmulator {
                function,
                container: None,
                captured,
            });
        }
        let (addr, child) = crate::emulator::spawn_listening(
            |port| spawn(&function, port, &captured),
            function.start_timeout,
            LISTEN_HINT,
        )
        .await?;
        let emulator = OpenWhiskEmulator {
            container: Some(Container {
                addr,
                child: tokio::sync::Mutex::new(child),
                destroyed: AtomicBool::new(false),
            }),
            function,
            captured,
        };
        emulator.init().await?;
        Ok(emulator)
    }

    /// The action's settings.
    pub fn function(&self) -> &OpenWhiskFunction {
        &self.function
    }

    /// What the action has printed so far, with [`Output::Capture`].
    pub fn output(&self) -> String {
        self.captured.text()
    }

    /// Whether the action takes the next activation: a native action always does; a container
    /// while it runs and no timeout destroyed it.
    pub async fn is_alive(&self) -> bool {
        match &self.container {
            None => true,
            Some(container) => {
                !container.destroyed.load(Ordering::Relaxed)
                    && matches!(container.child.lock().await.try_wait(), Ok(None))
            }
        }
    }

    /// Waits up to `limit` for the container's process to exit.
    pub async fn exited_within(&self, limit: Duration) {
        if let Some(container) = &self.container {
            let mut child = container.child.lock().await;
            let _ = tokio::time::timeout(limit, child.wait()).await;
        }
    }

    /// The container's peak memory so far, in KiB, when known.
    pub async fn peak_memory_kib(&self) -> Option<u64> {
        let container = self.container.as_ref()?;
        crate::emulator::peak_memory_kib(container.child.lock().await.id())
    }

    /// Stops the container: SIGTERM, then a kill after 10 s, as `docker stop` does.
    pub async fn stop(&self) {
        if let Some(container) = &self.container {
            let mut child = container.child.lock().await;
            let _ = crate::emulator::stop(&mut child, Duration::from_secs(10)).await;
        }
    }

    async fn post(
        &self,
        container: &Container,
        path: &str,
        body: Value,
    ) -> Result<(StatusCode, Bytes), EmulatorError> {
        let mut request = Request::new(Bytes::from(body.to_string()));
        *request.method_mut() = Method::POST;
        *request.uri_mut() =
            http::Uri::try_from(path).map_err(|err| EmulatorError::Unreachable(err.to_string()))?;
        request.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let response = crate::emulator::send(container.addr, request).await?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|err| EmulatorError::Unreachable(err.to_string()))?
            .to_bytes();
        Ok((status, body))
    }

    /// `POST /init`, as the invoker sends it to a Docker action: no code, the action's name.
    async fn init(&self) -> Result<(), EmulatorError> {
        let Some(container) = &self.container else {
            return Ok(());
        };
        let init = json!({ "value": {
            "name": self.function.action,
            "main": "main",
            "binary": false,
            "env": {},
        }});
        let (status, body) = self.post(container, "/init", init).await?;
        if status.is_success() {
            return Ok(());
        }
        Err(EmulatorError::InitializationFailed(FunctionError {
            error_type: DEVELOPER_ERROR.into(),
            error_message: error_of(&body),
        }))
    }

    /// One activation with `params`.
    pub async fn activate(
        &self,
        params: Map<String, Value>,
    ) -> Result<OpenWhiskActivation, EmulatorError> {
        let activation_id = fc_local::request_id().replace('-', "");
        let deadline = SystemTime::now() + self.function.timeout;
        let deadline_ms = deadline
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            .to_string();
        let facts = [
            ("activation_id", activation_id.clone()),
            ("action_name", self.function.qualified_name()),
            ("action_version", "0.0.1".to_owned()),
            ("namespace", self.function.namespace.clone()),
            ("transaction_id", fc_local::request_id().replace('-', "")),
            ("deadline", deadline_ms),
        ];
        let started = Instant::now();
        let answer = match &self.container {
            Some(container) => {
                let mut message: Map<String, Value> = facts
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), Value::String(v)))
                    .collect();
                message.insert("value".into(), Value::Object(params));
                let run = self.post(container, "/run", Value::Object(message));
                match tokio::time::timeout(self.function.timeout, run).await {
                    Ok(answer) => Some(answer?),
                    Err(_) => {
                        container.destroyed.store(true, Ordering::Relaxed);
                        None
                    }
                }
            }
            None => self.run_native(&params, &facts).await?,
        };
        // A timed-out activation is the developer's error; OpenWhisk destroys the container.
        let result = match answer {
            Some((status, body)) => result_of(status, &body),
            None => Err(FunctionError {
                error_type: DEVELOPER_ERROR.into(),
                error_message: format!(
                    "The action exceeded its time limits of {} milliseconds.",
                    self.function.timeout.as_millis()
                ),
            }),
        };
        Ok(OpenWhiskActivation {
            activation_id,
            result,
            duration: started.elapsed(),
        })
    }

    /// The action proxy's run of a native action: the answer it would give the invoker, or
    /// `None` when the run timed out (and was killed).
    async fn run_native(
        &self,
        params: &Map<String, Value>,
        facts: &[(&str, String)],
    ) -> Result<Option<(StatusCode, Bytes)>, EmulatorError> {
        let f = &self.function;
        let input = Value::Object(params.clone()).to_string();
        let mut command = Command::new(&f.program);
        if input.len() <= ARGUMENT_LIMIT {
            command.arg(&input);
        }
        crate::emulator::clean_env(&mut command);
        command.env("__OW_API_HOST", &f.api_host);
        for (name, value) in facts {
            command.env(format!("__OW_{}", name.to_ascii_uppercase()), value);
        }
        command
            .envs(f.env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(EmulatorError::Spawn)?;
        if let Some(mut stdin) = child.stdin.take() {
            // An action that does not read its stdin closes it early: no reason to fail.
            let _ = stdin.write_all(input.as_bytes()).await;
        }
        let Ok(output) = tokio::time::timeout(f.timeout, child.wait_with_output()).await else {
            return Ok(None);
        };
        let output = output.map_err(|err| EmulatorError::Unreachable(err.to_string()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let trimmed = stdout.strip_suffix('\n').unwrap_or(&stdout);
        let (log, last) = match trimmed.rfind('\n') {
            Some(at) => (&stdout[..=at], trimmed[at + 1..].trim()),
            None => ("", trimmed.trim()),
        };
        self.log(log);
        self.log(&String::from_utf8_lossy(&output.stderr));
        match serde_json::from_str::<Value>(last) {
            Ok(result @ (Value::Object(_) | Value::Array(_))) => {
                Ok(Some((StatusCode::OK, Bytes::from(result.to_string()))))
            }
            _ => {
                self.log(&format!("{last}\n"));
                Ok(Some((
                    StatusCode::BAD_GATEWAY,
                    Bytes::from(
                        json!({"error": "The action did not return a dictionary or array."})
                            .to_string(),
                    ),
                )))
            }
        }
    }

    /// A native action's log lines, where the output goes.
    fn log(&self, text: &str) {
        if text.is_empty() {
            return;
        }
        match &self.function.output {
            Output::Show => eprint!("{text}"),
            Output::Discard => {}
            Output::Capture => self.captured.push(text),
            Output::Prefixed(name) => {
                for line in text.lines() {
                    eprintln!("[{name}] {line}");
                }
            }
        }
    }
}

/// The `error` of an action's answer, as text.
fn error_of(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut map)) => match map.remove("error") {
            Some(Value::String(text)) => text,
            Some(other) => other.to_string(),
            None => String::from_utf8_lossy(body).into_owned(),
        },
        _ => String::from_utf8_lossy(body).into_owned(),
    }
}

/// The invoker's reading of `/run`'s answer: 200 with an object is a result (an application
/// error when it has `error`); anything else is the developer's error.
fn result_of(status: StatusCode, body: &[u8]) -> Result<Value, FunctionError> {
    let parsed = serde_json::from_slice::<Value>(body);
    match parsed {
        Ok(Value::Object(map)) if status == StatusCode::OK => {
            if map.contains_key("error") {
                Err(FunctionError {
                    error_type: APPLICATION_ERROR.into(),
                    error_message: error_of(body),
                })
            } else {
                Ok(Value::Object(map))
            }
        }
        Ok(Value::Array(items)) if status == StatusCode::OK => Ok(Value::Array(items)),
        _ => Err(FunctionError {
            error_type: DEVELOPER_ERROR.into(),
            error_message: if status == StatusCode::OK {
                "The action did not produce a valid JSON response".into()
            } else {
                error_of(body)
            },
        }),
    }
}

fn spawn(f: &OpenWhiskFunction, port: u16, captured: &Captured) -> Result<Child, EmulatorError> {
    let mut command = Command::new(&f.program);
    command.args(&f.args);
    crate::emulator::clean_env(&mut command);
    command
        .env_remove("__OW_ACTIVATION_ID")
        .env("__OW_API_HOST", &f.api_host)
        .env("PORT", port.to_string())
        // OpenWhisk needs 0.0.0.0; a laptop does not, and should not expose the container.
        .env("FC_LISTEN_HOST", "127.0.0.1")
        .envs(f.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    crate::emulator::configure(&mut command, &f.output);
    let mut child = command.spawn().map_err(EmulatorError::Spawn)?;
    crate::emulator::capture(&mut child, captured, &f.output);
    Ok(child)
}

/// The web action a request names, when it is under `/api/v1/web/`: its name and the path
/// after it (`__ow_path`); `None` for any other path. The extension is the response's kind
/// (`.http` when none).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct WebTarget<'a> {
    pub(crate) namespace: &'a str,
    pub(crate) package: &'a str,
    pub(crate) action: &'a str,
    pub(crate) extension: &'a str,
    pub(crate) rest: &'a str,
}

const EXTENSIONS: [&str; 5] = [".http", ".json", ".html", ".svg", ".text"];

pub(crate) fn web_target(path: &str) -> Option<WebTarget<'_>> {
    let rest = path.strip_prefix("/api/v1/web/")?;
    let mut parts = rest.splitn(3, '/');
    let namespace = parts.next().filter(|s| !s.is_empty())?;
    let package = parts.next().filter(|s| !s.is_empty())?;
    let tail = parts.next().unwrap_or_default();
    let (segment, rest) = match tail.find('/') {
        Some(at) => (&tail[..at], &tail[at..]),
        None => (tail, ""),
    };
    let (action, extension) = EXTENSIONS
        .iter()
        .find_map(|ext| segment.strip_suffix(ext).map(|base| (base, *ext)))
        .unwrap_or((segment, ".http"));
    (!action.is_empty()).then_some(WebTarget {
        namespace,
        package,
        action,
        extension,
        rest,
    })
}

/// A request as a raw web action's parameters (`__ow_path` is `path`).
pub(crate) fn web_params(request: &Request<Bytes>, path: &str) -> Map<String, Value> {
    let mut headers = Map::new();
    for (name, value) in request.headers() {
        headers.insert(
            name.as_str().to_owned(),
            Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()),
        );
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let body = request.body();
    let body = if body.is_empty() {
        String::new()
    } else if fc_openwhisk::body_is_text(content_type) {
        String::from_utf8_lossy(body).into_owned()
    } else {
        base64::engine::general_purpose::STANDARD.encode(body)
    };
    let mut params = Map::new();
    params.insert(
        "__ow_method".into(),
        Value::String(request.method().as_str().to_ascii_lowercase()),
    );
    params.insert("__ow_headers".into(), Value::Object(headers));
    params.insert("__ow_path".into(), Value::String(path.to_owned()));
    params.insert(
        "__ow_query".into(),
        Value::String(request.uri().query().unwrap_or_default().to_owned()),
    );
    params.insert("__ow_body".into(), Value::String(body));
    params
}

/// The controller's own failure answer: `{"error", "code"}`.
pub(crate) fn controller_error(status: StatusCode, message: &str) -> Response<Bytes> {
    let code = fc_local::request_id().replace('-', "");
    let mut response = Response::new(Bytes::from(
        json!({ "error": message, "code": code }).to_string(),
    ));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A web action's activation as the controller answers it for `extension`: the result (or an
/// application error's `error`) transcoded; a developer error is a 400.
pub(crate) fn web_response(
    result: &Result<Value, FunctionError>,
    extension: &str,
) -> Response<Bytes> {
    let value = match result {
        Ok(value) => value.clone(),
        Err(err) if err.error_type == APPLICATION_ERROR => {
            serde_json::from_str::<Value>(&err.error_message)
                .unwrap_or_else(|_| Value::String(err.error_message.clone()))
        }
        Err(_) => {
            return controller_error(
                StatusCode::BAD_REQUEST,
                "The action did not produce a valid response and exited unexpectedly.",
            );
        }
    };
    let answer = match extension {
        ".json" if value.is_object() || value.is_array() => Ok(entity(
            StatusCode::OK,
            "application/json",
            value.to_string(),
        )),
        ".json" => Err("Response type in header did not match generated content type."),
        ".html" | ".svg" | ".text" => projected(&value, extension),
        _ => as_http(&value),
    };
    answer.unwrap_or_else(|why| controller_error(StatusCode::BAD_REQUEST, why))
}

/// `application/json` and the `+json` types.
fn is_json_family(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/json") || media.to_ascii_lowercase().ends_with("+json")
}

fn entity(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Bytes> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `.html`, `.svg`, `.text`: the result's `body` (or the property named like the extension).
fn projected(value: &Value, extension: &str) -> Result<Response<Bytes>, &'static str> {
    let name = &extension[1..];
    let field = match value {
        Value::Object(map) => map.get("body").or_else(|| map.get(name)),
        other => Some(other),
    };
    match (extension, field) {
        (".html", Some(Value::String(html))) => Ok(entity(
            StatusCode::OK,
            "text/html; charset=UTF-8",
            html.clone(),
        )),
        (".svg", Some(Value::String(svg))) => {
            Ok(entity(StatusCode::OK, "image/svg+xml", svg.clone()))
        }
        (".text", Some(Value::String(text))) => Ok(entity(
            StatusCode::OK,
            "text/plain; charset=UTF-8",
            text.clone(),
        )),
        (".text", Some(other)) => Ok(entity(
            StatusCode::OK,
            "text/plain; charset=UTF-8",
            other.to_string(),
        )),
        (".text", None) => Err("The requested property does not exist."),
        _ => Err("Response type in header did not match generated content type."),
    }
}

/// `.http`: `{statusCode, headers, body}` as the response. A body is text unless its
/// content type is binary (then base64); without a content type it is `text/html`; JSON (a
/// value, or base64 of it) is `application/json`; no body is 204 unless a status is given.
fn as_http(value: &Value) -> Result<Response<Bytes>, &'static str> {
    const INVALID: &str = "Response type in header did not match generated content type.";
    let Value::Object(fields) = value else {
        return Err(INVALID);
    };
    let mut headers = http::HeaderMap::new();
    if let Some(given) = fields.get("headers") {
        let Value::Object(given) = given else {
            return Err(INVALID);
        };
        for (name, value) in given {
            let values = match value {
                Value::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            for value in values {
                let text = match value {
                    Value::String(text) => text,
                    Value::Bool(_) | Value::Number(_) => value.to_string(),
                    _ => return Err(INVALID),
                };
                let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| INVALID)?;
                let value = HeaderValue::from_str(&text).map_err(|_| INVALID)?;
                headers.append(name, value);
            }
        }
    }
    let status = match fields.get("statusCode") {
        None => None,
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .and_then(|n| StatusCode::from_u16(n).ok())
                .ok_or(INVALID)?,
        ),
        Some(Value::String(s)) => Some(
            s.parse::<u16>()
                .ok()
                .and_then(|n| StatusCode::from_u16(n).ok())
                .ok_or(INVALID)?,
        ),
        Some(_) => return Err(INVALID),
    };
    let media = headers
        .remove(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok().map(str::to_owned));
    let (body, content_type) = match fields.get("body") {
        None | Some(Value::Null) => (Bytes::new(), None),
        Some(Value::String(text)) if text.is_empty() => (Bytes::new(), None),
        Some(Value::String(text)) => {
            let media = media.unwrap_or_else(|| "text/html".to_owned());
            let json = is_json_family(&media);
            let decoded = base64::engine::general_purpose::STANDARD.decode(text.trim());
            let body = if json || fc_openwhisk::body_is_text(Some(&media)) {
                // JSON in base64 is decoded "for legacy"; text passes as it is.
                match decoded {
                    Ok(bytes) if json && text.trim().len() % 4 == 0 => Bytes::from(bytes),
                    _ => Bytes::from(text.clone()),
                }
            } else {
                Bytes::from(decoded.map_err(|_| INVALID)?)
            };
            (body, Some(media))
        }
        Some(other) if media.as_deref().is_none_or(is_json_family) => (
            Bytes::from(other.to_string()),
            Some(media.unwrap_or_else(|| "application/json".to_owned())),
        ),
        Some(_) => return Err(INVALID),
    };
    let empty = body.is_empty();
    let mut response = Response::new(body);
    *response.headers_mut() = headers;
    match content_type {
        Some(media) if !empty => {
            let value = HeaderValue::from_str(&media).map_err(|_| INVALID)?;
            response.headers_mut().insert(header::CONTENT_TYPE, value);
        }
        _ => {}
    }
    *response.status_mut() = status.unwrap_or(if empty {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::OK
    });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_paths_name_the_action_and_what_follows() {
        assert_eq!(
            web_target("/api/v1/web/guest/default/survey.http/submitSurvey"),
            Some(WebTarget {
                namespace: "guest",
                package: "default",
                action: "survey",
                extension: ".http",
                rest: "/submitSurvey",
            })
        );
        let bare = web_target("/api/v1/web/guest/demo/hello").unwrap();
        assert_eq!(
            (bare.action, bare.extension, bare.rest),
            ("hello", ".http", "")
        );
        assert_eq!(
            web_target("/api/v1/web/guest/demo/hello.json/a")
                .unwrap()
                .extension,
            ".json"
        );
        assert_eq!(web_target("/hello"), None);
        assert_eq!(web_target("/api/v1/web/guest"), None);
    }

    #[test]
    fn requests_become_raw_parameters_as_the_controller_makes_them() {
        let mut request = Request::new(Bytes::from_static(br#"{"name":"Jane"}"#));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = "/x?name=Jane".parse().unwrap();
        request.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let params = web_params(&request, "");
        // docs/webactions.md's own example of a raw action's arguments.
        assert_eq!(params["__ow_body"], "eyJuYW1lIjoiSmFuZSJ9");
        assert_eq!(params["__ow_query"], "name=Jane");
        assert_eq!(params["__ow_method"], "post");
        assert_eq!(params["__ow_path"], "");
    }

    #[test]
    fn results_are_answered_as_the_http_extension_does() {
        let ok = |value: Value| web_response(&Ok(value), ".http");
        let html = ok(json!({"body": "<p>hi</p>"}));
        assert_eq!(html.status(), StatusCode::OK);
        assert_eq!(html.headers()[header::CONTENT_TYPE], "text/html");
        let png = ok(json!({"headers": {"content-type": "image/png"}, "body": "AAEC"}));
        assert_eq!(&png.body()[..], &[0u8, 1, 2][..]);
        let json = ok(
            json!({"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": "eyJhIjoxfQ=="}),
        );
        assert_eq!(
            (json.status(), &json.body()[..]),
            (StatusCode::CREATED, &br#"{"a":1}"#[..])
        );
        let object = ok(json!({"body": {"a": 1}}));
        assert_eq!(object.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(ok(json!({})).status(), StatusCode::NO_CONTENT);
        let cookies = ok(json!({"headers": {"set-cookie": ["a=1", "b=2"]}, "statusCode": "302"}));
        assert_eq!(cookies.status(), StatusCode::FOUND);
        assert_eq!(cookies.headers().get_all("set-cookie").iter().count(), 2);
        assert_eq!(ok(json!("text")).status(), StatusCode::BAD_REQUEST);
        let failed = web_response(
            &Err(FunctionError {
                error_type: APPLICATION_ERROR.into(),
                error_message: r#"{"statusCode":404,"body":"no"}"#.into(),
            }),
            ".http",
        );
        assert_eq!(failed.status(), StatusCode::NOT_FOUND);
        let crashed = web_response(
            &Err(FunctionError {
                error_type: DEVELOPER_ERROR.into(),
                error_message: "boom".into(),
            }),
            ".http",
        );
        assert_eq!(crashed.status(), StatusCode::BAD_REQUEST);
        let text = web_response(&Ok(json!({"body": "hi"})), ".text");
        assert_eq!(&text.body()[..], b"hi");
    }
}
