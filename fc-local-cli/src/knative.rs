//! Knative Serving and Cloud Run on a laptop: the container contract — `PORT`, `K_SERVICE`,
//! `K_REVISION`, `K_CONFIGURATION`, and `FUNCTION_TARGET` for a Cloud Run function — and what
//! those platforms send: HTTP requests as they are, and events as a Knative broker or Eventarc
//! delivers them, CloudEvents in binary content mode. A stop is SIGTERM.
//!
//! An SCF web function is the same kind of server (`PORT`, 9000 on SCF), started with SCF's
//! environment, its requests carrying the `X-Scf-*` headers SCF adds (Source: Tencent Cloud,
//! "Web 函数" FAQ and 启动文件说明).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::process::{Child, Command};

use crate::emulator::{Captured, EmulatorError, FunctionError, Listening, Output};
use fc_core::Platform;

/// What a function that never listens is told.
const LISTEN_HINT: &str = "a Knative or Cloud Run container must listen on $PORT";

/// How long the process may take to exit after SIGTERM: Cloud Run's grace period.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// How a function is run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct KnativeFunction {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// Knative, Google Cloud Run functions, or an SCF web function.
    pub platform: Platform,
    /// Memory in MB (an SCF web function's `X-Scf-Memory`).
    pub memory_mb: u32,
    /// The service's name (`K_SERVICE`).
    pub service: String,
    /// How long a request may take (Knative's and Cloud Run's default: 300 s).
    pub timeout: Duration,
    /// How long the container may take to listen.
    pub start_timeout: Duration,
    /// Where its output goes.
    pub output: Output,
}

impl KnativeFunction {
    /// `program` as a Knative Service named after it.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        let program = program.into();
        KnativeFunction {
            service: crate::emulator::name_of(&program),
            program,
            args: Vec::new(),
            env: Vec::new(),
            platform: Platform::Knative,
            memory_mb: 128,
            timeout: Duration::from_secs(300),
            start_timeout: Duration::from_secs(30),
            output: Output::default(),
        }
    }
}

/// One event delivery's result.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct KnativeInvocation {
    /// The CloudEvent's id, which the function takes as its request id.
    pub request_id: String,
    /// The answer's body, or the error the function answered with (a non-2xx status).
    pub result: Result<Bytes, FunctionError>,
    /// From sending to answer.
    pub duration: Duration,
}

/// A running container.
#[derive(Debug)]
pub struct KnativeEmulator {
    function: KnativeFunction,
    server: Listening,
}

impl KnativeEmulator {
    /// Starts the container and waits until it listens.
    pub async fn start(function: KnativeFunction) -> Result<KnativeEmulator, EmulatorError> {
        let server = Listening::start(
            |port, captured| spawn(&function, port, captured),
            function.start_timeout,
            LISTEN_HINT,
            function.timeout,
        )
        .await?;
        Ok(KnativeEmulator { function, server })
    }

    crate::emulator::listening_methods!("container");

    /// A request passed through as it came (an SCF web function's with SCF's headers); its
    /// request id, and the answer, which streams.
    pub async fn http(
        &self,
        mut request: Request<Bytes>,
    ) -> Result<(String, Response<Incoming>), EmulatorError> {
        let request_id = fc_local::request_id();
        if self.function.platform == Platform::Tencent {
            let f = &self.function;
            let scf_headers = [
                ("x-scf-request-id", request_id.clone()),
                ("x-scf-memory", f.memory_mb.to_string()),
                ("x-scf-timeout", f.timeout.as_secs().to_string()),
                ("x-scf-version", "$LATEST".to_owned()),
                ("x-scf-name", f.service.clone()),
                ("x-scf-namespace", "default".to_owned()),
                ("x-scf-region", "ap-guangzhou".to_owned()),
                ("x-scf-appid", "1250000000".to_owned()),
                ("x-scf-uin", "100000000001".to_owned()),
            ];
            for (name, value) in scf_headers {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    request.headers_mut().insert(name, value);
                }
            }
        }
        let response = self.server.exchange(request).await?;
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map_or(request_id, str::to_owned);
        Ok((request_id, response))
    }

    /// Delivers a CloudEvent, given in the JSON format (structured mode), in binary mode as a
    /// Knative broker and Eventarc do; another JSON document is posted as it is.
    pub async fn deliver(&self, event: Bytes) -> Result<KnativeInvocation, EmulatorError> {
        let (request, request_id) = binary_mode(event);
        let started = Instant::now();
        let response = self.server.exchange(request).await?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|err| EmulatorError::Unreachable(err.to_string()))?
            .to_bytes();
        let result = if status.is_success() {
            Ok(body)
        } else {
            let parsed = serde_json::from_slice(&body).unwrap_or_default();
            Err(FunctionError::answered(status, &parsed, &body))
        };
        Ok(KnativeInvocation {
            request_id,
            result,
            duration: started.elapsed(),
        })
    }

    /// SIGTERM, as Knative and Cloud Run stop a container, then its exit (killed after the
    /// grace period).
    pub async fn stop(&self) -> Result<std::process::ExitStatus, EmulatorError> {
        crate::emulator::stop(&mut *self.server.child().await, STOP_TIMEOUT).await
    }
}

/// A structured-mode event as binary mode sends it — the attributes as `ce-` headers
/// (percent-encoded as the binding asks), the data as the body — and its id.
fn binary_mode(event: Bytes) -> (Request<Bytes>, String) {
    let mut request = Request::new(Bytes::new());
    *request.method_mut() = Method::POST;
    let parsed = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&event)
        .ok()
        .filter(|map| map.contains_key("specversion"));
    let Some(attributes) = parsed else {
        request.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        *request.body_mut() = event;
        return (request, fc_local::request_id());
    };
    let mut id = String::new();
    let mut body = Bytes::new();
    for (name, value) in attributes {
        match (name.as_str(), value) {
            ("data", value) => body = Bytes::from(value.to_string()),
            ("data_base64", serde_json::Value::String(encoded)) => {
                use base64::Engine;
                body = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .map(Bytes::from)
                    .unwrap_or_default();
            }
            ("datacontenttype", serde_json::Value::String(media)) => {
                if let Ok(value) = HeaderValue::from_str(&media) {
                    request
                        .headers_mut()
                        .insert(http::header::CONTENT_TYPE, value);
                }
            }
            (name, value) => {
                let text = match value {
                    serde_json::Value::String(text) => text,
                    other => other.to_string(),
                };
                if name == "id" {
                    id.clone_from(&text);
                }
                if let Some((name, value)) = fc_knative::wire::header(name, &text) {
                    request.headers_mut().insert(name, value);
                }
            }
        }
    }
    if !request.headers().contains_key(http::header::CONTENT_TYPE) {
        request.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    *request.body_mut() = body;
    (request, id)
}

fn spawn(f: &KnativeFunction, port: u16, captured: &Captured) -> Result<Child, EmulatorError> {
    let mut command = Command::new(&f.program);
    command.args(&f.args);
    crate::emulator::clean_env(&mut command);
    command
        .env("PORT", port.to_string())
        // The platforms need 0.0.0.0; a laptop does not, and should not expose the container.
        .env("FC_LISTEN_HOST", "127.0.0.1");
    if f.platform == Platform::Tencent {
        command
            .env("TENCENTCLOUD_RUNENV", "SCF")
            .env("SCF_FUNCTIONNAME", &f.service)
            .env("SCF_FUNCTIONVERSION", "$LATEST")
            .env("TENCENTCLOUD_REGION", "ap-guangzhou");
    } else {
        command
            .env("K_SERVICE", &f.service)
            .env("K_CONFIGURATION", &f.service)
            .env("K_REVISION", format!("{}-00001", f.service));
    }
    if f.platform == Platform::Gcp {
        command
            .env("FUNCTION_TARGET", &f.service)
            .env("FUNCTION_SIGNATURE_TYPE", "cloudevent");
    }
    command
        .envs(f.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    crate::emulator::configure(&mut command, &f.output);
    let mut child = command.spawn().map_err(EmulatorError::Spawn)?;
    crate::emulator::capture(&mut child, captured, &f.output);
    Ok(child)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_events_are_sent_in_binary_mode() {
        let event = br#"{"specversion":"1.0","id":"e-1","source":"/shop","type":"t","subject":"a b","datacontenttype":"application/json","data":{"n":1}}"#;
        let (request, id) = binary_mode(Bytes::from_static(event));
        assert_eq!(id, "e-1");
        let header = |name: &str| request.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("ce-subject"), "a%20b");
        assert_eq!(header("content-type"), "application/json");
        assert_eq!(&request.body()[..], br#"{"n":1}"#);
        let (plain, _) = binary_mode(Bytes::from_static(b"{\"x\":1}"));
        assert!(!plain.headers().contains_key("ce-id"));
        assert_eq!(&plain.body()[..], b"{\"x\":1}");
    }
}
