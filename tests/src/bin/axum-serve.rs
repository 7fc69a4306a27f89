//! The benchmarks' axum Router under plain `axum::serve` on `127.0.0.1:$PORT`: the baseline fc's
//! FC runtime and local platform are measured against.

#[path = "../axum_hello.rs"]
mod app;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    axum::serve(listener, app::router()).await
}
