#!/usr/bin/env bash
# The whole test suite against a throwaway PostGIS cluster.
#
# On a fresh Debian machine it installs what is missing (PostgreSQL 15 + PostGIS 3),
# starts a cluster as the `postgres` user in a temporary directory on a free port,
# runs every test of the workspace against it, and removes the cluster again.
# Extra arguments go to the test runner (e.g. `scripts/test.sh -p trailloop-solver`).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=/usr/lib/postgresql/15/bin
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_postgis() {
    local missing=()
    [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
    [ -f /usr/share/postgresql/15/extension/postgis.control ] || missing+=(postgresql-15-postgis-3)
    command -v curl >/dev/null || missing+=(curl)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "== installing ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

install_postgis

# PostgreSQL refuses to run as root: the cluster belongs to `postgres` (or to us when
# we are not root).
run_as=""
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/bash postgres
    run_as="postgres"
fi
pg() { if [ -n "$run_as" ]; then runuser -u "$run_as" -- "$@"; else "$@"; fi; }

PGTMP=$(mktemp -d /tmp/trailloop-pg.XXXXXX)
[ -n "$run_as" ] && chown "$run_as" "$PGTMP"
PORT=$(free_port)
cleanup() {
    pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"
}
trap cleanup EXIT

echo "== starting PostgreSQL in $PGTMP on port $PORT"
pg "$PG_BIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
# Durability is worthless for a throwaway cluster; speed is not.
pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/postgres.log" -w -t 60 start \
    -o "-p $PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null

export TRAILLOOP_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "== TRAILLOOP_TEST_DATABASE_URL=$TRAILLOOP_TEST_DATABASE_URL"

if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --no-fail-fast "$@"
else
    cargo test --workspace --locked --no-fail-fast "$@"
fi
cargo test --workspace --locked --doc
# The release binary as the image runs it: libraries, read-only /app, non-root user,
# migrate/import, healthcheck, SIGTERM with requests in flight.
scripts/check-runtime.sh
