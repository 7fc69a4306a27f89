//! Builders for contexts and events, and a way to call a handler, so a handler is tested in a
//! line or two.
//!
//! ```
//! use fc_core::{http::Request, testing};
//!
//! async fn hello(req: Request) -> String {
//!     format!("hello {}", req.uri().path())
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let response = testing::invoke(hello, testing::get("/world")).await;
//! assert_eq!(response.body().as_str(), Some("hello /world"));
//! # });
//! ```
//!
//! The builders panic on input that cannot be an event (a row that is not a map): in a test
//! that is the clearest failure.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::context::{Context, Platform};
use crate::event::{
    Event, Message, MessageEvent, MessageSource, ObjectEvent, ObjectRecord, Row, RowChange,
    ScheduleEvent, SourceKind, TableEvent, TableRecord, Value,
};
use crate::function::Instance;
use crate::handler::Handler;
use crate::http::{Body, Request, RequestInfo};
use crate::reply::Reply;
use crate::time::Timestamp;

/// A context like the local platform's: a fresh request id, a 60-second deadline, 128 MB.
pub fn context() -> Context {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    Context {
        request_id: format!("test-request-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
        platform: Platform::Local,
        function_name: "test".into(),
        function_version: "$LATEST".into(),
        memory_mb: 128,
        deadline: Some(SystemTime::now() + Duration::from_secs(60)),
        region: "local".into(),
        ..Context::default()
    }
}

/// An environment of these variables only, as a lookup: for code that reads its settings
/// through a `Fn(&str) -> Option<String>` rather than from the process.
pub fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    }
}

/// A request builder for `method` and `uri`, with the local platform's [`RequestInfo`].
pub fn request(method: &str, uri: &str) -> http::request::Builder {
    http::Request::builder()
        .method(method)
        .uri(uri)
        .extension(RequestInfo::default())
}

/// A `GET` request.
///
/// # Panics
/// If `uri` is not a valid URI.
pub fn get(uri: &str) -> Request {
    request("GET", uri)
        .body(Body::empty())
        .unwrap_or_else(|err| panic!("testing::get({uri:?}): {err}"))
}

/// A `POST` request with a body (`Content-Type` from the body: text or octets).
///
/// # Panics
/// If `uri` is not a valid URI.
pub fn post(uri: &str, body: impl Into<Body>) -> Request {
    let body = body.into();
    let content_type = if body.is_binary() {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    };
    request("POST", uri)
        .header(http::header::CONTENT_TYPE, content_type)
        .body(body)
        .unwrap_or_else(|err| panic!("testing::post({uri:?}): {err}"))
}

/// A `POST` request with a JSON body.
///
/// # Panics
/// If `uri` is not a valid URI or `value` cannot be serialized.
pub fn post_json<T: Serialize>(uri: &str, value: &T) -> Request {
    let json = serde_json::to_string(value)
        .unwrap_or_else(|err| panic!("testing::post_json: the value is not JSON: {err}"));
    request("POST", uri)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::text(json))
        .unwrap_or_else(|err| panic!("testing::post_json({uri:?}): {err}"))
}

fn object_event(event_name: &str, bucket: &str, key: &str) -> ObjectEvent {
    let mut record = ObjectRecord::new(event_name, bucket, key);
    record.time = Some(Timestamp::now());
    record.region = Some("local".into());
    ObjectEvent::new(vec![record])
}

/// One object created (`ObjectCreated:Put`) with no size or ETag; set them on the record.
pub fn object_created(bucket: &str, key: &str) -> ObjectEvent {
    object_event("ObjectCreated:Put", bucket, key)
}

/// One object removed (`ObjectRemoved:Delete`).
pub fn object_removed(bucket: &str, key: &str) -> ObjectEvent {
    object_event("ObjectRemoved:Delete", bucket, key)
}

/// A row from any value that serializes as a map (a struct, `serde_json::json!({...})`).
///
/// # Panics
/// If `value` does not serialize as a map.
pub fn row<T: Serialize>(value: &T) -> Row {
    match serde_json::to_value(value).map(Value::from) {
        Ok(Value::Map(row)) => row,
        Ok(other) => panic!("testing::row: expected a map, got a {}", other.type_name()),
        Err(err) => panic!("testing::row: {err}"),
    }
}

fn table_event(
    kind: RowChange,
    table: &str,
    keys: Row,
    old: Option<Row>,
    new: Option<Row>,
) -> TableEvent {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mut record = TableRecord::new(kind, table, keys);
    record.id = NEXT.fetch_add(1, Ordering::Relaxed).to_string();
    record.old = old;
    record.new = new;
    record.time = Some(Timestamp::now());
    TableEvent::new(vec![record])
}

/// One row inserted: `keys` and `row` are maps (structs or `json!` objects).
pub fn table_insert<K: Serialize, T: Serialize>(table: &str, keys: &K, new: &T) -> TableEvent {
    table_event(RowChange::Insert, table, row(keys), None, Some(row(new)))
}

/// One row modified, with its old and new images.
pub fn table_modify<K: Serialize, T: Serialize>(
    table: &str,
    keys: &K,
    old: &T,
    new: &T,
) -> TableEvent {
    table_event(
        RowChange::Modify,
        table,
        row(keys),
        Some(row(old)),
        Some(row(new)),
    )
}

/// One row removed, with its old image.
pub fn table_remove<K: Serialize, T: Serialize>(table: &str, keys: &K, old: &T) -> TableEvent {
    table_event(RowChange::Remove, table, row(keys), Some(row(old)), None)
}

/// A schedule named `name`, fired now.
pub fn schedule(name: &str) -> ScheduleEvent {
    ScheduleEvent::new(name, Some(Timestamp::now()))
}

/// Messages with these bodies from the queue `queue`, sent now, with ids `m-1`, `m-2`…
pub fn queue_messages<B: Into<bytes::Bytes>>(
    queue: &str,
    bodies: impl IntoIterator<Item = B>,
) -> MessageEvent {
    let messages = bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let mut message = Message::new(
                format!("m-{}", i + 1),
                body,
                MessageSource::new(SourceKind::Queue, queue),
            );
            message.time = Some(Timestamp::now());
            message
        })
        .collect();
    MessageEvent::new(messages)
}

/// The trace the platform gave the invocation of `ctx`, which its span continues (the
/// `opentelemetry` feature): trace id and span id in hex, and whether it is sampled.
#[cfg(feature = "opentelemetry")]
pub fn platform_trace(ctx: &Context) -> Option<(String, String, bool)> {
    use opentelemetry::trace::TraceContextExt;

    let parent = ctx.extensions.get::<opentelemetry::Context>()?;
    let span = parent.span();
    let span = span.span_context();
    Some((
        span.trace_id().to_string(),
        span.span_id().to_string(),
        span.is_sampled(),
    ))
}

/// Calls `handler` with `event` and a fresh [`context`], as a platform would: panics and
/// errors become the platform's outcome (a 500 for HTTP, an `Err` for events).
pub async fn invoke<E, H, M, R>(handler: H, event: E) -> E::Outcome
where
    E: Event,
    H: Handler<E, M, ()>,
    H::Output: Reply<E, R>,
    M: 'static,
    R: 'static,
{
    invoke_with_context(handler, event, context()).await
}

/// Like [`invoke`], with a context of your own.
pub async fn invoke_with_context<E, H, M, R>(handler: H, event: E, ctx: Context) -> E::Outcome
where
    E: Event,
    H: Handler<E, M, ()>,
    H::Output: Reply<E, R>,
    M: 'static,
    R: 'static,
{
    Instance::from_handler(handler, &())
        .invoke(event, ctx)
        .await
}

/// Like [`invoke`], for a handler that takes the state `init` makes.
///
/// The state is kept for the rest of the test process, as it would be for an instance.
pub async fn invoke_with_state<E, H, M, R, S>(handler: H, state: S, event: E) -> E::Outcome
where
    E: Event,
    H: Handler<E, M, S>,
    H::Output: Reply<E, R>,
    M: 'static,
    R: 'static,
    S: Send + Sync + 'static,
{
    let state: &'static S = Box::leak(Box::new(state));
    Instance::from_handler(handler, state)
        .invoke(event, context())
        .await
}

/// `count` mutations of `seed` — bytes flipped, cut, repeated or inserted, JSON punctuation
/// spliced in — the same on every run for the same `seed_value`: a bounded fuzz run for a
/// decoder test, which must refuse or decode each one, never panic.
pub fn mutations(seed: &[u8], count: usize, seed_value: u64) -> impl Iterator<Item = Vec<u8>> + '_ {
    // xorshift64*; a zero state would stay zero.
    let mut state = seed_value | 1;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    (0..count).map(move |_| {
        let mut below = |n: usize| (next() % n.max(1) as u64) as usize;
        let mut data = seed.to_vec();
        for _ in 0..=below(4) {
            let at = below(data.len() + 1);
            match below(6) {
                0 if !data.is_empty() => {
                    let i = below(data.len());
                    data[i] = below(256) as u8;
                }
                1 => data.truncate(at),
                2 if at < data.len() => {
                    let end = (at + below(64)).min(data.len());
                    data.drain(at..end);
                }
                3 if at < data.len() => {
                    let end = (at + below(64)).min(data.len());
                    let piece = data[at..end].to_vec();
                    data.splice(at..at, piece);
                }
                4 => {
                    let tokens: [&[u8]; 8] =
                        [b"{", b"}", b"[", b"]", b"\"", b",", b"null", b"\\u0000"];
                    let token = tokens[below(tokens.len())];
                    data.splice(at..at, token.iter().copied());
                }
                _ => data.insert(at, below(256) as u8),
            }
        }
        data
    })
}
