//! Whole-process performance probes behind `scripts/bench.sh`: each mode runs real binaries under
//! fc-local's emulators (or drives a running `fc-local start` gateway) and prints one
//! machine-readable line per function, `<mode> <name> key=value…`, which the script turns into
//! table rows. Functions given together are measured alternately, so drift hits all alike;
//! the warm and serve modes also give each function's round-by-round ratio to the first one
//! named, its baseline.
//!
//! ```text
//! perf lambda-warm <seconds> <rounds> NAME=BINARY...   invocations/s, one instance per round
//! perf lambda-cold <runs> NAME=BINARY...               start → first response, in ms
//! perf fc-warm <seconds> <rounds> NAME=BINARY...       the same under the FC emulator
//! perf fc-cold <runs> NAME=BINARY...
//! perf fc-cold-direct <runs> NAME=BINARY...            FC cold start without the emulator
//! perf rie-cold <rie> <runs> NAME=BINARY...             Lambda cold start under AWS's RIE
//! perf gateway <name> <host:port> <connections> <seconds>
//! perf serve <seconds> <rounds> <connections> NAME=VAR[,ENV=VALUE...]:BINARY...
//! ```
//!
//! `serve` starts each binary itself with `VAR` set to one port, the same for all (`PORT` for
//! the local platform and `axum::serve`, `FC_CUSTOM_LISTEN_PORT` for an FC custom runtime) and
//! any `ENV=VALUE` after it, and loads it directly, with the headers FC's front end adds on
//! every request.
//!
//! Every function must answer `GET /hello?name=bench` (an API Gateway HTTP API event on Lambda,
//! a passed-through HTTP request on FC) with 200 and `hello, bench!\n`; anything else aborts.

use std::error::Error;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use fc::http::Trigger;
use fc_local_cli::Output;
use fc_local_cli::aliyun::{FcEmulator, FcFunction};
use fc_local_cli::lambda::{LambdaEmulator, LambdaFunction, http_event, http_response};
use http::{HeaderMap, HeaderValue, Method, Request, Response, Uri};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

type Result<T, E = Box<dyn Error + Send + Sync>> = std::result::Result<T, E>;

const PATH: &str = "/hello?name=bench";
const EXPECTED: &[u8] = b"hello, bench!\n";

/// A function under test: its name in the table and its executable.
struct Subject {
    name: String,
    program: String,
}

fn subjects(args: &[String]) -> Result<Vec<Subject>> {
    let subjects: Vec<Subject> = args
        .iter()
        .map(|arg| {
            arg.split_once('=')
                .map(|(name, program)| Subject {
                    name: name.to_owned(),
                    program: program.to_owned(),
                })
                .ok_or_else(|| format!("expected NAME=BINARY, got {arg}"))
        })
        .collect::<Result<_, _>>()?;
    if subjects.is_empty() {
        return Err("no NAME=BINARY given".into());
    }
    Ok(subjects)
}

/// Who goes first in round `round`: rotating the order keeps any "second in line" effect
/// (caches, CPU frequency) from always favouring the same function.
fn rotated<T>(subjects: &[T], round: usize) -> impl Iterator<Item = (usize, &T)> {
    let n = subjects.len();
    (0..n).map(move |i| {
        let k = (i + round) % n;
        (k, &subjects[k])
    })
}

fn check(status: u16, body: &[u8], who: &str) -> Result<()> {
    if status == 200 && body == EXPECTED {
        Ok(())
    } else {
        Err(format!(
            "{who} answered {status} {:?}, not 200 {:?}",
            String::from_utf8_lossy(body),
            String::from_utf8_lossy(EXPECTED)
        )
        .into())
    }
}

/// The API Gateway HTTP API (v2) event for `GET /hello?name=bench`, built once: only the
/// invocation is measured, not the event's making.
fn lambda_payload() -> Result<Bytes> {
    let mut headers = HeaderMap::new();
    headers.insert(http::header::HOST, HeaderValue::from_static("localhost"));
    let event = http_event(
        Trigger::ApiGatewayHttp,
        &Method::GET,
        &Uri::from_static(PATH),
        &headers,
        b"",
        "127.0.0.1",
    )
    .expect("a trigger of the platform");
    Ok(serde_json::to_vec(&event)?.into())
}

/// One invocation, checked; the instance's peak memory when known.
async fn lambda_invoke(lambda: &LambdaEmulator, payload: &Bytes, who: &str) -> Result<Option<u64>> {
    let invocation = lambda.invoke(payload.clone()).await?;
    let answer = invocation
        .result
        .map_err(|err| format!("{who} failed: {err}"))?;
    let response = http_response(Trigger::ApiGatewayHttp, &answer)?;
    check(response.status().as_u16(), response.body(), who)?;
    Ok(invocation.peak_memory_kib)
}

fn fc_request() -> Result<Request<Bytes>> {
    Ok(Request::get(PATH)
        .header(http::header::HOST, "localhost")
        .body(Bytes::new())?)
}

async fn fc_invoke(fc: &FcEmulator, who: &str) -> Result<()> {
    let (_, response): (String, Response<Bytes>) = fc.http(fc_request()?, None).await?;
    check(response.status().as_u16(), response.body(), who)
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Rates as the table reads them: `per_s=` the median, `min=`, `max=`; and beside a baseline
/// (the first function named), `ratio=` the median of the round-by-round ratios to it, with
/// `ratio_min=` and `ratio_max=`. Each round measures the two back to back, so a ratio taken
/// within a round cancels the load that drifts between rounds, which a ratio of medians does not.
fn spread(rates: &[f64], baseline: Option<&[f64]>) -> String {
    let sorted_rates = sorted(rates.to_vec());
    let mut line = format!(
        "per_s={:.1} min={:.1} max={:.1}",
        percentile(&sorted_rates, 50.0),
        sorted_rates.first().copied().unwrap_or(f64::NAN),
        sorted_rates.last().copied().unwrap_or(f64::NAN),
    );
    if let Some(baseline) = baseline {
        let ratios = sorted(rates.iter().zip(baseline).map(|(a, b)| a / b).collect());
        line += &format!(
            " ratio={:.3} ratio_min={:.3} ratio_max={:.3}",
            percentile(&ratios, 50.0),
            ratios.first().copied().unwrap_or(f64::NAN),
            ratios.last().copied().unwrap_or(f64::NAN),
        );
    }
    line
}

fn sorted(mut samples: Vec<f64>) -> Vec<f64> {
    samples.sort_by(f64::total_cmp);
    samples
}

#[derive(Clone)]
/// How a start-up bench reaches the function.
enum Harness {
    Lambda,
    Fc,
    /// FC without the emulator, whose start-up polling (a 20 ms sleep, then 5 ms to make sure
    /// the listener is the function's) would be most of what a cold start measures.
    FcDirect,
    /// AWS's Runtime Interface Emulator (aws-sam-cli ships it), at this path: it starts the
    /// function on the first invocation, which is what is timed.
    Rie(String),
}

impl Harness {
    fn mode(&self, warm: bool) -> &'static str {
        match (self, warm) {
            (Harness::Lambda, true) => "lambda-warm",
            (Harness::Lambda, false) => "lambda-cold",
            (Harness::Fc, true) => "fc-warm",
            (Harness::Fc, false) => "fc-cold",
            (Harness::FcDirect, _) => "fc-cold-direct",
            (Harness::Rie(_), _) => "rie-cold",
        }
    }
}

/// Spawns `program` as an FC custom runtime, polls its port every 0.2 ms and sends the first
/// request as soon as it accepts; the time to that answer.
async fn fc_cold_direct(program: &str, who: &str) -> Result<Duration> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let started = Instant::now();
    let mut child = tokio::process::Command::new(program)
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env_remove("FC_PLATFORM")
        .env("FC_CUSTOM_LISTEN_PORT", port.to_string())
        .env("FC_FUNCTION_NAME", who)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let stream = loop {
        match TcpStream::connect(("127.0.0.1", port)).await {
            Ok(stream) => break stream,
            Err(_) if started.elapsed() < Duration::from_secs(10) => {
                if let Some(status) = child.try_wait()? {
                    return Err(format!("{who} exited before listening: {status}").into());
                }
                // tokio's timer rounds up to 1 ms; nothing else runs here, so block briefly.
                std::thread::sleep(Duration::from_micros(200));
            }
            Err(err) => return Err(format!("{who} did not listen: {err}").into()),
        }
    };
    let request = format!(
        "GET {PATH} HTTP/1.1\r\nHost: localhost\r\nx-fc-control-path: /http-invoke\r\n\
         x-fc-request-id: {}\r\nx-fc-function-name: {who}\r\n\r\n",
        fc_local::request_id()
    );
    let (status, body) = get(&mut BufReader::new(stream), request.as_bytes()).await?;
    let elapsed = started.elapsed();
    check(status, &body, who)?;
    child.kill().await?;
    Ok(elapsed)
}

/// Invocations per second on a warm instance, `rounds` times per function, alternating.
async fn warm(platform: Harness, seconds: f64, rounds: usize, subjects: &[Subject]) -> Result<()> {
    let payload = lambda_payload()?;
    let window = Duration::from_secs_f64(seconds);
    let mut rates = vec![Vec::new(); subjects.len()];
    let mut counts = vec![0u64; subjects.len()];
    let mut memory = vec![None; subjects.len()];
    for round in 0..rounds {
        for (k, subject) in rotated(subjects, round) {
            let who = subject.name.as_str();
            let (n, elapsed) = match platform {
                Harness::Lambda => {
                    let function = LambdaFunction::new(&subject.program).output(Output::Discard);
                    let lambda = LambdaEmulator::start(function).await?;
                    lambda_invoke(&lambda, &payload, who).await?; // the cold start, not counted
                    let (mut n, started) = (0u64, Instant::now());
                    while started.elapsed() < window {
                        memory[k] = lambda_invoke(&lambda, &payload, who).await?;
                        n += 1;
                    }
                    let elapsed = started.elapsed();
                    lambda.recycle().await;
                    (n, elapsed)
                }
                Harness::Fc => {
                    let function = FcFunction::new(&subject.program).output(Output::Discard);
                    let fc = FcEmulator::start(function).await?;
                    fc_invoke(&fc, who).await?;
                    let (mut n, started) = (0u64, Instant::now());
                    while started.elapsed() < window {
                        fc_invoke(&fc, who).await?;
                        n += 1;
                    }
                    let elapsed = started.elapsed();
                    memory[k] = fc.peak_memory_kib().await;
                    fc.stop().await?;
                    (n, elapsed)
                }
                Harness::FcDirect | Harness::Rie(_) => {
                    return Err("fc-cold-direct and rie-cold have no warm mode".into());
                }
            };
            let rate = n as f64 / elapsed.as_secs_f64();
            eprintln!("  round {}: {who} {rate:.0} invocations/s", round + 1);
            rates[k].push(rate);
            counts[k] += n;
        }
    }
    let mode = platform.mode(true);
    for (k, subject) in subjects.iter().enumerate() {
        println!(
            "{mode} {} {} rounds={rounds} invocations={} peak_kib={}",
            subject.name,
            spread(&rates[k], (k > 0).then_some(rates[0].as_slice())),
            counts[k],
            memory[k].map_or_else(|| "-".to_owned(), |m: u64| m.to_string()),
        );
    }
    Ok(())
}

/// From a new emulator to the first response, `runs` times per function, alternating.
async fn cold(platform: Harness, runs: usize, subjects: &[Subject]) -> Result<()> {
    let payload = lambda_payload()?;
    let mut samples = vec![Vec::new(); subjects.len()];
    for run in 0..runs {
        for (k, subject) in rotated(subjects, run) {
            let who = subject.name.as_str();
            let started = Instant::now();
            let elapsed = match &platform {
                Harness::Lambda => {
                    let function = LambdaFunction::new(&subject.program).output(Output::Discard);
                    let lambda = LambdaEmulator::start(function).await?;
                    // `invoke` spawns the process; the check runs after the clock stops.
                    let invocation = lambda.invoke(payload.clone()).await?;
                    let elapsed = started.elapsed();
                    let answer = invocation
                        .result
                        .map_err(|err| format!("{who} failed: {err}"))?;
                    let response = http_response(Trigger::ApiGatewayHttp, &answer)?;
                    check(response.status().as_u16(), response.body(), who)?;
                    lambda.recycle().await;
                    elapsed
                }
                Harness::Fc => {
                    let function = FcFunction::new(&subject.program).output(Output::Discard);
                    let fc = FcEmulator::start(function).await?;
                    let (_, response) = fc.http(fc_request()?, None).await?;
                    let elapsed = started.elapsed();
                    check(response.status().as_u16(), response.body(), who)?;
                    fc.stop().await?;
                    elapsed
                }
                Harness::FcDirect => fc_cold_direct(&subject.program, who).await?,
                Harness::Rie(rie) => rie_cold(rie, &subject.program, &payload, who).await?,
            };
            samples[k].push(elapsed.as_secs_f64() * 1000.0);
        }
    }
    let mode = platform.mode(false);
    for (k, subject) in subjects.iter().enumerate() {
        let ms = sorted(std::mem::take(&mut samples[k]));
        println!(
            "{mode} {} median_ms={:.2} p90_ms={:.2} min_ms={:.2} max_ms={:.2} runs={runs}",
            subject.name,
            percentile(&ms, 50.0),
            percentile(&ms, 90.0),
            ms.first().copied().unwrap_or(f64::NAN),
            ms.last().copied().unwrap_or(f64::NAN),
        );
    }
    Ok(())
}

/// A free loopback port.
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port())
}

/// Starts RIE with `program` as its function, waits until RIE listens (not timed), then times
/// the first invocation: RIE starting the function, its init, the invocation.
async fn rie_cold(rie: &str, program: &str, payload: &Bytes, who: &str) -> Result<Duration> {
    let addr = format!("127.0.0.1:{}", free_port()?);
    let runtime_api = format!("127.0.0.1:{}", free_port()?);
    let mut child = tokio::process::Command::new(rie)
        .args([
            "--runtime-interface-emulator-address",
            &addr,
            "--runtime-api-address",
            &runtime_api,
            program,
        ])
        .env_remove("FC_PLATFORM")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| format!("cannot start {rie}: {err}"))?;
    let waiting = Instant::now();
    let stream = loop {
        if let Ok(stream) = TcpStream::connect(&addr).await {
            break stream;
        }
        if waiting.elapsed() > Duration::from_secs(10) {
            return Err(format!("RIE did not listen on {addr}").into());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let mut request = format!(
        "POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        payload.len()
    )
    .into_bytes();
    request.extend_from_slice(payload);
    let mut stream = BufReader::new(stream);
    let started = Instant::now();
    let (status, body) = get(&mut stream, &request).await?;
    let elapsed = started.elapsed();
    if status != 200 {
        return Err(format!("{who} under RIE answered {status}").into());
    }
    let response = http_response(Trigger::ApiGatewayHttp, &body)?;
    check(response.status().as_u16(), response.body(), who)?;
    let _ = child.kill().await;
    Ok(elapsed)
}

/// One `GET` on a kept-alive connection: the status, or an error if the answer is malformed.
async fn get(stream: &mut BufReader<TcpStream>, request: &[u8]) -> Result<(u16, Vec<u8>)> {
    stream.get_mut().write_all(request).await?;
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Err("connection closed".into());
    }
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut length = None;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok();
        }
    }
    // The gateways answer with a length; a chunked answer would be misread, so refuse it.
    let length = length.ok_or("an answer without content-length")?;
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await?;
    Ok((status, body))
}

/// What one connection saw: latencies in ms of 200s, and failures.
#[derive(Default)]
struct Tally {
    latencies: Vec<f64>,
    failed: u64,
}

async fn connection(addr: Arc<str>, request: Arc<[u8]>, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut stream = None;
    while Instant::now() < until {
        let conn = match stream.as_mut() {
            Some(conn) => conn,
            None => match TcpStream::connect(&*addr).await {
                Ok(s) => stream.insert(BufReader::new(s)),
                Err(_) => {
                    tally.failed += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let started = Instant::now();
        match get(conn, &request).await {
            Ok((200, body)) if body == EXPECTED => {
                tally
                    .latencies
                    .push(started.elapsed().as_secs_f64() * 1000.0);
            }
            Ok(_) => tally.failed += 1,
            Err(_) => {
                tally.failed += 1;
                stream = None;
            }
        }
    }
    tally
}

/// `connections` kept-alive clients hammering a gateway for `seconds`.
async fn gateway(name: &str, addr: &str, connections: usize, seconds: f64) -> Result<()> {
    let addr: Arc<str> = addr.into();
    // One checked request first, so a broken gateway fails loudly instead of scoring zero.
    let mut probe = BufReader::new(TcpStream::connect(&*addr).await?);
    let request = format!("GET {PATH} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let (status, body) = get(&mut probe, request.as_bytes()).await?;
    check(status, &body, name)?;
    drop(probe);

    let started = Instant::now();
    let all = load(addr, &request, connections, seconds).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let ms = sorted(all.latencies);
    println!(
        "gateway {name} per_s={:.1} p50_ms={:.2} p99_ms={:.2} requests={} non200={} connections={connections} seconds={seconds}",
        ms.len() as f64 / elapsed,
        percentile(&ms, 50.0),
        percentile(&ms, 99.0),
        ms.len(),
        all.failed,
    );
    Ok(())
}

/// A server under `serve`: the variable that gives it its port, and its executable.
struct Served {
    name: String,
    var: String,
    env: Vec<(String, String)>,
    program: String,
}

/// Starts `served` on `port` and waits until it accepts.
async fn start_served(served: &Served, port: u16) -> Result<tokio::process::Child> {
    let mut child = tokio::process::Command::new(&served.program)
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env_remove("FC_PLATFORM")
        .env(&served.var, port.to_string())
        .envs(served.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if let Some(status) = child.try_wait()? {
            return Err(format!("{} exited before listening: {status}", served.name).into());
        }
        if started.elapsed() > Duration::from_secs(10) {
            return Err(format!("{} did not listen on {port}", served.name).into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(child)
}

/// Requests/s of servers on the same port under the same load, `rounds` times each, alternating.
async fn serve(seconds: f64, rounds: usize, connections: usize, args: &[String]) -> Result<()> {
    let servers: Vec<Served> = subjects(args)?
        .into_iter()
        .map(|subject| {
            let bad = || {
                format!(
                    "expected NAME=VAR[,ENV=VALUE...]:BINARY, got {}",
                    subject.name
                )
            };
            let (vars, program) = subject.program.split_once(':').ok_or_else(bad)?;
            let mut vars = vars.split(',');
            let var = vars.next().unwrap_or_default().to_owned();
            let env = vars
                .map(|pair| {
                    pair.split_once('=')
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .ok_or_else(bad)
                })
                .collect::<Result<_, _>>()?;
            Ok::<_, Box<dyn Error + Send + Sync>>(Served {
                name: subject.name,
                var,
                env,
                program: program.to_owned(),
            })
        })
        .collect::<Result<_, _>>()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr: Arc<str> = format!("127.0.0.1:{port}").into();
    let mut rates = vec![Vec::new(); servers.len()];
    let mut failed = vec![0u64; servers.len()];
    let mut costs = vec![Vec::new(); servers.len()];
    for round in 0..rounds {
        for (k, served) in rotated(&servers, round) {
            let mut child = start_served(served, port).await?;
            let request = fc_style_request(&addr);
            let mut probe = BufReader::new(TcpStream::connect(&*addr).await?);
            let (status, body) = get(&mut probe, request.as_bytes()).await?;
            check(status, &body, &served.name)?;
            drop(probe);
            let pid = child.id().ok_or("the server exited")?;
            let cpu_before = cpu_seconds(pid)?;
            let tally = load(Arc::clone(&addr), &request, connections, seconds).await?;
            let cpu = cpu_seconds(pid)? - cpu_before;
            child.kill().await?;
            let rate = tally.latencies.len() as f64 / seconds;
            let cpu_us = cpu * 1e6 / tally.latencies.len().max(1) as f64;
            eprintln!(
                "  round {}: {} {rate:.0} requests/s, {cpu_us:.1} µs of CPU per request",
                round + 1,
                served.name
            );
            rates[k].push(rate);
            costs[k].push(cpu_us);
            failed[k] += tally.failed;
        }
    }
    for (k, served) in servers.iter().enumerate() {
        let costs = sorted(std::mem::take(&mut costs[k]));
        println!(
            "serve {} {} cpu_us={:.2} rounds={rounds} non200={} connections={connections}",
            served.name,
            spread(&rates[k], (k > 0).then_some(rates[0].as_slice())),
            percentile(&costs, 50.0),
            failed[k],
        );
    }
    Ok(())
}

/// The CPU time (user and system) process `pid` has used, from /proc: what a server spends on
/// its requests, apart from the load generator that shares the machine.
fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .ok_or("unreadable /proc stat")?
        .1
        .split_whitespace()
        .collect();
    // utime and stime, the 14th and 15th fields, in clock ticks (USER_HZ, 100 on Linux).
    let ticks =
        |i: usize| -> Result<f64> { Ok(fields.get(i).ok_or("short /proc stat")?.parse::<f64>()?) };
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

/// `GET /hello?name=bench` as FC's front end passes it to a custom runtime; other servers
/// ignore the extra headers.
fn fc_style_request(addr: &str) -> String {
    format!(
        "GET {PATH} HTTP/1.1\r\nHost: {addr}\r\nx-fc-control-path: /http-invoke\r\n\
         x-fc-request-id: 6f1b9a2e-bench\r\nx-fc-function-name: bench\r\n\r\n"
    )
}

/// `connections` kept-alive clients for `seconds`; what they saw, together.
async fn load(addr: Arc<str>, request: &str, connections: usize, seconds: f64) -> Result<Tally> {
    let request: Arc<[u8]> = request.as_bytes().into();
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let workers: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(connection(Arc::clone(&addr), Arc::clone(&request), until)))
        .collect();
    let mut all = Tally::default();
    for worker in workers {
        let tally = worker.await?;
        all.latencies.extend(tally.latencies);
        all.failed += tally.failed;
    }
    Ok(all)
}

fn number<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> Result<T> {
    args.get(i)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("expected {what} as argument {i}").into())
}

async fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some(mode @ ("lambda-warm" | "fc-warm")) => {
            let platform = if mode == "fc-warm" {
                Harness::Fc
            } else {
                Harness::Lambda
            };
            let seconds = number(args, 1, "seconds")?;
            let rounds = number(args, 2, "rounds")?;
            warm(platform, seconds, rounds, &subjects(&args[3..])?).await
        }
        Some(mode @ ("lambda-cold" | "fc-cold" | "fc-cold-direct")) => {
            let platform = match mode {
                "fc-cold" => Harness::Fc,
                "fc-cold-direct" => Harness::FcDirect,
                _ => Harness::Lambda,
            };
            let runs = number(args, 1, "runs")?;
            cold(platform, runs, &subjects(&args[2..])?).await
        }
        Some("rie-cold") => {
            let runs = number(args, 2, "runs")?;
            cold(Harness::Rie(args[1].clone()), runs, &subjects(&args[3..])?).await
        }
        Some("serve") => {
            let seconds = number(args, 1, "seconds")?;
            let rounds = number(args, 2, "rounds")?;
            let connections = number(args, 3, "connections")?;
            serve(seconds, rounds, connections, &args[4..]).await
        }
        Some("gateway") if args.len() == 5 => {
            let connections = number(args, 3, "connections")?;
            let seconds = number(args, 4, "seconds")?;
            gateway(&args[1], &args[2], connections, seconds).await
        }
        _ => Err("usage: see the doc comment of tests/src/bin/perf.rs".into()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("perf: {err}");
            ExitCode::FAILURE
        }
    }
}
