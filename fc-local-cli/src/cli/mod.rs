//! The `fc-local` command: runs any fc handler binary exactly as AWS Lambda, Function Compute,
//! Knative, Cloud Run, Apache OpenWhisk, Tencent Cloud SCF or Azure Functions would, with no
//! Docker.
//!
//! ```text
//! fc-local start   --platform P [--trigger T] [--port 3000] [--watch] -- <command>
//! fc-local invoke  --platform P [--event FILE|-] -- <command>
//! fc-local queue   --platform aws|aliyun [--queue NAME] [--port 9324] -- <command>
//! fc-local event   <kind> --platform P [--bucket B --key K ...]
//! fc-local package --platform P -p <package>
//! ```
//!
//! where P is aws, aliyun, knative, gcp, openwhisk, tencent or azure.

mod backend;
mod gateway;
mod package;
mod queue;
mod report;
mod templates;
mod watch;

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};

use fc_core::Platform;
use fc_core::http::Trigger;

use crate::emulator::Output;

/// `--platform`: the clouds fc-local emulates, by their short names.
fn platform_arg() -> impl clap::builder::TypedValueParser<Value = Platform> {
    clap::builder::PossibleValuesParser::new([
        "aws",
        "aliyun",
        "knative",
        "gcp",
        "openwhisk",
        "tencent",
        "azure",
    ])
    .try_map(|name| Platform::from_name(&name).ok_or("not a platform fc-local emulates"))
}

/// `--platform` for what only the two clouds with a queue and a packaging here have.
fn aws_or_aliyun(platform: Platform, what: &str) -> Result<(), String> {
    match platform {
        Platform::Aws | Platform::Aliyun => Ok(()),
        other => Err(format!(
            "{what} is for --platform aws or aliyun; {} is not emulated there yet",
            other.description()
        )),
    }
}

/// The HTTP trigger named on the command line, the platform's default without a name.
fn trigger_of(platform: Platform, name: Option<&str>) -> Result<Trigger, String> {
    let mut names = Trigger::of(platform).map(Trigger::as_str);
    let default = names.next().unwrap_or_default();
    let Some(name) = name else {
        return Trigger::from_name(platform, default)
            .ok_or_else(|| format!("{} has no HTTP trigger", platform.description()));
    };
    Trigger::from_name(platform, name).ok_or_else(|| {
        let others: Vec<&str> = names.collect();
        format!(
            "no {} trigger `{name}`; use {default} (default), {}",
            platform.description(),
            others.join(", ")
        )
    })
}

#[derive(Debug, Parser)]
#[command(
    name = "fc-local",
    version,
    about = "Run fc handler binaries as AWS Lambda, Alibaba Cloud Function Compute, Knative, Cloud Run, Apache OpenWhisk, Tencent Cloud SCF or Azure Functions would, locally, without Docker."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve an HTTP gateway on 127.0.0.1 that invokes the function through the chosen trigger.
    ///
    /// With --platform aws the same port also serves Lambda's Invoke API, as AWS's Runtime
    /// Interface Emulator does, for the AWS CLI and SDKs pointed at it with --endpoint-url:
    /// `POST /2015-03-31/functions/NAME/invocations` (Invoke: RequestResponse, Event, DryRun)
    /// and `POST /2021-11-15/functions/NAME/response-streaming-invocations`
    /// (InvokeWithResponseStream: an event stream of PayloadChunk events as the function writes,
    /// then InvokeComplete). NAME is the executable's name, the function's ARN, or `function`.
    /// For example:
    ///
    ///   aws lambda invoke --endpoint-url http://127.0.0.1:3000 --function-name hello
    ///   --cli-binary-format raw-in-base64-out --payload '{"name":"fc"}' out.json
    Start(StartArgs),
    /// Invoke the function once with an event; print its result.
    Invoke(InvokeArgs),
    /// Serve a message queue on 127.0.0.1 and deliver its messages to the function, as the
    /// platform's queue trigger does.
    ///
    /// With --platform aws the queue speaks SQS's JSON protocol (SendMessage,
    /// SendMessageBatch, GetQueueUrl), for any AWS SDK pointed at it
    /// (AWS_ENDPOINT_URL_SQS=http://127.0.0.1:9324), and delivers SQS events in batches of up
    /// to --batch-size, as an event source mapping with ReportBatchItemFailures: the messages
    /// the function names in `batchItemFailures` come back after --retry-after, the others
    /// are deleted; a failed invocation, or an answer naming an id not in the batch, fails the
    /// whole batch. A queue name ending in `.fifo` is a FIFO queue (groups, deduplication).
    ///
    /// With --platform aliyun it speaks MNS's REST API (POST /queues/NAME/messages; with
    /// ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET set, signatures are
    /// checked against them) and delivers MNS queue trigger events; FC has no partial report,
    /// so a failed invocation brings the whole batch back.
    ///
    /// After --max-receives deliveries a message that still fails moves to the dead-letter
    /// queue: fc-local prints it.
    Queue(QueueArgs),
    /// Print an event template for a trigger.
    Event(EventArgs),
    /// Build the release binary and write a deployable zip and template.
    Package(PackageArgs),
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The platform to behave as: aws (Lambda), aliyun (Function Compute), knative, gcp (Cloud
    /// Run functions), openwhisk, tencent (SCF), azure (Azure Functions, a custom handler).
    #[arg(long, value_parser = platform_arg())]
    platform: Platform,
    /// Seconds an invocation may run (default: 3 on AWS and SCF, 60 on FC and OpenWhisk, 300 on
    /// Knative, Cloud Run and Azure, as the platforms default).
    #[arg(long)]
    timeout: Option<f64>,
    /// Memory size in MB (default: 128 on AWS and SCF, 256 on OpenWhisk, 512 on FC).
    #[arg(long)]
    memory: Option<u32>,
    /// OpenWhisk: run the function as a native action (`wsk action create --native`), once per
    /// activation with the parameters in its first argument, instead of a Docker action's
    /// server.
    #[arg(long)]
    native: bool,
    /// An environment variable for the function, `KEY=VALUE` (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Seconds a new instance may take to listen on its port (SCF: to report ready).
    #[arg(long, default_value_t = 30.0)]
    start_timeout: f64,
    /// The function's executable and its arguments.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    command: Vec<String>,
}

#[derive(Debug, Args)]
struct StartArgs {
    #[command(flatten)]
    run: RunArgs,
    /// How HTTP requests reach the function: AWS apigw-v2 (default), apigw-v1, alb, url; FC http
    /// (default, passed through), apigw, http-event; Knative and Cloud Run http (passed
    /// through); OpenWhisk web (a raw web action); SCF apigw (default), url (event functions),
    /// web (a web function, passed through); Azure http (default, forwarded as with
    /// enableForwardingHttpRequest), http-event (the invocation's `req`, answered as `res`).
    #[arg(long)]
    trigger: Option<String>,
    /// The gateway's port (0 picks a free one).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// The address to listen on; anything but loopback lets other machines in, unauthenticated.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// AWS: how many instances may run at once (one invocation each). FC: how many requests the
    /// one instance takes at once.
    #[arg(long, default_value_t = 10)]
    concurrency: usize,
    /// AWS: how many invocations each instance takes at once, as on Lambda Managed Instances
    /// (the function sees `AWS_LAMBDA_MAX_CONCURRENCY`).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    concurrency_per_instance: u32,
    /// AWS: the function streams its responses (a Function URL or REST API with
    /// `InvokeMode: RESPONSE_STREAM`), as functions served with
    /// `fc::run_with_streaming_response` do.
    #[arg(long)]
    streaming: bool,
    /// Rebuild (`cargo build`) and restart the function when sources change.
    #[arg(long)]
    watch: bool,
    /// With --watch: the package to build.
    #[arg(short = 'p', long = "package")]
    package: Option<String>,
}

#[derive(Debug, Args)]
struct QueueArgs {
    #[command(flatten)]
    run: RunArgs,
    /// The queue's name.
    #[arg(long, default_value = "surveys")]
    queue: String,
    /// The queue API's port (0 picks a free one).
    #[arg(long, default_value_t = 9324)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Most messages per invocation (default: 10 on AWS, an SQS event source mapping's
    /// default; 1 on FC, a trigger without batching).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Seconds before a failed message is delivered again (default: 30, SQS's visibility
    /// timeout, on AWS; 10 on FC, the trigger's back-off retry).
    #[arg(long)]
    retry_after: Option<f64>,
    /// Deliveries before a failing message moves to the dead-letter queue (a redrive
    /// policy's maxReceiveCount).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    max_receives: u32,
}

#[derive(Debug, Args)]
struct InvokeArgs {
    #[command(flatten)]
    run: RunArgs,
    /// The event: a file, or `-` for stdin (the default).
    #[arg(long, default_value = "-")]
    event: String,
}

#[derive(Debug, Args)]
struct EventArgs {
    /// The kind of event: AWS http, s3-put, s3-delete, dynamodb-insert, dynamodb-modify,
    /// dynamodb-remove, schedule, sqs, sqs-fifo, sns, kinesis, kafka, eventbridge; FC http,
    /// oss-put, oss-delete, tablestore-insert, tablestore-modify, tablestore-remove, timer,
    /// mns-queue, mns-topic, kafka, rocketmq, rabbitmq, eventbridge, sls, cdn; Knative ping,
    /// cloudevent; Cloud Run storage-finalize, storage-delete, pubsub, cloudevent; OpenWhisk
    /// http (a web action), alarm, object-put, object-delete; SCF http, cos-put, cos-delete,
    /// timer, ckafka, cmq; Azure http (--trigger http-event), timer, blob, queue, servicebus,
    /// eventhub.
    kind: String,
    /// The platform whose event it is.
    #[arg(long, value_parser = platform_arg())]
    platform: Platform,
    /// For http: the trigger (as for `start`).
    #[arg(long)]
    trigger: Option<String>,
    /// For http: the method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// For http: the path and query.
    #[arg(long, default_value = "/hello?name=fc")]
    path: String,
    /// For http and messages: the body (a message's default: the --row as JSON).
    #[arg(long, default_value = "")]
    body: String,
    /// For messages: the queue, topic or stream.
    #[arg(long, default_value = "surveys")]
    queue: String,
    /// For object events: the bucket.
    #[arg(long, default_value = "example-bucket")]
    bucket: String,
    /// For object events: the object key, as stored.
    #[arg(long, default_value = "photos/my photo.jpg")]
    key: String,
    /// For object events: the object size in bytes.
    #[arg(long, default_value_t = 1024)]
    size: u64,
    /// For table events: the table.
    #[arg(long, default_value = "surveys")]
    table: String,
    /// For table events: the row, as a JSON object (its `id`, or first column, is the key).
    #[arg(
        long,
        default_value = r#"{"id":1,"name":"Ada Lovelace","phone":"+44 20 7946 0000","satisfaction":5}"#
    )]
    row: String,
    /// For schedules: the rule's or trigger's name.
    #[arg(long, default_value = "every-hour")]
    name: String,
    /// For FC timers, Knative pings and OpenWhisk alarms: the payload.
    #[arg(long)]
    payload: Option<String>,
    /// For Tablestore: print the readable JSON form instead of CBOR.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct PackageArgs {
    /// The platform to package for.
    #[arg(long, value_parser = platform_arg())]
    platform: Platform,
    /// The package to build.
    #[arg(short = 'p', long = "package")]
    package: String,
    /// A binary of the package to deploy as a function (repeatable; default: the package's name).
    #[arg(long = "bin")]
    bins: Vec<String>,
    /// Package this already-built executable instead of building.
    #[arg(long)]
    binary: Option<PathBuf>,
    /// The processor to build for: a static (musl) binary for it.
    #[arg(long, value_enum, default_value = "x86_64")]
    arch: package::Arch,
    /// A target triple to build for instead (a glibc build, say).
    #[arg(long)]
    target: Option<String>,
    /// Where to write the artifacts (default: target/fc-local/<platform>/<package>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Memory size in MB for the template.
    #[arg(long, default_value_t = 128)]
    memory: u32,
    /// Timeout in seconds for the template.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// A trigger, `[BIN=]KIND`, for every function or the one named (repeatable): AWS http,
    /// apigw-v1, url, s3, dynamodb, schedule, sqs; FC http, oss, tablestore, timer, mns;
    /// Knative http, ping, broker; Cloud Run http, storage, pubsub, scheduler; OpenWhisk http,
    /// alarm, objects; SCF http, cos, timer, ckafka; Azure http, blob, timer, queue,
    /// servicebus, eventhub.
    #[arg(long = "trigger", value_name = "[BIN=]KIND")]
    triggers: Vec<String>,
    /// Same as `--trigger http`.
    #[arg(long)]
    http: bool,
    /// An environment variable of the functions, `KEY=VALUE` (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// The region to deploy to (samconfig.toml on AWS, s.yaml's `vars.region` on FC,
    /// deploy.sh's REGION on Cloud Run and Azure, serverless.yml's region on SCF).
    #[arg(long)]
    region: Option<String>,
}

/// Runs the command line; the exit code says whether it went well.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("fc-local: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Start(args) => runtime.block_on(start(args)),
        Command::Invoke(args) => runtime.block_on(invoke(args)),
        Command::Queue(args) => runtime.block_on(queue(args)),
        Command::Event(args) => event(&args),
        Command::Package(args) => package(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("fc-local: error: {err}");
            ExitCode::from(2)
        }
    }
}

/// `--env` pairs, `KEY=VALUE`.
fn key_values(pairs: &[String]) -> Result<Vec<(String, String)>, String> {
    pairs
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| format!("--env `{pair}` is not KEY=VALUE"))
        })
        .collect()
}

fn settings(
    run: &RunArgs,
    (concurrency, per_instance): (usize, u32),
    output: Output,
) -> Result<backend::Settings, String> {
    let (program, args) = run
        .command
        .split_first()
        .ok_or("no command to run after `--`")?;
    let program = PathBuf::from(program);
    let name = crate::emulator::name_of(&program);
    let env = key_values(&run.env)?;
    if run.native && run.platform != Platform::OpenWhisk {
        return Err("--native is for --platform openwhisk".into());
    }
    let timeout = run.timeout.unwrap_or(match run.platform {
        Platform::Aws | Platform::Tencent => 3.0,
        // Knative's and Cloud Run's request timeout; the Consumption plan's functionTimeout.
        Platform::Knative | Platform::Gcp | Platform::Azure => 300.0,
        _ => 60.0,
    });
    if !(timeout.is_finite() && timeout > 0.0 && timeout <= 86_400.0) {
        return Err(format!(
            "--timeout must be a number of seconds, got {timeout}"
        ));
    }
    let output = match output {
        Output::Prefixed(_) => Output::Prefixed(name.clone()),
        other => other,
    };
    Ok(backend::Settings {
        platform: run.platform,
        program,
        args: args.to_vec(),
        env,
        timeout: Duration::from_secs_f64(timeout),
        memory_mb: run.memory.unwrap_or(match run.platform {
            Platform::Aws | Platform::Tencent => 128,
            Platform::OpenWhisk => 256,
            // What a Consumption plan instance has.
            Platform::Azure => 1536,
            _ => 512,
        }),
        concurrency,
        per_instance,
        output,
        name,
        start_timeout: Duration::from_secs_f64(run.start_timeout.clamp(0.1, 3600.0)),
        native: run.native,
        web_function: false,
    })
}

async fn start(args: StartArgs) -> Result<ExitCode, String> {
    let trigger = trigger_of(args.run.platform, args.trigger.as_deref())?;
    if args.concurrency == 0 {
        return Err("--concurrency must be at least 1".into());
    }
    if args.streaming && !matches!(trigger, Trigger::FunctionUrl | Trigger::ApiGatewayRest) {
        return Err("--streaming is for AWS Function URLs (--trigger url) and REST APIs (--trigger apigw-v1); FC streams HTTP responses as they are".into());
    }
    if args.concurrency_per_instance > 1 && args.run.platform != Platform::Aws {
        return Err("--concurrency-per-instance is for --platform aws; an FC instance takes --concurrency requests at once".into());
    }
    let mut settings = settings(
        &args.run,
        (args.concurrency, args.concurrency_per_instance),
        Output::Prefixed(String::new()),
    )?;
    settings.web_function = trigger == Trigger::ScfWeb;
    let backend = backend::Backend::start(&settings)
        .await
        .map_err(|err| err.to_string())?;
    if !args.host.is_loopback() {
        eprintln!(
            "fc-local: warning: listening on {}, reachable from other machines; the gateway has no authentication",
            args.host
        );
    }
    let listener = tokio::net::TcpListener::bind((args.host, args.port))
        .await
        .map_err(|err| format!("cannot listen on {}:{}: {err}", args.host, args.port))?;
    let addr = listener.local_addr().map_err(|err| err.to_string())?;
    println!(
        "fc-local: serving {} as {} behind {} on http://{addr} (Ctrl-C to stop)",
        settings.name,
        settings.platform.description(),
        trigger.description()
    );
    if settings.platform == Platform::OpenWhisk {
        println!(
            "fc-local: the web action: http://{addr}/api/v1/web/guest/default/{}/ (any other path reaches it too)",
            settings.name
        );
    }
    let _ = std::io::stdout().flush();
    let gateway = Arc::new(gateway::Gateway {
        backend: tokio::sync::RwLock::new(Arc::new(backend)),
        trigger,
        memory_mb: settings.memory_mb,
        platform: settings.platform,
        streaming: args.streaming,
    });
    if args.watch {
        let root = std::env::current_dir().map_err(|err| err.to_string())?;
        tokio::spawn(watch::watch(
            root,
            args.package.clone(),
            Arc::clone(&gateway),
        ));
    }
    gateway::serve(listener, Arc::clone(&gateway), fc_local::shutdown_signal()).await;
    let backend = Arc::clone(&*gateway.backend.read().await);
    backend.stop().await;
    eprintln!("fc-local: stopped");
    Ok(ExitCode::SUCCESS)
}

async fn queue(args: QueueArgs) -> Result<ExitCode, String> {
    let platform = args.run.platform;
    aws_or_aliyun(platform, "fc-local queue")?;
    let batch_size = args.batch_size.unwrap_or(match platform {
        Platform::Aws => 10,
        _ => 1,
    });
    if !(1..=10_000).contains(&batch_size) {
        return Err(format!("--batch-size must be 1 to 10000, got {batch_size}"));
    }
    let retry_after = args.retry_after.unwrap_or(match platform {
        Platform::Aws => 30.0,
        _ => 10.0,
    });
    if !(retry_after.is_finite() && (0.0..=43_200.0).contains(&retry_after)) {
        return Err(format!(
            "--retry-after must be 0 to 43200 seconds, got {retry_after}"
        ));
    }
    let name_ok = !args.queue.is_empty()
        && args.queue.len() <= 80
        && args
            .queue
            .trim_end_matches(".fifo")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name_ok {
        return Err(format!(
            "--queue `{}` is not a queue name: 1 to 80 letters, digits, `-` and `_`",
            args.queue
        ));
    }
    let settings = settings(&args.run, (1, 1), Output::Prefixed(String::new()))?;
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let signer = var("ALIBABA_CLOUD_ACCESS_KEY_ID").zip(var("ALIBABA_CLOUD_ACCESS_KEY_SECRET"));
    let broker = Arc::new(queue::Broker::new(queue::QueueSettings {
        platform,
        name: args.queue.clone(),
        batch_size,
        retry_after: Duration::from_secs_f64(retry_after),
        max_receives: args.max_receives,
        signer: signer.filter(|_| platform != Platform::Aws),
        memory_mb: settings.memory_mb,
    }));
    let backend = Arc::new(
        backend::Backend::start(&settings)
            .await
            .map_err(|err| err.to_string())?,
    );
    let listener = tokio::net::TcpListener::bind((args.host, args.port))
        .await
        .map_err(|err| format!("cannot listen on {}:{}: {err}", args.host, args.port))?;
    let addr = listener.local_addr().map_err(|err| err.to_string())?;
    let origin = format!("http://{addr}");
    println!(
        "fc-local: serving the {} queue {} on {origin} for {} as {}; QUEUE_URL={}",
        match platform {
            Platform::Aws => "SQS",
            _ => "MNS",
        },
        args.queue,
        settings.name,
        platform.description(),
        broker.url(&origin)
    );
    let _ = std::io::stdout().flush();
    let delivery = tokio::spawn(queue::deliver(Arc::clone(&broker), Arc::clone(&backend)));
    let router = queue::routes(Arc::clone(&broker));
    let service = |_peer| {
        let router = router.clone();
        tower::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            tower::ServiceExt::oneshot(router.clone(), req)
        })
    };
    let open = fc_core::serve::serve(&listener, service, fc_local::shutdown_signal()).await;
    open.drain(Duration::from_secs(10)).await;
    delivery.abort();
    backend.stop().await;
    let left = broker.len();
    if left > 0 {
        eprintln!("fc-local: stopped with {left} messages still on the queue");
    } else {
        eprintln!("fc-local: stopped");
    }
    Ok(ExitCode::SUCCESS)
}

fn read_event(source: &str) -> Result<Bytes, String> {
    if source == "-" {
        let mut stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprintln!("fc-local: reading the event from stdin (end with Ctrl-D)");
        }
        let mut bytes = Vec::new();
        stdin
            .read_to_end(&mut bytes)
            .map_err(|err| format!("cannot read stdin: {err}"))?;
        return Ok(bytes.into());
    }
    std::fs::read(source)
        .map(Bytes::from)
        .map_err(|err| format!("cannot read the event file {source}: {err}"))
}

async fn invoke(args: InvokeArgs) -> Result<ExitCode, String> {
    let event = read_event(&args.event)?;
    let settings = settings(&args.run, (1, 1), Output::Prefixed(String::new()))?;
    let backend = backend::Backend::start(&settings)
        .await
        .map_err(|err| err.to_string())?;
    let outcome = backend.invoke(event).await.map_err(|err| err.to_string())?;
    report::report(settings.platform, &outcome, settings.memory_mb);
    backend.stop().await;
    match outcome.result {
        Ok(payload) => {
            let mut stdout = std::io::stdout();
            let _ = stdout.write_all(&payload);
            let _ = stdout.write_all(b"\n");
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("fc-local: the function failed: {err}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn event(args: &EventArgs) -> Result<ExitCode, String> {
    let row = match serde_json::from_str::<serde_json::Value>(&args.row) {
        Ok(serde_json::Value::Object(row)) if !row.is_empty() => row,
        _ => {
            return Err(format!(
                "--row must be a JSON object with at least one column, got `{}`",
                args.row
            ));
        }
    };
    let method = args
        .method
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("--method `{}` is not an HTTP method", args.method))?;
    let spec = templates::Spec {
        bucket: args.bucket.clone(),
        key: args.key.clone(),
        size: args.size,
        table: args.table.clone(),
        row,
        name: args.name.clone(),
        payload: args.payload.clone(),
        method,
        path: args.path.clone(),
        body: args.body.clone(),
        json: args.json,
        queue: args.queue.clone(),
    };
    let trigger = match trigger_of(args.platform, args.trigger.as_deref())? {
        Trigger::FcHttp if args.kind == "http" => {
            return Err("FC's http trigger passes requests through as HTTP, there is no event; use --trigger apigw or http-event".into());
        }
        Trigger::AzureHttp if args.kind == "http" => {
            return Err("with --trigger http Azure forwards requests as HTTP (enableForwardingHttpRequest), there is no event; use --trigger http-event for the invocation".into());
        }
        Trigger::Knative | Trigger::CloudRun if args.kind == "http" => {
            return Err(format!(
                "{} passes requests through as HTTP, there is no event; send the request to `fc-local start`",
                args.platform.description()
            ));
        }
        trigger => trigger,
    };
    let bytes = templates::render(&args.kind, args.platform, trigger, &spec)?;
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(&bytes);
    if bytes.first() == Some(&b'{') {
        let _ = stdout.write_all(b"\n");
    }
    Ok(ExitCode::SUCCESS)
}

fn package(args: PackageArgs) -> Result<ExitCode, String> {
    let mut triggers = args
        .triggers
        .iter()
        .map(|trigger| {
            let (bin, kind) = match trigger.split_once('=') {
                Some((bin, kind)) => (Some(bin.to_owned()), kind),
                None => (None, trigger.as_str()),
            };
            Ok((bin, package::Source::from_name(kind, args.platform)?))
        })
        .collect::<Result<Vec<_>, String>>()?;
    if args.http {
        triggers.push((None, package::Source::Http));
    }
    let env = key_values(&args.env)?;
    let bins = if args.bins.is_empty() {
        vec![args.package.clone()]
    } else {
        args.bins
    };
    let spec = package::Package {
        platform: args.platform,
        package: args.package,
        bins,
        binary: args.binary,
        arch: args.arch,
        target: args.target,
        out: args.out,
        memory_mb: args.memory,
        timeout_secs: args.timeout,
        triggers,
        env,
        region: args.region,
    };
    let dir = package::package(&spec)?;
    println!("{}", dir.display());
    Ok(ExitCode::SUCCESS)
}
