//! The live count: how many surveys are stored, pushed to the shop's screen as server-sent
//! events while customers send them.
//!
//! Every instance polls the shared database, so the count is right however many instances a
//! platform runs. A stream ends a little before the platform's deadline for the invocation;
//! the browser's `EventSource` then reconnects by itself, so the screen never goes stale.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Extension, Router};
use fc::Context;
use futures_util::Stream;
use tokio::time::Instant;

use crate::store::Store;

/// How often the database is asked.
const POLL: Duration = Duration::from_millis(500);

/// The time kept before the deadline to end the stream cleanly.
const MARGIN: Duration = Duration::from_secs(2);

/// What the browser waits before it reconnects.
const RECONNECT: Duration = Duration::from_secs(1);

const PAGE: &str = include_str!("live.html");

/// `GET /`: the page; `GET /count`: the count as `text/event-stream`, one `count` event each
/// time it changes.
pub fn router(store: Store) -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/count", get(count))
        .with_state(Arc::new(store))
}

struct Watch {
    store: Arc<Store>,
    last: Option<i64>,
    until: Option<Instant>,
    request_id: String,
}

async fn count(
    State(store): State<Arc<Store>>,
    Extension(ctx): Extension<Context>,
) -> impl IntoResponse {
    let until = ctx
        .remaining()
        .map(|left| Instant::now() + left.saturating_sub(MARGIN));
    let watch = Watch {
        store,
        last: None,
        until,
        request_id: ctx.request_id,
    };
    Sse::new(changes(watch)).keep_alive(KeepAlive::default())
}

fn changes(watch: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::unfold(watch, |mut watch| async move {
        loop {
            // The first count goes out whatever the time left.
            if watch.last.is_some() && watch.until.is_some_and(|until| Instant::now() >= until) {
                return None;
            }
            match watch.store.survey_count().await {
                Ok(n) if watch.last != Some(n) => {
                    let mut event = Event::default().event("count").data(n.to_string());
                    if watch.last.is_none() {
                        event = event.retry(RECONNECT);
                    }
                    watch.last = Some(n);
                    return Some((Ok(event), watch));
                }
                Ok(_) => {}
                // The screen keeps the last count; the next poll tries again.
                Err(err) => tracing::warn!(
                    request_id = watch.request_id,
                    "cannot count the surveys: {err:#}"
                ),
            }
            tokio::time::sleep(POLL).await;
        }
    })
}
