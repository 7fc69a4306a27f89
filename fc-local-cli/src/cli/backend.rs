//! The function's instances on the chosen platform: a pool of Lambda sandboxes (one invocation
//! each, scaled out to the concurrency), or one FC instance taking concurrent requests.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use tokio::sync::{RwLock, Semaphore};

use crate::aliyun::{FcEmulator, FcFunction};
use crate::azure::{AzureEmulator, AzureFunction};
use crate::emulator::{EmulatorError, FunctionError, Output};
use crate::knative::{KnativeEmulator, KnativeFunction};
use crate::lambda::{Invoke, LambdaEmulator, LambdaFunction};
use crate::openwhisk::{OpenWhiskEmulator, OpenWhiskFunction};
use crate::tencent::{ScfEmulator, ScfFunction};
use fc_core::Platform;
use fc_core::http::Body;

/// How the function is run.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) platform: Platform,
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) timeout: Duration,
    pub(crate) memory_mb: u32,
    pub(crate) concurrency: usize,
    /// AWS: how many invocations each instance takes at once (Lambda Managed Instances).
    pub(crate) per_instance: u32,
    pub(crate) output: Output,
    pub(crate) name: String,
    pub(crate) start_timeout: Duration,
    /// OpenWhisk: a native action, run once per activation.
    pub(crate) native: bool,
    /// SCF: a web function (an HTTP server on its port) rather than an event function.
    pub(crate) web_function: bool,
}

/// One invocation, whatever the platform.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) request_id: String,
    pub(crate) result: Result<Bytes, FunctionError>,
    pub(crate) duration: Duration,
    /// A cold start's init, where the platform reports it (Lambda).
    pub(crate) init_duration: Option<Duration>,
    pub(crate) peak_memory_kib: Option<u64>,
}

/// The running function.
#[derive(Debug)]
pub(crate) enum Backend {
    Aws(AwsPool),
    Aliyun(Box<FcPool>),
    Knative(Box<KnativePool>),
    OpenWhisk(Box<OpenWhiskPool>),
    Tencent(Box<TencentPool>),
    Azure(Box<AzurePool>),
}

impl Backend {
    pub(crate) async fn start(settings: &Settings) -> Result<Backend, EmulatorError> {
        Ok(match settings.platform {
            Platform::Aws => Backend::Aws(AwsPool::start(settings).await?),
            Platform::Knative | Platform::Gcp => {
                Backend::Knative(Box::new(KnativePool::start(settings).await?))
            }
            Platform::OpenWhisk => {
                Backend::OpenWhisk(Box::new(OpenWhiskPool::start(settings).await?))
            }
            // An SCF web function is an HTTP server, started as Knative starts a container.
            Platform::Tencent if settings.web_function => {
                Backend::Knative(Box::new(KnativePool::start(settings).await?))
            }
            Platform::Tencent => Backend::Tencent(Box::new(TencentPool::start(settings).await?)),
            Platform::Azure => Backend::Azure(Box::new(AzurePool::start(settings).await?)),
            _ => Backend::Aliyun(Box::new(FcPool::start(settings).await?)),
        })
    }

    /// One event invocation.
    pub(crate) async fn invoke(&self, payload: Bytes) -> Result<Outcome, EmulatorError> {
        match self {
            Backend::Aws(pool) => pool.invoke(payload).await,
            Backend::Aliyun(pool) => pool.invoke(payload).await,
            Backend::Knative(pool) => pool.invoke(payload).await,
            Backend::OpenWhisk(pool) => pool.invoke(payload).await,
            Backend::Tencent(pool) => pool.invoke(payload).await,
            Backend::Azure(pool) => pool.invoke(payload).await,
        }
    }

    /// Passes an HTTP request through, as FC's HTTP trigger and Knative's ingress do, or makes
    /// it a web action's activation; Lambda's triggers send events instead. The outcome is
    /// `None` when the platform answered without running the function.
    pub(crate) async fn http(
        &self,
        request: Request<Bytes>,
    ) -> Result<(Option<Outcome>, Response<Body>), EmulatorError> {
        match self {
            Backend::Aliyun(pool) => pool
                .http(request)
                .await
                .map(|(outcome, response)| (Some(outcome), response.map(Body::new))),
            Backend::Knative(pool) => pool
                .http(request)
                .await
                .map(|(outcome, response)| (Some(outcome), response.map(Body::new))),
            Backend::Azure(pool) => pool
                .http(request)
                .await
                .map(|(outcome, response)| (Some(outcome), response.map(Body::new))),
            Backend::OpenWhisk(pool) => pool.http(request).await,
            Backend::Aws(_) | Backend::Tencent(_) => Err(EmulatorError::Unreachable(
                "this platform's triggers send events, not HTTP requests".into(),
            )),
        }
    }

    /// Stops every instance as its platform would (SIGTERM on Lambda, `/pre-stop` on FC), so
    /// the functions' shutdown hooks run.
    pub(crate) async fn stop(&self) {
        match self {
            Backend::Aws(pool) => {
                for instance in &pool.instances {
                    instance.shutdown().await;
                }
            }
            Backend::Aliyun(pool) => pool.stop().await,
            Backend::Knative(pool) => pool.stop().await,
            Backend::OpenWhisk(pool) => pool.stop().await,
            Backend::Tencent(pool) => pool.stop().await,
            Backend::Azure(pool) => pool.stop().await,
        }
    }

    /// Replaces every instance, so the next invocations run the executable as it is now.
    pub(crate) async fn restart(&self) -> Result<(), EmulatorError> {
        match self {
            Backend::Aws(pool) => {
                pool.recycle().await;
                Ok(())
            }
            Backend::Aliyun(pool) => pool.restart().await,
            Backend::Knative(pool) => pool.restart().await,
            Backend::OpenWhisk(pool) => pool.restart().await,
            Backend::Tencent(pool) => pool.restart().await,
            Backend::Azure(pool) => pool.restart().await,
        }
    }
}

#[derive(Debug)]
pub(crate) struct AwsPool {
    instances: Vec<LambdaEmulator>,
    idle: Arc<Mutex<Vec<usize>>>,
    permits: Arc<Semaphore>,
}

impl AwsPool {
    async fn start(settings: &Settings) -> Result<AwsPool, EmulatorError> {
        let mut function = LambdaFunction::new(&settings.program)
            .timeout(settings.timeout)
            .concurrency(settings.per_instance)
            .output(settings.output.clone());
        function.args.clone_from(&settings.args);
        function.env.clone_from(&settings.env);
        function.memory_mb = settings.memory_mb;
        function.function_name.clone_from(&settings.name);
        let mut instances = Vec::with_capacity(settings.concurrency);
        for _ in 0..settings.concurrency.max(1) {
            instances.push(LambdaEmulator::start(function.clone()).await?);
        }
        // A slot per invocation an instance takes at once, reversed so that the first instance
        // is reused first, as Lambda reuses warm sandboxes.
        let per_instance = settings.per_instance.max(1) as usize;
        let idle: Vec<usize> = (0..instances.len())
            .rev()
            .flat_map(|index| std::iter::repeat_n(index, per_instance))
            .collect();
        Ok(AwsPool {
            permits: Arc::new(Semaphore::new(idle.len())),
            instances,
            idle: Arc::new(Mutex::new(idle)),
        })
    }

    /// Waits for an idle instance and takes it: its index, and the permit that counts it busy.
    async fn checkout(&self) -> Result<(usize, tokio::sync::OwnedSemaphorePermit), EmulatorError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| EmulatorError::Unreachable("the pool is closed".into()))?;
        let index = lock(&self.idle).pop().ok_or_else(|| {
            EmulatorError::Unreachable("no idle instance although one was free".into())
        })?;
        Ok((index, permit))
    }

    /// The function's settings (every instance has the same).
    pub(crate) fn function(&self) -> &LambdaFunction {
        // `start` makes at least one instance.
        self.instances[0].function()
    }

    pub(crate) async fn invoke(&self, payload: Bytes) -> Result<Outcome, EmulatorError> {
        self.invoke_with(payload, Invoke::default()).await
    }

    /// One invocation as `how` says: under a request id chosen beforehand (an asynchronous
    /// invocation's, which the Invoke API answers before the function runs), for a tenant.
    pub(crate) async fn invoke_with(
        &self,
        payload: Bytes,
        how: Invoke,
    ) -> Result<Outcome, EmulatorError> {
        let (index, _permit) = self.checkout().await?;
        let result = self.instances[index].invoke_with(payload, how).await;
        lock(&self.idle).push(index);
        let invocation = result?;
        Ok(Outcome {
            request_id: invocation.request_id,
            result: invocation.result,
            duration: invocation.duration,
            init_duration: invocation.init_duration,
            peak_memory_kib: invocation.peak_memory_kib,
        })
    }

    /// One invocation whose answer streams (`InvokeMode: RESPONSE_STREAM`): returned as soon
    /// as the function starts it. The instance stays busy until the stream ends, as a Lambda
    /// sandbox does.
    pub(crate) async fn invoke_streaming(
        &self,
        payload: Bytes,
        how: Invoke,
    ) -> Result<(Outcome, Result<fc_core::http::Body, FunctionError>), EmulatorError> {
        let (index, permit) = self.checkout().await?;
        let (busy, ended) = tokio::sync::oneshot::channel::<()>();
        let idle = Arc::clone(&self.idle);
        tokio::spawn(async move {
            // Sent never: the sender is dropped with the stream (or at once on an error).
            let _ = ended.await;
            lock(&idle).push(index);
            drop(permit);
        });
        let invocation = self.instances[index].invoke_streaming(payload, how).await?;
        let outcome = Outcome {
            request_id: invocation.request_id,
            result: Ok(Bytes::new()),
            duration: invocation.duration,
            init_duration: invocation.init_duration,
            peak_memory_kib: invocation.peak_memory_kib,
        };
        // The stream holds `busy`, so the instance is free again once it is read or dropped.
        let result = invocation.result.map(|body| {
            fc_core::http::Body::from_stream(futures_util::StreamExt::map(
                body.into_data_stream(),
                move |chunk| {
                    let _busy = &busy;
                    chunk
                },
            ))
        });
        Ok((outcome, result))
    }

    async fn recycle(&self) {
        for instance in &self.instances {
            instance.recycle().await;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A server fc-local starts, calls and replaces when it stops answering: an FC instance, a
/// Knative container. One serves requests concurrently, up to the pool's permits.
pub(crate) trait Server: Send + Sync + Sized + 'static {
    /// How it is started.
    type Function: Clone + Send + Sync + std::fmt::Debug;

    /// Starts one and waits until it serves.
    fn launch(function: Self::Function)
    -> impl Future<Output = Result<Self, EmulatorError>> + Send;

    /// Whether it takes the next request.
    fn usable(&self) -> impl Future<Output = bool> + Send;

    /// Why it is being replaced, for the console.
    fn why_replaced(&self) -> &'static str {
        "the instance exited; starting a new one"
    }

    /// Says what its start reported.
    fn report_start(&self) {}

    /// Stops it as its platform does.
    fn halt(&self) -> impl Future<Output = ()> + Send;

    /// Waits up to `limit` for a failing process to finish exiting.
    fn exited_within(&self, limit: Duration) -> impl Future<Output = ()> + Send;
}

/// One live server of a function, replaced when it stops answering.
#[derive(Debug)]
pub(crate) struct ServerPool<S: Server> {
    function: S::Function,
    current: RwLock<Arc<S>>,
    replacing: tokio::sync::Mutex<()>,
    permits: Semaphore,
}

pub(crate) type FcPool = ServerPool<FcEmulator>;
pub(crate) type KnativePool = ServerPool<KnativeEmulator>;
pub(crate) type OpenWhiskPool = ServerPool<OpenWhiskEmulator>;
pub(crate) type TencentPool = ServerPool<ScfEmulator>;
pub(crate) type AzurePool = ServerPool<AzureEmulator>;

impl<S: Server + std::fmt::Debug> ServerPool<S> {
    async fn launch(function: S::Function, concurrency: usize) -> Result<Self, EmulatorError> {
        let server = S::launch(function.clone()).await?;
        server.report_start();
        Ok(ServerPool {
            function,
            current: RwLock::new(Arc::new(server)),
            replacing: tokio::sync::Mutex::new(()),
            permits: Semaphore::new(concurrency.max(1)),
        })
    }

    /// A permit for one request and the live server; one that stopped answering (a crash, a
    /// timeout) is replaced first.
    async fn live(&self) -> Result<(tokio::sync::SemaphorePermit<'_>, Arc<S>), EmulatorError> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| EmulatorError::Unreachable("the pool is closed".into()))?;
        let current = Arc::clone(&*self.current.read().await);
        if current.usable().await {
            return Ok((permit, current));
        }
        let _replacing = self.replacing.lock().await;
        let current = Arc::clone(&*self.current.read().await);
        if current.usable().await {
            return Ok((permit, current));
        }
        eprintln!("fc-local: {}", current.why_replaced());
        let fresh = Arc::new(S::launch(self.function.clone()).await?);
        fresh.report_start();
        let old = std::mem::replace(&mut *self.current.write().await, Arc::clone(&fresh));
        tokio::spawn(async move { old.halt().await });
        Ok((permit, fresh))
    }

    /// When a request failed because the server stopped answering, gives a dying process a
    /// moment to finish exiting, so the next request starts a new one.
    async fn settle<T>(server: &S, result: Result<T, EmulatorError>) -> Result<T, EmulatorError> {
        if result.is_err() {
            server.exited_within(Duration::from_secs(2)).await;
        }
        result
    }

    /// Replaces the server, so the next requests run the executable as it is now; requests
    /// still on the old one finish first.
    async fn restart(&self) -> Result<(), EmulatorError> {
        let _replacing = self.replacing.lock().await;
        let fresh = Arc::new(S::launch(self.function.clone()).await?);
        fresh.report_start();
        let old = std::mem::replace(&mut *self.current.write().await, fresh);
        tokio::spawn(async move { old.halt().await });
        Ok(())
    }

    async fn stop(&self) {
        let current = Arc::clone(&*self.current.read().await);
        current.halt().await;
    }
}

/// A [`Server`] that takes HTTP requests as they came: an FC instance's HTTP trigger, a
/// Knative container, an SCF web function, an Azure handler with forwarding.
pub(crate) trait Forward: Server {
    /// Sends the request; the request id, and the answer, which streams.
    fn forward(
        &self,
        request: Request<Bytes>,
    ) -> impl Future<Output = Result<(String, Response<hyper::body::Incoming>), EmulatorError>> + Send;

    /// The process's peak memory so far, in KiB, when known.
    fn peak_memory(&self) -> impl Future<Output = Option<u64>> + Send;
}

impl<S: Forward + std::fmt::Debug> ServerPool<S> {
    /// Passes an HTTP request through, as the platform's front end does.
    pub(crate) async fn http(
        &self,
        request: Request<Bytes>,
    ) -> Result<(Outcome, Response<hyper::body::Incoming>), EmulatorError> {
        let (_permit, server) = self.live().await?;
        let started = std::time::Instant::now();
        let (request_id, response) = Self::settle(&server, server.forward(request).await).await?;
        let outcome = Outcome {
            request_id,
            result: Ok(Bytes::new()),
            duration: started.elapsed(),
            init_duration: None,
            peak_memory_kib: server.peak_memory().await,
        };
        Ok((outcome, response))
    }
}

/// A [`Forward`] whose emulator has `peak_memory_kib` of its own, sending as `$send` says.
macro_rules! forward {
    ($emulator:ty, |$this:ident, $request:ident| $send:expr) => {
        impl Forward for $emulator {
            async fn forward(
                &self,
                request: Request<Bytes>,
            ) -> Result<(String, Response<hyper::body::Incoming>), EmulatorError> {
                let ($this, $request) = (self, request);
                $send.await
            }

            async fn peak_memory(&self) -> Option<u64> {
                self.peak_memory_kib().await
            }
        }
    };
}

forward!(FcEmulator, |fc, request| fc.http_streaming(request, None));
forward!(KnativeEmulator, |container, request| container
    .http(request));
forward!(AzureEmulator, |handler, request| handler.http(request));

impl Server for FcEmulator {
    type Function = FcFunction;

    async fn launch(function: FcFunction) -> Result<Self, EmulatorError> {
        FcEmulator::start(function).await
    }

    async fn usable(&self) -> bool {
        usable(self).await
    }

    fn why_replaced(&self) -> &'static str {
        if self.init_failure_reported() {
            "the instance failed to initialise; starting a new one"
        } else {
            "the instance exited; starting a new one"
        }
    }

    fn report_start(&self) {
        report_init(self);
    }

    async fn halt(&self) {
        let _ = self.stop().await;
    }

    async fn exited_within(&self, limit: Duration) {
        FcEmulator::exited_within(self, limit).await;
    }
}

/// A [`Server`] whose emulator has `start`, `is_alive`, `stop` and `exited_within` of its own.
macro_rules! server {
    ($emulator:ty, $function:ty, $why:literal) => {
        impl Server for $emulator {
            type Function = $function;

            async fn launch(function: $function) -> Result<Self, EmulatorError> {
                <$emulator>::start(function).await
            }

            async fn usable(&self) -> bool {
                self.is_alive().await
            }

            fn why_replaced(&self) -> &'static str {
                $why
            }

            async fn halt(&self) {
                let _ = self.stop().await;
            }

            async fn exited_within(&self, limit: Duration) {
                let _ = <$emulator>::exited_within(self, limit).await;
            }
        }
    };
}

server!(
    KnativeEmulator,
    KnativeFunction,
    "the container exited; starting a new one"
);
server!(
    OpenWhiskEmulator,
    OpenWhiskFunction,
    "the action's container is gone (exited, or destroyed after a timeout); starting a new one"
);
server!(
    ScfEmulator,
    ScfFunction,
    "the instance exited or was recycled after a timeout; starting a new one"
);

server!(
    AzureEmulator,
    AzureFunction,
    "the custom handler exited; the host starts it again"
);

impl AzurePool {
    async fn start(settings: &Settings) -> Result<AzurePool, EmulatorError> {
        let mut function = AzureFunction::new(&settings.program);
        function.args.clone_from(&settings.args);
        function.env.clone_from(&settings.env);
        function.function_name.clone_from(&settings.name);
        function.timeout = settings.timeout;
        function.start_timeout = settings.start_timeout;
        function.output = settings.output.clone();
        ServerPool::launch(function, settings.concurrency).await
    }

    /// One invocation, as the host makes it of a trigger.
    async fn invoke(&self, payload: Bytes) -> Result<Outcome, EmulatorError> {
        let (_permit, handler) = self.live().await?;
        let invocation = Self::settle(&handler, handler.invoke(payload).await).await?;
        for line in &invocation.logs {
            eprintln!("fc-local: {}: {line}", handler.function().function_name);
        }
        Ok(Outcome {
            request_id: invocation.request_id,
            result: invocation.result,
            duration: invocation.duration,
            init_duration: None,
            peak_memory_kib: handler.peak_memory_kib().await,
        })
    }
}

impl TencentPool {
    async fn start(settings: &Settings) -> Result<TencentPool, EmulatorError> {
        let mut function = ScfFunction::new(&settings.program);
        function.args.clone_from(&settings.args);
        function.env.clone_from(&settings.env);
        function.function_name.clone_from(&settings.name);
        function.memory_mb = settings.memory_mb;
        function.timeout = settings.timeout;
        function.init_timeout = settings.start_timeout;
        function.output = settings.output.clone();
        ServerPool::launch(function, settings.concurrency).await
    }

    /// One event invocation, as a trigger makes it.
    async fn invoke(&self, payload: Bytes) -> Result<Outcome, EmulatorError> {
        let (_permit, instance) = self.live().await?;
        let invocation = Self::settle(&instance, instance.invoke(payload).await).await?;
        Ok(Outcome {
            request_id: invocation.request_id,
            result: invocation.result,
            duration: invocation.duration,
            init_duration: None,
            peak_memory_kib: instance.peak_memory_kib().await,
        })
    }
}

impl FcPool {
    async fn start(settings: &Settings) -> Result<FcPool, EmulatorError> {
        let mut function = FcFunction::new(&settings.program)
            .timeout(settings.timeout)
            .output(settings.output.clone());
        function.args.clone_from(&settings.args);
        function.env.clone_from(&settings.env);
        function.memory_mb = settings.memory_mb;
        function.function_name.clone_from(&settings.name);
        function.start_timeout = settings.start_timeout;
        ServerPool::launch(function, settings.concurrency).await
    }

    async fn invoke(&self, payload: Bytes) -> Result<Outcome, EmulatorError> {
        let (_permit, instance) = self.live().await?;
        let invocation = Self::settle(&instance, instance.invoke(payload).await).await?;
        Ok(Outcome {
            request_id: invocation.request_id,
            result: invocation.result,
            duration: invocation.duration,
            init_duration: None,
            peak_memory_kib: invocation.peak_memory_kib,
        })
    }
}

/// Whether `instance` takes the next invocation: it runs, and no invocation has yet been failed
/// for its failed `init` (FC fails that one, then starts a new instance).
async fn usable(instance: &FcEmulator) -> bool {
    !instance.init_failure_reported() && instance.is_alive().await
}

fn report_init(instance: &FcEmulator) {
    if let Err(err) = instance.init_result() {
        eprintln!("fc-local: /initialize failed: {err}");
    }
}

impl KnativePool {
    async fn start(settings: &Settings) -> Result<KnativePool, EmulatorError> {
        let mut function = KnativeFunction::new(&settings.program);
        function.args.clone_from(&settings.args);
        function.env.clone_from(&settings.env);
        function.platform = settings.platform;
        function.service.clone_from(&settings.name);
        function.memory_mb = settings.memory_mb;
        function.timeout = settings.timeout;
        function.start_timeout = settings.start_timeout;
        function.output = settings.output.clone();
        ServerPool::launch(function, settings.concurrency).await
    }

    /// Delivers an event as a broker does.
    async fn invoke(&self, payload: Bytes) -> Result<Outcome, EmulatorError> {
        let (_permit, container) = self.live().await?;
        let delivered = Self::settle(&container, container.deliver(payload).await).await?;
        Ok(Outcome {
            request_id: delivered.request_id,
            result: delivered.result,
            duration: delivered.duration,
            init_duration: None,
            peak_memory_kib: container.peak_memory_kib().await,
        })
    }
}

impl OpenWhiskPool {
    async fn start(settings: &Settings) -> Result<OpenWhiskPool, EmulatorError> {
        let mut function = OpenWhiskFunction::new(&settings.program);
        function.args.clone_from(&settings.args);
        function.env.clone_from(&settings.env);
        function.action.clone_from(&settings.name);
        function.native = settings.native;
        function.timeout = settings.timeout;
        function.start_timeout = settings.start_timeout;
        function.output = settings.output.clone();
        ServerPool::launch(function, settings.concurrency).await
    }

    /// An activation with the parameters in `payload` (a JSON object), as `wsk action invoke`
    /// makes one.
    async fn invoke(&self, payload: Bytes) -> Result<Outcome, EmulatorError> {
        let params = match serde_json::from_slice::<serde_json::Value>(&payload) {
            Ok(serde_json::Value::Object(params)) => params,
            _ => {
                return Ok(Outcome {
                    request_id: fc_local::request_id().replace('-', ""),
                    result: Err(FunctionError {
                        error_type: "Bad Request".into(),
                        error_message: "an activation's parameters are a JSON object".into(),
                    }),
                    duration: Duration::ZERO,
                    init_duration: None,
                    peak_memory_kib: None,
                });
            }
        };
        let (_permit, action) = self.live().await?;
        let activation = Self::settle(&action, action.activate(params).await).await?;
        Ok(Outcome {
            request_id: activation.activation_id,
            result: activation
                .result
                .map(|result| Bytes::from(result.to_string())),
            duration: activation.duration,
            init_duration: None,
            peak_memory_kib: action.peak_memory_kib().await,
        })
    }

    /// A web request, as the controller makes it a raw web action's activation: under
    /// `/api/v1/web/NAMESPACE/PACKAGE/ACTION[.EXT]/…`, or at any other path as it is (the path
    /// after the action, as an API route to it would give).
    pub(crate) async fn http(
        &self,
        request: Request<Bytes>,
    ) -> Result<(Option<Outcome>, Response<Body>), EmulatorError> {
        use crate::openwhisk::{controller_error, web_params, web_response, web_target};
        let started = std::time::Instant::now();
        let path = request.uri().path().to_owned();
        let (rest, extension) = match web_target(&path) {
            Some(target) if target.action == self.function.action => {
                (target.rest.to_owned(), target.extension)
            }
            Some(_) => {
                let response = controller_error(
                    http::StatusCode::NOT_FOUND,
                    "The requested resource does not exist.",
                );
                return Ok((None, with_cors(response).map(Body::binary)));
            }
            None => (path.clone(), ".http"),
        };
        // The controller answers a preflight itself unless the action asks for it
        // (`web-custom-options`).
        if request.method() == http::Method::OPTIONS {
            return Ok((
                None,
                with_cors(Response::new(Bytes::new())).map(Body::binary),
            ));
        }
        let params = web_params(&request, &rest);
        let (_permit, action) = self.live().await?;
        let activation = Self::settle(&action, action.activate(params).await).await?;
        if let Err(err) = &activation.result {
            eprintln!("fc-local: the activation failed: {err}");
        }
        let mut response = web_response(&activation.result, extension);
        if let Ok(id) = http::HeaderValue::from_str(&activation.activation_id) {
            response
                .headers_mut()
                .insert("x-openwhisk-activation-id", id);
        }
        let outcome = Outcome {
            request_id: activation.activation_id,
            result: Ok(Bytes::new()),
            duration: started.elapsed(),
            init_duration: None,
            peak_memory_kib: action.peak_memory_kib().await,
        };
        Ok((Some(outcome), with_cors(response).map(Body::binary)))
    }
}

/// The CORS headers the controller adds to a web action's answers by default.
fn with_cors(mut response: Response<Bytes>) -> Response<Bytes> {
    let headers = response.headers_mut();
    for (name, value) in [
        ("access-control-allow-origin", "*"),
        (
            "access-control-allow-methods",
            "OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH",
        ),
        (
            "access-control-allow-headers",
            "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent",
        ),
    ] {
        if !headers.contains_key(name) {
            headers.insert(name, http::HeaderValue::from_static(value));
        }
    }
    response
}
