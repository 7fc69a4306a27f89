//! An axum app served by fc: locally, on Lambda and on FC, unchanged.
//!
//! Run with `cargo run -p axum-app`, then `curl 127.0.0.1:3000/items/7?verbose=true`.

#[tokio::main]
async fn main() -> Result<(), fc::Error> {
    fc::run(axum_app::app()).await
}
