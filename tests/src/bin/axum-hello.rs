//! The benchmarks' axum Router served by fc: on Lambda, FC or locally, as detected.

#[path = "../axum_hello.rs"]
mod app;

#[tokio::main]
async fn main() -> Result<(), fc::Error> {
    fc::run(app::router()).await
}
