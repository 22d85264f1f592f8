//! [`DriveGraph`]: the road graph ready for drive searches (arcs by tail node, a grid
//! of the edges' segments for snapping), a bounded Dijkstra, and snapping to the roads
//! a car can leave again.

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
        let mut push = |tail: u32, head: u32, e: &RoadEdge| {
            let slot = &mut fill[tail as usize];
            arcs[*slot as usize] = RoadArc {
                head,
                metres: e.length_m as f32,
                seconds: e.seconds as f32,
            };
            *slot += 1;
        };
        for e in &roads.edges {
            if e.forward {
                push(e.source, e.target, e);
            }
            if e.backward {
                push(e.target, e.source, e);
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
        let mut scratch = self
            .scratch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .unwrap_or_else(|| Scratch {
                best: vec![(f64::INFINITY, f64::INFINITY); self.nodes],
                touched: Vec::new(),
            });
        self.search(from, limit, &mut scratch);
        let out = to
            .iter()
            .map(|t| self.drive_to(from, t, &scratch.best))
            .map(|d| d.filter(|d| limit.admits(*d)))
            .collect();
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
    /// drives only grow from there. Drives beyond the time limit are never kept.
    fn search(&self, from: &RoadLink, limit: DriveLimit, scratch: &mut Scratch) {
        let e = &self.edges[from.edge as usize];
        let share = |m: f64| if e.metres > 0.0 { m / e.metres } else { 0.0 };
        let mut heap = BinaryHeap::new();
        // Entries in the heap whose drive is within the distance limit.
        let mut within = 0usize;
        // Keeps `d` when it is the fastest to `node` yet; 1 when it went in within the
        // distance limit.
        let reach = |node: u32, d: RoadDrive, heap: &mut BinaryHeap<_>, s: &mut Scratch| {
            if d.seconds > limit.seconds {
                return 0;
            }
            let slot = &mut s.best[node as usize];
            if d.seconds < slot.0 {
                if slot.0.is_infinite() {
                    s.touched.push(node);
                }
                *slot = (d.seconds, d.metres);
                let inside = d.metres <= limit.metres;
                heap.push(Reverse((d.seconds.to_bits(), node, inside)));
                return usize::from(inside);
            }
            0
        };
        if e.forward {
            let m = e.metres - from.along_m;
            let d = RoadDrive {
                metres: m,
                seconds: e.seconds * share(m),
            };
            within += reach(e.target, d, &mut heap, scratch);
        }
        if e.backward {
            let m = from.along_m;
            let d = RoadDrive {
                metres: m,
                seconds: e.seconds * share(m),
            };
            within += reach(e.source, d, &mut heap, scratch);
        }
        while within > 0 {
            let Some(Reverse((bits, node, inside))) = heap.pop() else {
                break;
            };
            within -= usize::from(inside);
            let (seconds, metres) = scratch.best[node as usize];
            if seconds.to_bits() != bits {
                continue;
            }
            let arcs =
                self.first_arc[node as usize] as usize..self.first_arc[node as usize + 1] as usize;
            for a in &self.arcs[arcs] {
                let d = RoadDrive {
                    metres: metres + a.metres as f64,
                    seconds: seconds + a.seconds as f64,
                };
                within += reach(a.head, d, &mut heap, scratch);
            }
        }
    }

    fn drive_to(&self, from: &RoadLink, to: &RoadLink, best: &[(f64, f64)]) -> Option<RoadDrive> {
        let e = &self.edges[to.edge as usize];
        let share = |m: f64| if e.metres > 0.0 { m / e.metres } else { 0.0 };
        let mut found: Option<RoadDrive> = None;
        let mut offer = |d: RoadDrive| {
            if found.is_none_or(|f| d.seconds < f.seconds) {
                found = Some(d);
            }
        };
        // Along the same edge, without leaving it.
        if from.edge == to.edge {
            let m = to.along_m - from.along_m;
            if (m >= 0.0 && e.forward) || (m <= 0.0 && e.backward) {
                offer(RoadDrive {
                    metres: m.abs(),
                    seconds: e.seconds * share(m.abs()),
                });
            }
        }
        // Entering the edge at its source and driving forward, or at its target and back.
        let (s, t) = (best[e.source as usize], best[e.target as usize]);
        if e.forward && s.0.is_finite() {
            offer(RoadDrive {
                metres: s.1 + to.along_m,
                seconds: s.0 + e.seconds * share(to.along_m),
            });
        }
        if e.backward && t.0.is_finite() {
            let m = e.metres - to.along_m;
            offer(RoadDrive {
                metres: t.1 + m,
                seconds: t.0 + e.seconds * share(m),
            });
        }
        found
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
