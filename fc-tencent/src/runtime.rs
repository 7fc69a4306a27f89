//! An event function's loop on SCF's Custom Runtime API.
//!
//! Source: Tencent Cloud, "Custom Runtime 说明" (cloud.tencent.com/document/product/583/47274):
//! `POST /runtime/init/ready` once `init` is done (SCF has no init-error endpoint: a function
//! that cannot start never reports ready, and SCF fails it when the init timeout passes);
//! then `GET /runtime/invocation/next` — which must not time out on the runtime's side — and
//! one `POST /runtime/invocation/response` or `/runtime/invocation/error` per event. The
//! paths carry no request id, and a second answer to an event is ignored.

use bytes::Bytes;
use fc_core::http::HeaderMap;
use fc_core::{Context, Credentials, Error, ErrorKind, Function, Instance, Secret};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use tokio::net::TcpStream;

use crate::FromScf;

/// Runs `function` as SCF runs it: an event function's loop on the Custom Runtime API when
/// `SCF_RUNTIME_API` is set, otherwise a web function's server.
pub async fn run<E: FromScf>(function: Function<E>) -> Result<(), Error> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(host) = var("SCF_RUNTIME_API") else {
        return crate::web::run(function).await;
    };
    let addr = match var("SCF_RUNTIME_API_PORT") {
        Some(port) => format!("{host}:{}", port.trim()),
        None => host,
    };
    let instance = function.init().await?;
    let mut api = RuntimeApi::new(addr);
    api.send(
        http::Method::POST,
        "/runtime/init/ready",
        Bytes::from_static(b" "),
    )
    .await?;
    let env = Env::from_env();
    loop {
        let next = tokio::select! {
            next = api.send(http::Method::GET, "/runtime/invocation/next", Bytes::new()) => next?,
            () = fc_core::serve::terminated() => break,
        };
        let (headers, event) = next;
        let ctx = env.context(&headers);
        let (path, body) = invoke(&instance, ctx, &event).await;
        api.send(http::Method::POST, path, body).await?;
    }
    instance.shutdown().await;
    Ok(())
}

/// One event: the path to answer on and the answer.
async fn invoke<E: FromScf>(
    instance: &Instance<E>,
    ctx: Context,
    event: &[u8],
) -> (&'static str, Bytes) {
    let request_id = ctx.request_id.clone();
    let result = match E::from_event(event) {
        Ok(event) => E::into_result(instance.invocation(event, ctx).await).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(body) => ("/runtime/invocation/response", body),
        Err(err) => {
            tracing::error!(request_id, kind = err.kind().as_str(), "{err:#}");
            // SCF shows the error's text as the invocation's result.
            let body = serde_json::json!({
                "errorType": err.kind().as_str(),
                "errorMessage": format!("{err:#}"),
            });
            ("/runtime/invocation/error", Bytes::from(body.to_string()))
        }
    }
}

/// What every invocation's context shares, read from the environment once.
struct Env {
    function_name: fc_core::SharedStr,
    version: fc_core::SharedStr,
    region: fc_core::SharedStr,
    account: fc_core::SharedStr,
    credentials: Option<Credentials>,
}

impl Env {
    fn from_env() -> Env {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let credentials = var("TENCENTCLOUD_SECRETID")
            .zip(var("TENCENTCLOUD_SECRETKEY"))
            .map(|(id, key)| {
                Credentials::new(id, key, var("TENCENTCLOUD_SESSIONTOKEN").map(Secret::from))
            });
        Env {
            function_name: var("SCF_FUNCTIONNAME").unwrap_or_default().into(),
            version: var("SCF_FUNCTIONVERSION").unwrap_or_default().into(),
            region: var("TENCENTCLOUD_REGION").unwrap_or_default().into(),
            account: var("TENCENTCLOUD_APPID").unwrap_or_default().into(),
            credentials,
        }
    }

    /// An invocation's context from the `next` answer's headers (`request_id`,
    /// `memory_limit_in_mb`, `time_limit_in_ms`; their case varies between Tencent's
    /// documents, and HTTP header names are not case-sensitive anyway).
    fn context(&self, headers: &HeaderMap) -> Context {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let time_left = header("time_limit_in_ms").and_then(|ms| ms.trim().parse().ok());
        let mut ctx = crate::context(
            header("request_id"),
            header("memory_limit_in_mb"),
            time_left,
        );
        ctx.function_name = self.function_name.clone();
        ctx.function_version = self.version.clone();
        ctx.region = self.region.clone();
        ctx.account_id = self.account.clone();
        ctx.credentials = self.credentials.clone();
        ctx
    }
}

/// The Custom Runtime API over one kept-alive connection, made again when it closes.
struct RuntimeApi {
    addr: String,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl RuntimeApi {
    fn new(addr: String) -> Self {
        RuntimeApi { addr, sender: None }
    }

    fn unreachable(&self, err: &dyn std::fmt::Display) -> Error {
        Error::new(
            ErrorKind::Internal,
            format!(
                "SCF's runtime API at {} cannot be reached: {err}",
                self.addr
            ),
        )
    }

    async fn connection(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, Error> {
        if self.sender.as_ref().is_none_or(SendRequest::is_closed) {
            let stream = TcpStream::connect(&self.addr)
                .await
                .map_err(|err| self.unreachable(&err))?;
            let _ = stream.set_nodelay(true);
            let (sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .map_err(|err| self.unreachable(&err))?;
            tokio::spawn(conn);
            self.sender = Some(sender);
        }
        let addr = self.addr.clone();
        self.sender
            .as_mut()
            .ok_or_else(|| Error::new(ErrorKind::Internal, format!("no connection to {addr}")))
    }

    /// One request; the answer's headers and body. A non-2xx answer is an error.
    async fn send(
        &mut self,
        method: http::Method,
        path: &str,
        body: Bytes,
    ) -> Result<(HeaderMap, Bytes), Error> {
        let mut request = http::Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = path.parse().map_err(|err| self.unreachable(&err))?;
        let host = http::HeaderValue::from_str(&self.addr).map_err(|err| self.unreachable(&err))?;
        request.headers_mut().insert(http::header::HOST, host);
        let sender = self.connection().await?;
        // An HTTP/1 connection takes the next request once it has finished the last one.
        let response = match sender.ready().await {
            Ok(()) => sender.send_request(request).await,
            Err(err) => Err(err),
        };
        let response = response.map_err(|err| {
            self.sender = None;
            self.unreachable(&err)
        })?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|err| self.unreachable(&err))?
            .to_bytes();
        if !parts.status.is_success() {
            return Err(self.unreachable(&format!(
                "{path} answered {}: {}",
                parts.status,
                String::from_utf8_lossy(&body)
            )));
        }
        Ok((parts.headers, body))
    }
}
