#!/usr/bin/env bash
# Runs the release binary the way the image runs it, against the database cluster named
# by TRAILLOOP_TEST_DATABASE_URL, over TLS verified against TRAILLOOP_TEST_DATABASE_CA_FILE
# when the URL says sslmode=require (scripts/test.sh provides both):
#   - it links only against what the distroless cc image ships (glibc, libgcc_s);
#   - /app holds the binary, config/ and data/, owned by root and read-only; the
#     service runs there as an unprivileged user with the image's environment;
#   - `trailloop migrate` and `trailloop import` (the one-off task) work;
#   - `trailloop healthcheck` exits 0 while serving and non-zero when not;
#   - /metrics is served on the metrics port, as the image sets it, and is 404 on the
#     API's port;
#   - SIGTERM during a slow request lets it finish, then the process exits 0 within the
#     ECS stop timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TRAILLOOP_TEST_DATABASE_URL:?run through scripts/test.sh, which starts a database}"
STOP_TIMEOUT=45   # ecs/trailloop.yaml StopTimeout
fail() { echo "check-runtime: $*" >&2; exit 1; }
CA_FILE=${TRAILLOOP_TEST_DATABASE_CA_FILE:-}
case "$TRAILLOOP_TEST_DATABASE_URL" in
    *sslmode=require*) [ -n "$CA_FILE" ] || fail "the URL asks for TLS: set TRAILLOOP_TEST_DATABASE_CA_FILE to the CA of the cluster's certificate" ;;
esac
# psql verifies the server's certificate against the same CA.
[ -n "$CA_FILE" ] && export PGSSLROOTCERT="$CA_FILE"

echo "== release build"
cargo build --release --locked -p trailloop --bin trailloop
BIN=target/release/trailloop

echo "== shared libraries"
needed=$(readelf -d "$BIN" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
echo "$needed" | sed 's/^/   /'
if echo "$needed" | grep -Ev '^(libc|libm|libgcc_s|libpthread|libdl|librt|ld-linux-x86-64|ld-linux-aarch64)\.so(\.[0-9]+)*$'; then
    fail "the binary needs libraries the distroless cc image lacks"
fi

APP=$(mktemp -d /tmp/trailloop-app.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$APP"; }
trap cleanup EXIT
install -m 0755 "$BIN" "$APP/trailloop"
cp -r config "$APP/config"
mkdir "$APP/data" && cp data/andorra.osm.pbf data/N42E001.hgt.zip data/README.md "$APP/data/"
# The database's CA beside the binary, readable by the image's user (the cluster's own
# directory is not).
[ -n "$CA_FILE" ] && install -m 0644 "$CA_FILE" "$APP/database-ca.pem"
chmod 0755 "$APP" && chmod -R a-w "$APP"

DB="runtime_$$"
psql "$TRAILLOOP_TEST_DATABASE_URL" -qc "CREATE DATABASE $DB"
# The cluster's URL with database $DB, its query (sslmode) kept.
BASE=${TRAILLOOP_TEST_DATABASE_URL%%\?*}
URL="${BASE%/*}/$DB${TRAILLOOP_TEST_DATABASE_URL#"$BASE"}"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
# The image serves /metrics on a port of its own (its ENV TRAILLOOP__SERVER__METRICS_PORT).
METRICS_PORT=$(free_port)
[ "$METRICS_PORT" != "$PORT" ] || METRICS_PORT=$(free_port)
grep -qx 'ENV TRAILLOOP__SERVER__METRICS_PORT=[1-9][0-9]*' Dockerfile \
    || fail "the Dockerfile no longer sets TRAILLOOP__SERVER__METRICS_PORT: update this script"
# The image's user (65532 in distroless; any unprivileged uid here) and environment.
run=()
[ "$(id -u)" = 0 ] && run=(setpriv --reuid=65532 --regid=65532 --clear-groups)
run+=(env -i TRAILLOOP__DATABASE__URL="$URL" TRAILLOOP__SERVER__PORT="$PORT"
      TRAILLOOP__SERVER__METRICS_PORT="$METRICS_PORT"
      ${CA_FILE:+TRAILLOOP__DATABASE__CA_FILE=database-ca.pem}
      TRAILLOOP__SOLVER__THREADS=1 TRAILLOOP__SOLVER__TIME_BUDGET_MS=20000
      TRAILLOOP__SOLVER__COSTLY_TIME_BUDGET_MS=20000 TRAILLOOP__SOLVER__MAX_QUEUE_WAIT_MS=30000
      TRAILLOOP__SOLVER__COSTLY_PER_CLIENT=16 TRAILLOOP__SOLVER__COSTLY_MAX_QUEUE=16
      RUST_LOG=warn ./trailloop)
# exec: the process the caller sees (and signals) is trailloop itself, as in a container.
as_app() { (cd "$APP" && exec "${run[@]}" "$@"); }

echo "== migrate and import as the image's user in a read-only /app"
as_app migrate
as_app import --region andorra --pbf data/andorra.osm.pbf --dem data/N42E001.hgt.zip | tail -1
as_app healthcheck >/dev/null 2>&1 && fail "healthcheck passed with nothing serving"

echo "== serve, healthcheck, SIGTERM during a request"
(cd "$APP" && exec "${run[@]}" serve) > "/tmp/trailloop-serve.$$.log" 2>&1 &
PID=$!
for _ in $(seq 100); do as_app healthcheck >/dev/null 2>&1 && break; sleep 0.2; done
as_app healthcheck || fail "healthcheck failed while serving"
# Ready once the network is loaded into memory (network.preload): a few seconds at most.
for _ in $(seq 150); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || fail "not ready after import"
# /metrics on its own port only: 404 on the API's.
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")
[ "$code" = 404 ] || fail "/metrics on the API's port answered $code, not 404"
metrics=$(curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics") \
    || fail "no answer for /metrics on the metrics port $METRICS_PORT"
grep -q '^http_requests_total' <<<"$metrics" || fail "no request counts on the metrics port"
# Several plans on one solver thread: the last ones are still queued when SIGTERM comes.
# They are costly requests from one client: the run above lets 16 of them in at once
# (solver.costly_per_client, costly_max_queue) and wait their turn (max_queue_wait_ms).
# Three-day trips (a few hundred ms each): a day loop answers in tens of ms once the
# network is in memory, and the batch could be over before it is signalled.
body='{"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 30, "target_km": 60, "days": 3, "max_results": 3}'
N=16
for i in $(seq $N); do
    { curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
        -d "$body" "http://127.0.0.1:$PORT/v1/loops"; echo " $(date +%s.%N)"; } > "$APP.code$i" &
done
# SIGTERM once every request has arrived (answered, or admitted to the solver queue) and
# some are still in flight: a request whose curl had not yet connected is not in flight,
# and the listener closes at SIGTERM.
for _ in $(seq 100); do
    read -r answered admitted < <(curl -fs "http://127.0.0.1:$METRICS_PORT/metrics" | awk '
        /^http_requests_total\{.*route="\/v1\/loops"/ {a += $2}
        /^solver_pool_in_flight / {f = $2}
        END {print a + 0, f + 0}')
    [ $((answered + admitted)) -ge "$N" ] && [ "$admitted" -ge 1 ] && break
    sleep 0.1
done
[ $((answered + admitted)) -ge "$N" ] && [ "$admitted" -ge 1 ] ||
    fail "after 10 s, $answered of $N requests answered and $admitted in flight"
signalled=$(date +%s.%N)
kill -TERM "$PID"
start=$(date +%s)
wait "$PID" && rc=0 || rc=$?
PID=""
took=$(( $(date +%s) - start ))
wait
after=0
for i in $(seq $N); do
    # A request cut off has "000" and no time (and no newline): say so, do not stop here.
    read -r code done_at < "$APP.code$i" || true; rm -f "$APP.code$i"
    [ "$code" = 200 ] || fail "request $i in flight at SIGTERM got $code"
    python3 -c "import sys; sys.exit(0 if $done_at > $signalled else 1)" && after=$((after + 1))
done
[ "$after" -gt 0 ] || fail "every request had finished before SIGTERM: nothing was in flight"
[ "$rc" = 0 ] || fail "serve exited $rc after SIGTERM"
[ "$took" -le "$STOP_TIMEOUT" ] || fail "shutdown took ${took}s, over the ${STOP_TIMEOUT}s stop timeout"
as_app healthcheck >/dev/null 2>&1 && fail "healthcheck passed after shutdown"
psql "$TRAILLOOP_TEST_DATABASE_URL" -qc "DROP DATABASE $DB"
echo "check-runtime: $N requests answered 200 ($after finished after SIGTERM), exit 0 after ${took}s, healthcheck 0 serving / 1 stopped"
echo "check-runtime: 1 passed, 0 failed"
