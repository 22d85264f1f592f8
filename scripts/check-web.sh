#!/usr/bin/env bash
# The web app's side. First the page's pure modules (web/js: formats, the profile's
# arithmetic, the day-by-day model, the form's checks) with Node's own test runner
# (web/tests/unit: no browser, no service). Then, against the release binary on PostGIS
# (the database cluster named by TRAILLOOP_TEST_DATABASE_URL, over TLS verified against
# TRAILLOOP_TEST_DATABASE_CA_FILE when the URL says sslmode=require; scripts/test.sh
# provides both):
#   - the map page driven in headless Chromium (web/tests, Playwright's playwright-core
#     with Debian's chromium): origin, 10 km, three loops listed and drawn, profile,
#     GPX, save, share link; coverage, place search, profile, day by day, the search in
#     the address, input checks, the phone's layout, axe-core; screenshots of desktop and
#     phone go to target/artifacts/;
#   - schemathesis against /openapi.json with --checks all (scripts/api-fuzz): 0
#     failures.
# The service runs without background tiles (web.tile_url empty): nothing leaves the
# machine.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TRAILLOOP_TEST_DATABASE_URL:?run through scripts/test.sh, which starts a database}"
fail() { echo "check-web: $*" >&2; exit 1; }
CA_FILE=${TRAILLOOP_TEST_DATABASE_CA_FILE:-}
case "$TRAILLOOP_TEST_DATABASE_URL" in
    *sslmode=require*) [ -n "$CA_FILE" ] || fail "the URL asks for TLS: set TRAILLOOP_TEST_DATABASE_CA_FILE to the CA of the cluster's certificate" ;;
esac
if [ -n "$CA_FILE" ]; then
    # The service and psql verify the server's certificate against the cluster's CA.
    export TRAILLOOP__DATABASE__CA_FILE="$CA_FILE" PGSSLROOTCERT="$CA_FILE"
fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

echo "== the page's unit tests (node --test web/tests/unit)"
(cd web && node --test tests/unit/*.test.mjs) || fail "the page's unit tests failed"

if [ ! -x /usr/bin/chromium ]; then
    echo "== installing chromium"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
echo "== npm ci (web/: Leaflet and playwright-core, as web/package-lock.json pins them)"
(cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

echo "== release build"
cargo build --release --locked -p trailloop --bin trailloop
BIN=$PWD/target/release/trailloop

DB="web_$$"
psql "$TRAILLOOP_TEST_DATABASE_URL" -qc "CREATE DATABASE $DB"
# The cluster's URL with database $DB, its query (sslmode) kept.
BASE=${TRAILLOOP_TEST_DATABASE_URL%%\?*}
export TRAILLOOP__DATABASE__URL="${BASE%/*}/$DB${TRAILLOOP_TEST_DATABASE_URL#"$BASE"}"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export TRAILLOOP__SERVER__HOST=127.0.0.1 TRAILLOOP__SERVER__PORT="$PORT" TRAILLOOP__WEB__TILE_URL=""
# A slow CI machine must not turn the time budget into fewer loops or a 503 (and the
# budget stays under schemathesis' 10 s response limit).
export TRAILLOOP__SOLVER__TIME_BUDGET_MS=5000
# One client on loopback makes thousands of requests here: the fuzzer checks the API's
# answers, not the per-client rate limit (tests/integration/limits.rs does).
export TRAILLOOP__RATE_LIMIT__PER_SECOND=0
export RUST_LOG=warn
PID=""
LOG=$(mktemp /tmp/trailloop-web.XXXXXX.log)
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    psql "$TRAILLOOP_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== migrate, import Andorra, serve on port $PORT"
"$BIN" migrate
"$BIN" import --region andorra --pbf data/andorra.osm.pbf --dem data/N42E001.hgt.zip | tail -1
"$BIN" serve > "$LOG" 2>&1 &
PID=$!
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat "$LOG"; fail "not ready"; }
BASE="http://127.0.0.1:$PORT"

echo "== the map page in headless Chromium"
mkdir -p target/artifacts
TRAILLOOP_URL="$BASE" ARTIFACT_DIR="$PWD/target/artifacts" node --test web/tests/*.test.mjs \
    || { tail -50 "$LOG"; fail "the browser test failed"; }
for shot in map desktop desktop-results phone phone-results; do
    [ -s "target/artifacts/$shot.png" ] || fail "no screenshot target/artifacts/$shot.png written"
done
echo "   screenshots: target/artifacts/{map,desktop,desktop-results,phone,phone-results}.png"

echo "== schemathesis --checks all against $BASE/openapi.json"
scripts/api-fuzz/run.sh "$BASE" || { tail -50 "$LOG"; fail "schemathesis found failures"; }
kill -0 "$PID" 2>/dev/null || fail "the service died under the fuzzing"
