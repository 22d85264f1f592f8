#!/usr/bin/env python3
"""Compares the circular hiking routes people mapped in OpenStreetMap with the loops
TrailLoop plans from the same start for the same length.

For every circular route=hiking|foot relation of an extract, the running service is
asked for one loop (POST /v1/loops) from the route's start, for the route's length.
Both walks are then measured the same way, from their geometry and the OSM data alone
(never from the numbers the service reports): road share, junction turns per km,
retraced length and compactness. The answer is "as good" on a measure when it is
within the tolerances below of the curated route; see README.md for the definitions.

    python3 scripts/curated/compare.py --base http://127.0.0.1:18282 \
        --pbf data/curated/heidelberg.osm.pbf [--json out.json]
"""

import argparse
import json
import math
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict

import osmium

# --- Tolerances of "as good on all four" (the service's first loop against the route) ---
ROAD_SHARE_ABS_TOL = 0.02  # answer's road share <= curated + 0.02
TURNS_REL_TOL = 1.10  # answer's turns/km <= curated * 1.10 + 0.1
TURNS_ABS_TOL = 0.1
RETRACED_ABS_TOL = 0.02  # answer's retraced share <= curated + 0.02
COMPACTNESS_REL_TOL = 0.90  # answer's compactness >= curated * 0.90

# --- The request ---
DRIVE_KM = 15.0  # max_drive_km of every request
MIN_TARGET_KM = 0.5  # the API's bounds of target_km
MAX_TARGET_KM = 300.0
MAX_ROUTE_KM = 40.0  # longer routes are not asked (multi-day sized; see README)

# --- The measures ---
MATCH_TOLERANCE_M = 1.0  # a walk vertex is an OSM node within this distance
TURN_ANGLE_DEG = 45.0  # a change of way turning more than this is a turn
BEARING_SAMPLE_M = 20.0  # bearings are taken over this much walk either side of a node
JUNCTION_DEGREE = 3  # a node with this many walkable neighbours or more is a junction

# Ways cars use: their length is road length.
ROAD_HIGHWAYS = {
    "motorway", "trunk", "primary", "secondary", "tertiary",
    "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
    "unclassified", "residential", "living_street", "service", "road",
}
# Ways a walker may use: the graph whose node degrees say what is a junction.
WALKABLE_HIGHWAYS = {
    "path", "footway", "track", "bridleway", "steps", "cycleway", "pedestrian",
    "living_street", "residential", "service", "unclassified", "road",
    "tertiary", "tertiary_link", "secondary", "secondary_link", "primary", "primary_link",
}
# Member roles that are not part of the route's main line.
SIDE_ROLES = {"alternative", "excursion", "approach", "connection", "link"}

EARTH_RADIUS_M = 6371008.8


# ----------------------------------------------------------------------------- geometry

def haversine_m(a, b):
    """Distance between two (lon, lat) points, metres."""
    lon1, lat1 = map(math.radians, a)
    lon2, lat2 = map(math.radians, b)
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bearing_deg(a, b):
    """Initial bearing from a to b, degrees clockwise from north."""
    lon1, lat1 = map(math.radians, a)
    lon2, lat2 = map(math.radians, b)
    dlon = lon2 - lon1
    x = math.sin(dlon) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.degrees(math.atan2(x, y)) % 360.0


def angle_between(b1, b2):
    d = abs(b1 - b2) % 360.0
    return 360.0 - d if d > 180.0 else d


def compactness(coords):
    """4 pi A / P^2 of the closed walk, on a local equirectangular projection."""
    if len(coords) < 4:
        return 0.0
    lat0 = math.radians(sum(c[1] for c in coords) / len(coords))
    lon0 = sum(c[0] for c in coords) / len(coords)
    kx = EARTH_RADIUS_M * math.cos(lat0) * math.pi / 180.0
    ky = EARTH_RADIUS_M * math.pi / 180.0
    pts = [((c[0] - lon0) * kx, (c[1] - coords[0][1]) * ky) for c in coords]
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    area2 = 0.0
    perim = 0.0
    for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
        area2 += x1 * y2 - x2 * y1
        perim += math.hypot(x2 - x1, y2 - y1)
    if perim == 0:
        return 0.0
    return 4 * math.pi * (abs(area2) / 2) / (perim * perim)


def point_along(coords, cum, i, dist, direction):
    """The point `dist` metres from vertex i along the walk (direction -1 back, +1 ahead),
    interpolated, clipped at the walk's ends."""
    target = cum[i] + direction * dist
    if direction < 0:
        if target <= 0:
            return coords[0]
        j = i
        while j > 0 and cum[j - 1] > target:
            j -= 1
        # target lies on segment (j-1, j)
        a, b = coords[j - 1], coords[j]
        seg = cum[j] - cum[j - 1]
    else:
        if target >= cum[-1]:
            return coords[-1]
        j = i + 1
        while j < len(coords) - 1 and cum[j] < target:
            j += 1
        a, b = coords[j - 1], coords[j]
        seg = cum[j] - cum[j - 1]
    if seg <= 0:
        return b
    t = (target - cum[j - 1]) / seg
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


# ----------------------------------------------------------------------------- OSM data

def coord_key(lon, lat):
    return (round(lon * 1e7), round(lat * 1e7))


class OsmIndex:
    """The extract's ways and nodes, as the measures need them."""

    def __init__(self, path):
        self.way_nodes = {}  # way id -> [node ids]
        self.way_tags = {}  # way id -> {highway, foot, access, area}
        self.node_loc = {}  # node id -> (lon, lat)
        self.relations = []  # (id, tags dict, [(type, ref, role)])
        entities = osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION
        for o in osmium.FileProcessor(path, entities).with_locations():
            if o.is_way():
                refs = []
                for n in o.nodes:
                    if n.location.valid():
                        self.node_loc[n.ref] = (n.location.lon, n.location.lat)
                        refs.append(n.ref)
                    else:
                        refs.append(None)
                self.way_nodes[o.id] = refs
                t = o.tags
                self.way_tags[o.id] = {
                    "highway": t.get("highway"),
                    "foot": t.get("foot"),
                    "area": t.get("area"),
                    "name": t.get("name"),
                }
            elif o.is_relation():
                if o.tags.get("route") in ("hiking", "foot"):
                    self.relations.append((
                        o.id,
                        dict(o.tags),
                        [(m.type, m.ref, m.role) for m in o.members],
                    ))
        route_ways = {m[1] for _, _, mem in self.relations for m in mem if m[0] == "w"}
        self.route_ways = route_ways & set(self.way_nodes)

        # Node lookup by coordinates: exact (1e-7 degrees) and by a coarse grid.
        self.by_key = defaultdict(list)
        self.grid = defaultdict(list)
        for nid, (lon, lat) in self.node_loc.items():
            self.by_key[coord_key(lon, lat)].append(nid)
            self.grid[(math.floor(lon * 1e4), math.floor(lat * 1e4))].append(nid)

        # Undirected node pair -> ways holding it as consecutive nodes; walkable graph.
        self.pair_ways = defaultdict(set)
        neighbours = defaultdict(set)
        for wid, refs in self.way_nodes.items():
            walkable = self.is_walkable(wid) or wid in self.route_ways
            for a, b in zip(refs, refs[1:]):
                if a is None or b is None or a == b:
                    continue
                self.pair_ways[frozenset((a, b))].add(wid)
                if walkable:
                    neighbours[a].add(b)
                    neighbours[b].add(a)
        self.degree = {n: len(s) for n, s in neighbours.items()}

    def is_walkable(self, wid):
        t = self.way_tags[wid]
        return (t["highway"] in WALKABLE_HIGHWAYS and t["area"] != "yes"
                and t["foot"] not in ("no", "private"))

    def is_road(self, wid):
        return self.way_tags[wid]["highway"] in ROAD_HIGHWAYS

    def nodes_at(self, lon, lat):
        """OSM nodes at this position (exactly, else within MATCH_TOLERANCE_M)."""
        exact = self.by_key.get(coord_key(lon, lat))
        if exact:
            return exact
        gx, gy = math.floor(lon * 1e4), math.floor(lat * 1e4)
        best = []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for nid in self.grid.get((gx + dx, gy + dy), ()):
                    d = haversine_m((lon, lat), self.node_loc[nid])
                    if d <= MATCH_TOLERANCE_M:
                        best.append((d, nid))
        best.sort()
        return [nid for _, nid in best]


# ----------------------------------------------------------------------------- routes

def chain_route(osm, members):
    """Chains a relation's way members in their order into one walk of node ids.

    Returns (node ids, None) for a closed walk, else (None, why)."""
    ways = [(ref, role) for typ, ref, role in members if typ == "w" and role not in SIDE_ROLES]
    subs = sum(1 for typ, _, _ in members if typ == "r")
    if not ways:
        return None, "no way members" + (f" ({subs} sub-relations)" if subs else "")
    missing = [ref for ref, _ in ways if ref not in osm.way_nodes]
    if missing:
        return None, f"{len(missing)} of {len(ways)} member ways not in the extract"
    seqs = []
    for ref, _ in ways:
        refs = osm.way_nodes[ref]
        if any(r is None for r in refs):
            return None, f"way {ref} has nodes not in the extract"
        seqs.append(refs)
    first = list(seqs[0])
    if len(seqs) > 1:
        nxt = seqs[1]
        ends = (nxt[0], nxt[-1])
        if first[-1] not in ends and first[0] in ends:
            first.reverse()
    walk = first
    for i, s in enumerate(seqs[1:], start=1):
        if s[0] == walk[-1]:
            walk.extend(s[1:])
        elif s[-1] == walk[-1]:
            walk.extend(reversed(s[:-1]))
        else:
            return None, f"gap between member ways {i} and {i + 1} (way {ways[i][0]})"
    if walk[0] != walk[-1]:
        gap = haversine_m(osm.node_loc[walk[0]], osm.node_loc[walk[-1]])
        return None, f"chained but open: ends {gap:.0f} m apart"
    return walk, None


# ----------------------------------------------------------------------------- measures

def measure(osm, coords, route_pairs=None):
    """The four measures of a closed walk given as (lon, lat) vertices."""
    # Drop repeated vertices.
    pts = [coords[0]]
    for c in coords[1:]:
        if c != pts[-1]:
            pts.append(c)
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    cands = [osm.nodes_at(lon, lat) for lon, lat in pts]
    n_seg = len(pts) - 1
    seg_len = [haversine_m(pts[i], pts[i + 1]) for i in range(n_seg)]
    total = sum(seg_len)
    seg_way = [None] * n_seg
    seg_pair = [None] * n_seg
    prev_way = None
    for i in range(n_seg):
        found = None
        for a in cands[i]:
            for b in cands[i + 1]:
                ways = osm.pair_ways.get(frozenset((a, b)))
                if ways:
                    found = (a, b, ways)
                    break
            if found:
                break
        if not found:
            continue
        a, b, ways = found
        if prev_way in ways:
            w = prev_way
        else:
            # A walkable non-road way first, then a road, then anything; lowest id.
            w = min(ways, key=lambda x: (not osm.is_walkable(x) or osm.is_road(x),
                                         not osm.is_walkable(x), x))
        seg_way[i] = w
        seg_pair[i] = (a, b)
        prev_way = w

    matched = sum(l for l, w in zip(seg_len, seg_way) if w is not None)
    road = sum(l for l, w in zip(seg_len, seg_way) if w is not None and osm.is_road(w))

    # Retraced: an undirected segment counted from its second walking on.
    seen = Counter()
    retraced = 0.0
    for i in range(n_seg):
        key = (frozenset(seg_pair[i]) if seg_pair[i]
               else frozenset((coord_key(*pts[i]), coord_key(*pts[i + 1]))))
        seen[key] += 1
        if seen[key] > 1:
            retraced += seg_len[i]

    # Junction turns: interior vertices (not the start/end) at a junction node where
    # the way changes and the walk's bearing changes by more than TURN_ANGLE_DEG.
    cum = [0.0]
    for l in seg_len:
        cum.append(cum[-1] + l)
    turns = 0
    junctions = 0
    for i in range(1, n_seg):
        node = seg_pair[i][0] if seg_pair[i] else (seg_pair[i - 1][1] if seg_pair[i - 1] else None)
        if node is None or osm.degree.get(node, 0) < JUNCTION_DEGREE:
            continue
        junctions += 1
        w_in, w_out = seg_way[i - 1], seg_way[i]
        if w_in is None or w_out is None or w_in == w_out:
            continue
        back = point_along(pts, cum, i, BEARING_SAMPLE_M, -1)
        ahead = point_along(pts, cum, i, BEARING_SAMPLE_M, +1)
        if back == pts[i] or ahead == pts[i]:
            continue
        if angle_between(bearing_deg(back, pts[i]), bearing_deg(pts[i], ahead)) > TURN_ANGLE_DEG:
            turns += 1

    on_route = None
    if route_pairs is not None:
        on_route = sum(l for l, p in zip(seg_len, seg_pair)
                       if p and frozenset(p) in route_pairs) / total if total else 0.0
    on_any_route = sum(l for l, w in zip(seg_len, seg_way)
                       if w is not None and w in osm.route_ways) / total if total else 0.0
    km = total / 1000.0
    return {
        "length_km": round(km, 3),
        "road_share": road / total if total else 0.0,
        "turns_per_km": turns / km if km else 0.0,
        "turns": turns,
        "junctions_passed": junctions,
        "retraced_share": retraced / total if total else 0.0,
        "compactness": compactness(pts),
        "unmatched_share": (total - matched) / total if total else 0.0,
        "on_this_route_share": on_route,
        "on_any_route_share": on_any_route,
    }


def judge(cur, ans):
    return {
        "road_share": ans["road_share"] <= cur["road_share"] + ROAD_SHARE_ABS_TOL,
        "turns_per_km": ans["turns_per_km"] <= cur["turns_per_km"] * TURNS_REL_TOL + TURNS_ABS_TOL,
        "retraced_share": ans["retraced_share"] <= cur["retraced_share"] + RETRACED_ABS_TOL,
        "compactness": ans["compactness"] >= cur["compactness"] * COMPACTNESS_REL_TOL,
    }


MEASURES = ["road_share", "turns_per_km", "retraced_share", "compactness"]


# ----------------------------------------------------------------------------- service

def ask(base, lat, lon, target_km, timeout, drive_km=DRIVE_KM):
    body = json.dumps({
        "origin": {"lat": round(lat, 7), "lon": round(lon, 7)},
        "max_drive_km": drive_km,
        "target_km": target_km,
        "max_results": 1,
    }).encode()
    for attempt in range(4):
        req = urllib.request.Request(
            base.rstrip("/") + "/v1/loops", data=body, method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            if e.code in (429, 503) and attempt < 3:
                time.sleep(float(e.headers.get("Retry-After") or 1))
                continue
            try:
                return e.code, json.load(e)
            except Exception:
                return e.code, None
    return None, None


# ----------------------------------------------------------------------------- main

def fmt(v, pct=False):
    if v is None:
        return "-"
    return f"{v * 100:5.1f}" if pct else f"{v:5.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default="http://127.0.0.1:18282", help="the service's base URL")
    ap.add_argument("--pbf", default="data/curated/heidelberg.osm.pbf", help="the OSM extract")
    ap.add_argument("--json", help="write every route's figures here")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    ap.add_argument("--drive-km", type=float, default=DRIVE_KM,
                    help=f"max_drive_km of every request (default {DRIVE_KM:g})")
    ap.add_argument("--only", type=int, nargs="*", help="only these relation ids")
    args = ap.parse_args()

    osm = OsmIndex(args.pbf)
    rels = sorted(osm.relations)
    if args.only:
        rels = [r for r in rels if r[0] in set(args.only)]

    circular = []
    not_closed = []
    for rid, tags, members in rels:
        walk, why = chain_route(osm, members)
        name = tags.get("name") or tags.get("ref") or ""
        if walk is None:
            not_closed.append({"relation": rid, "name": name, "why": why})
        else:
            circular.append((rid, name, walk))

    print(f"{len(rels)} route=hiking|foot relations in {args.pbf}: "
          f"{len(circular)} circular, {len(not_closed)} not")
    def why_kind(why):
        if why[0].isdigit():
            return "member ways not in the extract (cut at its edge)"
        if why.startswith("gap between"):
            return "consecutive member ways do not meet"
        return why.split(":")[0].split(" (")[0]
    why_kinds = Counter(why_kind(n["why"]) for n in not_closed)
    for k, v in why_kinds.most_common():
        print(f"  not circular: {v:3d} {k}")
    print()

    rows = []
    for rid, name, walk in circular:
        coords = [osm.node_loc[n] for n in walk]
        route_pairs = {frozenset(p) for p in zip(walk, walk[1:])}
        cur = measure(osm, coords, route_pairs)
        row = {"relation": rid, "name": name, "start": {"lat": coords[0][1], "lon": coords[0][0],
                                                         "node": walk[0]},
               "curated": cur, "asked": False, "answered": False}
        rows.append(row)
        km = cur["length_km"]
        if km > MAX_ROUTE_KM:
            row["skipped"] = f"longer than {MAX_ROUTE_KM:g} km"
            continue
        target = round(km, 1)
        if target < MIN_TARGET_KM:
            row["skipped"] = f"shorter than {MIN_TARGET_KM} km"
            continue
        target = min(target, MAX_TARGET_KM)
        row["asked"] = True
        row["target_km"] = target
        status, ans = ask(args.base, coords[0][1], coords[0][0], target, args.timeout,
                          args.drive_km)
        row["http_status"] = status
        loops = (ans or {}).get("loops") or []
        if status != 200 or not loops:
            row["message"] = (ans or {}).get("message") or (ans or {}).get("detail") or str(status)
            continue
        loop = loops[0]
        geom = loop["geometry"]["coordinates"]
        res = measure(osm, [(c[0], c[1]) for c in geom], route_pairs)
        row["answered"] = True
        row["answer"] = res
        row["answer_info"] = {
            "kind": loop.get("kind"),
            "trailhead_kind": loop.get("trailhead", {}).get("kind"),
            "trailhead_drive_km": loop.get("trailhead", {}).get("drive_km"),
            "trailhead_from_start_m": round(haversine_m(
                coords[0], (loop["trailhead"]["lon"], loop["trailhead"]["lat"])))
            if loop.get("trailhead") else None,
            "approach_km": (loop.get("approach") or {}).get("distance_km"),
            "name": loop.get("name"),
            # What the service says, beside what is measured here (not judged).
            "reported_turns_per_km": (loop.get("breakdown") or {}).get("turns_per_km"),
        }
        row["pass"] = judge(cur, res)
        row["all_four"] = all(row["pass"].values())

    # The table.
    hdr = (f"{'relation':>9} {'name':<34} {'km':>5} {'ans':>5} | {'road%':>11} | "
           f"{'turns/km':>11} | {'retr%':>11} | {'compact':>11} | {'onRte%':>6} {'off':>5} {'thd':>4} all")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        c = r["curated"]
        if not r["answered"]:
            why = r.get("skipped") or f"no answer: {r.get('message')}"
            print(f"{r['relation']:>9} {r['name'][:34]:<34} {c['length_km']:5.1f} {'-':>5} | "
                  f"{fmt(c['road_share'], True)} {'':>5} | {fmt(c['turns_per_km'])} {'':>5} | "
                  f"{fmt(c['retraced_share'], True)} {'':>5} | {fmt(c['compactness'])} {'':>5} | {why}")
            continue
        a, p = r["answer"], r["pass"]
        mark = lambda k: "ok" if p[k] else "NO"
        print(f"{r['relation']:>9} {r['name'][:34]:<34} {c['length_km']:5.1f} {a['length_km']:5.1f} | "
              f"{fmt(c['road_share'], True)}>{fmt(a['road_share'], True)}{mark('road_share'):>2}"
              f"|{fmt(c['turns_per_km'])}>{fmt(a['turns_per_km'])}{mark('turns_per_km'):>2}"
              f"|{fmt(c['retraced_share'], True)}>{fmt(a['retraced_share'], True)}{mark('retraced_share'):>2}"
              f"|{fmt(c['compactness'])}>{fmt(a['compactness'])}{mark('compactness'):>2}"
              f"| {fmt(a['on_this_route_share'], True):>6} {fmt(a['unmatched_share'], True)} "
              f"{r['answer_info']['trailhead_from_start_m'] / 1000:4.1f} "
              f"{'yes' if r['all_four'] else 'no'}")
    print("  (each measure: curated>answer, ok/NO = as good within tolerance; onRte% = share "
          "of the answer on this route's ways; off = answer length matched to no OSM way, %;\n"
          "   thd = straight-line km from the route's start to the answer's trailhead)")
    print()

    asked = [r for r in rows if r["asked"]]
    answered = [r for r in rows if r["answered"]]
    summary = {
        "relations": len(rels),
        "circular": len(circular),
        "not_circular": len(not_closed),
        "skipped": len(rows) - len(asked),
        "asked": len(asked),
        "answered": len(answered),
        "as_good_on_all_four": sum(1 for r in answered if r["all_four"]),
        "as_good_on": {m: sum(1 for r in answered if r["pass"][m]) for m in MEASURES},
        "mean_curated_answered": {}, "mean_answer": {}, "mean_curated_all_circular": {},
    }
    for m in MEASURES + ["length_km", "unmatched_share", "on_any_route_share"]:
        if answered:
            summary["mean_curated_answered"][m] = sum(r["curated"][m] for r in answered) / len(answered)
            summary["mean_answer"][m] = sum(r["answer"][m] for r in answered) / len(answered)
        if rows:
            summary["mean_curated_all_circular"][m] = sum(r["curated"][m] for r in rows) / len(rows)
    if answered:
        summary["mean_answer"]["on_this_route_share"] = (
            sum(r["answer"]["on_this_route_share"] for r in answered) / len(answered))
        summary["answer_kinds"] = dict(Counter(r["answer_info"]["kind"] for r in answered))

    print(f"circular routes: {summary['circular']} of {summary['relations']} relations "
          f"({summary['not_circular']} do not close)")
    skipped = Counter(r["skipped"] for r in rows if not r["asked"])
    print(f"asked: {summary['asked']} (skipped {summary['skipped']}"
          + "".join(f", {v} {k}" for k, v in skipped.items())
          + f"); answered: {summary['answered']}")
    print(f"as good on all four: {summary['as_good_on_all_four']} of {summary['answered']}")
    for m in MEASURES:
        print(f"  as good on {m:<15}: {summary['as_good_on'][m]:3d} of {summary['answered']}")
    print(f"{'means (answered routes)':<26} {'curated':>9} {'answer':>9}")
    for m in MEASURES + ["length_km", "unmatched_share", "on_any_route_share"]:
        if answered:
            print(f"  {m:<24} {summary['mean_curated_answered'][m]:9.3f} "
                  f"{summary['mean_answer'][m]:9.3f}")
    if answered:
        print(f"  {'on_this_route_share':<24} {'':>9} {summary['mean_answer']['on_this_route_share']:9.3f}")
        print(f"answer kinds: {summary['answer_kinds']}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({
                "tolerances": {
                    "road_share_abs": ROAD_SHARE_ABS_TOL, "turns_rel": TURNS_REL_TOL,
                    "turns_abs": TURNS_ABS_TOL, "retraced_abs": RETRACED_ABS_TOL,
                    "compactness_rel": COMPACTNESS_REL_TOL,
                },
                "summary": summary, "routes": rows, "not_circular": not_closed,
            }, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
