//! A streaming HTTP function for order-of-arrival tests on Lambda, where each invocation may
//! run in another instance: `GET /events?file=PATH` writes `tick 1`, then waits (up to 20 s)
//! until PATH exists, then writes `released`. Served with Lambda response streaming.

use std::time::Duration;

use axum::extract::Query;
use axum::routing::get;
use fc::http::Body;

#[derive(serde::Deserialize)]
struct Wait {
    file: std::path::PathBuf,
}

async fn events(Query(Wait { file }): Query<Wait>) -> axum::response::Response<Body> {
    let first = futures_util::stream::once(async { Ok::<_, std::io::Error>("tick 1\n") });
    let last = futures_util::stream::once(async move {
        for _ in 0..2000 {
            if file.exists() {
                return Ok("released\n");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok("not released\n")
    });
    let mut response = axum::response::Response::new(Body::from_stream(
        futures_util::StreamExt::chain(first, last),
    ));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain"),
    );
    response
}

#[tokio::main]
async fn main() -> Result<(), fc::Error> {
    fc::run_with_streaming_response(axum::Router::new().route("/events", get(events))).await
}
