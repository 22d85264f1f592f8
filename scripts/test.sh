#!/usr/bin/env bash
# The whole test suite against a throwaway PostGIS cluster.
#
# On a fresh Debian machine it installs what is missing (PostgreSQL 15, PostGIS 3, pgRouting),
# starts a cluster as the `postgres` user in a temporary directory on a free port (TCP
# with TLS only, its certificate signed by a CA of its own: scripts/lib/pg.sh),
# runs every test of the workspace against it, and removes the cluster again.
# Extra arguments go to the test runner (e.g. `scripts/test.sh -p trailloop-solver`).
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/pg.sh
pg_install
trap pg_stop EXIT
pg_start
export TRAILLOOP_TEST_DATABASE_URL="$PG_URL"
# The cluster takes TCP connections with TLS only: the CA of its certificate, for the
# tests, the service and psql.
export TRAILLOOP_TEST_DATABASE_CA_FILE="$PG_CA_FILE"
echo "== TRAILLOOP_TEST_DATABASE_URL=$TRAILLOOP_TEST_DATABASE_URL"
echo "== TRAILLOOP_TEST_DATABASE_CA_FILE=$TRAILLOOP_TEST_DATABASE_CA_FILE"

if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --no-fail-fast "$@"
else
    cargo test --workspace --locked --no-fail-fast "$@"
fi
cargo test --workspace --locked --doc
# The release binary as the image runs it: libraries, read-only /app, non-root user,
# migrate/import, healthcheck, SIGTERM with requests in flight.
scripts/check-runtime.sh
# The web app's side on the same binary: the map page in headless Chromium, and
# schemathesis against the OpenAPI document.
scripts/check-web.sh
