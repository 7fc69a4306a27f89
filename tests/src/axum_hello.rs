//! The axum Router the benchmarks compare, as a user would write it: one source served by fc
//! (`axum-hello`), by `axum::serve` (`axum-serve`), by `lambda_http::run` (the baseline that
//! scripts/bench.sh builds) and in process by fc-aws's criterion bench. It answers what
//! `perf` checks: `GET /hello?name=bench` → `hello, bench!\n`.

use axum::Router;
use axum::extract::Query;
use axum::http::header;
use axum::routing::get;

#[derive(serde::Deserialize)]
struct Params {
    name: Option<String>,
}

async fn hello(Query(params): Query<Params>) -> impl axum::response::IntoResponse {
    let name = params
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("hello, {}!\n", name.unwrap_or("world")),
    )
}

/// The app.
pub(crate) fn router() -> Router {
    Router::new().route("/hello", get(hello))
}
