//! [`DriveGraph`]: the road graph ready for drive searches (arcs by tail node, a grid
//! of the edges' segments for snapping), a bounded Dijkstra, the way of a drive as a
//! polyline, and snapping to the roads a car can leave again.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Mutex;

use trailloop_geo::{distance_m, local_metres};

use crate::{
    Coord, DriveLimit, RoadDrive, RoadEdge, RoadLink, RoadNetwork, CELL_DEGREES, MIN_PIECE_NODES,
};

#[derive(Debug, Clone, Copy)]
struct RoadArc {
    head: u32,
    metres: f32,
    seconds: f32,
}

/// The road graph ready for drive searches: arcs by tail node, and a grid of the
/// edges' segments for snapping points to the nearest road.
pub struct DriveGraph {
    edges: Vec<DriveEdge>,
    nodes: usize,
    first_arc: Vec<u32>,
    arcs: Vec<RoadArc>,
    /// Per arc, beside `arcs` (which the search reads and keeps small): its edge, shifted
    /// left by one, and 1 when it drives the edge from target to source. Read only to
    /// trace a route.
    arc_edges: Vec<u32>,
    /// Every edge's vertices, one after another; `DriveEdge::vertices` indexes it.
    vertices: Vec<Coord>,
    /// Grid cells, sorted, with their segments (edge, first vertex) in `segments`.
    cells: Vec<(i64, u32)>,
    segments: Vec<(u32, u32)>,
    /// The grid cells any segment touches lie within these (x, y) corners.
    cell_bounds: Option<((i64, i64), (i64, i64))>,
    scratch: Mutex<Vec<Scratch>>,
}

#[derive(Debug, Clone)]
struct DriveEdge {
    source: u32,
    target: u32,
    metres: f64,
    seconds: f64,
    forward: bool,
    backward: bool,
    /// Not a motorway, and in a piece of the graph large enough to drive anywhere.
    can_stop: bool,
    vertices: std::ops::Range<u32>,
}

/// Per-search arrays, kept between searches and cleared by the nodes they touched.
struct Scratch {
    best: Vec<(f64, f64)>,
    touched: Vec<u32>,
    /// Per node reached, the arc its best drive came in by (or [`FROM_FORWARD`] /
    /// [`FROM_BACKWARD`]: straight off the start's edge). Only searches for routes fill
    /// it (sized on their first use); it is written wherever `best` is, so it needs no
    /// clearing.
    parent: Vec<u32>,
}

/// A node's best drive leaves the start's edge forward, towards its target.
const FROM_FORWARD: u32 = u32::MAX;
/// A node's best drive leaves the start's edge backward, towards its source.
const FROM_BACKWARD: u32 = u32::MAX - 1;

/// How a drive reaches the target's point: along the start's edge without leaving it,
/// or onto the target's edge at its source or at its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    SameEdge,
    AtSource,
    AtTarget,
}

impl std::fmt::Debug for DriveGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriveGraph")
            .field("nodes", &self.nodes)
            .field("edges", &self.edges.len())
            .finish()
    }
}

fn cell_of(c: Coord) -> (i64, i64) {
    (
        (c.lon / CELL_DEGREES).floor() as i64,
        (c.lat / CELL_DEGREES).floor() as i64,
    )
}

fn cell_key((x, y): (i64, i64)) -> i64 {
    (y << 32) ^ (x & 0xffff_ffff)
}

impl DriveGraph {
    /// Builds the graph of `roads`.
    pub fn new(roads: &RoadNetwork) -> DriveGraph {
        let n = roads.nodes.len();
        let mut degree = vec![0u32; n + 1];
        for e in &roads.edges {
            if e.forward {
                degree[e.source as usize] += 1;
            }
            if e.backward {
                degree[e.target as usize] += 1;
            }
        }
        let mut first_arc = vec![0u32; n + 1];
        for i in 0..n {
            first_arc[i + 1] = first_arc[i] + degree[i];
        }
        let mut fill = first_arc.clone();
        let mut arcs = vec![
            RoadArc {
                head: 0,
                metres: 0.0,
                seconds: 0.0
            };
            first_arc[n] as usize
        ];
        assert!(
            roads.edges.len() < 1 << 31,
            "an arc keeps its edge's index in 31 bits"
        );
        let mut arc_edges = vec![0u32; first_arc[n] as usize];
        let mut push = |tail: u32, head: u32, e: &RoadEdge, edge: u32| {
            let slot = &mut fill[tail as usize];
            arcs[*slot as usize] = RoadArc {
                head,
                metres: e.length_m as f32,
                seconds: e.seconds as f32,
            };
            arc_edges[*slot as usize] = edge;
            *slot += 1;
        };
        for (i, e) in roads.edges.iter().enumerate() {
            let i = i as u32;
            if e.forward {
                push(e.source, e.target, e, i << 1);
            }
            if e.backward {
                push(e.target, e.source, e, (i << 1) | 1);
            }
        }
        let piece_nodes = pieces(n, &roads.edges);
        let largest = piece_nodes.iter().copied().max().unwrap_or(0);
        let big = |node: u32| piece_nodes[node as usize] >= MIN_PIECE_NODES.min(largest);
        // An edge is stopped on between its ends: both must be where a car can leave.
        let mut vertices = Vec::new();
        let mut cell_segments: Vec<(i64, u32, u32)> = Vec::new();
        let mut edges = Vec::with_capacity(roads.edges.len());
        for (i, e) in roads.edges.iter().enumerate() {
            let start = vertices.len() as u32;
            vertices.extend_from_slice(&e.geometry);
            for s in 0..e.geometry.len().saturating_sub(1) {
                let (a, b) = (cell_of(e.geometry[s]), cell_of(e.geometry[s + 1]));
                for x in a.0.min(b.0)..=a.0.max(b.0) {
                    for y in a.1.min(b.1)..=a.1.max(b.1) {
                        cell_segments.push((cell_key((x, y)), i as u32, start + s as u32));
                    }
                }
            }
            edges.push(DriveEdge {
                source: e.source,
                target: e.target,
                metres: e.length_m,
                seconds: e.seconds,
                forward: e.forward,
                backward: e.backward,
                can_stop: e.class.can_stop() && big(e.source) && big(e.target),
                vertices: start..vertices.len() as u32,
            });
        }
        let cell_bounds = vertices
            .iter()
            .map(|&c| cell_of(c))
            .fold(None, |b, (x, y)| {
                let ((x0, y0), (x1, y1)) = b.unwrap_or(((x, y), (x, y)));
                Some(((x0.min(x), y0.min(y)), (x1.max(x), y1.max(y))))
            });
        cell_segments.sort_unstable();
        let mut cells: Vec<(i64, u32)> = Vec::new();
        let mut segments = Vec::with_capacity(cell_segments.len());
        for (key, edge, vertex) in cell_segments {
            if cells.last().map(|c| c.0) != Some(key) {
                cells.push((key, segments.len() as u32));
            }
            segments.push((edge, vertex));
        }
        DriveGraph {
            edges,
            nodes: n,
            first_arc,
            arcs,
            arc_edges,
            vertices,
            cells,
            segments,
            cell_bounds,
            scratch: Mutex::new(Vec::new()),
        }
    }

    /// Whether there are roads at all.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Road edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Bytes held, roughly.
    pub fn bytes(&self) -> usize {
        self.edges.len() * std::mem::size_of::<DriveEdge>()
            + self.arcs.len() * std::mem::size_of::<RoadArc>()
            + self.arc_edges.len() * 4
            + self.first_arc.len() * 4
            + self.vertices.len() * std::mem::size_of::<Coord>()
            + self.cells.len() * 16
            + self.segments.len() * 8
    }

    fn segments_of(&self, cell: (i64, i64)) -> &[(u32, u32)] {
        let key = cell_key(cell);
        match self.cells.binary_search_by_key(&key, |c| c.0) {
            Ok(i) => {
                let start = self.cells[i].1 as usize;
                let end = self
                    .cells
                    .get(i + 1)
                    .map_or(self.segments.len(), |c| c.1 as usize);
                &self.segments[start..end]
            }
            Err(_) => &[],
        }
    }

    /// The nearest point of a road one may stop on within `radius_m` of `p`.
    pub fn snap(&self, p: Coord, radius_m: f64) -> Option<RoadLink> {
        let origin = [p.lon, p.lat];
        let mut best: Option<(f64, u32, u32, f64)> = None; // (off, edge, vertex, t)
        let ((x0, y0), (x1, y1)) = self.cell_bounds?;
        let (cx, cy) = cell_of(p);
        // A cell's narrower side: east-west, which shrinks towards the poles (never to
        // nothing, so that the rings below stay countable).
        let cell_m = CELL_DEGREES
            * trailloop_geo::METRES_PER_DEGREE
            * p.lat.to_radians().cos().max(CELL_DEGREES);
        // Rings past the grid's last cell hold nothing.
        let to_grid = [cx - x0, x1 - cx, cy - y0, y1 - cy]
            .into_iter()
            .map(i64::abs)
            .max()
            .unwrap_or(0);
        let max_ring = ((radius_m / cell_m).ceil() as i64 + 1).min(to_grid + 1);
        for ring in 0..=max_ring {
            // Everything in ring r is at least (r - 1) cells away.
            if let Some((off, ..)) = best {
                if off < (ring - 1).max(0) as f64 * cell_m {
                    break;
                }
            }
            for x in (cx - ring).max(x0)..=(cx + ring).min(x1) {
                for y in (cy - ring).max(y0)..=(cy + ring).min(y1) {
                    if (x - cx).abs() != ring && (y - cy).abs() != ring {
                        continue;
                    }
                    for &(edge, v) in self.segments_of((x, y)) {
                        if !self.edges[edge as usize].can_stop {
                            continue;
                        }
                        let a = self.vertices[v as usize];
                        let b = self.vertices[v as usize + 1];
                        let (pa, pb) = (
                            local_metres(origin, [a.lon, a.lat]),
                            local_metres(origin, [b.lon, b.lat]),
                        );
                        let d = [pb[0] - pa[0], pb[1] - pa[1]];
                        let len2 = d[0] * d[0] + d[1] * d[1];
                        let t = if len2 > 0.0 {
                            (-(pa[0] * d[0] + pa[1] * d[1]) / len2).clamp(0.0, 1.0)
                        } else {
                            0.0
                        };
                        let off = (pa[0] + t * d[0]).hypot(pa[1] + t * d[1]);
                        if best.is_none_or(|b| off < b.0) {
                            best = Some((off, edge, v, t));
                        }
                    }
                }
            }
        }
        let (_, edge, v, t) = best?;
        let e = &self.edges[edge as usize];
        let (a, b) = (self.vertices[v as usize], self.vertices[v as usize + 1]);
        let at = Coord {
            lon: a.lon + t * (b.lon - a.lon),
            lat: a.lat + t * (b.lat - a.lat),
        };
        let off = distance_m(p, at);
        if off > radius_m {
            return None;
        }
        let before: f64 = self.vertices[e.vertices.start as usize..=v as usize]
            .windows(2)
            .map(|w| distance_m(w[0], w[1]))
            .sum();
        let along = (before + distance_m(a, at)).min(e.metres);
        Some(RoadLink {
            edge,
            along_m: along,
            off_m: off,
        })
    }

    /// The fastest drive from `from` to each of `to` that stays within `limit` (`None`
    /// for a point no such drive reaches). The search goes no further than the limit,
    /// so its cost is that of the roads within it.
    pub fn drives(
        &self,
        from: &RoadLink,
        to: &[RoadLink],
        limit: DriveLimit,
    ) -> Vec<Option<RoadDrive>> {
        self.searched::<false, _>(from, limit, |best, _| {
            to.iter()
                .map(|t| self.drive_to(from, t, best))
                .map(|d| d.map(|d| d.0).filter(|d| limit.admits(*d)))
                .collect()
        })
    }

    /// The way of each drive [`drives`](Self::drives) finds (the same drive: the same
    /// time and length), as a polyline from the point on the road of `from` to that of
    /// its target: the rest of `from`'s edge in the direction driven, every edge
    /// driven whole (reversed where driven from its target to its source), and the
    /// target's edge up to its point; no point twice in a row. `None` where `drives`
    /// gives `None`. The same search as `drives`, which here also keeps the arc each
    /// node was reached by (`drives` does none of that work), then each drive traced
    /// back from its target.
    pub fn routes(
        &self,
        from: &RoadLink,
        to: &[RoadLink],
        limit: DriveLimit,
    ) -> Vec<Option<Vec<Coord>>> {
        self.searched::<true, _>(from, limit, |best, parent| {
            to.iter()
                .map(|t| {
                    let (d, entry) = self.drive_to(from, t, best)?;
                    limit
                        .admits(d)
                        .then(|| self.route_to(from, t, entry, parent))
                })
                .collect()
        })
    }

    /// Runs the search from `from` (keeping each node's arc in when `PARENTS`), reads
    /// its arrays with `read` (best (seconds, metres) per node, arc in per node), and
    /// clears them for the next search.
    fn searched<const PARENTS: bool, R>(
        &self,
        from: &RoadLink,
        limit: DriveLimit,
        read: impl FnOnce(&[(f64, f64)], &[u32]) -> R,
    ) -> R {
        let mut scratch = self
            .scratch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .unwrap_or_else(|| Scratch {
                best: vec![(f64::INFINITY, f64::INFINITY); self.nodes],
                touched: Vec::new(),
                parent: Vec::new(),
            });
        if PARENTS && scratch.parent.len() != self.nodes {
            scratch.parent = vec![FROM_FORWARD; self.nodes];
        }
        self.search::<PARENTS>(from, limit, &mut scratch);
        let out = read(&scratch.best, &scratch.parent);
        for &n in &scratch.touched {
            scratch.best[n as usize] = (f64::INFINITY, f64::INFINITY);
        }
        scratch.touched.clear();
        self.scratch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(scratch);
        out
    }

    /// Dijkstra by time. A node keeps its fastest drive even when that drive is longer
    /// than the distance limit (so a slower, shorter way never passes for the drive to
    /// it), and the search ends once every drive still to settle is beyond the limit:
    /// drives only grow from there. Drives beyond the time limit are never kept. With
    /// `PARENTS`, a node's arc in is kept with its drive (else not a store more).
    fn search<const PARENTS: bool>(
        &self,
        from: &RoadLink,
        limit: DriveLimit,
        scratch: &mut Scratch,
    ) {
        let e = &self.edges[from.edge as usize];
        let share = |m: f64| if e.metres > 0.0 { m / e.metres } else { 0.0 };
        let mut heap = BinaryHeap::new();
        // Entries in the heap whose drive is within the distance limit.
        let mut within = 0usize;
        // Keeps `d` (in by arc `via`) when it is the fastest to `node` yet; 1 when it
        // went in within the distance limit.
        let reach =
            |node: u32, d: RoadDrive, via: u32, heap: &mut BinaryHeap<_>, s: &mut Scratch| {
                if d.seconds > limit.seconds {
                    return 0;
                }
                let slot = &mut s.best[node as usize];
                if d.seconds < slot.0 {
                    if slot.0.is_infinite() {
                        s.touched.push(node);
                    }
                    *slot = (d.seconds, d.metres);
                    if PARENTS {
                        s.parent[node as usize] = via;
                    }
                    // A u32, not a bool: a heap entry without padding bytes, which
                    // the heap's sift moves as two words.
                    let inside = u32::from(d.metres <= limit.metres);
                    heap.push(Reverse((d.seconds.to_bits(), node, inside)));
                    return inside as usize;
                }
                0
            };
        if e.forward {
            let m = e.metres - from.along_m;
            let d = RoadDrive {
                metres: m,
                seconds: e.seconds * share(m),
            };
            within += reach(e.target, d, FROM_FORWARD, &mut heap, scratch);
        }
        if e.backward {
            let m = from.along_m;
            let d = RoadDrive {
                metres: m,
                seconds: e.seconds * share(m),
            };
            within += reach(e.source, d, FROM_BACKWARD, &mut heap, scratch);
        }
        while within > 0 {
            let Some(Reverse((bits, node, inside))) = heap.pop() else {
                break;
            };
            within -= inside as usize;
            let (seconds, metres) = scratch.best[node as usize];
            if seconds.to_bits() != bits {
                continue;
            }
            let first = self.first_arc[node as usize];
            let arcs = first as usize..self.first_arc[node as usize + 1] as usize;
            for (i, a) in self.arcs[arcs].iter().enumerate() {
                let d = RoadDrive {
                    metres: metres + a.metres as f64,
                    seconds: seconds + a.seconds as f64,
                };
                within += reach(a.head, d, first + i as u32, &mut heap, scratch);
            }
        }
    }

    /// The fastest drive to `to` after a search from `from`, and how it gets onto
    /// `to`'s edge. Inlined, so that `drives`, which drops the entry, keeps no trace
    /// of it.
    #[inline(always)]
    fn drive_to(
        &self,
        from: &RoadLink,
        to: &RoadLink,
        best: &[(f64, f64)],
    ) -> Option<(RoadDrive, Entry)> {
        let e = &self.edges[to.edge as usize];
        let share = |m: f64| if e.metres > 0.0 { m / e.metres } else { 0.0 };
        let mut found: Option<(RoadDrive, Entry)> = None;
        let mut offer = |d: RoadDrive, entry: Entry| {
            if found.is_none_or(|f| d.seconds < f.0.seconds) {
                found = Some((d, entry));
            }
        };
        // Along the same edge, without leaving it.
        if from.edge == to.edge {
            let m = to.along_m - from.along_m;
            if (m >= 0.0 && e.forward) || (m <= 0.0 && e.backward) {
                offer(
                    RoadDrive {
                        metres: m.abs(),
                        seconds: e.seconds * share(m.abs()),
                    },
                    Entry::SameEdge,
                );
            }
        }
        // Entering the edge at its source and driving forward, or at its target and back.
        let (s, t) = (best[e.source as usize], best[e.target as usize]);
        if e.forward && s.0.is_finite() {
            offer(
                RoadDrive {
                    metres: s.1 + to.along_m,
                    seconds: s.0 + e.seconds * share(to.along_m),
                },
                Entry::AtSource,
            );
        }
        if e.backward && t.0.is_finite() {
            let m = e.metres - to.along_m;
            offer(
                RoadDrive {
                    metres: t.1 + m,
                    seconds: t.0 + e.seconds * share(m),
                },
                Entry::AtTarget,
            );
        }
        found
    }

    /// The polyline of the drive from `from` to `to` that `drive_to` found, entering
    /// `to`'s edge by `entry`, traced back through the search's arcs in.
    fn route_to(&self, from: &RoadLink, to: &RoadLink, entry: Entry, parent: &[u32]) -> Vec<Coord> {
        let last = &self.edges[to.edge as usize];
        let node = match entry {
            Entry::SameEdge => {
                let mut line = Vec::new();
                self.push_part(from.edge, from.along_m, to.along_m, &mut line);
                return line;
            }
            Entry::AtSource => last.source,
            Entry::AtTarget => last.target,
        };
        // The arcs driven, from the last back to the first.
        let mut arcs = Vec::new();
        let mut at = node;
        let first = loop {
            let via = parent[at as usize];
            if via == FROM_FORWARD || via == FROM_BACKWARD {
                break via;
            }
            arcs.push(via);
            let edge = &self.edges[(self.arc_edges[via as usize] >> 1) as usize];
            // The arc's tail: where it leaves the edge.
            at = if self.arc_edges[via as usize] & 1 == 0 {
                edge.source
            } else {
                edge.target
            };
        };
        let start = &self.edges[from.edge as usize];
        let mut line = Vec::new();
        let leave = if first == FROM_FORWARD {
            start.metres
        } else {
            0.0
        };
        self.push_part(from.edge, from.along_m, leave, &mut line);
        for &a in arcs.iter().rev() {
            let code = self.arc_edges[a as usize];
            let e = &self.edges[(code >> 1) as usize];
            let whole = &self.vertices[e.vertices.start as usize..e.vertices.end as usize];
            if code & 1 == 0 {
                push_points(&mut line, whole.iter().copied());
            } else {
                push_points(&mut line, whole.iter().rev().copied());
            }
        }
        let enter = if entry == Entry::AtSource {
            0.0
        } else {
            last.metres
        };
        self.push_part(to.edge, enter, to.along_m, &mut line);
        line
    }

    /// The point on the road of `link`: `link.along_m` metres along its edge's vertices
    /// (the distance [`snap`](Self::snap) measures), clamped to the edge's ends.
    pub fn point_at(&self, link: &RoadLink) -> Coord {
        let line = self.edge_vertices(link.edge);
        let (i, t) = self.locate(link.edge, link.along_m);
        lerp(line, i, t)
    }

    /// [`locate`] on `edge`'s vertices, where the edge's length or more is its target
    /// (however its vertices' distances add up).
    fn locate(&self, edge: u32, m: f64) -> (usize, f64) {
        let line = self.edge_vertices(edge);
        if m >= self.edges[edge as usize].metres {
            (line.len().saturating_sub(1), 0.0)
        } else {
            locate(line, m)
        }
    }

    fn edge_vertices(&self, edge: u32) -> &[Coord] {
        let range = &self.edges[edge as usize].vertices;
        &self.vertices[range.start as usize..range.end as usize]
    }

    /// Appends the part of `edge` from `a_m` to `b_m` metres along it (from its
    /// source), in that order: backwards when `b_m < a_m`.
    fn push_part(&self, edge: u32, a_m: f64, b_m: f64, out: &mut Vec<Coord>) {
        let line = self.edge_vertices(edge);
        if line.is_empty() {
            return;
        }
        let (ia, ta) = self.locate(edge, a_m);
        let (ib, tb) = self.locate(edge, b_m);
        let (pa, pb) = (lerp(line, ia, ta), lerp(line, ib, tb));
        // Vertices strictly after point a and up to b's segment (forwards), or the
        // other way round.
        if (ia, ta) <= (ib, tb) {
            push_points(out, std::iter::once(pa));
            push_points(out, line[ia + 1..=ib].iter().copied());
        } else {
            push_points(out, std::iter::once(pa));
            push_points(out, line[ib + 1..=ia].iter().rev().copied());
        }
        push_points(out, std::iter::once(pb));
    }
}

/// Appends `points`, leaving out any equal to the point before it.
fn push_points(out: &mut Vec<Coord>, points: impl IntoIterator<Item = Coord>) {
    for p in points {
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
}

/// Where `m` metres along `line` falls: segment `i` (from `line[i]` to `line[i + 1]`)
/// and the share `t` of it, such that [`lerp`] gives the point whose distance from
/// `line[i]`, with the segments before it, is `m` (the inverse of what `snap` measures).
/// Before the start is the start (0, 0); past the end, the last vertex.
fn locate(line: &[Coord], m: f64) -> (usize, f64) {
    let mut before = 0.0;
    for i in 0..line.len().saturating_sub(1) {
        let seg = distance_m(line[i], line[i + 1]);
        let rest = m - before;
        if rest < seg {
            if rest <= 0.0 {
                return (i, 0.0);
            }
            // Linear in degrees, as `snap`'s points are; one step of the secant
            // corrects for the degrees' not being metres along the segment.
            let mut t = rest / seg;
            let got = distance_m(line[i], lerp(line, i, t));
            if got > 0.0 {
                t = (t * rest / got).clamp(0.0, 1.0);
            }
            return (i, t);
        }
        before += seg;
    }
    (line.len().saturating_sub(1), 0.0)
}

/// The point a share `t` of the way from `line[i]` to `line[i + 1]`, linear in degrees
/// (the vertex itself when `t` is 0 or 1).
fn lerp(line: &[Coord], i: usize, t: f64) -> Coord {
    let a = line[i];
    if t <= 0.0 {
        return a;
    }
    let b = line[i + 1];
    if t >= 1.0 {
        return b;
    }
    Coord {
        lon: a.lon + t * (b.lon - a.lon),
        lat: a.lat + t * (b.lat - a.lat),
    }
}

/// Per node: how many nodes its strongly connected piece of the graph has (the nodes
/// a car can drive to from it and back). One-way roads the extract cut off, or that
/// only lead in, make pieces a car could enter and never leave.
fn pieces(n: usize, edges: &[RoadEdge]) -> Vec<usize> {
    use petgraph::graph::{DiGraph, NodeIndex};
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len() * 2);
    for _ in 0..n {
        g.add_node(());
    }
    for e in edges {
        let (s, t) = (
            NodeIndex::new(e.source as usize),
            NodeIndex::new(e.target as usize),
        );
        if e.forward {
            g.add_edge(s, t, ());
        }
        if e.backward {
            g.add_edge(t, s, ());
        }
    }
    let mut size = vec![0usize; n];
    for piece in petgraph::algo::kosaraju_scc(&g) {
        for node in &piece {
            size[node.index()] = piece.len();
        }
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RoadClass, RoadNode};
    use trailloop_geo::length_m;

    fn c(lon: f64, lat: f64) -> Coord {
        Coord { lon, lat }
    }

    /// A road from node `s` to node `t` through `between`, driven at 36 km/h (10 m/s)
    /// where `forward` / `backward` allow.
    struct Road<'a>(u32, u32, &'a [Coord], bool, bool);

    fn network(nodes: &[Coord], roads: &[Road]) -> RoadNetwork {
        let edges = roads
            .iter()
            .map(|&Road(s, t, between, forward, backward)| {
                let mut geometry = vec![nodes[s as usize]];
                geometry.extend_from_slice(between);
                geometry.push(nodes[t as usize]);
                let length_m = length_m(&geometry);
                RoadEdge {
                    source: s,
                    target: t,
                    osm_way_id: 1,
                    class: RoadClass::Tertiary,
                    geometry,
                    length_m,
                    seconds: length_m / 10.0,
                    forward,
                    backward,
                }
            })
            .collect();
        let nodes = nodes
            .iter()
            .enumerate()
            .map(|(i, &coord)| RoadNode {
                osm_id: i as i64,
                coord,
            })
            .collect();
        RoadNetwork { nodes, edges }
    }

    fn link(roads: &RoadNetwork, edge: u32, share: f64) -> RoadLink {
        RoadLink {
            edge,
            along_m: roads.edges[edge as usize].length_m * share,
            off_m: 0.0,
        }
    }

    const NONE: DriveLimit = DriveLimit {
        metres: f64::INFINITY,
        seconds: f64::INFINITY,
    };

    /// The route and drive from `from` to each of `to`, checked against each other:
    /// both or neither; the route from the point on the road of `from` to that of its
    /// target, no point twice in a row, as long as the drive (0.5 m, and 1e-6 of it).
    fn routes_and_drives(
        g: &DriveGraph,
        from: &RoadLink,
        to: &[RoadLink],
        limit: DriveLimit,
    ) -> Vec<Option<(Vec<Coord>, RoadDrive)>> {
        let drives = g.drives(from, to, limit);
        let routes = g.routes(from, to, limit);
        assert_eq!(routes.len(), to.len());
        to.iter()
            .zip(routes.into_iter().zip(drives))
            .map(|(t, pair)| match pair {
                (None, None) => None,
                (Some(line), Some(d)) => {
                    assert_eq!(line.first(), Some(&g.point_at(from)), "{from:?} {t:?}");
                    assert_eq!(line.last(), Some(&g.point_at(t)), "{from:?} {t:?}");
                    assert!(line.windows(2).all(|w| w[0] != w[1]), "{line:?}");
                    let length = length_m(&line);
                    assert!(
                        (length - d.metres).abs() <= (1e-6 * d.metres).max(1e-6),
                        "{from:?} to {t:?}: route {length} m, drive {d:?}"
                    );
                    assert!((length - d.metres).abs() < 0.5);
                    Some((line, d))
                }
                (line, d) => panic!("{from:?} to {t:?}: route {line:?}, drive {d:?}"),
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn a_route_follows_its_edges_and_turns_an_edge_driven_backwards_round() {
        // A-B, then C-B (stored from C) driven from B to C, then C-D.
        let nodes = [
            c(1.0, 42.0),
            c(1.01, 42.0),
            c(1.02, 42.005),
            c(1.03, 42.005),
        ];
        let (ab, cb, cd) = (
            [c(1.005, 42.001)],
            [c(1.017, 42.004), c(1.013, 42.002)],
            [c(1.025, 42.006)],
        );
        let roads = network(
            &nodes,
            &[
                Road(0, 1, &ab, true, true),
                Road(2, 1, &cb, true, true),
                Road(2, 3, &cd, true, true),
            ],
        );
        let g = DriveGraph::new(&roads);
        let (from, to) = (link(&roads, 0, 0.25), link(&roads, 2, 0.75));
        let (line, d) = routes_and_drives(&g, &from, &[to], NONE)[0]
            .clone()
            .unwrap();
        let (p, q) = (g.point_at(&from), g.point_at(&to));
        assert_eq!(
            line,
            [p, ab[0], nodes[1], cb[1], cb[0], nodes[2], cd[0], q],
            "the rest of A-B, C-B backwards, C-D up to the point"
        );
        let [l0, l1, l2] = [0, 1, 2].map(|i| roads.edges[i].length_m);
        let metres = 0.75 * l0 + l1 + 0.75 * l2;
        assert!(close(d.metres, metres), "{d:?} vs {metres}");
        assert!(close(d.seconds, metres / 10.0), "{d:?}");
        // The drive back is the same way, the other way round.
        let (back, _) = routes_and_drives(&g, &to, &[from], NONE)[0]
            .clone()
            .unwrap();
        assert_eq!(back, line.iter().rev().copied().collect::<Vec<_>>());
    }

    #[test]
    fn a_one_way_street_sends_the_route_round_the_block() {
        // A square: A-B one-way towards B, B-C, C-D and D-A both ways.
        let nodes = [c(1.0, 42.0), c(1.01, 42.0), c(1.01, 42.01), c(1.0, 42.01)];
        let bc = [c(1.011, 42.005)];
        let roads = network(
            &nodes,
            &[
                Road(0, 1, &[], true, false),
                Road(1, 2, &bc, true, true),
                Road(2, 3, &[], true, true),
                Road(3, 0, &[], true, true),
            ],
        );
        let g = DriveGraph::new(&roads);
        let [ab, l1, cd, da] = [0, 1, 2, 3].map(|i| roads.edges[i].length_m);
        // Near B on B-C to near A on D-A: B-A is closed that way, so C-D-A.
        let (from, to) = (link(&roads, 1, 0.1), link(&roads, 3, 0.9));
        let (line, d) = routes_and_drives(&g, &from, &[to], NONE)[0]
            .clone()
            .unwrap();
        let (p, q) = (g.point_at(&from), g.point_at(&to));
        assert_eq!(line, [p, bc[0], nodes[2], nodes[3], q]);
        let detour = 0.9 * l1 + cd + 0.9 * da;
        assert!(close(d.metres, detour), "{d:?} vs {detour}");
        assert!(close(d.seconds, detour / 10.0), "{d:?}");
        assert!(
            close(length_m(&line), d.metres),
            "{} vs {d:?}",
            length_m(&line)
        );
        // The other way the one-way is the short way: A-B.
        let (line, d) = routes_and_drives(&g, &to, &[from], NONE)[0]
            .clone()
            .unwrap();
        assert_eq!(line, [q, nodes[0], nodes[1], p]);
        assert!(close(d.metres, 0.1 * da + ab + 0.1 * l1), "{d:?}");
    }

    #[test]
    fn along_one_edge_the_route_stays_on_it_where_its_direction_allows() {
        // A triangle: A-B one-way towards B, through two bends; B-C and C-A both ways.
        let nodes = [c(1.0, 42.0), c(1.02, 42.0), c(1.01, 42.01)];
        let bends = [c(1.007, 41.999), c(1.013, 42.001)];
        let roads = network(
            &nodes,
            &[
                Road(0, 1, &bends, true, false),
                Road(1, 2, &[], true, true),
                Road(2, 0, &[], true, true),
            ],
        );
        let g = DriveGraph::new(&roads);
        let [ab, bc, ca] = [0, 1, 2].map(|i| roads.edges[i].length_m);
        // 20% and 70% along A-B: on either side of both bends.
        let (p, q) = (link(&roads, 0, 0.2), link(&roads, 0, 0.7));
        assert!(distance_m(nodes[0], bends[0]) > 0.2 * ab);
        assert!(distance_m(nodes[1], bends[1]) > 0.3 * ab);
        let (pp, qq) = (g.point_at(&p), g.point_at(&q));
        let (line, d) = routes_and_drives(&g, &p, &[q], NONE)[0].clone().unwrap();
        assert_eq!(line, [pp, bends[0], bends[1], qq], "straight along A-B");
        assert!(close(d.metres, 0.5 * ab), "{d:?}");
        // Back along A-B is closed: on to B, then B-C-A, and A-B again.
        let (line, d) = routes_and_drives(&g, &q, &[p], NONE)[0].clone().unwrap();
        assert_eq!(line, [qq, nodes[1], nodes[2], nodes[0], pp]);
        assert!(close(d.metres, 0.3 * ab + bc + ca + 0.2 * ab), "{d:?}");
        // On B-C, both ways, straight along it.
        let (x, y) = (link(&roads, 1, 0.3), link(&roads, 1, 0.6));
        let (xx, yy) = (g.point_at(&x), g.point_at(&y));
        let (line, d) = routes_and_drives(&g, &x, &[y], NONE)[0].clone().unwrap();
        assert_eq!(line, [xx, yy]);
        assert!(close(d.metres, 0.3 * bc), "{d:?}");
        let (line, d) = routes_and_drives(&g, &y, &[x], NONE)[0].clone().unwrap();
        assert_eq!(line, [yy, xx]);
        assert!(close(d.metres, 0.3 * bc), "{d:?}");
        // To itself: one point.
        let (line, d) = routes_and_drives(&g, &x, &[x], NONE)[0].clone().unwrap();
        assert_eq!((line, d.metres), (vec![xx], 0.0));
    }

    #[test]
    fn a_target_beyond_the_limit_or_out_of_reach_has_no_route() {
        // A-B-C in a line, and a road D-E of its own.
        let nodes = [
            c(1.0, 42.0),
            c(1.01, 42.0),
            c(1.02, 42.0),
            c(1.0, 42.1),
            c(1.01, 42.1),
        ];
        let roads = network(
            &nodes,
            &[
                Road(0, 1, &[], true, true),
                Road(1, 2, &[], true, true),
                Road(3, 4, &[], true, true),
            ],
        );
        let g = DriveGraph::new(&roads);
        let [ab, bc] = [0, 1].map(|i| roads.edges[i].length_m);
        let from = link(&roads, 0, 0.5);
        let to = [
            link(&roads, 1, 0.1),
            link(&roads, 1, 0.9),
            link(&roads, 2, 0.5),
        ];
        let near = 0.5 * ab + 0.1 * bc;
        let far = 0.5 * ab + 0.9 * bc;
        let all = routes_and_drives(&g, &from, &to, NONE);
        assert!(all[0].is_some() && all[1].is_some());
        assert!(all[2].is_none(), "no road leads to D-E");
        for limit in [
            DriveLimit {
                metres: (near + far) / 2.0,
                seconds: f64::INFINITY,
            },
            DriveLimit {
                metres: f64::INFINITY,
                seconds: (near + far) / 20.0,
            },
        ] {
            let within = routes_and_drives(&g, &from, &to, limit);
            assert!(within[0].is_some(), "{limit:?}");
            assert!(within[1].is_none(), "{limit:?}: beyond the limit");
            assert!(within[2].is_none());
        }
    }

    #[test]
    fn the_point_at_a_link_is_where_snap_found_it() {
        let nodes = [c(1.0, 42.0), c(1.02, 42.0)];
        let bends = [c(1.004, 42.002), c(1.011, 41.998), c(1.016, 42.001)];
        let roads = network(&nodes, &[Road(0, 1, &bends, true, true)]);
        let g = DriveGraph::new(&roads);
        for (i, p) in [
            c(1.002, 42.0),
            c(1.0075, 42.0005),
            c(1.012, 41.9975),
            c(1.018, 42.002),
        ]
        .into_iter()
        .enumerate()
        {
            let l = g.snap(p, 1_000.0).unwrap();
            let on = g.point_at(&l);
            assert!(
                (distance_m(p, on) - l.off_m).abs() < 1e-3,
                "{i}: {l:?}, {} m",
                distance_m(p, on)
            );
        }
        assert_eq!(g.point_at(&link(&roads, 0, 0.0)), nodes[0]);
        assert_eq!(g.point_at(&link(&roads, 0, 1.0)), nodes[1]);
        assert_eq!(g.point_at(&link(&roads, 0, 2.0)), nodes[1], "past the end");
        // Half way: as far along the vertices before it, and from the last of them.
        let line = &roads.edges[0].geometry;
        let half = length_m(line) / 2.0;
        let on = g.point_at(&link(&roads, 0, 0.5));
        let i = (1..line.len())
            .find(|&i| length_m(&line[..=i]) > half)
            .unwrap();
        let to_on = length_m(&line[..i]) + distance_m(line[i - 1], on);
        assert!((to_on - half).abs() < 1e-6, "{to_on} vs {half}");
    }

    #[test]
    fn routes_agree_with_drives_on_a_grid_of_one_way_streets() {
        // 6 x 6 junctions 0.01 degrees apart, every street bent once, a third of them
        // one-way (either way), some slower; points along streets anywhere.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let n = 6u32;
        let nodes: Vec<Coord> = (0..n * n)
            .map(|i| c(1.0 + 0.01 * (i % n) as f64, 42.0 + 0.01 * (i / n) as f64))
            .collect();
        let mut bends = Vec::new();
        let mut ends = Vec::new();
        for i in 0..n * n {
            for j in [i + 1, i + n] {
                if (j == i + 1 && j % n == 0) || j >= n * n {
                    continue;
                }
                let (a, b) = (nodes[i as usize], nodes[j as usize]);
                let t = 0.2 + 0.6 * next();
                bends.push([c(
                    a.lon + t * (b.lon - a.lon) + 0.002 * (next() - 0.5),
                    a.lat + t * (b.lat - a.lat) + 0.002 * (next() - 0.5),
                )]);
                let way = next();
                ends.push((i, j, way > 1.0 / 6.0, way < 5.0 / 6.0));
            }
        }
        let streets: Vec<Road> = ends
            .iter()
            .zip(&bends)
            .map(|(&(i, j, f, b), bend)| Road(i, j, bend, f, b))
            .collect();
        let mut roads = network(&nodes, &streets);
        for e in &mut roads.edges {
            e.seconds *= 1.0 + 2.0 * next();
        }
        let g = DriveGraph::new(&roads);
        let m = roads.edges.len() as u32;
        let links: Vec<RoadLink> = (0..40)
            .map(|k| {
                link(
                    &roads,
                    (k * 7 + 3) % m,
                    [0.0, 0.3, 0.5, 1.0, next()][k as usize % 5],
                )
            })
            .collect();
        let mut found = 0;
        for from in &links {
            for limit in [
                NONE,
                DriveLimit {
                    metres: 3_000.0,
                    seconds: f64::INFINITY,
                },
            ] {
                found += routes_and_drives(&g, from, &links, limit)
                    .iter()
                    .flatten()
                    .count();
            }
        }
        assert!(found > links.len() * links.len(), "{found} routes");
    }
}
