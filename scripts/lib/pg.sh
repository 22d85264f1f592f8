# Sourced by the test and benchmark scripts: installs PostgreSQL 15 + PostGIS 3 (and
# pgRouting, and xmllint for the tests) when missing, and starts a throwaway cluster as the `postgres` user in a
# temporary directory on a free port. Sets PG_PORT, PG_URL and PG_CA_FILE; pg_stop removes it.
#
# The cluster speaks TLS only over TCP, as a database on the internet should: a CA of its
# own signs a server certificate for the name `localhost` (and not 127.0.0.1, so that a
# client that connects by another name is refused), PG_URL says `sslmode=require` with
# host `localhost`, and PG_CA_FILE names the CA certificate that clients must trust
# (TRAILLOOP__DATABASE__CA_FILE for the service, PGSSLROOTCERT for psql). The unix
# socket in $PGTMP stays open without TLS for setup.

PG_BIN=/usr/lib/postgresql/15/bin
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_install() {
    local missing=()
    [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
    [ -f /usr/share/postgresql/15/extension/postgis.control ] || missing+=(postgresql-15-postgis-3)
    [ -f /usr/share/postgresql/15/extension/pgrouting.control ] || missing+=(postgresql-15-pgrouting)
    command -v curl >/dev/null || missing+=(curl)
    command -v openssl >/dev/null || missing+=(openssl)
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
    echo "== starting PostgreSQL in $PGTMP on port $PG_PORT (TCP with TLS only)"
    pg "$PG_BIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    pg_tls "$PGTMP/tls" || return 1
    # TCP only with TLS; the unix socket (in $PGTMP, which only the cluster's user and
    # root may enter) without, for setup.
    pg tee "$PGTMP/data/pg_hba.conf" >/dev/null <<'EOF'
local     all  all                 trust
hostnossl all  all  0.0.0.0/0      reject
hostnossl all  all  ::/0           reject
hostssl   all  all  127.0.0.1/32   trust
hostssl   all  all  ::1/128        trust
EOF
    local opts="-p $PG_PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c max_connections=200"
    opts="$opts -c ssl=on -c ssl_cert_file=$PGTMP/tls/server.crt -c ssl_key_file=$PGTMP/tls/server.key"
    # Durability is worthless for a throwaway cluster; speed is not.
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    for o in "$@"; do opts="$opts -c $o"; done
    pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/postgres.log" -w -t 60 start -o "$opts" >/dev/null
    PG_URL="postgres://postgres@localhost:$PG_PORT/postgres?sslmode=require"
    export PG_CA_FILE="$PGTMP/tls/ca.crt"
}

# pg_tls DIR: a throwaway CA (key and self-signed certificate) and a server certificate it
# signs for DNS:localhost only, all owned by the cluster's user; the keys mode 0600 (the
# server refuses a key others may read), the CA certificate readable by anyone who may
# enter DIR. openssl's chatter goes to DIR.log, shown when a step fails.
pg_tls() {
    local dir=$1 log=$1.log
    pg mkdir -m 0755 "$dir" || return 1
    {
        pg openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
            -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 30 -subj "/CN=TrailLoop test CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" &&
        pg openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
            -keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=localhost" &&
        printf '%s\n' "subjectAltName=DNS:localhost" "basicConstraints=critical,CA:FALSE" \
            "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
            | pg tee "$dir/server.ext" >/dev/null &&
        pg openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
            -CAcreateserial -out "$dir/server.crt" -days 30 -extfile "$dir/server.ext" &&
        pg chmod 0600 "$dir/ca.key" "$dir/server.key" &&
        pg chmod 0644 "$dir/ca.crt" "$dir/server.crt"
    } >"$log" 2>&1 || { echo "pg_tls: making the test certificates failed:" >&2; cat "$log" >&2; return 1; }
}

pg_stop() {
    [ -n "${PGTMP:-}" ] || return 0
    pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"
}

# pg_psql ARGS...: psql as `postgres` over TCP, the server's certificate verified
# against the cluster's CA (its only access besides the local socket).
pg_psql() { PGSSLMODE=verify-full PGSSLROOTCERT="$PG_CA_FILE" psql -h localhost -p "$PG_PORT" -U postgres -qAt "$@"; }

# pg_use_database DB: creates DB and points the service and the CLI at it
# (TRAILLOOP__DATABASE__URL with sslmode=require, TRAILLOOP__DATABASE__CA_FILE).
pg_use_database() {
    pg_psql -c "CREATE DATABASE $1"
    export TRAILLOOP__DATABASE__URL="postgres://postgres@localhost:$PG_PORT/$1?sslmode=require"
    export TRAILLOOP__DATABASE__CA_FILE="$PG_CA_FILE"
}
