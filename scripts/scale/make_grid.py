#!/usr/bin/env python3
"""Build a large synthetic-but-real OSM region for scale benchmarks.

The input extract (by default the Andorra extract ``data/andorra.osm.pbf``) is
copied into a ROWS x COLS grid of shifted copies and written as one OSM PBF
file. Every copy is the real network (same tags, same geometry), just moved:

* copy (r, c) has index k = r * COLS + c and is shifted by (r * DLAT, c * DLON)
  degrees; copy (0, 0) is the original data, unshifted;
* the default shifts are the size of the input's bounding box (computed from
  the node coordinates, not the header) plus a gap of 0.02 degrees, so copies
  never overlap; every copy must stay within lat -85..85 and lon -180..180;
* ids are made disjoint per copy: an object of copy k gets id ``orig + k * OFF``
  where OFF (one per type: node, way, relation) is the next power of ten above
  the largest id of that type in the input, counting ids referenced by way
  node lists and relation members too. Way node refs and relation member refs
  are shifted with the offset of the *referenced* type, so every copy is
  internally consistent and never refers into another copy.

The input is read once into memory (Andorra: ~3 MB, ~471k nodes). The output is
written in "Type_then_ID" order, which most readers expect: all nodes of all
copies (ascending id, since copy k's ids all lie above copy k-1's), then all
ways, then all relations. Node locations are always written; object versions
and timestamps are copied unless --no-metadata is given.

With --connect K, neighbouring copies are joined by road, so that the grid is one
region a car can cross (as a real state is): for each pair of copies side by side
(west-east) or one above the other (south-north), K two-node ``highway=primary``
ways join the K closest pairs of major-road nodes (motorway to tertiary) across
the gap between them, each node used once. The pairs are found once on the input
(copies are exact translations) and their ways get ids above every copy's.

After writing, the output is read back and checked against the input: counts
must be exactly ROWS * COLS times the input's (plus the joining ways), ids strictly ascending per type,
each object must map back (id, location, refs/members, tags) to its original,
and the node bounding box must be the expected one. Use --no-verify to skip.

Requires pyosmium 4.x:  pip install osmium   (tested with osmium==4.3.2)

Usage:
    python3 scripts/scale/make_grid.py --input data/andorra.osm.pbf \
        --output target/scale/grid.osm.pbf [--rows 10 --cols 10] \
        [--dlat D --dlon D] [--no-metadata] [--no-verify]

Map data (c) OpenStreetMap contributors, ODbL 1.0: the output is derived from
OpenStreetMap and carries the same attribution and licence.
"""

import argparse
import heapq
import math
import os
import sys
import time

try:
    import osmium
    from osmium.osm.mutable import Node, Relation, Way
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("make_grid.py needs pyosmium 4.x: pip install osmium")

GAP_DEG = 0.02          # default gap between neighbouring copies, in degrees
# Roads a joining way may start and end on: the major classes, which belong to the
# road network a car can leave (a service road or a car park's aisle may not).
JOIN_CLASSES = {"motorway", "trunk", "primary", "secondary", "tertiary"}
# Only road nodes this near the edge of the roads' extent are candidates, degrees.
JOIN_BAND_DEG = 0.05
# Nearest nodes across the gap looked at for each candidate.
K_NEAREST = 25
METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180.0
SCALE = 10_000_000      # osmium stores coordinates as fixed-point 1e-7 degrees
MAX_LAT, MAX_LON = 85.0, 180.0
MAX_ID = 2**63 - 1      # OSM ids are signed 64-bit


def next_power_of_ten_above(n):
    """Smallest power of ten strictly greater than n (n >= 0)."""
    p = 1
    while p <= n:
        p *= 10
    return p


def tags_of(obj):
    return {t.k: t.v for t in obj.tags}


class Input:
    """The whole input in memory, as plain Python values.

    nodes:     [(id, x, y, tags, version, timestamp)]  x/y: fixed-point 1e-7 deg
    ways:      [(id, [node ids], tags, version, timestamp)]
    relations: [(id, [(type 'n'|'w'|'r', id, role)], tags, version, timestamp)]
    """

    def __init__(self, path):
        self.nodes, self.ways, self.relations = [], [], []
        # largest id per type, over objects *and* references to that type
        self.max_id = {"n": 0, "w": 0, "r": 0}
        self.timestamp = None
        with osmium.io.Reader(path, osmium.osm.osm_entity_bits.NOTHING) as rd:
            self.timestamp = rd.header().get("timestamp")
        mx = self.max_id
        for o in osmium.FileProcessor(path):
            if o.id <= 0:
                raise SystemExit(f"{path}: {o.type_str()}{o.id} has a non-positive id; "
                                 "only positive ids are supported")
            meta = (o.version, o.timestamp)
            if o.is_node():
                loc = o.location
                if not loc.valid():
                    raise SystemExit(f"{path}: node {o.id} has no valid location")
                self.nodes.append((o.id, loc.x, loc.y, tags_of(o)) + meta)
                mx["n"] = max(mx["n"], o.id)
            elif o.is_way():
                refs = [r.ref for r in o.nodes]
                self.ways.append((o.id, refs, tags_of(o)) + meta)
                mx["w"] = max(mx["w"], o.id)
                if refs:
                    mx["n"] = max(mx["n"], max(refs))
            elif o.is_relation():
                members = [(m.type, m.ref, m.role) for m in o.members]
                self.relations.append((o.id, members, tags_of(o)) + meta)
                mx["r"] = max(mx["r"], o.id)
                for t, ref, _ in members:
                    mx[t] = max(mx[t], ref)
        if not self.nodes:
            raise SystemExit(f"{path}: no nodes")
        xs = [n[1] for n in self.nodes]
        ys = [n[2] for n in self.nodes]
        # bounding box in fixed-point units
        self.bbox = (min(xs), min(ys), max(xs), max(ys))


def grid_plan(inp, rows, cols, dlat, dlon):
    """Shifts per copy (fixed-point ints) and the output bbox; checks ranges."""
    minx, miny, maxx, maxy = inp.bbox
    if dlat is None:
        dlat = (maxy - miny) / SCALE + GAP_DEG
    if dlon is None:
        dlon = (maxx - minx) / SCALE + GAP_DEG
    # shift in exact fixed-point steps, so every copy is an exact translation
    dy, dx = round(dlat * SCALE), round(dlon * SCALE)
    ys = [miny + r * dy for r in (0, rows - 1)] + [maxy + r * dy for r in (0, rows - 1)]
    xs = [minx + c * dx for c in (0, cols - 1)] + [maxx + c * dx for c in (0, cols - 1)]
    out_bbox = (min(xs), min(ys), max(xs), max(ys))
    lo_lon, lo_lat, hi_lon, hi_lat = (v / SCALE for v in out_bbox)
    if lo_lat < -MAX_LAT or hi_lat > MAX_LAT or lo_lon < -MAX_LON or hi_lon > MAX_LON:
        raise SystemExit(
            f"grid {rows}x{cols} with dlat={dlat:.7f} dlon={dlon:.7f} would span "
            f"lat {lo_lat:.4f}..{hi_lat:.4f}, lon {lo_lon:.4f}..{hi_lon:.4f}: outside "
            f"lat -{MAX_LAT:g}..{MAX_LAT:g} / lon -{MAX_LON:g}..{MAX_LON:g}; "
            "use fewer rows/cols or smaller (or negative) --dlat/--dlon")
    return dlat, dlon, dy, dx, out_bbox


def join_pairs(inp, k, dy, dx):
    """The K closest pairs of major-road nodes across the west-east gap (east edge of
    a copy, west edge of the next: the second shifted by dx) and across the
    south-north gap (north edge, south edge shifted by dy), each node used once per
    direction: [(east node id, west node id)], [(north node id, south node id)]."""
    if k <= 0:
        return [], []
    on_major = set()
    for _, refs, tags, _, _ in inp.ways:
        if tags.get("highway") in JOIN_CLASSES:
            on_major.update(refs)
    pos = {n[0]: (n[1], n[2]) for n in inp.nodes if n[0] in on_major}
    if not pos:
        return [], []
    # The roads' own extent: the extract's other ways (borders, rivers) reach further.
    minx = min(x for x, _ in pos.values())
    maxx = max(x for x, _ in pos.values())
    miny = min(y for _, y in pos.values())
    maxy = max(y for _, y in pos.values())
    band = JOIN_BAND_DEG * SCALE
    lat_scale = math.cos(math.radians((miny + maxy) / 2 / SCALE))

    def closest(side_a, side_b, sx, sy):
        # Each node's few nearest across the gap are enough to find the K closest
        # pairs with distinct nodes (a full cross product would be sorted in vain).
        pairs = []
        for a in side_a:
            ax, ay = pos[a]
            near = heapq.nsmallest(K_NEAREST, (
                (((pos[b][0] + sx - ax) / SCALE * METRES_PER_DEGREE * lat_scale) ** 2
                 + ((pos[b][1] + sy - ay) / SCALE * METRES_PER_DEGREE) ** 2, a, b)
                for b in side_b))
            pairs.extend(near)
        pairs.sort()
        used_a, used_b, out = set(), set(), []
        for _, a, b in pairs:
            if a in used_a or b in used_b:
                continue
            used_a.add(a)
            used_b.add(b)
            out.append((a, b))
            if len(out) == k:
                break
        return out

    east = [i for i, (x, _) in pos.items() if x >= maxx - band]
    west = [i for i, (x, _) in pos.items() if x <= minx + band]
    north = [i for i, (_, y) in pos.items() if y >= maxy - band]
    south = [i for i, (_, y) in pos.items() if y <= miny + band]
    return closest(sorted(east), sorted(west), dx, 0), closest(sorted(north), sorted(south), 0, dy)


def join_ways(rows, cols, pairs_we, pairs_sn, off):
    """The joining ways: [(way id, [node id, node id])], ids above every copy's."""
    out = []
    wid = rows * cols * off["w"]
    on = off["n"]
    for r in range(rows):
        for c in range(cols):
            k = r * cols + c
            if c + 1 < cols:
                for a, b in pairs_we:
                    wid += 1
                    out.append((wid, [a + k * on, b + (k + 1) * on]))
            if r + 1 < rows:
                for a, b in pairs_sn:
                    wid += 1
                    out.append((wid, [a + k * on, b + (k + cols) * on]))
    return out


JOIN_TAGS = {"highway": "primary", "name": "grid link"}


def id_offsets(inp, copies):
    off = {t: next_power_of_ten_above(m) for t, m in inp.max_id.items()}
    for t, o in off.items():
        if (copies - 1) * o + inp.max_id[t] > MAX_ID:
            raise SystemExit(f"{copies} copies do not fit in 64-bit ids for type {t} "
                             f"(offset {o})")
    return off


def write_grid(inp, path, rows, cols, dy, dx, off, out_bbox, metadata, joins=()):
    copies = rows * cols
    header = osmium.io.Header()
    header.set("generator", "TrailLoop scripts/scale/make_grid.py (pyosmium)")
    header.set("sorting", "Type_then_ID")
    if inp.timestamp:
        header.set("timestamp", inp.timestamp)
    minx, miny, maxx, maxy = out_bbox
    header.add_box(osmium.osm.Box(minx / SCALE, miny / SCALE, maxx / SCALE, maxy / SCALE))

    def meta(version, ts):
        return {"version": version, "timestamp": ts} if metadata else {}

    shifts = [(r * dy, c * dx) for r in range(rows) for c in range(cols)]  # index k
    on, ow, orl = off["n"], off["w"], off["r"]
    writer = osmium.SimpleWriter(path, header=header, overwrite=True)
    try:
        for k, (sy, sx) in enumerate(shifts):
            base = k * on
            for nid, x, y, tags, version, ts in inp.nodes:
                writer.add_node(Node(id=nid + base, location=((x + sx) / SCALE, (y + sy) / SCALE),
                                     tags=tags, **meta(version, ts)))
        for k in range(copies):
            base, nbase = k * ow, k * on
            for wid, refs, tags, version, ts in inp.ways:
                writer.add_way(Way(id=wid + base, nodes=[r + nbase for r in refs],
                                   tags=tags, **meta(version, ts)))
        for wid, refs in joins:
            writer.add_way(Way(id=wid, nodes=refs, tags=JOIN_TAGS))
        for k in range(copies):
            bases = {"n": k * on, "w": k * ow, "r": k * orl}
            for rid, members, tags, version, ts in inp.relations:
                writer.add_relation(Relation(
                    id=rid + bases["r"],
                    members=[(t, ref + bases[t], role) for t, ref, role in members],
                    tags=tags, **meta(version, ts)))
    finally:
        writer.close()


def verify(inp, path, rows, cols, dy, dx, off, out_bbox, joins=()):
    """Read the output back and check it against the input. Returns counts."""
    joining = dict(joins)
    copies = rows * cols
    nodes = {n[0]: n[1:4] for n in inp.nodes}
    ways = {w[0]: w[1:3] for w in inp.ways}
    rels = {r[0]: r[1:3] for r in inp.relations}
    shifts = [(r * dy, c * dx) for r in range(rows) for c in range(cols)]
    count = {"n": 0, "w": 0, "r": 0}
    last = {"n": 0, "w": 0, "r": 0}
    order = "nwr"
    stage = 0
    minx = miny = float("inf")
    maxx = maxy = float("-inf")
    errors = []

    def fail(msg):
        errors.append(msg)
        if len(errors) >= 20:
            raise SystemExit("verification failed:\n  " + "\n  ".join(errors))

    for o in osmium.FileProcessor(path):
        t = o.type_str()
        i = order.index(t)
        if i < stage:
            fail(f"{t}{o.id} after objects of type {order[stage]}: not Type_then_ID")
        stage = i
        if o.id <= last[t]:
            fail(f"{t}{o.id} not above the previous id {last[t]}: not sorted / duplicate")
        last[t] = o.id
        count[t] += 1
        k, orig = divmod(o.id, off[t])
        if t == "w" and o.id in joining:
            if [r.ref for r in o.nodes] != joining[o.id] or tags_of(o) != JOIN_TAGS:
                fail(f"w{o.id}: not the joining way that was written")
            continue
        if k >= copies:
            fail(f"{t}{o.id}: copy index {k} >= {copies}")
            continue
        if t == "n":
            want = nodes.get(orig)
            loc = o.location
            x, y = loc.x, loc.y
            minx, maxx = min(minx, x), max(maxx, x)
            miny, maxy = min(miny, y), max(maxy, y)
            sy, sx = shifts[k]
            if want is None:
                fail(f"n{o.id}: no input node {orig}")
            elif (x - sx, y - sy) != (want[0], want[1]):
                fail(f"n{o.id}: location {loc} is not input node {orig} shifted")
            elif (want[2] or len(o.tags)) and tags_of(o) != want[2]:
                fail(f"n{o.id}: tags differ from input node {orig}")
        elif t == "w":
            want = ways.get(orig)
            nb = k * off["n"]
            if want is None:
                fail(f"w{o.id}: no input way {orig}")
            elif [r.ref - nb for r in o.nodes] != want[0]:
                fail(f"w{o.id}: node refs do not map back to input way {orig}")
            elif tags_of(o) != want[1]:
                fail(f"w{o.id}: tags differ from input way {orig}")
        else:
            want = rels.get(orig)
            if want is None:
                fail(f"r{o.id}: no input relation {orig}")
            elif [(m.type, m.ref - k * off[m.type], m.role) for m in o.members] != want[0]:
                fail(f"r{o.id}: members do not map back to input relation {orig}")
            elif tags_of(o) != want[1]:
                fail(f"r{o.id}: tags differ from input relation {orig}")

    expect = {"n": len(inp.nodes) * copies, "w": len(inp.ways) * copies + len(joins),
              "r": len(inp.relations) * copies}
    if count != expect:
        fail(f"counts {count} != expected {expect}")
    if (minx, miny, maxx, maxy) != tuple(out_bbox):
        fail(f"node bbox {(minx, miny, maxx, maxy)} != expected {tuple(out_bbox)}")
    if errors:
        raise SystemExit("verification failed:\n  " + "\n  ".join(errors))
    return count, (minx, miny, maxx, maxy)


def fmt_bbox(b):
    return "lon {:.7f}..{:.7f}, lat {:.7f}..{:.7f}".format(
        b[0] / SCALE, b[2] / SCALE, b[1] / SCALE, b[3] / SCALE)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", default="data/andorra.osm.pbf", help="input OSM file")
    ap.add_argument("--output", default="target/scale/grid.osm.pbf",
                    help="output .osm.pbf (overwritten if it exists)")
    ap.add_argument("--rows", type=int, default=10, help="copies north-south (default 10)")
    ap.add_argument("--cols", type=int, default=10, help="copies west-east (default 10)")
    ap.add_argument("--dlat", type=float, default=None,
                    help=f"shift per row, degrees (default: bbox height + {GAP_DEG})")
    ap.add_argument("--dlon", type=float, default=None,
                    help=f"shift per column, degrees (default: bbox width + {GAP_DEG})")
    ap.add_argument("--no-metadata", action="store_true",
                    help="do not copy object versions and timestamps")
    ap.add_argument("--no-verify", action="store_true", help="skip reading the output back")
    ap.add_argument("--connect", type=int, default=0, metavar="K",
                    help="join neighbouring copies by K primary roads each (default 0: islands)")
    args = ap.parse_args(argv)
    if args.rows < 1 or args.cols < 1:
        ap.error("--rows and --cols must be >= 1")
    if not os.path.isfile(args.input):
        ap.error(f"input {args.input} not found")

    t0 = time.monotonic()
    inp = Input(args.input)
    t_read = time.monotonic() - t0
    copies = args.rows * args.cols
    dlat, dlon, dy, dx, out_bbox = grid_plan(inp, args.rows, args.cols, args.dlat, args.dlon)
    off = id_offsets(inp, copies)
    print(f"input {args.input}: {len(inp.nodes):,} nodes, {len(inp.ways):,} ways, "
          f"{len(inp.relations):,} relations; bbox {fmt_bbox(inp.bbox)}; read in {t_read:.1f} s")
    print(f"grid {args.rows}x{args.cols}: dlat {dy / SCALE:.7f}, dlon {dx / SCALE:.7f}; "
          f"id offsets node {off['n']:,} way {off['w']:,} relation {off['r']:,}")

    out_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)
    t1 = time.monotonic()
    pairs_we, pairs_sn = join_pairs(inp, args.connect, dy, dx)
    joins = join_ways(args.rows, args.cols, pairs_we, pairs_sn, off)
    if args.connect:
        print(f"joining neighbours by {len(pairs_we)} west-east and {len(pairs_sn)} "
              f"south-north roads each: {len(joins):,} ways")
    write_grid(inp, args.output, args.rows, args.cols, dy, dx, off, out_bbox,
               metadata=not args.no_metadata, joins=joins)
    t_write = time.monotonic() - t1
    size = os.path.getsize(args.output)
    print(f"wrote {args.output}: {copies} copies, {len(inp.nodes) * copies:,} nodes, "
          f"{len(inp.ways) * copies + len(joins):,} ways, {len(inp.relations) * copies:,} relations, "
          f"{size:,} bytes, bbox {fmt_bbox(out_bbox)}; write {t_write:.1f} s")

    if not args.no_verify:
        t2 = time.monotonic()
        count, bbox = verify(inp, args.output, args.rows, args.cols, dy, dx, off, out_bbox,
                             joins)
        print(f"verified (read back in {time.monotonic() - t2:.1f} s): {count['n']:,} nodes, "
              f"{count['w']:,} ways, {count['r']:,} relations = {copies} x input; "
              f"bbox {fmt_bbox(bbox)} as expected")

    print(f"summary: copies={copies} nodes={len(inp.nodes) * copies} "
          f"ways={len(inp.ways) * copies + len(joins)} relations={len(inp.relations) * copies} "
          f"bytes={size} seconds={time.monotonic() - t0:.1f}")


if __name__ == "__main__":
    main()
