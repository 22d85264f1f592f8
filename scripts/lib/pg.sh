# Sourced by the test and benchmark scripts: installs PostgreSQL 15 + PostGIS 3 (and
# pgRouting, and xmllint for the tests) when missing, and starts a throwaway cluster as the `postgres` user in a
# temporary directory on a free port. Sets PG_PORT and PG_URL; pg_stop removes it.

PG_BIN=/usr/lib/postgresql/15/bin
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_install() {
    local missing=()
    [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
    [ -f /usr/share/postgresql/15/extension/postgis.control ] || missing+=(postgresql-15-postgis-3)
    [ -f /usr/share/postgresql/15/extension/pgrouting.control ] || missing+=(postgresql-15-pgrouting)
    command -v curl >/dev/null || missing+=(curl)
    # The GPX files of the tests are checked against the GPX 1.1 schema with xmllint.
    command -v xmllint >/dev/null || missing+=(libxml2-utils)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "== installing ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# PostgreSQL refuses to run as root: the cluster belongs to `postgres` (or to us when
# we are not root).
pg_run_as=""
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/bash postgres
    pg_run_as="postgres"
fi
pg() { if [ -n "$pg_run_as" ]; then runuser -u "$pg_run_as" -- "$@"; else "$@"; fi; }

# pg_start [extra postgres -c options...]
pg_start() {
    PGTMP=$(mktemp -d /tmp/trailloop-pg.XXXXXX)
    [ -n "$pg_run_as" ] && chown "$pg_run_as" "$PGTMP"
    PG_PORT=$(free_port)
    echo "== starting PostgreSQL in $PGTMP on port $PG_PORT"
    pg "$PG_BIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    local opts="-p $PG_PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c max_connections=200"
    # Durability is worthless for a throwaway cluster; speed is not.
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    for o in "$@"; do opts="$opts -c $o"; done
    pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/postgres.log" -w -t 60 start -o "$opts" >/dev/null
    PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
}

pg_stop() {
    [ -n "${PGTMP:-}" ] || return 0
    pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"
}
