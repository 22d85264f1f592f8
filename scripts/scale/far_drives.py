#!/usr/bin/env python3
"""Far-drive report: the same loop request under drive limits of 15, 60 and 120 km and
90 minutes, from several origins on a connected grid (make_grid.py --connect), against a
running service.

For each origin, target and drive it prints the trailheads reachable / weighed / solved,
the warm latency (median and p95 of --repeat requests after one unmeasured: the same
origin again, which reuses its drive search, and each from a new origin a few metres
on, which does not), the kinds of
the loops, the best loop's score (tier, cost), and whether the best at each longer drive
is at least as good as at 15 km (by the score, and of no worse kind); then
/v1/trailheads times at 15 and 120 km. Standard library only.

    python3 scripts/scale/far_drives.py --url http://127.0.0.1:8080

Origins default to six towns of the sample extract in copies near the middle of a 6 x 6
grid (copy (r, c) is shifted by r * 0.4783863 deg of latitude, c * 0.5534353 deg of
longitude; see make_grid.py).
"""

import argparse
import json
import statistics
import sys
import time
import urllib.request

DLAT, DLON = 0.4783863, 0.5534353
TOWNS = {
    "Andorra la Vella": (42.5078, 1.5211),
    "Encamp": (42.5353, 1.5823),
    "Sant Julia": (42.4637, 1.4913),
    "Ordino": (42.5560, 1.5330),
    "Soldeu": (42.5768, 1.6677),
    "Arinsal": (42.5725, 1.4847),
}
COPIES = [(3, 3), (2, 3), (3, 2), (2, 2), (3, 3), (2, 2)]
DRIVES = [("15 km", {"max_drive_km": 15}), ("60 km", {"max_drive_km": 60}),
          ("120 km", {"max_drive_km": 120}), ("90 min", {"max_drive_minutes": 90})]
KIND_ORDER = {"loop": 0, "lollipop": 1, "out_and_back": 2}


def default_origins():
    out = []
    for (name, (lat, lon)), (r, c) in zip(TOWNS.items(), COPIES):
        out.append((f"{name} ({r},{c})", round(lat + r * DLAT, 4), round(lon + c * DLON, 4)))
    return out


def post(url, body):
    req = urllib.request.Request(url + "/v1/loops", data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        data = json.load(resp)
    return data, (time.perf_counter() - start) * 1000


def get(url):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as resp:
        data = resp.read()
    return data, (time.perf_counter() - start) * 1000


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def best(answer):
    loops = answer.get("loops", [])
    if not loops:
        return None
    first = loops[0]
    score = first.get("score")
    return (score["tier"], score["cost"]) if score else None, KIND_ORDER[first["kind"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--targets", default="10,20")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--results", type=int, default=3)
    args = ap.parse_args()
    targets = [float(t) for t in args.targets.split(",")]
    lat15 = {}
    lat_far = {}
    new15 = {}
    new_far = {}
    worse = 0
    compared = 0
    print("| origin | target | drive | reachable / weighed / solved | p50 ms | p95 ms | p50 ms, new origin | kinds | best (tier, cost) | vs 15 km |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, lat, lon in default_origins():
        for target in targets:
            near = None
            for label, drive in DRIVES:
                body = {"origin": {"lat": lat, "lon": lon}, "target_km": target,
                        "max_results": args.results, **drive}
                answer, _ = post(args.url, body)
                times = [post(args.url, body)[1] for _ in range(args.repeat)]
                fresh = []
                for i in range(args.repeat):
                    moved = dict(body, origin={"lat": lat + (i + 1) * 1e-4, "lon": lon})
                    fresh.append(post(args.url, moved)[1])
                th = answer.get("trailheads", {})
                kinds = ", ".join(l["kind"] for l in answer.get("loops", [])) or "-"
                b = best(answer)
                score = "-" if b is None or b[0] is None else f"{b[0][0]}, {b[0][1]:.4f}"
                verdict = ""
                if label == "15 km":
                    near = b
                    lat15.setdefault(target, []).extend(times)
                    new15.setdefault(target, []).extend(fresh)
                else:
                    if label == "120 km":
                        lat_far.setdefault(target, []).extend(times)
                        new_far.setdefault(target, []).extend(fresh)
                    if near is not None and b is not None and near[0] and b[0]:
                        compared += 1
                        ok = b[0] <= near[0] and b[1] <= near[1]
                        # Equal loops may differ in the last digits of their cost.
                        ok = ok or (b[0][0] == near[0][0] and b[0][1] <= near[0][1] + 1e-6
                                    and b[1] <= near[1])
                        verdict = "ok" if ok else "WORSE"
                        worse += 0 if ok else 1
                print(f"| {name} | {target:g} km | {label} | {th.get('reachable')} / "
                      f"{th.get('weighed')} / {th.get('solved')} | {statistics.median(times):.1f} | "
                      f"{pct(times, 95):.1f} | {statistics.median(fresh):.1f} | {kinds} | {score} | {verdict} |")
                sys.stdout.flush()
    print()
    for target in targets:
        a, b = statistics.median(lat15[target]), statistics.median(lat_far[target])
        print(f"target {target:g} km: p50 at 15 km {a:.1f} ms, at 120 km {b:.1f} ms, "
              f"ratio {b / a:.2f}; p95 at 120 km {pct(lat_far[target], 95):.1f} ms")
        a, b = statistics.median(new15[target]), statistics.median(new_far[target])
        print(f"target {target:g} km, each from a new origin: p50 at 15 km {a:.1f} ms, "
              f"at 120 km {b:.1f} ms, ratio {b / a:.2f}; "
              f"p95 at 120 km {pct(new_far[target], 95):.1f} ms")
    print(f"best loop worse than at 15 km: {worse} of {compared}")
    name, lat, lon = default_origins()[0]
    for km in (15, 120):
        url = f"{args.url}/v1/trailheads?lat={lat}&lon={lon}&max_drive_km={km}&limit=200"
        get(url)
        times = [get(url)[1] for _ in range(args.repeat * 2)]
        fresh = [get(f"{args.url}/v1/trailheads?lat={lat + (i + 1) * 1e-4}&lon={lon}"
                     f"&max_drive_km={km}&limit=200")[1] for i in range(args.repeat * 2)]
        print(f"/v1/trailheads {km} km from {name}: p50 {statistics.median(times):.1f} ms, "
              f"p95 {pct(times, 95):.1f} ms; from a new origin each time p50 "
              f"{statistics.median(fresh):.1f} ms, p95 {pct(fresh, 95):.1f} ms")


if __name__ == "__main__":
    main()
