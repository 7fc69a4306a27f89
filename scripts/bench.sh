#!/usr/bin/env bash
# Whole-process performance of fc against a plain lambda_http function doing the same work:
# warm invocations/s and cold starts under fc-local's Lambda emulator, binary sizes, the FC
# emulator's figures and fc-local's gateways under load; then one axum Router
# (tests/src/axum_hello.rs) through fc against the same Router under lambda_http::run and
# axum::serve. Compared functions are measured
# alternately in one run, so drift hits them alike. Prints one markdown table on stdout
# (progress on stderr); exits non-zero if a measurement fails, not if a target is missed.
#
#   scripts/bench.sh    # ROUNDS=5 WARM_SECONDS=3 COLD_RUNS=20 GATEWAY_SECONDS=10 SERVE_SECONDS=3
#   ROUNDS=3 GATEWAY_SECONDS=5 scripts/bench.sh
#
# ROUNDS: warm windows per function; WARM_SECONDS: each window; COLD_RUNS: cold starts per
# function; GATEWAY_SECONDS: each gateway's load; CONNECTIONS: its kept-alive clients;
# SERVE_SECONDS: each round of load on the Router served directly (fc's FC runtime, fc's local
# platform, axum::serve, alternating on one port).
# FC_AWS_RIE: AWS's Runtime Interface Emulator (samcli/local/rapid/aws-lambda-rie-x86_64 in
# aws-sam-cli from PyPI) for a cold-start row under it; without it the row says so.
# INPROCESS=0 skips the in-process benches (`cargo bench --bench ratios|scaling` of fc-aws and
# fc-aliyun: fc against its baselines and the floor, interleaved, and the scaling curves, drawn
# in docs/scaling.svg); BATCH_MS is each side's batch per round there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-5}
WARM_SECONDS=${WARM_SECONDS:-3}
COLD_RUNS=${COLD_RUNS:-20}
GATEWAY_SECONDS=${GATEWAY_SECONDS:-10}
CONNECTIONS=${CONNECTIONS:-32}
SERVE_SECONDS=${SERVE_SECONDS:-3}
INPROCESS=${INPROCESS:-1}
BATCH_MS=${BATCH_MS:-300}

BENCH=$ROOT/target/bench
WORK=$(mktemp -d)
# fc-local stops its instances on SIGINT (Ctrl-C) only; any other signal would orphan them.
trap 'kill -INT $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
say() { echo "bench: $*" >&2; }

# --- builds ------------------------------------------------------------------------------
mkdir -p "$BENCH"
say "building hello (all platforms), hello (AWS only), fc-local and perf in release"
# Both hello builds write target/release/hello, so each is copied aside before the next.
cargo build --release -q -p hello
cp target/release/hello "$BENCH/hello-all"
cargo build --release -q -p hello --no-default-features --features aws
cp target/release/hello "$BENCH/hello-aws"
# Without the tests' `opentelemetry` feature: fc as most functions build it.
cargo build --release -q -p fc-tests --no-default-features --bin fc-local --bin perf --bin axum-hello --bin axum-serve

# The baseline: what `cargo lambda new` generates for an HTTP function, with hello's logic.
# Outside the workspace (its own [workspace] table), pinned by the workspace's lock file, with
# the workspace's release profile. It shares the workspace's target dir, so dependencies built
# with the same features are reused and nothing is rebuilt on the next run.
PLAIN=$BENCH/plain-lambda-http
mkdir -p "$PLAIN/src"
cat > "$PLAIN/Cargo.toml" <<'EOF'
[package]
name = "plain-lambda-http"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
lambda_http = "1.3"
tokio = { version = "1", features = ["macros"] }

[workspace]

[profile.release]
lto = true
codegen-units = 1
strip = true
panic = "unwind"
EOF
cat > "$PLAIN/src/main.rs" <<'EOF'
use lambda_http::http::{HeaderValue, Method, StatusCode, header};
use lambda_http::{Body, Error, Request, RequestExt, Response, run, service_fn, tracing};

async fn function_handler(event: Request) -> Result<Response<Body>, Error> {
    let text = |status: StatusCode, body: String| {
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Body::from(body))
    };
    if event.uri().path() != "/hello" {
        return Ok(text(StatusCode::NOT_FOUND, "not found; try /hello?name=fc\n".into())?);
    }
    if event.method() != Method::GET {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "use GET\n".into())?;
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET"));
        return Ok(response);
    }
    let params = event.query_string_parameters();
    let name = params.first("name").map(str::trim).filter(|n| !n.is_empty());
    Ok(text(StatusCode::OK, format!("hello, {}!\n", name.unwrap_or("world")))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    run(service_fn(function_handler)).await
}
EOF
# Only copied when changed, so cargo sees nothing new on the next run.
cmp -s Cargo.lock "$PLAIN/Cargo.lock" 2>/dev/null || cp Cargo.lock "$PLAIN/Cargo.lock"
say "building the plain lambda_http baseline"
CARGO_TARGET_DIR=$ROOT/target cargo build --release -q --manifest-path "$PLAIN/Cargo.toml"
cp target/release/plain-lambda-http "$BENCH/plain"

# The floor of a Lambda function: lambda_runtime alone, the HTTP API event read into
# aws_lambda_events' type and answered with hello's logic, as a function written without
# lambda_http would be. Pinned and built like the baseline above.
RUNTIME_ONLY=$BENCH/plain-lambda-runtime
mkdir -p "$RUNTIME_ONLY/src"
sed -e 's/^name = "plain-lambda-http"/name = "plain-lambda-runtime"/' \
    -e 's|^lambda_http = .*|lambda_runtime = "1.5"\naws_lambda_events = { version = "1.2", default-features = false, features = ["apigw"] }|' \
    "$PLAIN/Cargo.toml" > "$RUNTIME_ONLY/Cargo.toml.new"
# Files are replaced only when they change, so cargo sees nothing new on the next run.
update() { cmp -s "$1.new" "$1" 2>/dev/null && rm "$1.new" || mv "$1.new" "$1"; }
update "$RUNTIME_ONLY/Cargo.toml"
cat > "$RUNTIME_ONLY/src/main.rs.new" <<'EOF'
use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue, header};
use lambda_runtime::{Error, LambdaEvent, run, service_fn, tracing};

async fn function_handler(
    event: LambdaEvent<ApiGatewayV2httpRequest>,
) -> Result<ApiGatewayV2httpResponse, Error> {
    let request = event.payload;
    let text = |status: i64, body: String| {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
        let mut response = ApiGatewayV2httpResponse::default();
        response.status_code = status;
        response.headers = headers;
        response.body = Some(Body::Text(body));
        response
    };
    if request.raw_path.as_deref() != Some("/hello") {
        return Ok(text(404, "not found; try /hello?name=fc\n".into()));
    }
    if request.request_context.http.method != aws_lambda_events::http::Method::GET {
        return Ok(text(405, "use GET\n".into()));
    }
    let name = request
        .query_string_parameters
        .first("name")
        .map(str::trim)
        .filter(|n| !n.is_empty());
    Ok(text(200, format!("hello, {}!\n", name.unwrap_or("world"))))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    run(service_fn(function_handler)).await
}
EOF
update "$RUNTIME_ONLY/src/main.rs"
cmp -s Cargo.lock "$RUNTIME_ONLY/Cargo.lock" 2>/dev/null || cp Cargo.lock "$RUNTIME_ONLY/Cargo.lock"
say "building the plain lambda_runtime baseline"
CARGO_TARGET_DIR=$ROOT/target cargo build --release -q --manifest-path "$RUNTIME_ONLY/Cargo.toml"
cp target/release/plain-lambda-runtime "$BENCH/runtime"

# The same Router's source under lambda_http::run, as lambda_http's own axum example serves one.
PLAIN_AXUM=$BENCH/plain-lambda-http-axum
mkdir -p "$PLAIN_AXUM/src"
sed -e 's/^name = "plain-lambda-http"/name = "plain-lambda-http-axum"/' \
    -e 's|^tokio = .*|&\naxum = { version = "0.8", default-features = false, features = ["query", "tokio", "http1"] }\nserde = { version = "1", features = ["derive"] }|' \
    "$PLAIN/Cargo.toml" > "$PLAIN_AXUM/Cargo.toml.new"
update "$PLAIN_AXUM/Cargo.toml"
cat > "$PLAIN_AXUM/src/main.rs.new" <<EOF
#[path = "$ROOT/tests/src/axum_hello.rs"]
mod app;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    lambda_http::run(app::router()).await
}
EOF
update "$PLAIN_AXUM/src/main.rs"
cmp -s Cargo.lock "$PLAIN_AXUM/Cargo.lock" 2>/dev/null || cp Cargo.lock "$PLAIN_AXUM/Cargo.lock"
say "building the axum Router under lambda_http"
CARGO_TARGET_DIR=$ROOT/target cargo build --release -q --manifest-path "$PLAIN_AXUM/Cargo.toml"
cp target/release/plain-lambda-http-axum "$BENCH/plain-axum"

ALL=$BENCH/hello-all AWS=$BENCH/hello-aws BASE=$BENCH/plain RUNTIME=$BENCH/runtime
AXUM_FC=$ROOT/target/release/axum-hello AXUM_PLAIN=$BENCH/plain-axum AXUM_SERVE=$ROOT/target/release/axum-serve
PERF=$ROOT/target/release/perf FC_LOCAL=$ROOT/target/release/fc-local
RESULTS=$WORK/results

# --- measurements ------------------------------------------------------------------------
# Other work on the machine shows up as noise; the load averages say how much there was.
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "Lambda warm: $ROUNDS rounds of ${WARM_SECONDS}s per function"
"$PERF" lambda-warm "$WARM_SECONDS" "$ROUNDS" plain="$BASE" all="$ALL" aws="$AWS" runtime="$RUNTIME" >> "$RESULTS"
say "Lambda cold: $COLD_RUNS starts per function"
"$PERF" lambda-cold "$COLD_RUNS" all="$ALL" plain="$BASE" aws="$AWS" runtime="$RUNTIME" >> "$RESULTS"
if [ -n "${FC_AWS_RIE:-}" ]; then
    say "Lambda cold under AWS's Runtime Interface Emulator: $COLD_RUNS starts per function"
    "$PERF" rie-cold "$FC_AWS_RIE" "$COLD_RUNS" all="$ALL" runtime="$RUNTIME" plain="$BASE" aws="$AWS" >> "$RESULTS"
fi
say "FC warm and cold"
"$PERF" fc-warm "$WARM_SECONDS" "$ROUNDS" all="$ALL" >> "$RESULTS"
"$PERF" fc-cold "$COLD_RUNS" all="$ALL" >> "$RESULTS"
# The emulator polls a new instance's port from 1 ms up; this spawns the function itself and
# polls every 0.2 ms, which is the start itself.
"$PERF" fc-cold-direct "$COLD_RUNS" all="$ALL" >> "$RESULTS"

say "axum Router: Lambda warm, $ROUNDS rounds of ${WARM_SECONDS}s; served directly, $ROUNDS rounds of ${SERVE_SECONDS}s"
"$PERF" lambda-warm "$WARM_SECONDS" "$ROUNDS" axum-lambda-http="$AXUM_PLAIN" axum-fc="$AXUM_FC" >> "$RESULTS"
# FC names the function in the instance's environment, as it does in production.
FC_RUNTIME="FC_CUSTOM_LISTEN_PORT,FC_FUNCTION_NAME=bench:$AXUM_FC"
"$PERF" serve "$SERVE_SECONDS" "$ROUNDS" "$CONNECTIONS" axum-serve="PORT:$AXUM_SERVE" \
    fc-runtime="$FC_RUNTIME" fc-local="PORT:$AXUM_FC" \
    fc-local-quiet="PORT,RUST_LOG=warn:$AXUM_FC" >> "$RESULTS"
# What FC's contract itself costs: axum::serve writing the two log lines every custom runtime
# must write per invocation, against fc's runtime, alternating.
"$PERF" serve "$SERVE_SECONDS" "$ROUNDS" "$CONNECTIONS" axum-serve-markers="PORT,FC_MARKERS=1:$AXUM_SERVE" \
    fc-runtime-vs-markers="$FC_RUNTIME" >> "$RESULTS"

wait_for_banner() { # file -> host:port from the "serving ... on http://HOST:PORT" line
    for _ in $(seq 1 300); do
        if grep -q 'http://[0-9.]*:[0-9]*' "$1" 2>/dev/null; then
            grep -o 'http://[0-9.]*:[0-9]*' "$1" | head -1 | sed 's|http://||'
            return 0
        fi
        sleep 0.1
    done
    say "the gateway did not start: $(cat "$1")"
    return 1
}
for platform in aws aliyun; do
    say "gateway $platform: $CONNECTIONS connections for ${GATEWAY_SECONDS}s"
    "$FC_LOCAL" start --platform "$platform" --port 0 -- "$ALL" \
        > "$WORK/$platform.out" 2> "$WORK/$platform.err" &
    server=$!
    addr=$(wait_for_banner "$WORK/$platform.out")
    "$PERF" gateway "$platform" "$addr" "$CONNECTIONS" "$GATEWAY_SECONDS" >> "$RESULTS"
    kill -INT "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
done

# --- the table ---------------------------------------------------------------------------
size() { stat -c %s "$1"; }
{
    echo "size all bytes=$(size "$ALL")"
    echo "size aws bytes=$(size "$AWS")"
    echo "size plain bytes=$(size "$BASE")"
    echo "size runtime bytes=$(size "$RUNTIME")"
} >> "$RESULTS"

# field MODE NAME KEY: one figure from perf's `MODE NAME key=value...` lines.
field() {
    awk -v m="$1" -v n="$2" -v k="$3" \
        '$1 == m && $2 == n { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' \
        "$RESULTS"
}
# verdict VALUE OP LIMIT: "met" or "not met".
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = op == ">=" ? v >= l : v <= l; print ok ? "met" : "not met" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# both_builds ALL AWS OP LIMIT: the verdict of each build, the AWS-only one first — the like of a
# function written for Lambda alone, as the plain lambda_runtime one is.
both_builds() { echo "AWS only: $(verdict "$2" "$3" "$4"); all platforms: $(verdict "$1" "$3" "$4")"; }
# ratio_range MODE NAME: the spread of the round-by-round ratios to the baseline.
ratio_range() { echo "$(field "$1" "$2" ratio_min)–$(field "$1" "$2" ratio_max)"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }

warm_all=$(field lambda-warm all per_s) warm_aws=$(field lambda-warm aws per_s) warm_plain=$(field lambda-warm plain per_s)
warm_range() { echo "$(field lambda-warm "$1" min)–$(field lambda-warm "$1" max)"; }
cold_all=$(field lambda-cold all median_ms) cold_aws=$(field lambda-cold aws median_ms) cold_plain=$(field lambda-cold plain median_ms)
cold_spread() { echo "p90 $(field lambda-cold "$1" p90_ms), min $(field lambda-cold "$1" min_ms)"; }
size_all=$(field size all bytes) size_aws=$(field size aws bytes) size_plain=$(field size plain bytes)

echo "| measurement | fc hello (all platforms) | fc hello (AWS only) | plain lambda_http | ratio all / plain (warm: median of the round-by-round ratios; range) | ratio aws / plain | target | result |"
echo "|---|---|---|---|---|---|---|---|"
r=$(field lambda-warm all ratio)
echo "| Lambda warm, invocations/s (median of $ROUNDS × ${WARM_SECONDS}s; range) | $warm_all ($(warm_range all)) | $warm_aws ($(warm_range aws)) | $warm_plain ($(warm_range plain)) | $r ($(ratio_range lambda-warm all)) | $(field lambda-warm aws ratio) ($(ratio_range lambda-warm aws)) | ≥ 0.95 | $(verdict "$r" ">=" 0.95) |"
r=$(ratio "$cold_all" "$cold_plain")
echo "| Lambda cold start to first response, ms (median of $COLD_RUNS) | $cold_all ($(cold_spread all)) | $cold_aws ($(cold_spread aws)) | $cold_plain ($(cold_spread plain)) | $r | $(ratio "$cold_aws" "$cold_plain") | ≤ 1.10 | $(verdict "$r" "<=" 1.10) |"
echo "| Lambda peak RSS after the warm run, KiB | $(field lambda-warm all peak_kib) | $(field lambda-warm aws peak_kib) | $(field lambda-warm plain peak_kib) | $(ratio "$(field lambda-warm all peak_kib)" "$(field lambda-warm plain peak_kib)") | $(ratio "$(field lambda-warm aws peak_kib)" "$(field lambda-warm plain peak_kib)") | — | — |"
cold_runtime=$(field lambda-cold runtime median_ms)
r=$(ratio "$cold_all" "$cold_runtime")
ra=$(ratio "$cold_aws" "$cold_runtime")
echo "| Lambda cold start to first response, ms (median of $COLD_RUNS), against a plain lambda_runtime hello (in the lambda_http column) | $cold_all | $cold_aws | $cold_runtime ($(cold_spread runtime)) | $r | $ra | ≤ 1.00 | $(both_builds "$r" "$ra" "<=" 1.00) |"
rss_runtime=$(field lambda-warm runtime peak_kib)
r=$(ratio "$(field lambda-warm all peak_kib)" "$rss_runtime")
ra=$(ratio "$(field lambda-warm aws peak_kib)" "$rss_runtime")
echo "| Lambda peak RSS after the warm run, KiB, against a plain lambda_runtime hello (in the lambda_http column) | $(field lambda-warm all peak_kib) | $(field lambda-warm aws peak_kib) | $rss_runtime | $r | $ra | ≤ 1.05 | $(both_builds "$r" "$ra" "<=" 1.05) |"
if [ -n "${FC_AWS_RIE:-}" ]; then
    rie_runtime=$(field rie-cold runtime median_ms)
    r=$(ratio "$(field rie-cold all median_ms)" "$rie_runtime")
    ra=$(ratio "$(field rie-cold aws median_ms)" "$rie_runtime")
    echo "| Lambda cold start under AWS's Runtime Interface Emulator (the first invocation, in which RIE starts the function), ms (median of $COLD_RUNS), against a plain lambda_runtime hello (in the lambda_http column) | $(field rie-cold all median_ms) (p90 $(field rie-cold all p90_ms)) | $(field rie-cold aws median_ms) (p90 $(field rie-cold aws p90_ms)) | $rie_runtime (p90 $(field rie-cold runtime p90_ms); plain lambda_http $(field rie-cold plain median_ms)) | $r | $ra | ≤ 1.00 | $(both_builds "$r" "$ra" "<=" 1.00) |"
else
    echo "| Lambda cold start under AWS's Runtime Interface Emulator | not measured: set FC_AWS_RIE to aws-sam-cli's aws-lambda-rie-x86_64 | | | | | ≤ 1.00 | — |"
fi
echo "| Lambda warm against a plain lambda_runtime hello, invocations/s (in the lambda_http column) | $warm_all | $warm_aws | $(field lambda-warm runtime per_s) ($(warm_range runtime)) | $(ratio "$warm_all" "$(field lambda-warm runtime per_s)") | $(ratio "$warm_aws" "$(field lambda-warm runtime per_s)") | — | — |"
ra=$(ratio "$size_all" "$size_plain") rw=$(ratio "$size_aws" "$size_plain")
echo "| binary size, all platforms (stripped, lto) | $(mib "$size_all") | | $(mib "$size_plain") | $ra | | ≤ 1.5 | $(verdict "$ra" "<=" 1.5) |"
echo "| binary size, AWS only (stripped, lto) | | $(mib "$size_aws") | $(mib "$size_plain") | | $rw | ≤ 1.10 | $(verdict "$rw" "<=" 1.10) |"
echo "| FC warm (HTTP passthrough), invocations/s (median of $ROUNDS × ${WARM_SECONDS}s; range) | $(field fc-warm all per_s) ($(field fc-warm all min)–$(field fc-warm all max)) | | | | | — | — |"
for mode in fc-cold fc-cold-direct; do
    what=$([ $mode = fc-cold ] && echo "under the emulator (port polled from 1 ms up)" || echo "spawned directly (port polled every 0.2 ms)")
    echo "| FC cold start to first response, $what, ms (median of $COLD_RUNS) | $(field $mode all median_ms) (p90 $(field $mode all p90_ms), min $(field $mode all min_ms)) | | | | | — | — |"
done
for platform in aws aliyun; do
    errors=$(field gateway "$platform" non200)
    echo "| fc-local gateway --platform $platform, $CONNECTIONS connections × ${GATEWAY_SECONDS}s: req/s; p50 / p99 ms; non-200 | $(field gateway "$platform" per_s) req/s; $(field gateway "$platform" p50_ms) / $(field gateway "$platform" p99_ms) ms; $errors non-200 | | | | | 0 non-200 | $([ "$errors" = 0 ] && echo met || echo "not met") |"
done
echo
echo "| the same axum Router (tests/src/axum_hello.rs) | through fc | baseline | ratio (median of the round-by-round ratios; range) | target | result |"
echo "|---|---|---|---|---|---|"
a=$(field lambda-warm axum-fc per_s) b=$(field lambda-warm axum-lambda-http per_s) r=$(field lambda-warm axum-fc ratio)
echo "| Lambda warm, invocations/s (median of $ROUNDS × ${WARM_SECONDS}s; range) | $a ($(field lambda-warm axum-fc min)–$(field lambda-warm axum-fc max)) | lambda_http::run: $b ($(field lambda-warm axum-lambda-http min)–$(field lambda-warm axum-lambda-http max)) | $r ($(ratio_range lambda-warm axum-fc)) | ≥ 0.95 | $(verdict "$r" ">=" 0.95) |"
b=$(field serve axum-serve per_s)
for who in fc-runtime fc-local fc-local-quiet; do
    case $who in
        fc-runtime) what="as an FC custom runtime" ;;
        fc-local) what="on the local platform (an access log line per request)" ;;
        *) what="on the local platform, access log off (RUST_LOG=warn)" ;;
    esac
    a=$(field serve $who per_s) r=$(field serve $who ratio)
    echo "| $what, $CONNECTIONS connections, requests/s (median of $ROUNDS × ${SERVE_SECONDS}s; range; non-200; the server's CPU time per request, median) | $a ($(field serve $who min)–$(field serve $who max); $(field serve $who non200); $(field serve $who cpu_us) µs) | axum::serve on the same port: $b ($(field serve axum-serve min)–$(field serve axum-serve max); $(field serve axum-serve non200); $(field serve axum-serve cpu_us) µs) | $r ($(ratio_range serve $who)) | ≥ 0.95 | $(verdict "$r" ">=" 0.95) |"
done
who=fc-runtime-vs-markers a=$(field serve $who per_s) r=$(field serve $who ratio) b=axum-serve-markers
echo "| as an FC custom runtime, against axum::serve writing FC's two log markers per request (a \`from_fn\` middleware with \`println!\`, as the contract asks of any custom runtime), $CONNECTIONS connections, requests/s (as above) | $a ($(field serve $who min)–$(field serve $who max); $(field serve $who non200); $(field serve $who cpu_us) µs) | $(field serve $b per_s) ($(field serve $b min)–$(field serve $b max); $(field serve $b non200); $(field serve $b cpu_us) µs) | $r ($(ratio_range serve $who)) | — | — |"
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(rustc -V); load average $LOAD_BEFORE before the measurements, $(cut -d' ' -f1-3 /proc/loadavg) after."

# --- in process: interleaved ratios and scaling ----------------------------------------------
[ "$INPROCESS" = 1 ] || exit 0
say "in process: ratios and scaling curves of fc-aws and fc-aliyun ($ROUNDS rounds of ${BATCH_MS} ms)"
: > "$WORK/inprocess.err"
for crate in fc-aws fc-aliyun; do
    for bench in ratios scaling; do
        # FC's runtime writes its log markers on stdout; the rows go to stderr.
        ROUNDS=$ROUNDS BATCH_MS=$BATCH_MS cargo bench -q -p "$crate" --bench "$bench" \
            > /dev/null 2>> "$WORK/inprocess.err" || { cat "$WORK/inprocess.err" >&2; exit 1; }
    done
done
echo
echo "| one invocation in process, interleaved ($ROUNDS rounds of $BATCH_MS ms per side; median, range of the rounds) | fc | against | its time | fc / it | target | result |"
echo "|---|---|---|---|---|---|---|"
grep '^| ' "$WORK/inprocess.err" | grep -v -e ' per byte | ' -e ' per record | '
echo
echo "| scaling: one invocation as the event grows (median of $ROUNDS batches per point) | cost per byte or record (least squares) | fixed cost | R² | points |"
echo "|---|---|---|---|---|"
grep -e '^| .* per byte | ' -e '^| .* per record | ' "$WORK/inprocess.err"
grep '^curve,' "$WORK/inprocess.err" > "$WORK/curves.csv"
cargo run -q --release -p fc-tests --no-default-features --bin plot -- "$ROOT/docs/scaling.svg" < "$WORK/curves.csv"
echo
echo "The scaling curves are drawn in docs/scaling.svg."
