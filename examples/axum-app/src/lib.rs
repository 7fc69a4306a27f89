//! A plain axum app, written as for `axum::serve`, that fc runs on every platform.
//!
//! | route | what it shows |
//! |---|---|
//! | `GET /items/{id}?verbose=true` | `Path` and `Query` extractors |
//! | `POST /items` | a `Json` body: bad JSON gets axum's own 4xx |
//! | `GET /whoami` | `Extension<fc::Context>`: the request id, platform and deadline |
//! | `GET /events?key=K` | server-sent events, streamed: `tick 1`, then it waits until `POST /release?key=K`, then `released` |
//!
//! Every route answers CORS requests from any origin (`tower_http::cors::CorsLayer`).
//!
//! The waiting streams live in the instance's memory, so `/release` finds its stream where one
//! instance serves every request (locally, an FC instance); on Lambda each request may reach
//! another instance.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tower_http::cors::{Any, CorsLayer};

/// How long an event stream waits to be released before it ends on its own.
const RELEASE_WAIT: Duration = Duration::from_secs(20);

/// Streams waiting for their release, by key.
#[derive(Clone, Default)]
struct Releases(Arc<Mutex<HashMap<String, oneshot::Sender<()>>>>);

/// The app, as `axum::serve` or `fc::run` takes it.
pub fn app() -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(Any);
    Router::new()
        .route("/items/{id}", get(item))
        .route("/items", post(create))
        .route("/whoami", get(whoami))
        .route("/events", get(events))
        .route("/release", post(release))
        .with_state(Releases::default())
        .layer(cors)
}

#[derive(Deserialize)]
struct Options {
    #[serde(default)]
    verbose: bool,
}

#[derive(Serialize)]
struct ItemView {
    id: u32,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

async fn item(Path(id): Path<u32>, Query(options): Query<Options>) -> Json<ItemView> {
    Json(ItemView {
        id,
        name: format!("item {id}"),
        detail: options.verbose.then(|| format!("item {id}, in stock")),
    })
}

/// A new item as clients send it.
#[derive(Debug, Deserialize, Serialize)]
pub struct NewItem {
    /// What it is called.
    pub name: String,
    /// How many there are.
    pub quantity: u32,
}

async fn create(Json(item): Json<NewItem>) -> (StatusCode, Json<NewItem>) {
    (StatusCode::CREATED, Json(item))
}

async fn whoami(Extension(ctx): Extension<fc::Context>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "requestId": ctx.request_id,
        "platform": ctx.platform.to_string(),
        "hasDeadline": ctx.deadline.is_some(),
    }))
}

#[derive(Deserialize)]
struct Key {
    key: String,
}

async fn events(
    State(releases): State<Releases>,
    Query(Key { key }): Query<Key>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (release, released) = oneshot::channel();
    releases
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(key, release);
    // `tick 1` goes out at once; the last event only after the client, having read the
    // first, asks for it: a platform that buffered the stream would never end it early.
    let first = futures_util::stream::once(async { Ok(Event::default().data("tick 1")) });
    let last = futures_util::stream::once(async move {
        let data = match tokio::time::timeout(RELEASE_WAIT, released).await {
            Ok(Ok(())) => "released",
            _ => "not released",
        };
        Ok(Event::default().data(data))
    });
    Sse::new(futures_util::StreamExt::chain(first, last))
}

async fn release(State(releases): State<Releases>, Query(Key { key }): Query<Key>) -> StatusCode {
    let waiting = releases
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(&key);
    match waiting.map(|release| release.send(())) {
        Some(Ok(())) => StatusCode::NO_CONTENT,
        _ => StatusCode::NOT_FOUND,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    #[tokio::test]
    async fn extractors_answer_as_under_axum_serve() {
        let response = app()
            .oneshot(
                axum::http::Request::get("/items/7?verbose=true")
                    .body(Body::empty())
                    .unwrap_or_default(),
            )
            .await
            .unwrap_or_else(|never| match never {});
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.map(|b| b.to_bytes());
        assert_eq!(
            body.ok().as_deref(),
            Some(&br#"{"id":7,"name":"item 7","detail":"item 7, in stock"}"#[..])
        );
    }
}
