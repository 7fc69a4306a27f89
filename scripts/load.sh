#!/usr/bin/env bash
# Load without loss: drives the survey through the local platform and through fc-local's AWS
# and FC gateways with 64 connections for 30 s each (valid, invalid and retried submissions),
# then checks that every accepted survey is stored and mailed exactly once and that nothing
# answered 5xx. Prints a markdown table; exits non-zero if any platform lost or doubled data.
#
#   scripts/load.sh [connections] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-64}
SECONDS_EACH=${2:-30}

cargo build --release -q -p survey -p fc-tests --no-default-features --bin survey --bin load --bin fc-local
BIN=target/release
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

wait_for_banner() { # file -> host:port from the "serving ... on http://HOST:PORT" line
    for _ in $(seq 1 300); do
        if grep -o 'http://[0-9.]*:[0-9]*' "$1" > /dev/null 2>&1; then
            grep -o 'http://[0-9.]*:[0-9]*' "$1" | head -1 | sed 's|http://||'
            return 0
        fi
        sleep 0.1
    done
    echo "the server did not start: $(cat "$1")" >&2
    return 1
}

echo "| platform | connections | time | requests | req/s | 201 | 400 | retries | 5xx+errors | rows | mails | lost | duplicated | one mail per row |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
status=0
for platform in local aws aliyun; do
    dir="$WORK/$platform"
    mkdir -p "$dir"
    db="sqlite://$dir/survey.db"
    outbox="$dir/outbox"
    case $platform in
        local)
            PORT=0 DATABASE_URL="$db" OUTBOX_DIR="$outbox" RUST_LOG=warn "$BIN/survey" > "$dir/out" 2> "$dir/err" &
            ;;
        *)
            # A survey stays within the timeout even when instances queue up behind 64 clients.
            "$BIN/fc-local" start --platform "$platform" --port 0 --timeout 30 --concurrency 16 \
                --env "DATABASE_URL=$db" --env "OUTBOX_DIR=$outbox" --env RUST_LOG=warn \
                -- "$BIN/survey" > "$dir/out" 2> "$dir/err" &
            ;;
    esac
    server=$!
    addr=$(wait_for_banner "$dir/out")
    "$BIN/load" "$platform" "$addr" "$db" "$outbox" "$CONNECTIONS" "$SECONDS_EACH" || status=1
    kill -INT "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
done
exit $status
