//! The local platform of [fc](https://docs.rs/fc): run a handler on a laptop with `cargo run`.
//!
//! - An **HTTP handler** is served on `http://127.0.0.1:${PORT:-3000}`, concurrently, with an
//!   access log line per request, until Ctrl-C (requests in flight finish first).
//! - Any **other handler** runs once on an event read from `--event FILE` or stdin, prints the
//!   JSON result and exits; on failure it prints the error and exits non-zero.
//!
//! Every invocation gets a fresh request id and a deadline `FC_TIMEOUT` seconds away (60 by
//! default), and the deadline is enforced. Users reach this through `fc`; the facade picks the
//! local platform when no cloud is detected.
//!
//! ```no_run
//! use fc_core::{Function, http::Request};
//!
//! async fn hello(_req: Request) -> &'static str {
//!     "hello"
//! }
//!
//! # async fn run() {
//! let code = fc_local::run(Function::new(hello)).await;
//! # }
//! ```
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `PORT` | the HTTP server's port on 127.0.0.1 (`0` picks a free one) | `3000` |
//! | `FC_TIMEOUT` | seconds one invocation may run | `60` |
//! | `FC_BODY_LIMIT` | the largest request body, in bytes | 6 MiB (Lambda's limit) |

mod config;
mod event;
mod server;

use std::future::Future;
use std::process::ExitCode;

use fc_core::http::Request;
use fc_core::{
    CloudEvent, Event, Function, JsonEvent, MessageEvent, ObjectEvent, ScheduleEvent, TableEvent,
};
use serde::de::DeserializeOwned;

pub use config::{Config, ConfigError, DEFAULT_BODY_LIMIT};
pub use event::{CloudShape, decode};
pub use fc_core::adapter::request_id;
pub use server::{ServeError, serve, serve_on, shutdown_signal};

/// An event the local platform can deliver: HTTP requests through the dev server, everything
/// else as JSON from a file or stdin (in the form fc's types serialize to).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be delivered by fc's local platform",
    label = "the local platform cannot make this event",
    note = "a handler takes `fc::http::Request`, `fc::ObjectEvent`, `fc::TableEvent`, `fc::ScheduleEvent`, `fc::MessageEvent`, `fc::CloudEvent<T>`, or `fc::JsonEvent<T>` with `T: serde::de::DeserializeOwned`"
)]
pub trait LocalEvent: Event {
    /// Runs a function of this event as the local platform does; an event read from a file
    /// or stdin may also be in one of `shapes`.
    fn run_local(
        function: Function<Self>,
        config: Config,
        shapes: Vec<CloudShape<Self>>,
    ) -> impl Future<Output = ExitCode> + Send;
}

impl LocalEvent for Request {
    async fn run_local(
        function: Function<Self>,
        config: Config,
        _: Vec<CloudShape<Self>>,
    ) -> ExitCode {
        match server::serve(function, config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        }
    }
}

macro_rules! json_events {
    ($($event:ty),*) => {$(
        impl LocalEvent for $event {
            async fn run_local(function: Function<Self>, config: Config, shapes: Vec<CloudShape<Self>>) -> ExitCode {
                event::run(function, config, &shapes).await
            }
        }
    )*};
}

json_events!(ObjectEvent, TableEvent, ScheduleEvent, MessageEvent);

impl<T: DeserializeOwned + Send + 'static> LocalEvent for CloudEvent<T> {
    async fn run_local(
        function: Function<Self>,
        config: Config,
        shapes: Vec<CloudShape<Self>>,
    ) -> ExitCode {
        event::run(function, config, &shapes).await
    }
}

impl<T: DeserializeOwned + Send + 'static> LocalEvent for JsonEvent<T> {
    // A cloud sends these as they are: its shape is fc's.
    fn run_local(
        function: Function<Self>,
        config: Config,
        _: Vec<CloudShape<Self>>,
    ) -> impl Future<Output = ExitCode> + Send {
        event::run(function, config, &[])
    }
}

/// Runs `function` on the local platform with settings from the environment.
pub async fn run<E: LocalEvent>(function: Function<E>) -> ExitCode {
    run_with(function, Vec::new()).await
}

/// Like [`run`], reading an event also in the clouds' own `shapes` (the facade passes the
/// adapters' decoders), so that a sample of `fc-local event` can be piped in as it is.
pub async fn run_with<E: LocalEvent>(
    function: Function<E>,
    shapes: Vec<CloudShape<E>>,
) -> ExitCode {
    match Config::from_env() {
        Ok(config) => E::run_local(function, config, shapes).await,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}
