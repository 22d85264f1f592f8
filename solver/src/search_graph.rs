//! The search graph of one query: the neighbourhood, pruned to what a closed walk can use, and
//! contracted again, with distances and a shortest-path tree from the start.
//!
//! Pruning: an edge (u, v, w) can only be on a closed walk of length `>= d(u) + w + d(v)`,
//! so edges beyond `reach` go. Then the 2-core (nodes of degree 1, except the start, go
//! repeatedly): a dead-end spur can never be part of a loop or a lollipop. Junctions whose
//! spurs were pruned have degree 2 now and are contracted away. Node 0 is the start.

use crate::attrs::{Attrs, TrailStep};
use crate::demands::Demands;
use crate::graph::TrailGraph;
use crate::heap::{Item, MinHeap};
use crate::neighbourhood::{Link, Neighbourhood, Scratch};
use crate::tile::NONE;
use crate::turns;

/// An edge of the search graph: a run of input edges between two search nodes.
#[derive(Debug, Clone)]
pub(crate) struct SearchEdge {
    pub a: u32,
    pub b: u32,
    /// Attributes walked from `a` to `b`.
    pub attrs: Attrs,
    /// Range into `SearchGraph::steps`, from `a` to `b`.
    pub steps: (u32, u32),
    /// The direction it leaves `a` in and the one it leaves `b` in (see `turns`).
    pub leave: [f32; 2],
}

/// Adjacency entry: walking `edge` forward (`a` to `b`) or not, arriving at `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SearchArc {
    pub edge: u32,
    pub to: u32,
    pub fwd: bool,
    /// The edge's length, kept here for the searches' inner loops.
    pub len: f64,
}

/// A step of a walk in the search graph.
pub(crate) type SearchStep = (u32, bool);

#[derive(Debug, Clone)]
pub(crate) struct SearchGraph {
    pub edges: Vec<SearchEdge>,
    pub steps: Vec<TrailStep>,
    adj_start: Vec<u32>,
    adj: Vec<SearchArc>,
    /// Shortest distance from the start.
    pub dist: Vec<f64>,
    /// Tree step into each node (`NONE` edge for the start and unreachable nodes).
    pub parent: Vec<SearchArc>,
    /// The start's child whose subtree holds the node (the start itself for the start).
    pub branch: Vec<u32>,
    /// `[lon, lat]` of each node.
    pub pos: Vec<[f64; 2]>,
    /// The input node id of each node.
    pub node_ids: Vec<u64>,
    /// Whether three or more ways meet at each node (where a walk may turn).
    pub decision: Vec<bool>,
    /// Per stop asked for (in order): the node a walk visits it at, and how far off
    /// that node it lies (a place at the end of a spur the pruning removed); `None`
    /// when it is out of reach.
    pub stops: Vec<Option<StopEntry>>,
    /// Per edge (CSR), the other edges that hold an input edge drawn beside one of its
    /// own: a walk that has one of them must not take the other.
    side_start: Vec<u32>,
    side: Vec<u32>,
    /// Per edge, the OR of [`signature`]s of the edges beside it (0 for most): a path
    /// whose edges' signatures meet it may hold one of them.
    pub side_signature: Vec<u64>,
}

/// One bit of 64 standing for a search-graph edge, for quick "may this path hold an
/// edge beside that one" tests.
#[inline(always)]
pub(crate) fn signature(edge: u32) -> u64 {
    1 << (u64::from(edge).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

/// Where a walk visits a stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StopEntry {
    /// Search-graph node.
    pub node: u32,
    /// Network distance from that node to the stop itself (0 when the stop is the node).
    pub off_m: f64,
}

#[derive(Debug, Clone, Copy)]
struct PreEdge {
    a: u32,
    b: u32,
    from: u32,
    link: Link,
    attrs: Attrs,
}

impl SearchGraph {
    pub fn n(&self) -> usize {
        self.dist.len()
    }

    pub fn adj(&self, node: u32) -> &[SearchArc] {
        &self.adj
            [self.adj_start[node as usize] as usize..self.adj_start[node as usize + 1] as usize]
    }

    /// 1 when walking `into` and then `out` (which leaves where `into` arrives) is a
    /// junction turn, else 0.
    #[inline]
    pub fn turn(&self, into: SearchStep, out: SearchStep) -> f64 {
        if !self.decision[self.head(into) as usize] {
            return 0.0;
        }
        let (a, b) = (&self.edges[into.0 as usize], &self.edges[out.0 as usize]);
        let back = a.leave[usize::from(into.1)];
        let leave = b.leave[usize::from(!out.1)];
        f64::from(u8::from(turns::is_turn(back, leave)))
    }

    /// Attributes of a step.
    pub fn step_attrs(&self, (edge, fwd): SearchStep) -> Attrs {
        self.edges[edge as usize].attrs.oriented(fwd)
    }

    pub fn head(&self, (edge, fwd): SearchStep) -> u32 {
        let e = &self.edges[edge as usize];
        if fwd {
            e.b
        } else {
            e.a
        }
    }

    /// Appends the input-edge steps of a search-graph step.
    pub fn expand(&self, (edge, fwd): SearchStep, out: &mut Vec<TrailStep>) {
        let (lo, hi) = self.edges[edge as usize].steps;
        let run = &self.steps[lo as usize..hi as usize];
        if fwd {
            out.extend_from_slice(run);
        } else {
            out.extend(run.iter().rev().map(|s| TrailStep {
                edge: s.edge,
                fwd: !s.fwd,
            }));
        }
    }

    /// Tree path from the start to `node`.
    pub fn tree_path(&self, node: u32) -> Vec<SearchStep> {
        let mut path = Vec::new();
        let mut v = node;
        while v != 0 {
            let p = self.parent[v as usize];
            path.push((p.edge, p.fwd));
            v = p.to;
        }
        path.reverse();
        path
    }

    /// The edges drawn beside `edge` (see the field).
    pub fn side_by_side(&self, edge: u32) -> &[u32] {
        let e = edge as usize;
        &self.side[self.side_start[e] as usize..self.side_start[e + 1] as usize]
    }

    /// The search graph of `hood`; `stops` are junctions a walk must be able to visit
    /// (they are kept as nodes, or reached from the nearest kept node).
    pub fn build(
        graph: &TrailGraph,
        hood: &Neighbourhood,
        s: &mut Scratch,
        reach: f64,
        limit: Demands,
        stops: &[u32],
        work: &mut u64,
    ) -> SearchGraph {
        let pre = collect_pre_edges(graph, hood, s, reach, limit, work);
        let n = s.settled.len();
        let mut inc_start = vec![0u32; n + 1];
        for p in &pre {
            inc_start[p.a as usize + 1] += 1;
            inc_start[p.b as usize + 1] += 1;
        }
        for i in 0..n {
            inc_start[i + 1] += inc_start[i];
        }
        let mut fill = inc_start.clone();
        let mut inc = vec![0u32; inc_start[n] as usize];
        for (i, p) in pre.iter().enumerate() {
            for end in [p.a, p.b] {
                inc[fill[end as usize] as usize] = i as u32;
                fill[end as usize] += 1;
            }
        }
        let incident =
            |v: u32| &inc[inc_start[v as usize] as usize..inc_start[v as usize + 1] as usize];

        // 2-core, keeping the start.
        let mut degree: Vec<u32> = (0..n as u32).map(|v| incident(v).len() as u32).collect();
        let mut edge_alive = vec![true; pre.len()];
        let mut node_alive = vec![true; n];
        let mut queue: Vec<u32> = (1..n as u32).filter(|&v| degree[v as usize] <= 1).collect();
        while let Some(v) = queue.pop() {
            if !node_alive[v as usize] {
                continue;
            }
            node_alive[v as usize] = false;
            for &pe in incident(v) {
                if edge_alive[pe as usize] {
                    edge_alive[pe as usize] = false;
                    let p = &pre[pe as usize];
                    let other = if p.a == v { p.b } else { p.a };
                    degree[other as usize] -= 1;
                    if other != 0 && degree[other as usize] <= 1 {
                        queue.push(other);
                    }
                }
            }
        }

        // Each stop is visited at itself if it survived the pruning, else at the nearest
        // node that did (the stop then lies at the end of a spur off the walk).
        let mut keep = vec![false; n];
        let entries: Vec<Option<(u32, f64)>> = stops
            .iter()
            .map(|&j| {
                if !s.is_settled(j) {
                    return None;
                }
                let v = s.local[j as usize];
                let entry = if node_alive[v as usize] {
                    Some((v, 0.0))
                } else {
                    nearest_alive(v, &pre, incident, &node_alive)
                };
                if let Some((e, _)) = entry {
                    keep[e as usize] = true;
                }
                entry
            })
            .collect();

        // Where three or more ways meet in the whole graph (a pruned spur is still a
        // way a hiker sees at the junction).
        let decision: Vec<bool> = (0..n)
            .map(|v| {
                if v == 0 && hood.split.is_some() {
                    false
                } else {
                    graph.is_decision(s.settled[v])
                }
            })
            .collect();

        // Contract the degree-2 nodes left behind.
        let mut new_index = vec![NONE; n];
        let mut kept = 0u32;
        let mut pos = Vec::with_capacity(n);
        let mut node_ids = Vec::with_capacity(n);
        let mut kept_decision = Vec::with_capacity(n);
        for v in 0..n {
            if node_alive[v] && (v == 0 || degree[v] != 2 || keep[v]) {
                new_index[v] = kept;
                kept += 1;
                kept_decision.push(decision[v]);
                let original = if v == 0 {
                    hood.start_node
                } else {
                    graph.junction_node(s.settled[v])
                };
                pos.push(graph.position(original));
                node_ids.push(graph.node_id(original));
            }
        }
        let stops = entries
            .into_iter()
            .map(|e| {
                e.map(|(v, off_m)| StopEntry {
                    node: new_index[v as usize],
                    off_m,
                })
            })
            .collect();
        // Sized up front: these grow to thousands of entries at long targets, and
        // growing them by doubling copies each several times.
        let mut edges = Vec::with_capacity(pre.len());
        let mut steps = Vec::with_capacity(2 * pre.len());
        let mut consumed = vec![false; pre.len()];
        for u in 0..n as u32 {
            if new_index[u as usize] == NONE {
                continue;
            }
            for &first in incident(u) {
                if consumed[first as usize] || !edge_alive[first as usize] {
                    continue;
                }
                let lo = steps.len() as u32;
                let mut attrs = Attrs::default();
                let (mut at, mut pe) = (u, first);
                loop {
                    consumed[pe as usize] = true;
                    let p = &pre[pe as usize];
                    let fwd = p.a == at;
                    let run_start = steps.len();
                    hood.link_steps(graph, p.from, p.link, &mut steps);
                    if !fwd {
                        let run = &mut steps[run_start..];
                        run.reverse();
                        run.iter_mut().for_each(|s| s.fwd = !s.fwd);
                    }
                    // The turn at a junction the edge passes through (a spur pruned).
                    if run_start > lo as usize
                        && decision[at as usize]
                        && steps.len() > run_start
                        && turns::is_turn(
                            graph.step_back(steps[run_start - 1]),
                            graph.step_leave(steps[run_start]),
                        )
                    {
                        attrs.turns += 1.0;
                    }
                    attrs.add(&p.attrs.oriented(fwd));
                    at = if fwd { p.b } else { p.a };
                    if new_index[at as usize] != NONE {
                        break;
                    }
                    pe = *incident(at)
                        .iter()
                        .find(|&&q| q != pe && edge_alive[q as usize])
                        .expect("a contracted node has a second edge");
                }
                let hi = steps.len() as u32;
                edges.push(SearchEdge {
                    a: new_index[u as usize],
                    b: new_index[at as usize],
                    attrs,
                    steps: (lo, hi),
                    leave: if hi > lo {
                        [
                            graph.step_leave(steps[lo as usize]),
                            graph.step_back(steps[hi as usize - 1]),
                        ]
                    } else {
                        [f32::NAN; 2]
                    },
                });
            }
        }
        *work += steps.len() as u64;
        let mut local = SearchGraph {
            edges,
            steps,
            adj_start: Vec::new(),
            adj: Vec::new(),
            dist: Vec::new(),
            parent: Vec::new(),
            branch: Vec::new(),
            pos,
            node_ids,
            decision: kept_decision,
            stops,
            side_start: Vec::new(),
            side: Vec::new(),
            side_signature: Vec::new(),
        };
        local.find_side_by_side(graph, s, work);
        local.build_adjacency(kept as usize);
        local.shortest_paths(work);
        local
    }

    fn find_side_by_side(&mut self, graph: &TrailGraph, s: &mut Scratch, work: &mut u64) {
        let generation = s.generation();
        if s.edge_owner.len() < graph.edge_count() {
            s.edge_owner.resize(graph.edge_count(), (0, NONE));
        }
        for (i, e) in self.edges.iter().enumerate() {
            for step in &self.steps[e.steps.0 as usize..e.steps.1 as usize] {
                s.edge_owner[step.edge as usize] = (generation, i as u32);
            }
        }
        let mut start = Vec::with_capacity(self.edges.len() + 1);
        let mut beside = Vec::new();
        let mut mine = Vec::new();
        for (i, e) in self.edges.iter().enumerate() {
            start.push(beside.len() as u32);
            mine.clear();
            for step in &self.steps[e.steps.0 as usize..e.steps.1 as usize] {
                for (f, _) in graph.side_by_side(step.edge) {
                    let (stamp, owner) = s.edge_owner[f as usize];
                    if stamp == generation && owner != i as u32 {
                        mine.push(owner);
                    }
                }
            }
            mine.sort_unstable();
            mine.dedup();
            beside.extend_from_slice(&mine);
        }
        start.push(beside.len() as u32);
        *work += self.steps.len() as u64;
        self.side_signature = (0..self.edges.len())
            .map(|e| {
                beside[start[e] as usize..start[e + 1] as usize]
                    .iter()
                    .fold(0, |sig, &b| sig | signature(b))
            })
            .collect();
        self.side_start = start;
        self.side = beside;
    }

    fn build_adjacency(&mut self, n: usize) {
        let mut start = vec![0u32; n + 1];
        for e in &self.edges {
            start[e.a as usize + 1] += 1;
            start[e.b as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut adj = vec![
            SearchArc {
                edge: NONE,
                to: NONE,
                fwd: true,
                len: 0.0,
            };
            start[n] as usize
        ];
        for (i, e) in self.edges.iter().enumerate() {
            // A self-loop gets two entries, one per direction.
            for (at, to, fwd) in [(e.a, e.b, true), (e.b, e.a, false)] {
                adj[fill[at as usize] as usize] = SearchArc {
                    edge: i as u32,
                    to,
                    fwd,
                    len: e.attrs.len,
                };
                fill[at as usize] += 1;
            }
        }
        self.adj_start = start;
        self.adj = adj;
    }

    fn shortest_paths(&mut self, work: &mut u64) {
        let n = self.adj_start.len() - 1;
        let mut dist = vec![f64::INFINITY; n];
        let mut parent = vec![
            SearchArc {
                edge: NONE,
                to: NONE,
                fwd: true,
                len: 0.0,
            };
            n
        ];
        let mut branch = vec![NONE; n];
        let mut done = vec![false; n];
        let mut heap = MinHeap::new();
        dist[0] = 0.0;
        branch[0] = 0;
        heap.push(Item { dist: 0.0, node: 0 });
        while let Some(Item { node, .. }) = heap.pop() {
            if std::mem::replace(&mut done[node as usize], true) {
                continue;
            }
            for a in self.adj(node) {
                *work += 1;
                let nd = dist[node as usize] + a.len;
                if nd < dist[a.to as usize] {
                    dist[a.to as usize] = nd;
                    // Stored as (edge, direction, parent node).
                    parent[a.to as usize] = SearchArc { to: node, ..*a };
                    branch[a.to as usize] = if node == 0 {
                        a.to
                    } else {
                        branch[node as usize]
                    };
                    heap.push(Item {
                        dist: nd,
                        node: a.to,
                    });
                }
            }
        }
        self.dist = dist;
        self.parent = parent;
        self.branch = branch;
    }
}

/// The alive node nearest `from` (a pruned node) along pre-edges, and its distance.
fn nearest_alive<'a>(
    from: u32,
    pre: &[PreEdge],
    incident: impl Fn(u32) -> &'a [u32],
    alive: &[bool],
) -> Option<(u32, f64)> {
    let mut dist: std::collections::HashMap<u32, f64> = std::collections::HashMap::new();
    let mut heap = MinHeap::new();
    dist.insert(from, 0.0);
    heap.push(Item {
        dist: 0.0,
        node: from,
    });
    while let Some(Item { dist: d, node }) = heap.pop() {
        if d > dist[&node] {
            continue;
        }
        if alive[node as usize] {
            return Some((node, d));
        }
        for &pe in incident(node) {
            let p = &pre[pe as usize];
            let other = if p.a == node { p.b } else { p.a };
            let nd = d + p.attrs.len;
            if dist.get(&other).is_none_or(|&old| nd < old) {
                dist.insert(other, nd);
                heap.push(Item {
                    dist: nd,
                    node: other,
                });
            }
        }
    }
    None
}

fn collect_pre_edges(
    graph: &TrailGraph,
    hood: &Neighbourhood,
    s: &Scratch,
    reach: f64,
    limit: Demands,
    work: &mut u64,
) -> Vec<PreEdge> {
    let mut pre = Vec::with_capacity(2 * s.settled.len());
    let local = |v: u32| s.local[v as usize];
    for &u in &s.settled {
        let du = s.dist[u as usize];
        if u == hood.start && hood.split.is_some() {
            for (i, p) in hood.pieces.iter().enumerate() {
                if p.demands.within(&limit)
                    && s.is_settled(p.to)
                    && du + p.attrs.len + s.dist[p.to as usize] <= reach
                {
                    pre.push(PreEdge {
                        a: 0,
                        b: local(p.to),
                        from: u,
                        link: Link::Piece(i as u8),
                        attrs: p.attrs,
                    });
                }
            }
            continue;
        }
        for adj in graph.neighbours(u) {
            *work += 1;
            // Each chain once: from its `a` end (self-loops are listed once anyway).
            if !adj.from_a || Some(adj.chain) == hood.split || !adj.demands.within(&limit) {
                continue;
            }
            let b = adj.to;
            if s.is_settled(b) && du + adj.len + s.dist[b as usize] <= reach {
                pre.push(PreEdge {
                    a: local(u),
                    b: local(b),
                    from: u,
                    link: Link::Chain(adj.chain),
                    attrs: graph.chain(adj.chain).attrs,
                });
            }
        }
    }
    pre
}
