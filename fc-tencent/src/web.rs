//! A web function's server: SCF starts `scf_bootstrap`, which runs the binary, and passes each
//! request through to port 9000 with its `X-Scf-*` headers.
//!
//! Source: Tencent Cloud, "Web 函数 启动文件说明" (cloud.tencent.com/document/product/583/56126)
//! and the web function FAQ (the headers SCF adds, which a client cannot set).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use fc_core::http::{HeaderMap, Request, RequestInfo, Response, StatusCode, Trigger};
use fc_core::serve::BodyError;
use fc_core::{Context, Error, Function, Instance};
use hyper::body::Incoming;

use crate::{FromScf, PAYLOAD_LIMIT};

/// Serves `function` on `PORT` (9000, the port SCF sends to, when unset) until SIGTERM.
pub(crate) async fn run<E: FromScf>(function: Function<E>) -> Result<(), Error> {
    let port = fc_core::serve::port(9000)?;
    let instance = function.init().await?;
    let listener = fc_core::serve::bind(port, "SCF web function").await?;
    let instance = Arc::new(instance);
    let service = |_| {
        let instance = Arc::clone(&instance);
        tower::service_fn(move |req| {
            let instance = Arc::clone(&instance);
            async move { Ok::<_, Infallible>(handle(req, &instance).await) }
        })
    };
    let open = fc_core::serve::serve(&listener, service, fc_core::serve::terminated()).await;
    let _ = open.drain(Duration::from_secs(10)).await;
    instance.shutdown().await;
    Ok(())
}

/// The request's context, from the headers SCF adds.
fn context(headers: &HeaderMap) -> Context {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    // The timeout is the function's, in seconds.
    let time_left = header("x-scf-timeout")
        .and_then(|secs| secs.parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs > 0.0)
        .map(|secs| {
            u64::try_from(Duration::from_secs_f64(secs.min(86_400.0)).as_millis())
                .unwrap_or(u64::MAX)
        });
    let mut ctx = crate::context(
        header("x-scf-request-id"),
        header("x-scf-memory"),
        time_left,
    );
    ctx.function_name = header("x-scf-name").unwrap_or_default().into();
    ctx.function_version = header("x-scf-version").unwrap_or_default().into();
    ctx.region = header("x-scf-region").unwrap_or_default().into();
    ctx.account_id = header("x-scf-appid").unwrap_or_default().into();
    ctx
}

async fn handle<E: FromScf>(req: hyper::Request<Incoming>, instance: &Instance<E>) -> Response {
    let (mut parts, body) = req.into_parts();
    let body = match fc_core::serve::read_body(body, PAYLOAD_LIMIT).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            let mut response = failure(&Error::invalid_event(format!(
                "the request is larger than SCF's limit of {PAYLOAD_LIMIT} bytes"
            )));
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return response;
        }
        Err(err) => {
            return failure(&Error::invalid_event(format!(
                "the request body could not be read: {err}"
            )));
        }
    };
    let ctx = context(&parts.headers);
    // The platform's own headers are for the context, not the handler.
    let platform_headers: Vec<_> = parts
        .headers
        .keys()
        .filter(|name| name.as_str().starts_with("x-scf-") && name.as_str() != "x-scf-remote-addr")
        .cloned()
        .collect();
    for name in platform_headers {
        parts.headers.remove(name);
    }
    let request_id = ctx.request_id.clone();
    match E::from_http(parts, body) {
        Ok(event) => E::into_http(instance.invocation(event, ctx).await).await,
        Err(err) => {
            tracing::error!(request_id, kind = err.kind().as_str(), "{err:#}");
            failure(&err)
        }
    }
}

/// A request passed through, as a web function's handler sees it.
pub(crate) fn request(parts: http::request::Parts, body: Bytes) -> Request {
    let mut info = RequestInfo::default();
    info.trigger = Trigger::ScfWeb;
    info.source_ip = parts
        .headers
        .get("x-scf-remote-addr")
        .and_then(|v| v.to_str().ok())
        .and_then(|ip| ip.trim().parse().ok())
        .or_else(|| fc_core::adapter::forwarded_for(&parts.headers));
    info.raw_path = Some(parts.uri.path().to_owned());
    fc_core::adapter::passthrough(parts, body, info)
}

pub(crate) use fc_core::adapter::error_response as failure;
pub(crate) use fc_core::adapter::json_response as json;
