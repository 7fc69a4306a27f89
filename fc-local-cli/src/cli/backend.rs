//! The function's instances on the chosen platform: a pool of Lambda sandboxes (one invocation
//! each, scaled out to the concurrency), or one FC instance taking concurrent requests.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use tokio::sync::{RwLock, Semaphore};

use crate::aliyun::{FcEmulator, FcFunction};
use crate::emulator::{EmulatorError, FunctionError, Output};
use crate::lambda::{Invoke, LambdaEmulator, LambdaFunction};
use fc_core::Platform;

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
}

impl Backend {
    pub(crate) async fn start(settings: &Settings) -> Result<Backend, EmulatorError> {
        Ok(match settings.platform {
            Platform::Aws => Backend::Aws(AwsPool::start(settings).await?),
            _ => Backend::Aliyun(Box::new(FcPool::start(settings).await?)),
        })
    }

    /// One event invocation.
    pub(crate) async fn invoke(&self, payload: Bytes) -> Result<Outcome, EmulatorError> {
        match self {
            Backend::Aws(pool) => pool.invoke(payload).await,
            Backend::Aliyun(pool) => pool.invoke(payload).await,
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
            Backend::Aliyun(pool) => {
                let current = Arc::clone(&*pool.current.read().await);
                let _ = current.stop().await;
            }
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

#[derive(Debug)]
pub(crate) struct FcPool {
    function: FcFunction,
    current: RwLock<Arc<FcEmulator>>,
    replacing: tokio::sync::Mutex<()>,
    permits: Semaphore,
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
        let instance = FcEmulator::start(function.clone()).await?;
        report_init(&instance);
        Ok(FcPool {
            function,
            current: RwLock::new(Arc::new(instance)),
            replacing: tokio::sync::Mutex::new(()),
            permits: Semaphore::new(settings.concurrency.max(1)),
        })
    }

    /// The live instance; one that exited (a crash, a timeout) is replaced first.
    async fn instance(&self) -> Result<Arc<FcEmulator>, EmulatorError> {
        let current = Arc::clone(&*self.current.read().await);
        if usable(&current).await {
            return Ok(current);
        }
        let _replacing = self.replacing.lock().await;
        let current = Arc::clone(&*self.current.read().await);
        if usable(&current).await {
            return Ok(current);
        }
        if current.init_failure_reported() {
            eprintln!("fc-local: the instance failed to initialise; starting a new one");
        } else {
            eprintln!("fc-local: the instance exited; starting a new one");
        }
        let fresh = Arc::new(FcEmulator::start(self.function.clone()).await?);
        report_init(&fresh);
        let old = std::mem::replace(&mut *self.current.write().await, Arc::clone(&fresh));
        tokio::spawn(async move {
            let _ = old.stop().await;
        });
        Ok(fresh)
    }

    async fn invoke(&self, payload: Bytes) -> Result<Outcome, EmulatorError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| EmulatorError::Unreachable("the pool is closed".into()))?;
        let instance = self.instance().await?;
        let invocation = self
            .settle(&instance, instance.invoke(payload).await)
            .await?;
        Ok(Outcome {
            request_id: invocation.request_id,
            result: invocation.result,
            duration: invocation.duration,
            init_duration: None,
            peak_memory_kib: invocation.peak_memory_kib,
        })
    }

    /// Passes an HTTP request through, as an HTTP trigger does.
    pub(crate) async fn http(
        &self,
        request: Request<Bytes>,
    ) -> Result<(Outcome, Response<hyper::body::Incoming>), EmulatorError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| EmulatorError::Unreachable("the pool is closed".into()))?;
        let instance = self.instance().await?;
        let started = std::time::Instant::now();
        let (request_id, response) = self
            .settle(&instance, instance.http_streaming(request, None).await)
            .await?;
        let outcome = Outcome {
            request_id,
            result: Ok(Bytes::new()),
            duration: started.elapsed(),
            init_duration: None,
            peak_memory_kib: instance.peak_memory_kib().await,
        };
        Ok((outcome, response))
    }

    /// When a request failed because the instance stopped answering, gives a dying process a
    /// moment to finish exiting, so the next request starts a new instance.
    async fn settle<T>(
        &self,
        instance: &FcEmulator,
        result: Result<T, EmulatorError>,
    ) -> Result<T, EmulatorError> {
        if result.is_err() {
            instance.exited_within(Duration::from_secs(2)).await;
        }
        result
    }

    async fn restart(&self) -> Result<(), EmulatorError> {
        let _replacing = self.replacing.lock().await;
        let fresh = Arc::new(FcEmulator::start(self.function.clone()).await?);
        report_init(&fresh);
        let old = std::mem::replace(&mut *self.current.write().await, fresh);
        // Requests still on the old instance finish; then it stops as FC stops instances.
        tokio::spawn(async move {
            let _ = old.stop().await;
        });
        Ok(())
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
