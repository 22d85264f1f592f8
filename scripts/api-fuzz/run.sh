#!/usr/bin/env bash
# Fuzz the running service against its own OpenAPI document with schemathesis.
#
#   scripts/api-fuzz/run.sh http://127.0.0.1:8099 [extra schemathesis run options...]
#
# (It runs in a scratch directory, so give extra options absolute paths.)
#
# Runs `schemathesis run BASE/openapi.json --checks all` with the settings in
# schemathesis.toml next to this script (fixed seed, one worker, bounded cases, 30 s
# request timeout). Exits non-zero on any failure or error. Sends requests only to
# BASE. The venv comes from requirements.txt, at $ST_VENV (default
# ~/.cache/trailloop/st-venv), and pip runs only when a pinned version is missing.
#
# Environment:
#   ST_VENV          venv directory (created if missing)
#   ST_REPORT_DIR    if set, a JUnit XML report is written there
#   ST_TIMEOUT       hard limit on the whole run, seconds (default 900)
#   ST_ALLOW_REMOTE  set to 1 to allow a base URL that is not on this machine
#   PYTHON           interpreter for the venv (default python3)
set -euo pipefail

if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: $0 BASE_URL [schemathesis run options...]   e.g. $0 http://127.0.0.1:8099" >&2
    exit 2
fi
base="${1%/}"
shift

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/requirements.txt"
config="$here/schemathesis.toml"
venv="${ST_VENV:-$HOME/.cache/trailloop/st-venv}"

# Only this machine is a target unless asked otherwise.
host="$(printf '%s' "$base" | sed -E 's#^[a-zA-Z][a-zA-Z0-9+.-]*://##; s#^[^@/]*@##; s#[/?].*$##; s#:[0-9]+$##; s#^\[(.*)\]$#\1#')"
case "$host" in
    localhost | 127.* | ::1) ;;
    *)
        if [ "${ST_ALLOW_REMOTE:-0}" != 1 ]; then
            echo "api-fuzz: refusing to fuzz $base (not loopback); set ST_ALLOW_REMOTE=1 to allow" >&2
            exit 2
        fi
        ;;
esac

# The venv: create it if missing or broken, install only when a pin is not satisfied.
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "api-fuzz: creating venv $venv"
    mkdir -p "$(dirname "$venv")"
    "${PYTHON:-python3}" -m venv --clear "$venv"
fi
pins_satisfied() {
    "$venv/bin/python" - "$requirements" <<'EOF'
import sys
from importlib.metadata import PackageNotFoundError, version

for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, pinned = line.partition("==")
    try:
        if version(name.strip()) != pinned.strip():
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
EOF
}
if ! pins_satisfied; then
    echo "api-fuzz: installing $(grep -E '^schemathesis==' "$requirements") into $venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
    pins_satisfied || { echo "api-fuzz: $venv does not match $requirements after install" >&2; exit 2; }
fi

args=(
    --config-file "$config"
    run "$base/openapi.json"
    --url "$base"
    --checks all
    --no-color
)
if [ -n "${ST_REPORT_DIR:-}" ]; then
    mkdir -p "$ST_REPORT_DIR"
    args+=(--report junit --report-dir "$(cd "$ST_REPORT_DIR" && pwd)")
fi

echo "api-fuzz: $("$venv/bin/schemathesis" --version) against $base"
# No proxies: every request goes straight to BASE. A scratch working directory: Hypothesis
# writes `.hypothesis/` (unicode and constants caches) there even with no example
# database, and nothing lands in the tree or carries over to the next run.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
status=0
(
    cd "$scratch"
    exec env -u http_proxy -u https_proxy -u all_proxy -u HTTP_PROXY -u HTTPS_PROXY -u ALL_PROXY \
        NO_PROXY='*' no_proxy='*' HYPOTHESIS_STORAGE_DIRECTORY="$scratch/.hypothesis" \
        timeout --kill-after=30 "${ST_TIMEOUT:-900}" \
        "$venv/bin/schemathesis" "${args[@]}" "$@"
) || status=$?
if [ "$status" -eq 124 ]; then
    echo "api-fuzz: schemathesis did not finish within ${ST_TIMEOUT:-900} s" >&2
fi
exit "$status"
