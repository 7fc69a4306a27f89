//! What `#[fc::handler]` expands to calls into. Not a public API.

use std::process::ExitCode;

pub use fc_core::Function;
use fc_core::{Context, Event, Reply};

use crate::detect::{Detected, detect};

/// An event every enabled platform can deliver.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event fc can deliver on every enabled platform",
    label = "not deliverable",
    note = "a handler takes `fc::http::Request`, `fc::ObjectEvent`, `fc::TableEvent`, `fc::ScheduleEvent`, or `fc::Json<T>` with `T: serde::de::DeserializeOwned`"
)]
pub trait Deliverable: Event + LocalDelivery + AwsDelivery + AliyunDelivery {}

impl<E: Event + LocalDelivery + AwsDelivery + AliyunDelivery> Deliverable for E {}

#[cfg(feature = "aliyun")]
#[doc(hidden)]
pub trait AliyunDelivery: fc_aliyun::FromFc {}
#[cfg(feature = "aliyun")]
impl<E: fc_aliyun::FromFc> AliyunDelivery for E {}

#[cfg(not(feature = "aliyun"))]
#[doc(hidden)]
pub trait AliyunDelivery {}
#[cfg(not(feature = "aliyun"))]
impl<E> AliyunDelivery for E {}

#[cfg(feature = "aws")]
#[doc(hidden)]
pub trait AwsDelivery: fc_aws::FromLambda {}
#[cfg(feature = "aws")]
impl<E: fc_aws::FromLambda> AwsDelivery for E {}

#[cfg(not(feature = "aws"))]
#[doc(hidden)]
pub trait AwsDelivery {}
#[cfg(not(feature = "aws"))]
impl<E> AwsDelivery for E {}

#[cfg(feature = "local")]
#[doc(hidden)]
pub trait LocalDelivery: fc_local::LocalEvent {}
#[cfg(feature = "local")]
impl<E: fc_local::LocalEvent> LocalDelivery for E {}

#[cfg(not(feature = "local"))]
#[doc(hidden)]
pub trait LocalDelivery {}
#[cfg(not(feature = "local"))]
impl<E> LocalDelivery for E {}

/// Makes the compiler point at the event parameter when fc cannot deliver that type.
pub fn assert_event<E: Deliverable>() {}

/// Makes the compiler point at the return type when it is not a result for `E`.
pub fn assert_reply<E: Event, R: Reply<E, M>, M>() {}

/// The second parameter of a handler must be the context.
#[diagnostic::on_unimplemented(
    message = "the second parameter of a handler must be `fc::Context`, not `{Self}`",
    label = "expected `fc::Context`",
    note = "to receive the state made by `init`, add `#[handler(init = ...)]` and take it as `&State`"
)]
pub trait IsContext {}

impl IsContext for Context {}

/// Makes the compiler point at a second parameter that is not the context.
pub fn assert_context<T: IsContext>() {}

/// Makes the compiler point at `init` when what it makes is not the state the handler takes.
pub fn assert_init<S, I, F, E>(_init: I)
where
    I: FnOnce() -> F,
    F: std::future::Future<Output = Result<S, E>>,
    E: Into<fc_core::Error>,
{
}

/// Detects the platform, starts the runtime and runs `function` there. The exit code says
/// whether it ended well.
pub fn start<E: Deliverable>(function: Function<E>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(function, Lambda::Buffered)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Stop::Reported(code)) => code,
        Err(Stop::Failed(err)) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
        Err(Stop::Detection(err)) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

/// What [`crate::run`] does inside the caller's runtime: detect, then serve `function` until
/// the platform stops it.
pub async fn serve<E: Deliverable>(
    function: Function<E>,
    lambda: Lambda,
) -> Result<(), fc_core::Error> {
    dispatch(function, lambda).await.map_err(|stop| match stop {
        Stop::Failed(err) => err,
        Stop::Detection(err) => fc_core::Error::new(fc_core::ErrorKind::Internal, err),
        Stop::Reported(_) => fc_core::Error::new(
            fc_core::ErrorKind::Internal,
            "the local platform stopped on the error above",
        ),
    })
}

/// How Lambda gets a function's HTTP responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lambda {
    /// Whole, as one JSON document.
    Buffered,
    /// As a stream (`InvokeMode: RESPONSE_STREAM`).
    Streaming,
}

/// Why a function stopped serving.
enum Stop {
    /// The platform said why already (the local platform prints its own errors).
    #[cfg_attr(not(feature = "local"), allow(dead_code))]
    Reported(ExitCode),
    Failed(fc_core::Error),
    Detection(String),
}

async fn dispatch<E: Deliverable>(function: Function<E>, lambda: Lambda) -> Result<(), Stop> {
    init_tracing();
    let (platform, why) = detect(|name| std::env::var(name).ok()).map_err(Stop::Detection)?;
    tracing::debug!("running on {platform} ({why})");
    match platform {
        Detected::Local => run_local(function).await,
        Detected::Aws => run_aws(function, lambda, &why).await,
        Detected::Aliyun => run_aliyun(function, &why).await,
    }
}

#[cfg(feature = "aws")]
async fn run_aws<E: Deliverable>(
    function: Function<E>,
    lambda: Lambda,
    _why: &str,
) -> Result<(), Stop> {
    let result = match lambda {
        Lambda::Buffered => fc_aws::run(function).await,
        Lambda::Streaming => fc_aws::run_streaming(function).await,
    };
    result.map_err(Stop::Failed)
}

#[cfg(not(feature = "aws"))]
async fn run_aws<E: Deliverable>(_: Function<E>, _: Lambda, why: &str) -> Result<(), Stop> {
    Err(missing(Detected::Aws, why, "aws"))
}

#[cfg(feature = "aliyun")]
async fn run_aliyun<E: Deliverable>(function: Function<E>, _why: &str) -> Result<(), Stop> {
    fc_aliyun::run(function).await.map_err(Stop::Failed)
}

#[cfg(not(feature = "aliyun"))]
async fn run_aliyun<E: Deliverable>(_: Function<E>, why: &str) -> Result<(), Stop> {
    Err(missing(Detected::Aliyun, why, "aliyun"))
}

#[cfg(feature = "local")]
async fn run_local<E: Deliverable>(function: Function<E>) -> Result<(), Stop> {
    let code = fc_local::run(function).await;
    if code == ExitCode::SUCCESS {
        Ok(())
    } else {
        Err(Stop::Reported(code))
    }
}

#[cfg(not(feature = "local"))]
async fn run_local<E: Deliverable>(_: Function<E>) -> Result<(), Stop> {
    Err(missing(
        Detected::Local,
        "no cloud platform was detected",
        "local",
    ))
}

#[cfg_attr(
    all(feature = "aws", feature = "aliyun", feature = "local"),
    allow(dead_code)
)]
fn missing(platform: Detected, why: &str, feature: &str) -> Stop {
    Stop::Failed(fc_core::Error::new(
        fc_core::ErrorKind::Internal,
        format!(
            "this function was started on {platform} ({why}), but it was built without \
             support for it: enable the `{feature}` feature of the `fc` crate"
        ),
    ))
}

/// Logs go to stderr, so an event function's stdout carries its result only. `RUST_LOG`
/// filters them (`info` by default; `debug,hyper=info` style directives).
fn init_tracing() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;

    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    // A subscriber the program installed itself wins.
    let _ = tracing_subscriber::registry()
        .with(fmt)
        .with(filter)
        .try_init();
}
