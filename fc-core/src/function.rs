//! A handler with its one-time initialisation: what a platform adapter runs.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use crate::context::Context;
use crate::error::{Error, ErrorKind};
use crate::event::Event;
use crate::handler::Handler;
use crate::reply::{Outcome, Reply};

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

type Invoke<E> = dyn Fn(E, Context) -> BoxFuture<<E as Event>::Outcome> + Send + Sync;
type Start<E> = Box<dyn FnOnce() -> BoxFuture<Result<Instance<E>, Error>> + Send>;

/// A handler of `E` events and its `init`, not yet started.
///
/// A platform adapter calls [`Function::init`] once per instance (cold start), then
/// [`Instance::invoke`] for every event.
pub struct Function<E: Event> {
    start: Start<E>,
}

impl<E: Event> fmt::Debug for Function<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Function<{}>", E::NAME)
    }
}

impl<E: Event> Function<E> {
    /// A function from a handler that needs no initialisation.
    pub fn new<H, M, R>(handler: H) -> Self
    where
        H: Handler<E, M, ()>,
        H::Output: Reply<E, R>,
        M: 'static,
        R: 'static,
    {
        Function::with_init(handler, || async { Ok::<(), Error>(()) })
    }

    /// A function whose `init` makes state once per instance (a database pool, a mail
    /// client); the handler gets `&S` on every invocation.
    pub fn with_init<H, M, R, S, I, F, IE>(handler: H, init: I) -> Self
    where
        H: Handler<E, M, S>,
        H::Output: Reply<E, R>,
        M: 'static,
        R: 'static,
        S: Send + Sync + 'static,
        I: FnOnce() -> F + Send + 'static,
        F: Future<Output = Result<S, IE>> + Send + 'static,
        IE: Into<Error>,
    {
        Function::build(
            handler,
            init,
            None::<fn(&'static S) -> std::future::Ready<()>>,
        )
    }

    /// Like [`Function::with_init`], with a `shutdown` hook the platform runs once when the
    /// instance stops, after the invocations in flight (close pools, flush mail).
    pub fn with_lifecycle<H, M, R, S, I, F, IE, D, DF>(handler: H, init: I, shutdown: D) -> Self
    where
        H: Handler<E, M, S>,
        H::Output: Reply<E, R>,
        M: 'static,
        R: 'static,
        S: Send + Sync + 'static,
        I: FnOnce() -> F + Send + 'static,
        F: Future<Output = Result<S, IE>> + Send + 'static,
        IE: Into<Error>,
        D: FnOnce(&'static S) -> DF + Send + 'static,
        DF: Future<Output = ()> + Send + 'static,
    {
        Function::build(handler, init, Some(shutdown))
    }

    fn build<H, M, R, S, I, F, IE, D, DF>(handler: H, init: I, shutdown: Option<D>) -> Self
    where
        H: Handler<E, M, S>,
        H::Output: Reply<E, R>,
        M: 'static,
        R: 'static,
        S: Send + Sync + 'static,
        I: FnOnce() -> F + Send + 'static,
        F: Future<Output = Result<S, IE>> + Send + 'static,
        IE: Into<Error>,
        D: FnOnce(&'static S) -> DF + Send + 'static,
        DF: Future<Output = ()> + Send + 'static,
    {
        Function {
            start: Box::new(move || {
                Box::pin(async move {
                    let state = match CatchUnwind(Box::pin(init())).await {
                        Ok(Ok(state)) => state,
                        Ok(Err(err)) => return Err(err.into().with_kind(ErrorKind::Init)),
                        Err(panic) => {
                            let message = format!("init panicked: {}", panic_message(&*panic));
                            return Err(Error::new(ErrorKind::Init, message));
                        }
                    };
                    // The state lives as long as the instance, which is the process.
                    let state: &'static S = Box::leak(Box::new(state));
                    let mut instance = Instance::from_handler(handler, state);
                    if let Some(shutdown) = shutdown {
                        let hook: Hook = Box::new(move || Box::pin(shutdown(state)));
                        instance.shutdown = Arc::new(std::sync::Mutex::new(Some(hook)));
                    }
                    Ok(instance)
                })
            }),
        }
    }

    /// Runs `init`; the instance it gives serves every invocation after.
    pub async fn init(self) -> Result<Instance<E>, Error> {
        (self.start)().await
    }
}

/// A started function: call [`Instance::invoke`] once per event, from as many tasks as you
/// like (it is cheap to clone).
pub struct Instance<E: Event> {
    invoke: Arc<Invoke<E>>,
    shutdown: Arc<std::sync::Mutex<Option<Hook>>>,
}

type Hook = Box<dyn FnOnce() -> BoxFuture<()> + Send>;

impl<E: Event> Clone for Instance<E> {
    fn clone(&self) -> Self {
        Instance {
            invoke: Arc::clone(&self.invoke),
            shutdown: Arc::clone(&self.shutdown),
        }
    }
}

impl<E: Event> fmt::Debug for Instance<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Instance<{}>", E::NAME)
    }
}

impl<E: Event> Instance<E> {
    pub(crate) fn from_handler<H, M, R, S>(handler: H, state: &'static S) -> Self
    where
        H: Handler<E, M, S>,
        H::Output: Reply<E, R>,
        M: 'static,
        R: 'static,
        S: Sync + 'static,
    {
        // Like the state, the handler lives as long as the instance, which is the process: no
        // reference count to touch per invocation.
        let handler: &'static H = Box::leak(Box::new(handler));
        Instance {
            invoke: Arc::new(move |event, ctx| {
                Box::pin(IntoOutcome {
                    call: handler.call(event, ctx, state),
                    kinds: PhantomData,
                })
            }),
            shutdown: Arc::new(std::sync::Mutex::new(None)),
        }
    }

    /// Whether the function has a shutdown hook that has not run yet.
    pub fn has_shutdown_hook(&self) -> bool {
        self.shutdown.lock().is_ok_and(|hook| hook.is_some())
    }

    /// Runs the shutdown hook, once; later calls do nothing. A hook that panics is logged, and
    /// the stop goes on. Platforms bound it with their own clock.
    pub async fn shutdown(&self) {
        let hook = self
            .shutdown
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let Some(hook) = hook else { return };
        match CatchUnwind(hook()).await {
            Ok(()) => tracing::info!("shutdown hook finished"),
            Err(panic) => tracing::error!("shutdown hook panicked: {}", panic_message(&*panic)),
        }
    }

    /// Runs the handler for one event.
    ///
    /// A panic fails this invocation only: it becomes an [`ErrorKind::Panic`] error (a 500 for
    /// HTTP). A handler's error is logged with its detail; an HTTP client sees only the request
    /// id.
    pub async fn invoke(&self, event: E, ctx: Context) -> E::Outcome {
        self.invocation(event, ctx).await
    }

    /// Runs the handler for one event as a platform does: where it is awaited, with no task or
    /// thread of its own; but if what awaits it goes away first (a client hung up), the
    /// invocation still runs to its end in a task of its own. [`Invocation::cancel`] is the
    /// only way to stop it, for a deadline.
    ///
    /// It runs in a `tracing` span, `invocation{requestId=…}`, so that every line the handler
    /// logs names its invocation.
    pub fn invocation(&self, event: E, ctx: Context) -> Invocation<E::Outcome> {
        let span = tracing::info_span!("invocation", requestId = %ctx.request_id);
        self.invocation_in(event, ctx, span)
    }

    /// Like [`Instance::invocation`], in `span`: for a platform whose runtime already runs
    /// each invocation in a span of its own (lambda_runtime does), `Span::none()`.
    ///
    /// With the `opentelemetry` feature, `span` continues the incoming trace (see the crate's
    /// documentation); it must not have been entered yet.
    pub fn invocation_in(
        &self,
        event: E,
        ctx: Context,
        span: tracing::Span,
    ) -> Invocation<E::Outcome> {
        #[cfg(feature = "opentelemetry")]
        crate::trace::adopt(&span, &ctx, event.trace_headers());
        let request_id = RequestId::new(&ctx.request_id);
        let running = {
            // The handler's call runs up to its first await here, in the span too.
            let _entered = span.enter();
            CatchUnwind((self.invoke)(event, ctx))
        };
        Invocation {
            running: Some(running),
            request_id,
            span,
        }
    }
}

/// One invocation under way: see [`Instance::invocation`].
#[must_use = "an invocation does nothing until it is awaited"]
pub struct Invocation<T: Outcome> {
    running: Option<CatchUnwind<BoxFuture<T>>>,
    request_id: RequestId,
    span: tracing::Span,
}

/// An invocation's own copy of its request id, which it needs only to report a failure: kept
/// in place when it is as short as the clouds' (a UUID is 36 bytes), so that the copy costs no
/// allocation on every invocation.
enum RequestId {
    Inline {
        len: u8,
        bytes: [u8; RequestId::INLINE],
    },
    Heap(String),
}

impl RequestId {
    const INLINE: usize = 48;

    fn new(id: &str) -> RequestId {
        let mut bytes = [0; RequestId::INLINE];
        match (bytes.get_mut(..id.len()), u8::try_from(id.len())) {
            (Some(room), Ok(len)) => {
                room.copy_from_slice(id.as_bytes());
                RequestId::Inline { len, bytes }
            }
            _ => RequestId::Heap(id.to_owned()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            RequestId::Inline { len, bytes } => {
                // Copied whole from a `&str`, so always UTF-8.
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            RequestId::Heap(id) => id,
        }
    }
}

impl<T: Outcome> Invocation<T> {
    /// The request id of the invocation.
    pub fn request_id(&self) -> &str {
        self.request_id.as_str()
    }

    /// Stops the invocation where it is: its deadline passed.
    pub fn cancel(mut self) {
        self.running = None;
    }
}

impl<T: Outcome> fmt::Debug for Invocation<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.running.is_some() {
            "Invocation(running)"
        } else {
            "Invocation(done)"
        })
    }
}

/// What an invocation comes to once its handler returned or panicked.
fn ended<T: Outcome>(result: Result<T, Box<dyn Any + Send>>, request_id: &str) -> T {
    match result {
        Ok(outcome) => outcome.finish(request_id),
        Err(panic) => {
            let message = format!("handler panicked: {}", panic_message(&*panic));
            T::from_failure(Error::new(ErrorKind::Panic, message), request_id)
        }
    }
}

impl<T: Outcome> Future for Invocation<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<T> {
        let this = &mut *self;
        let _entered = this.span.enter();
        let Some(running) = this.running.as_mut() else {
            panic!("an invocation polled after it ended");
        };
        let result = std::task::ready!(Pin::new(running).poll(cx));
        this.running = None;
        Poll::Ready(ended(result, this.request_id.as_str()))
    }
}

impl<T: Outcome> Drop for Invocation<T> {
    fn drop(&mut self) {
        if let Some(running) = self.running.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let request_id = self.request_id.as_str().to_owned();
            // The failure is still logged; nobody is left to answer.
            let span = std::mem::replace(&mut self.span, tracing::Span::none());
            runtime.spawn(tracing::Instrument::instrument(
                async move {
                    ended(running.await, &request_id);
                },
                span,
            ));
        }
    }
}

pin_project_lite::pin_project! {
    /// A handler's call, its return value made the invocation's outcome. Not an `async` block,
    /// which would hold the call twice (captured, and being awaited).
    struct IntoOutcome<F, E, R> {
        #[pin]
        call: F,
        kinds: PhantomData<fn() -> (E, R)>,
    }
}

impl<F, E, R> Future for IntoOutcome<F, E, R>
where
    F: Future,
    F::Output: Reply<E, R>,
    E: Event,
{
    type Output = E::Outcome;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<E::Outcome> {
        self.project().call.poll(cx).map(Reply::into_outcome)
    }
}

/// Polls a future, turning a panic inside it into an `Err`.
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "(a panic without a message)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{JsonEvent, ObjectEvent};
    use crate::http::{Request, StatusCode};
    use crate::testing;

    struct Db {
        greeting: String,
    }

    async fn setup() -> Result<Db, std::io::Error> {
        Ok(Db {
            greeting: "hi".into(),
        })
    }

    async fn greet(req: Request, ctx: Context, db: &Db) -> String {
        format!("{} {} {}", db.greeting, req.uri().path(), ctx.request_id)
    }

    async fn count(event: ObjectEvent, db: &Db) -> Result<String, Error> {
        Ok(format!("{} {}", db.greeting, event.records.len()))
    }

    async fn explode(_req: Request) -> &'static str {
        panic!("the handler broke")
    }

    #[tokio::test]
    async fn init_runs_once_and_every_invocation_gets_the_state() {
        let instance = Function::with_init(greet, setup)
            .init()
            .await
            .expect("init");
        let mut ctx = testing::context();
        ctx.request_id = "r1".into();
        let response = instance.invoke(testing::get("/a"), ctx).await;
        assert_eq!(response.body().as_str(), Some("hi /a r1"));

        let instance = Function::with_init(count, setup)
            .init()
            .await
            .expect("init");
        let out = instance
            .invoke(testing::object_created("b", "k"), testing::context())
            .await;
        assert_eq!(out.map(|p| p.to_string()).ok().as_deref(), Some("\"hi 1\""));
    }

    #[tokio::test]
    async fn init_failures_are_init_errors() {
        async fn broken() -> Result<Db, std::io::Error> {
            Err(std::io::Error::other("database unreachable"))
        }
        let err = Function::with_init(greet, broken)
            .init()
            .await
            .expect_err("fails");
        assert_eq!(
            (err.kind(), err.message()),
            (ErrorKind::Init, "database unreachable")
        );
    }

    async fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
        std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx))).await
    }

    #[tokio::test]
    async fn an_invocation_whose_caller_goes_away_still_ends() {
        static ENDED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        async fn slow(_req: Request) -> &'static str {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            ENDED.store(true, std::sync::atomic::Ordering::SeqCst);
            "done"
        }
        let instance = Function::new(slow).init().await.expect("init");
        let mut invocation = instance.invocation(testing::get("/"), testing::context());
        // The caller polls once, then hangs up.
        assert!(
            poll_once(&mut invocation).await.is_pending(),
            "still running"
        );
        drop(invocation);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(ENDED.load(std::sync::atomic::Ordering::SeqCst));

        let done = instance
            .invocation(testing::get("/"), testing::context())
            .await;
        assert_eq!(done.body().as_str(), Some("done"));

        ENDED.store(false, std::sync::atomic::Ordering::SeqCst);
        let mut cancelled = instance.invocation(testing::get("/"), testing::context());
        assert!(poll_once(&mut cancelled).await.is_pending());
        cancelled.cancel();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(
            !ENDED.load(std::sync::atomic::Ordering::SeqCst),
            "cancelled"
        );
    }

    #[tokio::test]
    async fn a_panic_fails_only_its_invocation() {
        let instance = Function::new(explode).init().await.expect("init");
        let mut ctx = testing::context();
        ctx.request_id = "r-panic".into();
        let response = instance.invoke(testing::get("/"), ctx).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            response
                .body()
                .as_str()
                .is_some_and(|b| b.contains("r-panic"))
        );

        async fn event_panic(_e: JsonEvent<u32>) -> u32 {
            panic!("no")
        }
        let instance = Function::new(event_panic).init().await.expect("init");
        let err = instance
            .invoke(JsonEvent(1), testing::context())
            .await
            .expect_err("fails");
        assert_eq!(err.kind(), ErrorKind::Panic);
        assert_eq!(err.message(), "handler panicked: no");
        // The instance still serves.
        let again = instance.invoke(JsonEvent(2), testing::context()).await;
        assert!(again.is_err());
    }

    #[tokio::test]
    async fn the_shutdown_hook_gets_the_state_and_runs_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static CLOSED: AtomicUsize = AtomicUsize::new(0);
        async fn close(db: &'static Db) {
            assert_eq!(db.greeting, "hi");
            CLOSED.fetch_add(1, Ordering::SeqCst);
        }
        let instance = Function::with_lifecycle(greet, setup, close)
            .init()
            .await
            .expect("init");
        assert!(instance.has_shutdown_hook());
        instance.shutdown().await;
        instance.clone().shutdown().await;
        assert_eq!(CLOSED.load(Ordering::SeqCst), 1);
        assert!(!instance.has_shutdown_hook());
        let plain = Function::with_init(greet, setup)
            .init()
            .await
            .expect("init");
        assert!(!plain.has_shutdown_hook());
    }

    #[tokio::test]
    async fn closures_are_handlers() {
        let instance = Function::new(|JsonEvent(n): JsonEvent<u32>| async move { n * 2 })
            .init()
            .await
            .expect("init");
        let out = instance.invoke(JsonEvent(21), testing::context()).await;
        assert_eq!(out.map(|p| p.to_string()).ok().as_deref(), Some("42"));
    }
}
