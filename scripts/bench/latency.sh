#!/usr/bin/env bash
# Loop-request latency on PostGIS and embedded, in one run, on the same data: a
# throwaway PostGIS cluster, a migrate and an import (timed), the release binary served
# twice (PostGIS and embedded, network not preloaded so the first request is cold), the
# fixed request set of `examples/latency.rs` sent one at a time to both in turn, the
# tasks' memory, then a second import and the first request after it.
#
#   scripts/bench/latency.sh [--pbf FILE] [--dem FILE]... [--rounds N]
#                            [--origins "lat,lon;..."] [--targets "5,10,..."] [--drive KM]
#
# Defaults: the Andorra sample with its elevation tile, the example's defaults.
set -euo pipefail
cd "$(dirname "$0")/../.."

PBF=data/andorra.osm.pbf
DEM=()
DEFAULT_DEM=1
EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --pbf) PBF=$2; shift 2 ;;
        --dem) DEM+=("$2"); DEFAULT_DEM=0; shift 2 ;;
        --no-dem) DEFAULT_DEM=0; shift ;;
        --rounds|--origins|--targets|--drive) EXTRA+=("$1" "$2"); shift 2 ;;
        *) echo "unknown argument $1"; exit 2 ;;
    esac
done
[ "$DEFAULT_DEM" = 1 ] && DEM=(data/N42E001.hgt.zip)
DEM_ARGS=()
for d in "${DEM[@]}"; do DEM_ARGS+=(--dem "$d"); done

cargo build --release --bin trailloop --example latency
BIN=target/release/trailloop

. scripts/lib/pg.sh
pg_install
SERVERS=()
cleanup() {
    for p in "${SERVERS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    pg_stop
}
trap cleanup EXIT
pg_start
# The cluster takes TCP with TLS only, its certificate for localhost signed by PG_CA_FILE.
pg_use_database bench
"$BIN" migrate >/dev/null 2>&1

rss() { awk '/^(VmRSS|VmHWM)/ {printf "%s %.1f MB  ", $1, $2 / 1024}' "/proc/$1/status"; }

echo "== import of $PBF"
RUST_LOG=warn /usr/bin/time -f "import: %e s wall, peak RSS %M KB" "$BIN" import --region bench --pbf "$PBF" "${DEM_ARGS[@]}" \
    2>&1 | grep -E "edges|nodes|trailheads|seconds|import:" || true
echo "database size: $(pg_psql -d bench -c "SELECT pg_size_pretty(pg_database_size('bench'))")"

start_server() { # name port [env...]
    local name=$1 port=$2; shift 2
    # One client sends every request: the per-client rate limit would turn most away.
    env RUST_LOG=warn TRAILLOOP__SERVER__HOST=127.0.0.1 TRAILLOOP__SERVER__PORT="$port" \
        TRAILLOOP__RATE_LIMIT__PER_SECOND=0 TRAILLOOP__NETWORK__PRELOAD=false TRAILLOOP__NETWORK__CACHE_MIB=${CACHE_MIB:-4096} "$@" \
        >"/tmp/trailloop-bench-$name.log" 2>&1 &
    SERVERS+=($!)
    for _ in $(seq 1 1200); do
        curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "$name did not come up"; cat "/tmp/trailloop-bench-$name.log"; exit 1
}
PG_SERVE_PORT=$(free_port)
EMB_PORT=$(free_port)
start_server postgres "$PG_SERVE_PORT" "$BIN" serve
PG_PID=${SERVERS[-1]}
started=$(date +%s.%N)
start_server embedded "$EMB_PORT" env -u TRAILLOOP__DATABASE__URL "$BIN" serve --pbf "$PBF" "${DEM_ARGS[@]}"
EMB_PID=${SERVERS[-1]}
echo "embedded start-up (network built from the extract): $(echo "$(date +%s.%N) - $started" | bc) s"

echo "== latency"
target/release/examples/latency "${EXTRA[@]}" \
    postgres="http://127.0.0.1:$PG_SERVE_PORT" embedded="http://127.0.0.1:$EMB_PORT"
echo "== memory, every tile the requests needed held"
echo "postgres: $(rss "$PG_PID")"
echo "embedded: $(rss "$EMB_PID")"
curl -fs "http://127.0.0.1:$PG_SERVE_PORT/metrics" | grep -E '^network_cache_(bytes|tiles|hits_total|misses_total) '

echo "== the whole region loaded at start-up (PostGIS, network.preload)"
WARM_PORT=$(free_port)
started=$(date +%s.%N)
env RUST_LOG=warn TRAILLOOP__SERVER__HOST=127.0.0.1 TRAILLOOP__SERVER__PORT="$WARM_PORT" \
    TRAILLOOP__RATE_LIMIT__PER_SECOND=0 TRAILLOOP__NETWORK__PRELOAD=true TRAILLOOP__NETWORK__CACHE_MIB=${CACHE_MIB:-4096} "$BIN" serve \
    >/tmp/trailloop-bench-warm.log 2>&1 &
SERVERS+=($!)
WARM_PID=${SERVERS[-1]}
for _ in $(seq 1 6000); do
    curl -fs "http://127.0.0.1:$WARM_PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "http://127.0.0.1:$WARM_PORT/readyz" >/dev/null
echo "ready with the whole region in memory after $(echo "$(date +%s.%N) - $started" | bc) s"
curl -fs "http://127.0.0.1:$WARM_PORT/metrics" | grep -E '^network_cache_(bytes|tiles) '
echo "memory: $(rss "$WARM_PID")"
target/release/examples/latency "${EXTRA[@]}" warm="http://127.0.0.1:$WARM_PORT"
echo "memory after the requests: $(rss "$WARM_PID")"
kill -TERM "$WARM_PID"

echo "== a second import, then the first requests after it (PostGIS)"
RUST_LOG=warn "$BIN" import --region bench --pbf "$PBF" "${DEM_ARGS[@]}" 2>&1 | grep -E "seconds" || true
target/release/examples/latency --rounds 1 "${EXTRA[@]}" postgres="http://127.0.0.1:$PG_SERVE_PORT"
