//! The live count of surveys, as server-sent events, on every platform.
//!
//! Run with `cargo run -p survey --bin survey-live`, then open http://127.0.0.1:3000 and send
//! surveys from `cargo run -p survey` on another port (`PORT=3001`). On Lambda it needs a
//! Function URL (or REST API) in `RESPONSE_STREAM` mode, hence the streaming opt-in.

#[tokio::main]
async fn main() -> Result<(), fc::Error> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| survey::store::DEFAULT_URL.into());
    let store = survey::Store::connect(&url).await?;
    fc::run_with_streaming_response(survey::live::router(store)).await
}
