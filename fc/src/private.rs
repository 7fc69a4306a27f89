//! What `#[fc::handler]` expands to calls into. Not a public API.

use std::future::Future;
use std::process::ExitCode;

use fc_core::Function;
use fc_core::http::Request;
use fc_core::{
    BoxFuture, CloudEvent, Context, Error, Event, JsonEvent, MessageEvent, ObjectEvent, Reply,
    ScheduleEvent, TableEvent,
};

use crate::detect::detect;
use fc_core::Platform;

// What `#[handler]` expands to, for
//
//     #[fc::handler(init = setup)]
//     async fn hello(req: Request, ctx: Context, db: &Db) -> R { ... }
//
// is, every path spanned on the user's token it is about:
//
//     fn main() -> ExitCode {
//         fc::__private::start::<Request, _, _, _, _>(
//             move |event: Request, ctx: fc::Context, state: &'static Db| async move {
//                 fc::__private::reply::<fc::__private::Checked<Request>, R, _>(
//                     hello(event, fc::__private::context::<Context>(ctx), state).await,
//                 )
//             },
//             fc::__private::init::<Db, _, _, _>(setup),
//             None, // or Some(fc::__private::shutdown::<Db, _, _>(close))
//             None, // or Some(fc::__private::logging(setup_tracing))
//         )
//     }
//
// Each helper checks one part of the signature and gives back a type that does not depend on
// whether the check passed, so a mistake is reported once, on its token, and not again by
// every later use: `context` returns the type asked for, `reply` the platform's outcome,
// `init` and `shutdown` boxed closures of the state type. An event type fc cannot deliver is
// reported on the event's token by `start` and by `Checked`, which the compiler folds into
// one error; `Checked<E>` then leaves the type open, so `reply` does not add "`R` cannot be
// returned by a handler of `String`".

/// An event every enabled platform can deliver.
///
/// Implemented for each of fc's events rather than for every `E` that meets the bounds, so
/// that a type that is no event at all is one error ("not an event") and not one per platform.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an event fc can deliver",
    label = "not an event",
    note = "a handler takes `fc::http::Request`, `fc::ObjectEvent`, `fc::TableEvent`, `fc::ScheduleEvent`, `fc::MessageEvent`, `fc::CloudEvent<T>`, or `fc::JsonEvent<T>` for any other JSON event"
)]
pub trait Deliverable:
    Event
    + LocalDelivery
    + AwsDelivery
    + AliyunDelivery
    + KnativeDelivery
    + OpenWhiskDelivery
    + TencentDelivery
    + AzureDelivery
{
    /// `Self`.
    type Checked;
}

macro_rules! deliverable {
    ($($event:ty),*) => {$(
        impl Deliverable for $event {
            type Checked = Self;
        }
    )*};
}

deliverable!(
    Request,
    ObjectEvent,
    TableEvent,
    ScheduleEvent,
    MessageEvent
);

impl<T> Deliverable for CloudEvent<T>
where
    CloudEvent<T>: Event
        + LocalDelivery
        + AwsDelivery
        + AliyunDelivery
        + KnativeDelivery
        + OpenWhiskDelivery
        + TencentDelivery
        + AzureDelivery,
{
    type Checked = Self;
}

impl<T> Deliverable for JsonEvent<T>
where
    JsonEvent<T>: Event
        + LocalDelivery
        + AwsDelivery
        + AliyunDelivery
        + KnativeDelivery
        + OpenWhiskDelivery
        + TencentDelivery
        + AzureDelivery,
{
    type Checked = Self;
}

/// `E` when fc can deliver it; otherwise the compiler reports `E` once and leaves this type
/// open, so what depends on the event adds no errors of its own.
pub type Checked<E> = <E as Deliverable>::Checked;

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

#[cfg(feature = "azure")]
#[doc(hidden)]
pub trait AzureDelivery: fc_azure::FromAzure {}
#[cfg(feature = "azure")]
impl<E: fc_azure::FromAzure> AzureDelivery for E {}

#[cfg(not(feature = "azure"))]
#[doc(hidden)]
pub trait AzureDelivery {}
#[cfg(not(feature = "azure"))]
impl<E> AzureDelivery for E {}

#[cfg(feature = "tencent")]
#[doc(hidden)]
pub trait TencentDelivery: fc_tencent::FromScf {}
#[cfg(feature = "tencent")]
impl<E: fc_tencent::FromScf> TencentDelivery for E {}

#[cfg(not(feature = "tencent"))]
#[doc(hidden)]
pub trait TencentDelivery {}
#[cfg(not(feature = "tencent"))]
impl<E> TencentDelivery for E {}

#[cfg(feature = "openwhisk")]
#[doc(hidden)]
pub trait OpenWhiskDelivery: fc_openwhisk::FromOpenWhisk {}
#[cfg(feature = "openwhisk")]
impl<E: fc_openwhisk::FromOpenWhisk> OpenWhiskDelivery for E {}

#[cfg(not(feature = "openwhisk"))]
#[doc(hidden)]
pub trait OpenWhiskDelivery {}
#[cfg(not(feature = "openwhisk"))]
impl<E> OpenWhiskDelivery for E {}

#[cfg(feature = "knative")]
#[doc(hidden)]
pub trait KnativeDelivery: fc_knative::FromKnative {}
#[cfg(feature = "knative")]
impl<E: fc_knative::FromKnative> KnativeDelivery for E {}

#[cfg(not(feature = "knative"))]
#[doc(hidden)]
pub trait KnativeDelivery {}
#[cfg(not(feature = "knative"))]
impl<E> KnativeDelivery for E {}

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

/// What a handler of `E` returned, as the platform's outcome; the compiler points at the
/// return type when it is not a result for `E`.
pub fn reply<E: Event, R: Reply<E, M>, M>(value: R) -> E::Outcome {
    value.into_outcome()
}

/// Like [`reply`], for a handler that returns `impl Trait`, which cannot be named.
pub fn reply_opaque<E: Event, M>(value: impl Reply<E, M>) -> E::Outcome {
    value.into_outcome()
}

/// The second parameter of a handler must be the context.
#[diagnostic::on_unimplemented(
    message = "the second parameter of a handler must be `fc::Context`, not `{Self}`",
    label = "expected `fc::Context`",
    note = "to receive the state made by `init`, add `#[handler(init = ...)]` and take it as `&State`"
)]
pub trait IsContext {
    /// The context itself.
    fn from_context(ctx: Context) -> Self;
}

impl IsContext for Context {
    fn from_context(ctx: Context) -> Self {
        ctx
    }
}

/// The context, as the handler's second parameter; the compiler points at that parameter when
/// it is not the context.
pub fn context<C: IsContext>(ctx: Context) -> C {
    C::from_context(ctx)
}

/// A handler's `init`, boxed: it runs once per instance.
pub type Init<S> = Box<dyn FnOnce() -> BoxFuture<Result<S, Error>> + Send>;

/// A handler's `shutdown`, boxed.
pub type Shutdown<S> = Box<dyn FnOnce(&'static S) -> BoxFuture<()> + Send>;

/// `init`, checked to make the state `S` the handler takes; the compiler points at `init` when
/// it does not.
pub fn init<S, I, F, E>(init: I) -> Init<S>
where
    I: FnOnce() -> F + Send + 'static,
    F: Future<Output = Result<S, E>> + Send + 'static,
    E: Into<Error>,
{
    Box::new(move || Box::pin(async move { init().await.map_err(Into::into) }))
}

/// The `init` of a handler without one: its state is `()`.
pub fn no_init() -> Init<()> {
    Box::new(|| Box::pin(async { Ok(()) }))
}

/// `shutdown`, checked to take the state `S`; the compiler points at `shutdown` when it does
/// not.
pub fn shutdown<S, D, F>(shutdown: D) -> Shutdown<S>
where
    S: Sync + 'static,
    D: FnOnce(&'static S) -> F + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    Box::new(move |state| Box::pin(shutdown(state)))
}

/// A handler's `logging`: installs the program's own tracing subscriber.
pub type Logging = Box<dyn FnOnce()>;

/// What a `logging` function may return: nothing. A guard it needs kept belongs in a static.
#[diagnostic::on_unimplemented(
    message = "`logging` must be a plain `fn()` that installs a tracing subscriber, not one that returns `{Self}`",
    label = "returns `{Self}`",
    note = "an `async fn` is not run by `logging`: make it a plain `fn`; keep a guard it needs in a static"
)]
pub trait LoggingReturns {}

impl LoggingReturns for () {}

/// `logging`, checked to be a `fn()`; the compiler points at it when it is not.
pub fn logging<L, R>(logging: L) -> Logging
where
    L: FnOnce() -> R + 'static,
    R: LoggingReturns,
{
    Box::new(move || {
        logging();
    })
}

/// What `#[handler]`'s `main` runs: detects the platform, starts the runtime and runs the
/// handler there, with its `init` and `shutdown`, after the program's own `logging`. The exit
/// code says whether it ended well.
///
/// The handler is the generated closure, which returns the outcome `reply` made, so the only
/// bounds here a user's mistake can break are `E: Deliverable`, reported on the event's
/// token, and a future that is not `Send`, reported on the handler's name.
pub fn start<E, S, H, F, M>(
    handler: H,
    init: Init<S>,
    shutdown: Option<Shutdown<S>>,
    logging: Option<Logging>,
) -> ExitCode
where
    E: Deliverable,
    S: Send + Sync + 'static,
    H: Fn(E, Context, &'static S) -> F + Send + Sync + 'static,
    F: Future + Send,
    F::Output: Reply<E, M>,
    M: 'static,
{
    let function = match shutdown {
        Some(shutdown) => Function::with_lifecycle(handler, init, shutdown),
        None => Function::with_init(handler, init),
    };
    run(function, logging)
}

/// Detects the platform, starts the runtime and runs `function` there. The exit code says
/// whether it ended well.
fn run<E: Deliverable>(function: Function<E>, logging: Option<Logging>) -> ExitCode {
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
    if let Some(logging) = logging {
        // Inside the runtime: an exporter may spawn its tasks there. Installed first, the
        // program's subscriber is the one fc finds and keeps.
        let _entered = runtime.enter();
        logging();
    }
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
    let (platform, why) = detect(|name| std::env::var(name).ok()).map_err(Stop::Detection)?;
    init_tracing(platform, |name| std::env::var(name).ok());
    tracing::debug!("running on {} ({why})", platform.description());
    match platform {
        Platform::Aws => run_aws(function, lambda, &why).await,
        Platform::Aliyun => run_aliyun(function, &why).await,
        Platform::Knative | Platform::Gcp => run_knative(function, platform, &why).await,
        Platform::OpenWhisk => run_openwhisk(function, &why).await,
        Platform::Tencent => run_tencent(function, &why).await,
        Platform::Azure => run_azure(function, &why).await,
        // Platform::Local: detection gives no other.
        _ => run_local(function).await,
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
    Err(missing(Platform::Aws, why, "aws"))
}

#[cfg(feature = "aliyun")]
async fn run_aliyun<E: Deliverable>(function: Function<E>, _why: &str) -> Result<(), Stop> {
    fc_aliyun::run(function).await.map_err(Stop::Failed)
}

#[cfg(not(feature = "aliyun"))]
async fn run_aliyun<E: Deliverable>(_: Function<E>, why: &str) -> Result<(), Stop> {
    Err(missing(Platform::Aliyun, why, "aliyun"))
}

#[cfg(feature = "openwhisk")]
async fn run_openwhisk<E: Deliverable>(function: Function<E>, _why: &str) -> Result<(), Stop> {
    fc_openwhisk::run(function).await.map_err(Stop::Failed)
}

#[cfg(not(feature = "openwhisk"))]
async fn run_openwhisk<E: Deliverable>(_: Function<E>, why: &str) -> Result<(), Stop> {
    Err(missing(Platform::OpenWhisk, why, "openwhisk"))
}

#[cfg(feature = "azure")]
async fn run_azure<E: Deliverable>(function: Function<E>, _why: &str) -> Result<(), Stop> {
    fc_azure::run(function).await.map_err(Stop::Failed)
}

#[cfg(not(feature = "azure"))]
async fn run_azure<E: Deliverable>(_: Function<E>, why: &str) -> Result<(), Stop> {
    Err(missing(Platform::Azure, why, "azure"))
}

#[cfg(feature = "tencent")]
async fn run_tencent<E: Deliverable>(function: Function<E>, _why: &str) -> Result<(), Stop> {
    fc_tencent::run(function).await.map_err(Stop::Failed)
}

#[cfg(not(feature = "tencent"))]
async fn run_tencent<E: Deliverable>(_: Function<E>, why: &str) -> Result<(), Stop> {
    Err(missing(Platform::Tencent, why, "tencent"))
}

#[cfg(feature = "knative")]
async fn run_knative<E: Deliverable>(
    function: Function<E>,
    _: Platform,
    _why: &str,
) -> Result<(), Stop> {
    fc_knative::run(function).await.map_err(Stop::Failed)
}

#[cfg(not(feature = "knative"))]
async fn run_knative<E: Deliverable>(
    _: Function<E>,
    platform: Platform,
    why: &str,
) -> Result<(), Stop> {
    Err(missing(platform, why, "knative"))
}

#[cfg(feature = "local")]
async fn run_local<E: Deliverable>(function: Function<E>) -> Result<(), Stop> {
    // An event piped in may be a cloud's own: each adapter built in reads its cloud's.
    #[allow(unused_mut)]
    let mut shapes = Vec::new();
    #[cfg(feature = "aws")]
    shapes.push(fc_local::CloudShape {
        cloud: "AWS Lambda",
        decode: |json: &[u8]| {
            let text = std::str::from_utf8(json)
                .map_err(|err| fc_core::Error::invalid_event(format!("not UTF-8: {err}")))?;
            <E as fc_aws::FromLambda>::from_lambda(text).map(|(event, _)| event)
        },
    });
    #[cfg(feature = "aliyun")]
    shapes.push(fc_local::CloudShape {
        cloud: "Function Compute",
        decode: |json: &[u8]| <E as fc_aliyun::FromFc>::from_invoke(json).map(|(event, _)| event),
    });
    #[cfg(feature = "tencent")]
    shapes.push(fc_local::CloudShape {
        cloud: "Tencent Cloud SCF",
        decode: <E as fc_tencent::FromScf>::from_event,
    });
    // A CloudEvent in the JSON format, as Knative and Google deliver it in structured mode.
    #[cfg(feature = "knative")]
    shapes.push(fc_local::CloudShape {
        cloud: "Knative / Cloud Run",
        decode: fc_knative::from_structured_json::<E>,
    });
    let code = fc_local::run_with(function, shapes).await;
    if code == ExitCode::SUCCESS {
        Ok(())
    } else {
        Err(Stop::Reported(code))
    }
}

#[cfg(not(feature = "local"))]
async fn run_local<E: Deliverable>(_: Function<E>) -> Result<(), Stop> {
    Err(missing(
        Platform::Local,
        "no cloud platform was detected",
        "local",
    ))
}

#[cfg_attr(
    all(
        feature = "aws",
        feature = "aliyun",
        feature = "knative",
        feature = "openwhisk",
        feature = "tencent",
        feature = "azure",
        feature = "local"
    ),
    allow(dead_code)
)]
fn missing(platform: Platform, why: &str, feature: &str) -> Stop {
    Stop::Failed(fc_core::Error::new(
        fc_core::ErrorKind::Internal,
        format!(
            "this function was started on {} ({why}), but it was built without \
             support for it: enable the `{feature}` feature of the `fc` crate",
            platform.description()
        ),
    ))
}

/// How fc logs on `platform`, unless the program installed a subscriber of its own first:
///
/// - on Lambda, to stdout without a timestamp (CloudWatch adds one), as lambda_runtime's own
///   subscriber does; JSON lines with `AWS_LAMBDA_LOG_FORMAT=JSON` (advanced logging
///   controls), the level from `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`;
/// - on FC, to stdout, where FC's invocation markers go, so that a handler's lines come between
///   its invocation's `FC Invoke Start` and `FC Invoke End`;
/// - locally, to stderr, so that an event function's stdout carries its result only.
///
/// `FC_LOG_FORMAT=json` gives JSON lines on every platform; `RUST_LOG` filters (`info` by
/// default; `debug,hyper=info` style directives). lambda_runtime's second report of a handler's
/// error is left out: fc logs each error once, with its detail.
fn init_tracing(platform: Platform, var: impl Fn(&str) -> Option<String>) {
    use tracing_subscriber::prelude::*;

    let subscriber = tracing_subscriber::registry()
        .with(log_layer(platform, &var))
        .with(log_filter(platform, &var));
    // A subscriber the program installed itself wins.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// The formatting layer for `platform`: see [`init_tracing`].
fn log_layer<S>(
    platform: Platform,
    var: impl Fn(&str) -> Option<String>,
) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use std::io::IsTerminal;
    use tracing_subscriber::Layer;

    let says = |name: &str, value: &str| var(name).is_some_and(|v| v.eq_ignore_ascii_case(value));
    let json = says("FC_LOG_FORMAT", "json")
        || (platform == Platform::Aws && says("AWS_LAMBDA_LOG_FORMAT", "json"));
    let layer = tracing_subscriber::fmt::layer();
    match (platform, json) {
        (Platform::Local, false) => layer
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .boxed(),
        (Platform::Local, true) => layer
            .json()
            .flatten_event(true)
            .with_writer(std::io::stderr)
            .boxed(),
        (_, true) => layer
            .json()
            .flatten_event(true)
            .with_writer(std::io::stdout)
            .boxed(),
        (Platform::Aws, false) => layer
            .without_time()
            .with_ansi(false)
            .with_writer(std::io::stdout)
            .boxed(),
        (_, false) => layer.with_ansi(false).with_writer(std::io::stdout).boxed(),
    }
}

/// What is logged on `platform`: see [`init_tracing`].
fn log_filter(
    platform: Platform,
    var: impl Fn(&str) -> Option<String>,
) -> tracing_subscriber::filter::Targets {
    use tracing_subscriber::filter::{LevelFilter, Targets};

    let lambda_level = (platform == Platform::Aws)
        .then(|| var("AWS_LAMBDA_LOG_LEVEL"))
        .flatten()
        // Lambda's FATAL is the most severe level there is: tracing's ERROR.
        .map(|level| match level.to_ascii_lowercase().as_str() {
            "fatal" => "error".to_owned(),
            other => other.to_owned(),
        });
    lambda_level
        .or_else(|| var("RUST_LOG"))
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
        // It logs every error a handler returns, which fc has logged already; the panics it
        // would catch, fc catches first.
        .with_target("lambda_runtime::layers::panic", LevelFilter::OFF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_core::testing::env as vars;
    use tracing::Level;

    #[test]
    fn lambda_log_level_wins_over_rust_log_on_lambda_only() {
        let env = [("AWS_LAMBDA_LOG_LEVEL", "DEBUG"), ("RUST_LOG", "warn")];
        let aws = log_filter(Platform::Aws, vars(&env));
        assert!(aws.would_enable("survey", &Level::DEBUG));
        let fc = log_filter(Platform::Aliyun, vars(&env));
        assert!(!fc.would_enable("survey", &Level::INFO));
        assert!(fc.would_enable("survey", &Level::WARN));
        let fatal = log_filter(Platform::Aws, vars(&[("AWS_LAMBDA_LOG_LEVEL", "FATAL")]));
        assert!(fatal.would_enable("survey", &Level::ERROR));
        assert!(!fatal.would_enable("survey", &Level::WARN));
    }

    #[test]
    fn lambda_runtime_does_not_report_a_handler_error_again() {
        let filter = log_filter(Platform::Aws, vars(&[("RUST_LOG", "trace")]));
        assert!(!filter.would_enable("lambda_runtime::layers::panic", &Level::ERROR));
        assert!(filter.would_enable("lambda_runtime::runtime", &Level::ERROR));
        let default = log_filter(Platform::Local, vars(&[]));
        assert!(default.would_enable("survey", &Level::INFO));
        assert!(!default.would_enable("survey", &Level::DEBUG));
    }
}
