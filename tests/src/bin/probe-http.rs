//! An HTTP function with one route per behaviour the platforms must handle.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use fc::http::{IntoResponse, Request, RequestExt, Response, StatusCode};
use fc::{Context, Error, Json};
use tokio::sync::Notify;

static ARRIVED: AtomicUsize = AtomicUsize::new(0);
static ALL_ARRIVED: Notify = Notify::const_new();

#[fc::handler]
async fn probe(req: Request, ctx: Context) -> Result<Response, Error> {
    let number = |name: &str| req.query_param(name).and_then(|v| v.parse::<u64>().ok());
    match req.uri().path() {
        "/hello" => Ok("hello".into_response()),
        "/panic" => panic!("the probe panicked on purpose"),
        "/error" => Err(Error::msg("database password rejected: hunter2")),
        "/sleep" => {
            tracing::info!(request_id = ctx.request_id, "probe sleeping");
            tokio::time::sleep(Duration::from_millis(number("ms").unwrap_or(100))).await;
            Ok("slept".into_response())
        }
        "/echo" => Ok(Json(serde_json::json!({
            "method": req.method().as_str(),
            "path": req.uri().path(),
            "query": req.uri().query(),
            "contentType": req.headers().get("content-type").and_then(|v| v.to_str().ok()),
            "binary": req.body().is_binary(),
            "length": req.body().len(),
            "text": req.body().as_str(),
            "sourceIp": req.info().source_ip.map(|ip| ip.to_string()),
            "tags": req.headers().get_all("x-tag").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>(),
        }))
        .into_response()),
        // Ends the process mid-invocation, as a crash would.
        "/exit" => std::process::exit(3),
        // Which process served the request, after a pause so concurrent requests overlap.
        "/pid" => {
            tokio::time::sleep(Duration::from_millis(number("ms").unwrap_or(300))).await;
            Ok(std::process::id().to_string().into_response())
        }
        "/echo-headers" => {
            let headers: serde_json::Map<String, serde_json::Value> = req
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into(),
                    )
                })
                .collect();
            Ok(Json(headers).into_response())
        }
        "/log-context" => {
            tracing::info!("context: {ctx:?}");
            Ok("logged".into_response())
        }
        "/context" => Ok(Json(serde_json::json!({
            "requestId": ctx.request_id,
            "platform": ctx.platform.as_str(),
            "functionName": ctx.function_name,
            "remainingMs": ctx.remaining().map(|d| d.as_millis() as u64),
            "region": ctx.region,
            "accountId": ctx.account_id,
            "accessKeyId": ctx.credentials.as_ref().map(|c| c.access_key_id.clone()),
            "debug": format!("{ctx:?}"),
        }))
        .into_response()),
        // Answers only once `n` requests are inside the handler at the same time.
        "/barrier" => {
            let n = number("n").unwrap_or(2) as usize;
            let notified = ALL_ARRIVED.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if ARRIVED.fetch_add(1, Ordering::SeqCst) + 1 >= n {
                ALL_ARRIVED.notify_waiters();
                return Ok("all arrived".into_response());
            }
            match tokio::time::timeout(Duration::from_secs(10), notified).await {
                Ok(()) => Ok("all arrived".into_response()),
                Err(_) => Ok((StatusCode::SERVICE_UNAVAILABLE, "alone").into_response()),
            }
        }
        _ => Ok((StatusCode::NOT_FOUND, "no such probe").into_response()),
    }
}
