//! The custom handler's server: readiness on `GET /`, invocations on `POST /{FunctionName}`,
//! and forwarded HTTP requests at their own paths.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use fc_core::http::{Body, Response, StatusCode};
use fc_core::serve::BodyError;
use fc_core::{Context, Error, ErrorKind, Function, Instance, Platform};
use hyper::body::Incoming;
use serde_json::Value;

use crate::{FromAzure, Invocation};

/// The largest request the handler reads: the host's limit on an HTTP request (100 MB).
const PAYLOAD_LIMIT: usize = 100 * 1024 * 1024;

/// The header the host puts on every invocation and forwarded request.
const INVOCATION_ID: &str = "x-azure-functions-invocationid";

/// Runs `function` as a custom handler: its `init`, then serving on
/// `FUNCTIONS_CUSTOMHANDLER_PORT` until SIGTERM (the host kills it).
pub async fn run<E: FromAzure>(function: Function<E>) -> Result<(), Error> {
    let value = std::env::var("FUNCTIONS_CUSTOMHANDLER_PORT")
        .or_else(|_| std::env::var("FUNCTIONS_HTTPWORKER_PORT"))
        .map_err(|_| {
            Error::new(
                ErrorKind::Internal,
                "FUNCTIONS_CUSTOMHANDLER_PORT is not set: the Functions host sets it for a custom handler",
            )
        })?;
    let port = value.trim().parse().map_err(|_| {
        Error::new(
            ErrorKind::Internal,
            format!("FUNCTIONS_CUSTOMHANDLER_PORT must be a port number, got `{value}`"),
        )
    })?;
    let instance = Arc::new(function.init().await?);
    tracing::debug!("HTTP routes under `{}/`", crate::events::route_prefix());
    let listener = fc_core::serve::bind(port, "Azure Functions custom handler").await?;
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

/// Whether a request is one of the host's invocations: a POST to a one-segment path
/// (`/{FunctionName}`) from the host, of a JSON object whose first key is `Data` or `Metadata`.
/// A forwarded request has the invocation id too, and may be a POST to such a path, so the
/// body decides (the host writes `Data` first).
fn is_invocation(parts: &http::request::Parts, body: &[u8]) -> bool {
    let path = parts.uri.path();
    let one_segment = path.len() > 1 && !path[1..].contains('/');
    if !(parts.method == http::Method::POST
        && one_segment
        && parts.headers.contains_key(INVOCATION_ID))
    {
        return false;
    }
    let rest = body.trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b"{") else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    rest.starts_with(b"\"Data\"") || rest.starts_with(b"\"Metadata\"")
}

async fn handle<E: FromAzure>(req: hyper::Request<Incoming>, instance: &Instance<E>) -> Response {
    let (parts, body) = req.into_parts();
    // The host's readiness probe and pings.
    if parts.method == http::Method::GET
        && parts.uri.path() == "/"
        && !parts.headers.contains_key(INVOCATION_ID)
    {
        return Response::new(Body::empty());
    }
    let body = match fc_core::serve::read_body(body, PAYLOAD_LIMIT).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            let mut response = failure(&Error::invalid_event(format!(
                "the request is larger than the limit of {PAYLOAD_LIMIT} bytes"
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
    let mut ctx = Context::default();
    ctx.platform = Platform::Azure;
    ctx.request_id = parts
        .headers
        .get(INVOCATION_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| !id.is_empty())
        .map_or_else(fc_core::adapter::request_id, str::to_owned);
    let request_id = ctx.request_id.clone();
    if !is_invocation(&parts, &body) {
        return match E::from_http(parts, body) {
            Ok(event) => E::into_http(instance.invocation(event, ctx).await).await,
            Err(err) => {
                tracing::error!(request_id, kind = err.kind().as_str(), "{err:#}");
                failure(&err)
            }
        };
    }
    let function_name = parts.uri.path()[1..].to_owned();
    let invocation = fc_core::adapter::parse_json::<Invocation>(&body, "invocation");
    let result = match invocation {
        Ok(invocation) => {
            ctx.function_name = invocation
                .function_name()
                .unwrap_or(&function_name)
                .to_owned()
                .into();
            match E::from_invocation(invocation) {
                Ok(event) => E::into_answer(instance.invocation(event, ctx).await).await,
                Err(err) => Err(err),
            }
        }
        Err(err) => Err(err),
    };
    match result {
        Ok(answer) => json(StatusCode::OK, answer),
        Err(err) => {
            tracing::error!(request_id, kind = err.kind().as_str(), "{err:#}");
            failure(&err)
        }
    }
}

pub(crate) use fc_core::adapter::json_response as json;

/// A failed invocation: a non-2xx answer, which the host counts as a failure (and retries a
/// queue message), the reason in `Logs`.
pub(crate) fn failure(err: &Error) -> Response {
    let status = fc_core::adapter::error_status(err);
    let message = format!("{}: {err:#}", err.kind().as_str());
    let body = serde_json::json!({
        "Outputs": {},
        "Logs": [message],
        "ReturnValue": Value::Null,
        "errorType": err.kind().as_str(),
        "errorMessage": format!("{err:#}"),
    });
    json(status, Bytes::from(body.to_string()))
}
