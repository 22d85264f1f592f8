//! Shortest paths inside the search graph for the heuristic: the per-thread scratch they
//! share (one array of per-node state, generation-stamped so nothing is cleared between
//! searches), the marks that close the walk being improved to new paths, and the A* that
//! via seeds find their way back with.

use crate::attrs::Attrs;
use crate::heap::{Item, MinHeap};
use crate::search_graph::{signature, SearchArc, SearchGraph, SearchStep};
use crate::tile::NONE;

/// What the searches keep per node, together: the inner loops read and write most of
/// it for every edge they scan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeState {
    /// The Dijkstra generation `dist`, `done` and `parent` belong to.
    pub(crate) stamp: u32,
    /// The walk mark: the node is on the walk being improved (or, for a via walk, on
    /// its way out).
    pub(crate) forbid: u32,
    /// Position on the walk's cycle, when `forbid` is current.
    pub(crate) pos: u32,
    pub(crate) done: bool,
    pub(crate) dist: f64,
    pub(crate) parent: SearchArc,
    /// OR of the signatures of the tree path's edges (see `local::signature`).
    pub(crate) path: u64,
}

impl NodeState {
    /// Offers the node a path of length `dist` ending with `via` in Dijkstra
    /// `generation`; returns whether it is the shortest so far (the caller pushes it).
    #[inline(always)]
    pub(crate) fn relax(&mut self, generation: u32, dist: f64, via: SearchArc, path: u64) -> bool {
        if self.stamp != generation {
            self.stamp = generation;
            self.dist = f64::INFINITY;
            self.done = false;
        }
        if dist < self.dist {
            self.dist = dist;
            self.parent = via;
            self.path = path;
            true
        } else {
            false
        }
    }
}

impl Default for NodeState {
    fn default() -> NodeState {
        NodeState {
            stamp: 0,
            forbid: 0,
            pos: NONE,
            done: false,
            dist: f64::INFINITY,
            path: 0,
            parent: SearchArc {
                edge: NONE,
                to: NONE,
                fwd: true,
                len: 0.0,
            },
        }
    }
}

/// Per-thread buffers of the local search, sized to the search graph.
#[derive(Debug, Default)]
pub(crate) struct SearchScratch {
    /// Dijkstra generation: `stamp` entries equal to it belong to the current search.
    pub(crate) generation: u32,
    /// Walk generation: `forbid` and `cycle_edge` entries equal to it mark the walk
    /// being improved, which stays the same across the many searches that fail.
    pub(crate) mark: u32,
    pub(crate) node: Vec<NodeState>,
    /// Attributes of the Dijkstra tree path to each settled node.
    pub(crate) acc: Vec<Attrs>,
    /// The first step of the Dijkstra tree path to each settled node.
    pub(crate) first: Vec<SearchStep>,
    pub(crate) cycle_edge: Vec<u32>,
    /// Walk generation: entries equal to `mark` are edges drawn beside the walk, which
    /// no new path may take.
    pub(crate) side_marks: Vec<u32>,
    pub(crate) heap: MinHeap,
}

impl SearchScratch {
    pub(crate) fn prepare(&mut self, nodes: usize, edges: usize) {
        if self.node.len() < nodes {
            self.node.resize(nodes, NodeState::default());
            self.acc.resize(nodes, Attrs::default());
            self.first.resize(nodes, (NONE, true));
        }
        if self.cycle_edge.len() < edges {
            self.cycle_edge.resize(edges, 0);
            self.side_marks.resize(edges, 0);
        }
    }

    pub(crate) fn next_generation(&mut self) -> u32 {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.node.iter_mut().for_each(|n| n.stamp = 0);
            self.generation = 1;
        }
        self.generation
    }

    pub(crate) fn next_mark(&mut self) -> u32 {
        self.mark = self.mark.wrapping_add(1);
        if self.mark == 0 {
            self.node.iter_mut().for_each(|n| n.forbid = 0);
            self.cycle_edge.iter_mut().for_each(|s| *s = 0);
            self.side_marks.iter_mut().for_each(|s| *s = 0);
            self.mark = 1;
        }
        self.mark
    }
}

/// Marks the edges drawn beside `steps` as closed to new paths.
pub(crate) fn mark_side_by_side<'a>(
    local: &SearchGraph,
    steps: impl Iterator<Item = &'a SearchStep>,
    s: &mut SearchScratch,
    mark: u32,
) {
    for &(e, _) in steps {
        for &b in local.side_by_side(e) {
            s.side_marks[b as usize] = mark;
        }
    }
}

/// Resets the scratch for a Dijkstra from `origin` in `generation`.
pub(crate) fn seed_dijkstra(s: &mut SearchScratch, origin: u32, generation: u32) {
    s.heap.clear();
    let o = origin as usize;
    s.node[o].stamp = generation;
    s.node[o].dist = 0.0;
    s.node[o].path = 0;
    s.acc[o] = Attrs::default();
    s.node[o].done = false;
    s.heap.push(Item {
        dist: 0.0,
        node: origin,
    });
}

/// Shortest path from `from` to `to` through nodes not forbidden by the current mark
/// (`to` itself may be): A* with the distance from the start as its estimate. That is
/// consistent (|d(u) - d(v)| <= w(u, v)) and, offset by `d(to)`, a lower bound on the
/// distance to `to`, since forbidding nodes only lengthens paths. The search settles
/// few nodes beyond the path itself. Returns whether `to` was reached; the path is
/// then [`path_to`]`(s, from, to)`.
pub(crate) fn free_path(
    local: &SearchGraph,
    s: &mut SearchScratch,
    from: u32,
    to: u32,
    work: &mut u64,
) -> bool {
    let (generation, mark) = (s.next_generation(), s.mark);
    let offset = local.dist[to as usize];
    let estimate = |v: u32| (local.dist[v as usize] - offset).max(0.0);
    seed_dijkstra(s, from, generation);
    while let Some(Item { node, .. }) = s.heap.pop() {
        let ix = node as usize;
        if std::mem::replace(&mut s.node[ix].done, true) {
            continue;
        }
        if node == to {
            return true;
        }
        let (dist, path) = (s.node[ix].dist, s.node[ix].path);
        for a in local.adj(node) {
            *work += 1;
            let t = a.to as usize;
            if (s.node[t].forbid == mark && a.to != to)
                || s.side_marks[a.edge as usize] == mark
                || local.side_signature[a.edge as usize] & path != 0
            {
                continue;
            }
            let nd = dist + a.len;
            let path = path | signature(a.edge);
            if s.node[t].relax(generation, nd, SearchArc { to: node, ..*a }, path) {
                s.heap.push(Item {
                    dist: nd + estimate(a.to),
                    node: a.to,
                });
            }
        }
    }
    false
}

/// Steps of the Dijkstra tree path from its origin to `node`.
pub(crate) fn path_to(s: &SearchScratch, origin: u32, node: u32) -> Vec<SearchStep> {
    let mut path = Vec::new();
    let mut v = node;
    while v != origin {
        let p = s.node[v as usize].parent;
        path.push((p.edge, p.fwd));
        v = p.to;
    }
    path.reverse();
    path
}
