#!/usr/bin/env bash
# Load run of POST /v1/loops against the release binary in embedded mode (Andorra),
# and of /healthz for the ratio. Loopback only, bounded duration.
#   scripts/load/run.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-30}
CONNECTIONS=${2:-16}
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 1; }
cargo build --release --bin trailloop

LOG=$(mktemp /tmp/trailloop-load.XXXXXX.log)
RUST_LOG=warn TRAILLOOP__SERVER__HOST=127.0.0.1 TRAILLOOP__SERVER__PORT=$PORT \
    target/release/trailloop serve --pbf data/andorra.osm.pbf --dem data/N42E001.hgt.zip >"$LOG" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null

echo "== POST /v1/loops, $CONNECTIONS connections, ${DURATION}s"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency --timeout 10s \
    -s scripts/load/loops.lua "http://127.0.0.1:$PORT"
echo "== GET /healthz, $CONNECTIONS connections, ${DURATION}s"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/healthz"
echo "== solver metrics"
curl -fs "http://127.0.0.1:$PORT/metrics" | grep -E '^(solver_|http_requests_total\{method="POST")'
