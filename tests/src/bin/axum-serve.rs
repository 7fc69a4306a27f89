//! The benchmarks' axum Router under plain `axum::serve` on `127.0.0.1:$PORT`: the baseline fc's
//! FC runtime and local platform are measured against.
//!
//! With `FC_MARKERS=1` it also writes the two log lines FC's custom-runtime contract asks of
//! every invocation (`FC Invoke Start RequestId: …`, `FC Invoke End RequestId: …`), as a
//! hand-written FC runtime on axum would: the baseline of what the contract itself costs.

#[path = "../axum_hello.rs"]
mod app;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;

async fn markers(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-fc-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    println!("FC Invoke Start RequestId: {id}");
    let response = next.run(request).await;
    println!("FC Invoke End RequestId: {id}");
    response
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let mut router = app::router();
    if std::env::var_os("FC_MARKERS").is_some() {
        router = router.layer(middleware::from_fn(markers));
    }
    axum::serve(listener, router).await
}
