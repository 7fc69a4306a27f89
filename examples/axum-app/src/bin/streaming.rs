//! The same app with Lambda response streaming: deploy it behind a Function URL with
//! `InvokeMode: RESPONSE_STREAM`, and its event stream reaches the client event by event there
//! too. On FC and locally it runs as `main.rs` does.
//!
//! Run with `fc-local start --platform aws --trigger url --streaming -- target/debug/streaming`.

#[tokio::main]
async fn main() -> Result<(), fc::Error> {
    fc::run_with_streaming_response(axum_app::app()).await
}
