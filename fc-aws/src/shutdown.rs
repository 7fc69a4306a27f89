//! SIGTERM before Lambda stops an instance, for a function with a shutdown hook.
//!
//! Lambda sends SIGTERM, and waits up to 500 ms before SIGKILL, only to a function with an
//! extension registered. An internal extension that subscribes to no events is enough: it
//! registers during init and then waits on the Extensions API for an event that never comes.
//!
//! Source: AWS Lambda, "Lambda Extensions API" (register, next) and "Understanding the Lambda
//! execution environment lifecycle" (the shutdown phase).

use std::future::Future;

use lambda_runtime_api_client::body::Body;
use lambda_runtime_api_client::{Client, build_request};

/// The extension's name, unique within the function.
const NAME: &str = "fc-graceful-shutdown";

const ID_HEADER: &str = "lambda-extension-identifier";

/// Registers for SIGTERM and runs `hook` when it comes (or SIGINT, when the function is run by
/// hand), then ends the process. Must be called during init, before the runtime's first
/// `next`. A registration Lambda refuses is logged: the function then runs without its hook.
pub(crate) async fn on_sigterm<F, Fut>(hook: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let registered = async {
        let client = Client::builder().build()?;
        let request = build_request()
            .method(::http::Method::POST)
            .uri("/2020-01-01/extension/register")
            .header("lambda-extension-name", NAME)
            .header(::http::header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"events":[]}"#))?;
        let response = client.call(request).await?;
        let status = response.status();
        let id = response
            .headers()
            .get(ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|_| status.is_success())
            .map(str::to_owned)
            .ok_or_else(|| format!("the Extensions API answered {status} without an id"))?;
        Ok::<_, lambda_runtime_api_client::BoxError>((client, id))
    };
    let (client, id) = match registered.await {
        Ok(registered) => registered,
        Err(err) => {
            tracing::warn!(
                "cannot register for SIGTERM ({err}); the shutdown hook will not run on Lambda"
            );
            return;
        }
    };
    // Before init ends, and so before Lambda can send SIGTERM; not before the registration
    // succeeded, as a handler in place keeps the signal from ending the process.
    let stopping = stop_signal();
    // Init ends once every extension has asked for its next event; none will come.
    tokio::spawn(async move {
        loop {
            let next = build_request()
                .method(::http::Method::GET)
                .uri("/2020-01-01/extension/event/next")
                .header(ID_HEADER, id.as_str())
                .body(Body::empty());
            let Ok(next) = next else { return };
            match client.call(next).await {
                Ok(response) if response.status().is_success() => {}
                _ => return,
            }
        }
    });
    tokio::spawn(async move {
        let signal = stopping.await;
        tracing::info!("{signal} received: running the shutdown hook");
        hook().await;
        std::process::exit(0);
    });
}

/// SIGTERM or SIGINT (which one came), SIGTERM listened for from the call on.
fn stop_signal() -> impl Future<Output = &'static str> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let interrupt = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            return tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = interrupt => "SIGINT",
            };
        }
        let _ = interrupt.await;
        "SIGINT"
    }
}
