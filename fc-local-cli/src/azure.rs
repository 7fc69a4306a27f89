//! Azure Functions on a laptop: the Functions host's side of a custom handler.
//!
//! The host starts the handler with `FUNCTIONS_CUSTOMHANDLER_PORT` set and waits until it
//! answers on that port; then each invocation is `POST /{FunctionName}` with
//! `{"Data", "Metadata"}` (`Metadata.sys`: `MethodName`, `UtcNow`, `RandGuid`) and the
//! `X-Azure-Functions-InvocationId` header, answered with `{"Outputs", "Logs", "ReturnValue"}`:
//! any status but 2xx fails it. An HTTP function is served either way: with
//! `enableForwardingHttpRequest` the request itself is forwarded at its own path (as
//! `fc-local package` configures an HTTP-only function app, with the route prefix removed), or
//! it is the invocation's `req` and the answer is the `res` output. The host stops the handler
//! by killing it.
//!
//! Sources: Microsoft, "Azure Functions custom handlers" (MicrosoftDocs/azure-docs,
//! `articles/azure-functions/functions-custom-handlers.md`); Azure/azure-functions-host,
//! `Workers/Http/DefaultHttpWorkerService.cs`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use fc_core::http::Trigger;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Uri, header};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::{Map, Value, json};
use tokio::process::{Child, Command};

use crate::emulator::{Captured, EmulatorError, FunctionError, InvalidAnswer, Listening, Output};

/// The largest HTTP request the host takes (100 MB).
pub const PAYLOAD_LIMIT: usize = 100 * 1024 * 1024;

/// The header on every invocation and forwarded request.
const INVOCATION_ID: &str = "x-azure-functions-invocationid";

/// What a handler that never listens is told.
const LISTEN_HINT: &str = "a custom handler must listen on $FUNCTIONS_CUSTOMHANDLER_PORT";

/// How the function app is run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AzureFunction {
    /// The custom handler's executable (`defaultExecutablePath`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables (app settings).
    pub env: Vec<(String, String)>,
    /// The function's name: its folder, and the path invocations are posted to.
    pub function_name: String,
    /// How long an invocation may run (`functionTimeout`; 5 minutes by default on the
    /// Consumption plan).
    pub timeout: Duration,
    /// How long the handler may take to answer on its port (the host's 30 s by default).
    pub start_timeout: Duration,
    /// Where the handler's output goes.
    pub output: Output,
}

impl AzureFunction {
    /// `program` as the handler of a function named after it.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        let program = program.into();
        AzureFunction {
            function_name: crate::emulator::name_of(&program),
            program,
            args: Vec::new(),
            env: Vec::new(),
            timeout: Duration::from_secs(300),
            start_timeout: Duration::from_secs(30),
            output: Output::default(),
        }
    }
}

/// One invocation's result.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AzureInvocation {
    /// The invocation id the handler was given.
    pub request_id: String,
    /// The answer (`{"Outputs", "Logs", "ReturnValue"}`), or why the invocation failed.
    pub result: Result<Bytes, FunctionError>,
    /// The answer's `Logs`, which the host writes to the function's log.
    pub logs: Vec<String>,
    /// From sending to answer.
    pub duration: Duration,
}

/// A running custom handler.
#[derive(Debug)]
pub struct AzureEmulator {
    function: AzureFunction,
    server: Listening,
}

impl AzureEmulator {
    /// Starts the handler and waits until it answers on its port.
    pub async fn start(function: AzureFunction) -> Result<AzureEmulator, EmulatorError> {
        let started = Instant::now();
        let server = Listening::start(
            |port, captured| spawn(&function, port, captured),
            function.start_timeout,
            LISTEN_HINT,
            function.timeout,
        )
        .await?;
        let addr = server.addr;
        let emulator = AzureEmulator { function, server };
        // The host's own check: any answer to `GET /` will do.
        let probe = Request::get("/")
            .header(header::HOST, addr.to_string())
            .body(Bytes::new())
            .map_err(|err| EmulatorError::Unreachable(err.to_string()))?;
        let limit = emulator
            .function
            .start_timeout
            .saturating_sub(started.elapsed());
        match tokio::time::timeout(limit, crate::emulator::send(addr, probe)).await {
            Ok(Ok(_)) => Ok(emulator),
            Ok(Err(err)) => Err(err),
            Err(_) => Err(EmulatorError::Unreachable(format!(
                "the custom handler did not answer GET / within {} s",
                emulator.function.start_timeout.as_secs_f64()
            ))),
        }
    }

    /// The function's settings.
    pub fn function(&self) -> &AzureFunction {
        &self.function
    }

    crate::emulator::listening_methods!("handler");

    /// One invocation of the function with `payload`, `{"Data", "Metadata"}`, as the host
    /// posts it: `Metadata.sys` names this function and now. Anything else is posted as it is.
    pub async fn invoke(&self, payload: Bytes) -> Result<AzureInvocation, EmulatorError> {
        let request_id = fc_local::request_id();
        let name = &self.function.function_name;
        let body = match serde_json::from_slice::<Value>(&payload) {
            Ok(Value::Object(mut invocation)) => {
                let metadata = invocation
                    .entry("Metadata")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(metadata) = metadata {
                    let sys = metadata.entry("sys").or_insert_with(|| json!({}));
                    if !sys.is_object() {
                        *sys = json!({});
                    }
                    sys["MethodName"] = Value::String(name.clone());
                    sys["UtcNow"] = Value::String(fc_core::Timestamp::now().to_string());
                    if sys.get("RandGuid").is_none() {
                        sys["RandGuid"] = Value::String(fc_local::request_id());
                    }
                }
                Bytes::from(Value::Object(invocation).to_string())
            }
            _ => payload,
        };
        let mut request = Request::post(format!("/{name}"))
            .header(header::HOST, self.server.addr.to_string())
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .map_err(|err| EmulatorError::Unreachable(err.to_string()))?;
        if let Ok(id) = HeaderValue::from_str(&request_id) {
            request.headers_mut().insert(INVOCATION_ID, id);
        }
        let started = Instant::now();
        let response = self.server.exchange(request).await?;
        let status = response.status();
        let answer = response
            .into_body()
            .collect()
            .await
            .map_err(|err| EmulatorError::Unreachable(err.to_string()))?
            .to_bytes();
        let duration = started.elapsed();
        let parsed: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
        let logs: Vec<String> = parsed
            .get("Logs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|line| {
                line.as_str()
                    .map_or_else(|| line.to_string(), str::to_owned)
            })
            .collect();
        let result = if !status.is_success() {
            let mut error = FunctionError::answered(status, &parsed, &answer);
            // Without fc's fields, the reason is in `Logs`, where the host writes it.
            if parsed.get("errorMessage").is_none() && !logs.is_empty() {
                error.error_message = logs.join("\n");
            }
            Err(error)
        } else if parsed.is_object() {
            Ok(answer)
        } else {
            // The host cannot read the answer, and fails the invocation.
            Err(FunctionError {
                error_type: "InvalidAnswer".into(),
                error_message: format!(
                    "the custom handler's answer is not a JSON object with Outputs, Logs and ReturnValue: {}",
                    String::from_utf8_lossy(&answer)
                ),
            })
        };
        Ok(AzureInvocation {
            request_id,
            result,
            logs,
            duration,
        })
    }

    /// A request forwarded as it came (`enableForwardingHttpRequest`): its invocation id, and
    /// the answer, which streams.
    pub async fn http(
        &self,
        mut request: Request<Bytes>,
    ) -> Result<(String, Response<Incoming>), EmulatorError> {
        let request_id = fc_local::request_id();
        if let Ok(id) = HeaderValue::from_str(&request_id) {
            request.headers_mut().insert(INVOCATION_ID, id);
        }
        let response = self.server.exchange(request).await?;
        Ok((request_id, response))
    }

    /// Kills the handler, as the host stops it: no signal to shut down on.
    pub async fn stop(&self) -> Result<std::process::ExitStatus, EmulatorError> {
        let mut child = self.server.child().await;
        let _ = child.start_kill();
        child
            .wait()
            .await
            .map_err(|err| EmulatorError::Unreachable(err.to_string()))
    }
}

fn spawn(f: &AzureFunction, port: u16, captured: &Captured) -> Result<Child, EmulatorError> {
    let mut command = Command::new(&f.program);
    command.args(&f.args);
    crate::emulator::clean_env(&mut command);
    command
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string())
        .env("FUNCTIONS_WORKER_RUNTIME", "custom")
        .env("FUNCTIONS_EXTENSION_VERSION", "~4")
        .env("WEBSITE_SITE_NAME", &f.function_name)
        // The host reaches the handler on loopback; so does fc-local.
        .env("FC_LISTEN_HOST", "127.0.0.1")
        .envs(f.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    crate::emulator::configure(&mut command, &f.output);
    let mut child = command.spawn().map_err(EmulatorError::Spawn)?;
    crate::emulator::capture(&mut child, captured, &f.output);
    Ok(child)
}

/// The invocation an HTTP request makes of an HTTP-trigger function without forwarding:
/// `Data.req` (`Url`, `Method`, `Query`, `Headers`, `Params`, `Identities`, `Body`), with the
/// query and headers in `Metadata` too. The route is `{*path}`, as `fc-local package` writes it.
pub fn http_event(
    trigger: Trigger,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    source_ip: &str,
) -> Result<Value, crate::UnsupportedTrigger> {
    if trigger != Trigger::AzureHttpEvent {
        return Err(crate::UnsupportedTrigger::new(
            trigger,
            fc_core::Platform::Azure,
        ));
    }
    let mut header_lists: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (name, value) in headers {
        header_lists
            .entry(name.as_str().to_owned())
            .or_default()
            .push(Value::String(
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            ));
    }
    // The front end says who asked.
    header_lists
        .entry("x-forwarded-for".to_owned())
        .or_insert_with(|| vec![Value::String(source_ip.to_owned())]);
    let mut query = Map::new();
    for (name, value) in form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        // The host's `Query` is a dictionary: one value per name, the first.
        query
            .entry(name.into_owned())
            .or_insert_with(|| Value::String(value.into_owned()));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost:7071");
    let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let body = if body.is_empty() {
        Value::Null
    } else if fc_azure::body_is_base64(headers) {
        Value::String(base64::engine::general_purpose::STANDARD.encode(body))
    } else {
        Value::String(String::from_utf8_lossy(body).into_owned())
    };
    let single: Map<String, Value> = header_lists
        .iter()
        .filter_map(|(name, values)| Some((name.clone(), values.first()?.clone())))
        .collect();
    Ok(json!({
        "Data": {
            "req": {
                "Url": format!("http://{host}{target}"),
                "Method": method.as_str(),
                "Query": query,
                "Headers": header_lists,
                "Params": { "path": uri.path().trim_start_matches('/') },
                "Identities": [],
                "Body": body,
            }
        },
        "Metadata": {
            "Query": query,
            "Headers": single,
            "sys": {
                "MethodName": "",
                "UtcNow": fc_core::Timestamp::now().to_string(),
                "RandGuid": fc_local::request_id(),
            }
        }
    }))
}

/// The response the host makes of an HTTP function's answer: its `res` output (or the
/// return value, for a `$return` binding), `{statusCode, headers, body}`.
pub fn http_response(payload: &[u8]) -> Result<Response<Bytes>, InvalidAnswer> {
    let answer: Value =
        serde_json::from_slice(payload).map_err(|err| format!("the answer is not JSON: {err}"))?;
    let res = answer
        .get("Outputs")
        .and_then(|outputs| outputs.get("res"))
        .filter(|res| res.is_object())
        .or_else(|| answer.get("ReturnValue").filter(|value| value.is_object()))
        .ok_or("the answer has no `res` output: an HTTP function answers in `Outputs.res`")?;
    let mut response = Response::new(crate::answer::body(res, false)?);
    if res.get("statusCode").is_some_and(|code| !code.is_null()) {
        *response.status_mut() = crate::answer::status(res)?;
    }
    crate::answer::append_headers(response.headers_mut(), &res["headers"]);
    Ok(response)
}

/// The host's answer to a request whose invocation failed: 500 with no body.
pub fn host_error() -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_become_invocations_and_res_outputs_responses() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("example.net"));
        headers.insert("content-type", HeaderValue::from_static("text/plain"));
        let uri: Uri = "/orders/7?color=black&color=red".parse().unwrap();
        let event = http_event(
            Trigger::AzureHttpEvent,
            &Method::POST,
            &uri,
            &headers,
            b"hi",
            "10.0.0.1",
        )
        .unwrap();
        let req = &event["Data"]["req"];
        assert_eq!(
            req["Url"],
            "http://example.net/orders/7?color=black&color=red"
        );
        assert_eq!(req["Query"]["color"], "black");
        assert_eq!(req["Headers"]["content-type"][0], "text/plain");
        assert_eq!(req["Headers"]["x-forwarded-for"][0], "10.0.0.1");
        assert_eq!(req["Params"]["path"], "orders/7");
        assert_eq!(req["Body"], "hi");
        assert!(http_event(Trigger::AzureHttp, &Method::GET, &uri, &headers, b"", "").is_err());

        let answer = br#"{"Outputs":{"res":{"statusCode":"201","headers":{"x-a":"1"},"body":"made"}},"Logs":[],"ReturnValue":null}"#;
        let response = http_response(answer).unwrap();
        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["x-a"], "1");
        assert_eq!(&response.body()[..], b"made");
        let returned = http_response(br#"{"Outputs":{},"ReturnValue":{"body":{"n":1}}}"#).unwrap();
        assert_eq!(
            (returned.status(), &returned.body()[..]),
            (StatusCode::OK, &b"{\"n\":1}"[..])
        );
        assert!(http_response(br#"{"Outputs":{},"Logs":[]}"#).is_err());
        assert!(http_response(b"nope").is_err());
    }
}
