//! The benchmarks' axum Router served by fc, from a program that installs its own `tracing`
//! subscriber first: bare messages, no time, level or target, as fc's never are.

#[path = "../axum_hello.rs"]
mod app;

#[tokio::main]
async fn main() -> Result<(), fc::Error> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .without_time()
        .with_level(false)
        .with_target(false)
        .with_ansi(false)
        .init();
    fc::run(app::router()).await
}
