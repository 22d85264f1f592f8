#!/usr/bin/env bash
# A load run at the service's ceiling with the database cut in the middle.
#
#   scripts/load/db-cut.sh
#
# A throwaway PostgreSQL 15 + PostGIS cluster (scripts/lib/pg.sh, TLS), `migrate` and
# `import` of the Andorra sample, the release binary serving it (network preloaded, rate
# limit off: the load generator is one client), one plan saved; then, after a warm-up, a
# load of DURATION seconds on four routes at once, one wrk process per route:
#   POST /v1/loops            LOOP_CONNS connections (as many as the solver admits on
#                             two cores: the ceiling)
#   GET  /v1/trailheads       OTHER_CONNS
#   GET  /v1/plans/{id}       OTHER_CONNS (the plan saved before the run)
#   POST /v1/plans            OTHER_CONNS (the same tokened loop, saved again and again)
# CUT_AT seconds in, PostgreSQL is stopped (fast shutdown: sessions are terminated);
# CUT_FOR seconds later it is started again, same cluster, same port. Meanwhile the
# service's RSS and /readyz are sampled every second. Then a short verification load
# below the ceiling (VERIFY seconds).
#
# Fails (exit 1) when: any answer is a 5xx other than 503, or a 503 without Retry-After;
# any request timed out (wrk --timeout 10s) or hit a socket error; fewer than 99 % of
# the loop or trailhead requests answered while the database was away are 200 (they are
# planned from the network held in memory); /readyz is not 200 ("degraded") while it is
# away, or not "ready" again within 30 s of the restart; the plan saved before the run
# does not read back the same after it; the verification run gets anything but
# 200/201; the RSS at the end of the load (or after the verification) is over 1.5 times
# the RSS at its start (after the warm-up). 4xx answers are reported but do not fail
# the run.
#
# Environment: DURATION (60), CUT_AT (20), CUT_FOR (20), LOOP_CONNS (32), OTHER_CONNS (8),
# WARMUP (10), VERIFY (10); TRAILLOOP_BIN (target/release/trailloop, built first unless
# DBCUT_NO_BUILD=1); DBCUT_KEEP=1 keeps the work directory in /tmp (server log, samples,
# wrk summaries; it is kept anyway when the run fails).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-60}
CUT_AT=${CUT_AT:-20}
CUT_FOR=${CUT_FOR:-20}
LOOP_CONNS=${LOOP_CONNS:-32}
OTHER_CONNS=${OTHER_CONNS:-8}
WARMUP=${WARMUP:-10}
VERIFY=${VERIFY:-10}
BIN=${TRAILLOOP_BIN:-target/release/trailloop}
LUA=scripts/load/db-cut.lua

if [ "${DBCUT_NO_BUILD:-0}" != 1 ]; then
    cargo build --release --bin trailloop
fi
[ -x "$BIN" ] || { echo "no $BIN: build it (cargo build --release --bin trailloop)"; exit 1; }

. scripts/lib/pg.sh
pg_install
if ! command -v wrk >/dev/null; then
    echo "== installing wrk"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

WORK=$(mktemp -d /tmp/trailloop-dbcut.XXXXXX)
SERVER=""
SAMPLERS=()
cleanup() {
    local rc=$?
    for p in "${SAMPLERS[@]}"; do kill "$p" 2>/dev/null || true; done
    if [ -n "$SERVER" ]; then
        kill -TERM "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    pg_stop
    if [ "${DBCUT_KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then
        echo "(work directory kept: $WORK)"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

pg_start
pg_use_database dbcut

# The cut: pg_start's cluster stopped and started again on the same port with the same
# options. PostgreSQL writes the command line it was started with to postmaster.opts
# (kept after shutdown); everything after the program's name is the options, -D included.
pg_cut() {
    pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m fast -w -t 30 stop >/dev/null
}
pg_back() {
    local opts
    opts=$(sed -e 's/^[^ ]* //' "$PGTMP/data/postmaster.opts")
    pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/postgres.log" -w -t 60 start -o "$opts" >/dev/null
}

echo "== migrate and import of Andorra"
"$BIN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; exit 1; }
RUST_LOG=warn "$BIN" import --region andorra --pbf data/andorra.osm.pbf --dem data/N42E001.hgt.zip \
    >"$WORK/import.log" 2>&1 || { cat "$WORK/import.log"; exit 1; }

PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
echo "== serving on $URL (log: $WORK/server.log)"
env RUST_LOG=warn TRAILLOOP__SERVER__HOST=127.0.0.1 TRAILLOOP__SERVER__PORT="$PORT" \
    TRAILLOOP__RATE_LIMIT__PER_SECOND=0 TRAILLOOP__PLANS__QUOTA_PER_DAY=1000000 \
    TRAILLOOP__PLANS__TOKEN_KEY="db-cut-token-key-0123456789-abcdefghijkl" \
    "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
ready=0
for _ in $(seq 1 1200); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "$URL/readyz")" = 200 ]; then ready=1; break; fi
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
done
[ "$ready" = 1 ] || { echo "the service did not become ready"; cat "$WORK/server.log"; exit 1; }

echo "== saving a plan"
curl -fsS -m 30 -H 'Content-Type: application/json' \
    -d '{"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 25, "target_km": 20, "max_results": 3}' \
    "$URL/v1/loops" >"$WORK/loops.json"
python3 - "$WORK/loops.json" "$WORK/plan-body.json" <<'EOF'
import json, sys
loops = json.load(open(sys.argv[1]))["loops"]
assert loops and loops[0].get("token"), "no loop, or a loop without a token"
json.dump({"loop": loops[0]}, open(sys.argv[2], "w"))
EOF
curl -fsS -m 30 -H 'Content-Type: application/json' -d @"$WORK/plan-body.json" \
    "$URL/v1/plans" >"$WORK/plan.json"
PLAN_ID=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/plan.json")
echo "plan $PLAN_ID ($(wc -c <"$WORK/plan-body.json") bytes to save)"
export DBCUT_PLAN_ID=$PLAN_ID DBCUT_PLAN_BODY=$WORK/plan-body.json

# Samplers, every second until killed: "epoch VmRSS-kB" and "epoch readyz-status"
# (000: no answer within 2 s).
( while :; do
      echo "$(date +%s.%N) $(awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0)"
      sleep 1
  done ) >"$WORK/rss.txt" &
SAMPLERS+=($!)
( while :; do
      t=$(date +%s.%N)
      body=$(curl -s -w ' %{http_code}' -m 2 "$URL/readyz" || true)
      status=$(echo "$body" | grep -o '"status":"[a-z]*"' | cut -d'"' -f4)
      echo "$t ${body##* }${status:+-$status}"
      sleep 1
  done ) >"$WORK/readyz.txt" &
SAMPLERS+=($!)

# load NAME SECONDS LOOP-CONNECTIONS OTHER-CONNECTIONS: the four wrk processes, in the
# background; their PIDs in WRKS, their summaries in $WORK/NAME-ROUTE.{txt,out}.
WRKS=()
load() {
    local name=$1 secs=$2 lc=$3 oc=$4 route conns threads
    WRKS=()
    for route in loops trailheads plan_get plan_post; do
        conns=$oc; threads=1
        if [ "$route" = loops ]; then conns=$lc; threads=2; fi
        DBCUT_ROUTE=$route DBCUT_OUT="$WORK/$name-$route.txt" \
            wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$LUA" "$URL" \
            >"$WORK/$name-$route.out" 2>&1 &
        WRKS+=($!)
    done
}
wait_load() { local p; for p in "${WRKS[@]}"; do wait "$p"; done; }

echo "== warm-up: ${WARMUP}s at the ceiling"
load warmup "$WARMUP" "$LOOP_CONNS" "$OTHER_CONNS"
wait_load

echo "== load: ${DURATION}s, $LOOP_CONNS + 3 x $OTHER_CONNS connections; database cut at ${CUT_AT}s for ${CUT_FOR}s"
T0=$(date +%s.%N)
load main "$DURATION" "$LOOP_CONNS" "$OTHER_CONNS"
sleep "$CUT_AT"
T_CUT=$(date +%s.%N)
pg_cut
T_CUT_DONE=$(date +%s.%N)
echo "   PostgreSQL stopped at +$(python3 -c "print(f'{$T_CUT_DONE - $T0:.1f}')") s"
sleep "$CUT_FOR"
T_BACK=$(date +%s.%N)
pg_back
T_BACK_DONE=$(date +%s.%N)
echo "   PostgreSQL started at +$(python3 -c "print(f'{$T_BACK_DONE - $T0:.1f}')") s"
wait_load
T_END=$(date +%s.%N)
cat "$WORK"/main-*.out | grep '^\[' || true

# Recovery: /readyz "ready" within 30 s of the restart (it normally is already).
for _ in $(seq 1 300); do
    curl -s -m 2 "$URL/readyz" | grep -q '"status":"ready"' && break
    sleep 0.1
done
# Nothing lost: the plan saved before the run reads back the same.
curl -fsS -m 10 "$URL/v1/plans/$PLAN_ID" >"$WORK/plan-after.json" || echo '{}' >"$WORK/plan-after.json"
PLAN_SAME=$(python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print("yes" if a.get("loop") == b.get("loop") and a.get("id") == b.get("id") else "no")
' "$WORK/plan.json" "$WORK/plan-after.json")
echo "the plan saved before the run reads back the same after it: $PLAN_SAME"

# The plans admitted before the load ended still hold their queue slots (up to the time
# budget): let the queue drain, or the verification's first loops are turned away.
for _ in $(seq 1 100); do
    curl -s -m 2 "$URL/metrics" | grep -qx 'solver_pool_in_flight 0' && break
    sleep 0.1
done

echo "== verification: ${VERIFY}s below the ceiling (4 + 3 x 2 connections), only 200/201 accepted"
T_VERIFY=$(date +%s.%N)
load verify "$VERIFY" 4 2
wait_load
T_VERIFY_END=$(date +%s.%N)
cat "$WORK"/verify-*.out | grep '^\[' || true
sleep 1
for p in "${SAMPLERS[@]}"; do kill "$p" 2>/dev/null || true; done
SAMPLERS=()
READYZ_END=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$URL/readyz" || true)
[ "$(curl -s -m 5 "$URL/readyz" | grep -o '"status":"[a-z]*"' | cut -d'"' -f4)" = ready ] || READYZ_END="$READYZ_END-not-ready"
kill -0 "$SERVER" 2>/dev/null || { echo "the service died"; tail -50 "$WORK/server.log"; exit 1; }

echo "== results"
set +e
python3 - "$WORK" "$T0" "$T_CUT" "$T_CUT_DONE" "$T_BACK" "$T_BACK_DONE" "$T_END" \
    "$T_VERIFY" "$T_VERIFY_END" "$READYZ_END" "$PLAN_SAME" <<'EOF'
import collections, os, sys

work = sys.argv[1]
t0, t_cut, t_cut_done, t_back, t_back_done, t_end, t_verify, t_verify_end = map(float, sys.argv[2:10])
readyz_end = sys.argv[10]
if sys.argv[11] != "yes":
    failures_early = ["the plan saved before the run does not read back the same after it"]
else:
    failures_early = []
routes = ["loops", "trailheads", "plan_get", "plan_post"]
labels = {"loops": "POST /v1/loops", "trailheads": "GET /v1/trailheads",
          "plan_get": "GET /v1/plans/{id}", "plan_post": "POST /v1/plans"}
failures = list(failures_early)

def parse(path):
    r = {"status": {}, "problem": {}, "second": [], "samples": ""}
    with open(path) as f:
        lines = f.read().split("\n")
    it = iter(lines)
    for line in it:
        if line == "samples-begin":
            s = []
            for l in it:
                if l == "samples-end":
                    break
                s.append(l)
            r["samples"] = "\n".join(s)
            continue
        p = line.split()
        if not p:
            continue
        if p[0] == "status":
            r["status"][int(p[1])] = int(p[2])
        elif p[0] == "problem":
            r["problem"][f"{p[1]} {p[2]}"] = int(p[3])
        elif p[0] == "second":
            r["second"].append((int(p[1]), int(p[2]), int(p[3])))
        elif p[0] == "latency_ms":
            r["latency"] = list(map(float, p[1:]))
        elif p[0] == "socket_errors":
            r["socket"] = list(map(int, p[1:]))
        elif p[0] in ("requests", "retry_after_missing", "bad_5xx"):
            r[p[0]] = int(p[1])
    return r

def fmt_statuses(d):
    return ", ".join(f"{k}: {v:,}" for k, v in sorted(d.items())) or "none"

print(f"timeline: load +0.0 to +{t_end - t0:.1f} s; PostgreSQL stop issued +{t_cut - t0:.1f} s "
      f"(down +{t_cut_done - t0:.1f} s), start issued +{t_back - t0:.1f} s (accepting +{t_back_done - t0:.1f} s)")

for phase, t_from, t_to in (("main", t0, t_end), ("verify", t_verify, t_verify_end)):
    print(f"\n-- {'load with the cut' if phase == 'main' else 'verification'}")
    print("| route | requests | req/s | p50 ms | p99 ms | max ms | statuses | 503 kinds | timeouts/socket errors |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for route in routes:
        r = parse(os.path.join(work, f"{phase}-{route}.txt"))
        lat = r.get("latency", [0, 0, 0, 0])
        sock = r.get("socket", [0, 0, 0, 0])
        kinds = {k: v for k, v in r["problem"].items() if k.startswith("503 ")}
        kinds = ", ".join(f"{k[4:]}: {v:,}" for k, v in sorted(kinds.items())) or "-"
        dur = max(t_to - t_from, 1e-9)
        print(f"| {labels[route]} | {r['requests']:,} | {r['requests'] / dur:,.1f} | {lat[0]:.1f} | {lat[2]:.1f} | "
              f"{lat[3]:.0f} | {fmt_statuses(r['status'])} | {kinds} | {sock[3]}/{sock[0] + sock[1] + sock[2]} |")
        if r["bad_5xx"]:
            failures.append(f"{phase} {labels[route]}: {r['bad_5xx']} 5xx answers other than 503 with Retry-After "
                            f"({r['retry_after_missing']} of them 503 without Retry-After)")
            print(r["samples"])
        if sum(sock):
            failures.append(f"{phase} {labels[route]}: {sock[3]} timeouts, {sock[0]} connect, {sock[1]} read, "
                            f"{sock[2]} write errors")
        other4 = {k: v for k, v in r["problem"].items() if k.startswith("4")}
        if other4:
            print(f"   note: {labels[route]} got 4xx: {other4}")
        if phase == "verify":
            wrong = {k: v for k, v in r["status"].items() if k not in (200, 201)}
            if wrong:
                failures.append(f"verification {labels[route]}: answers other than 200/201: {wrong} "
                                f"({r['problem']})")
            if not r["requests"]:
                failures.append(f"verification {labels[route]}: no answer at all")
        if phase == "main":
            # Per phase of the cut, by the second the answer came: before the stop was
            # issued, from it to the second after the restart finished, after.
            buckets = collections.OrderedDict((("before", {}), ("cut", {}), ("after", {})))
            for sec, status, n in r["second"]:
                b = "before" if sec < int(t_cut) else ("cut" if sec <= int(t_back_done) + 1 else "after")
                buckets[b][status] = buckets[b].get(status, 0) + n
            print("   " + "; ".join(f"{b}: {fmt_statuses(d)}" for b, d in buckets.items()))
            if route in ("loops", "trailheads"):
                cut = buckets["cut"]
                n_cut = sum(cut.values())
                ok = cut.get(200, 0)
                share = ok / n_cut if n_cut else 0.0
                print(f"   while the database was away: {ok:,} of {n_cut:,} answered 200 ({100 * share:.2f} %)")
                if share < 0.99:
                    failures.append(f"{labels[route]}: {100 * share:.2f} % answered 200 while the "
                                    f"database was away (at least 99 % expected)")
            after_ok = sum(v for k, v in buckets["after"].items() if k < 300)
            if not after_ok:
                failures.append(f"{labels[route]}: no successful answer after the database was back")

# /readyz timeline, as runs of equal status.
print("\n-- /readyz, polled every second (times from the start of the load)")
runs = []
with open(os.path.join(work, "readyz.txt")) as f:
    for line in f:
        p = line.split()
        if len(p) != 2:
            continue
        t, code = float(p[0]) - t0, p[1]
        if runs and runs[-1][0] == code:
            runs[-1][2] = t
            runs[-1][3] += 1
        else:
            runs.append([code, t, t, 1])
print("   " + "; ".join(f"{c} x{n} ({a:+.0f}..{b:+.0f} s)" for c, a, b, n in runs))
samples_after = []
with open(os.path.join(work, "readyz.txt")) as f:
    for line in f:
        p = line.split()
        if len(p) == 2:
            samples_after.append((float(p[0]), p[1]))
down = [c for t, c in samples_after if t_cut_done + 0.5 < t < t_back - 0.5]
back = [t for t, c in samples_after if t >= t_back_done and c == "200-ready"]
print(f"   while down: {dict(collections.Counter(down))}; first ready after the restart: "
      + (f"{back[0] - t_back_done:.1f} s after it" if back else "never"))
if any(c != "200-degraded" for c in down):
    failures.append(f"/readyz while the database was down: {dict(collections.Counter(down))} "
                    f"(expected 200 degraded: the task stays in the balancer)")
if readyz_end != "200":
    failures.append(f"/readyz after the run: {readyz_end}")
if not back or back[0] - t_back_done > 30:
    failures.append("/readyz not ready within 30 s of the restart")

# RSS.
rss = []
with open(os.path.join(work, "rss.txt")) as f:
    for line in f:
        p = line.split()
        if len(p) == 2 and p[1] != "0":
            rss.append((float(p[0]), int(p[1]) / 1024))
main = [(t - t0, m) for t, m in rss if t0 <= t <= t_end]
if not main:
    failures.append("no RSS samples")
else:
    start, end = main[0][1], main[-1][1]
    peak = max(m for _, m in main)
    after = [m for t, m in rss if t >= t_verify_end - 0.5] or [end]
    warm = [m for t, m in rss if t < t0]
    print("\n-- RSS (VmRSS, MB), sampled every second")
    print(f"   before the warm-up {warm[0]:.1f}, start of the load {start:.1f}, max {peak:.1f}, "
          f"end of the load {end:.1f}, after the verification {after[-1]:.1f}")
    print("   every 10 s: " + ", ".join(f"+{t:.0f} s {m:.1f}" for t, m in main[::10]))
    if end > 1.5 * start or after[-1] > 1.5 * start:
        failures.append(f"RSS grew: {start:.1f} MB at the start, {end:.1f} at the end, {after[-1]:.1f} after")
    elif end > 1.2 * start:
        print(f"   warning: the end is {100 * (end / start - 1):.0f}% above the start")

if failures:
    print("\nFAILED:")
    for f in failures:
        print(" - " + f)
    sys.exit(1)
print("\nPASSED")
EOF
rc=$?
set -e
echo "== server log ($WORK/server.log), warnings and errors by message"
python3 - "$WORK/server.log" "$T0" <<'EOF'
import collections, json, sys
from datetime import datetime
t0 = float(sys.argv[2])
seen = collections.OrderedDict()
for line in open(sys.argv[1], errors="replace"):
    try:
        d = json.loads(line)
    except ValueError:
        key, t = ("?", line.strip()[:160]), None
    else:
        if d.get("level") not in ("WARN", "ERROR"):
            continue
        key = (d["level"], f"{d.get('message', '')}: {d.get('error', '')}"[:160])
        try:
            t = datetime.fromisoformat(d["timestamp"].replace("Z", "+00:00")).timestamp() - t0
        except (KeyError, ValueError):
            t = None
    n, first, last = seen.get(key, (0, t, t))
    seen[key] = (n + 1, first, t)
for (level, msg), (n, first, last) in sorted(seen.items(), key=lambda kv: -kv[1][0]):
    when = f" ({first:+.1f}..{last:+.1f} s)" if first is not None and last is not None else ""
    print(f"{n:7d} {level} {msg}{when}")
EOF
exit $rc
