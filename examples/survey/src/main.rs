//! The survey function.
//!
//! Run with `cargo run -p survey`, then open http://127.0.0.1:3000.

#[tokio::main]
async fn main() -> Result<(), fc::Error> {
    let app = survey::setup().await?;
    fc::run(survey::router(app)).await
}
