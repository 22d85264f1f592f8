//! The anytime heuristic: fundamental-cycle seeds improved by segment replacement.
//!
//! Seeds. In the shortest-path tree from the start, every non-tree edge (u, v) closes a
//! walk of length `d(u) + w + d(v)`: a simple cycle when u and v hang below different
//! children of the start, otherwise a lollipop whose stick is the tree path to their
//! lowest common ancestor. The seeds are the walks closest to T, picked to differ.
//!
//! Local search. A cycle through anchor r (the start, or a lollipop's far end) is
//! improved by replacing the arc between two of its nodes with a path that avoids every
//! other node of the walk: a Dijkstra from one cycle node `a` over the free nodes reaches
//! some `x`, and any edge from `x` to another cycle node `y` closes a path a..x-y. The two
//! arcs between `a` and `y` give two new cycles (the one that keeps r is valid); their
//! length, climb, road and area follow from prefix sums in O(1). So one Dijkstra prices
//! hundreds of moves, of every size, that lengthen, shorten or reroute. Best move from
//! one origin is taken if it improves the key; origins are visited in a seeded rotation;
//! the search stops after a run of origins without improvement, or out of budget.

use crate::graph::{Attrs, Step, NONE};
use crate::heap::{Item, MinHeap};
use crate::local::{signature, Adj, LStep, Local};
use crate::pool::MAX_SHARED;
use crate::query::Limits;
use crate::score::{Key, Quality, Scorer};

/// A closed walk in the search graph: out along `stick`, round `cycle`, back along
/// `stick` reversed. The cycle starts and ends at the stick's end (the start if empty).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Walk {
    pub stick: Vec<LStep>,
    pub cycle: Vec<LStep>,
}

impl Walk {
    pub fn attrs(&self, local: &Local) -> (Attrs, f64) {
        let mut stick = Attrs::default();
        for &s in &self.stick {
            stick.add(&local.step_attrs(s));
        }
        let mut total = Attrs {
            len: 2.0 * stick.len,
            road: 2.0 * stick.road,
            ascent: stick.ascent + stick.descent,
            descent: stick.ascent + stick.descent,
            area: 0.0,
        };
        for &s in &self.cycle {
            total.add(&local.step_attrs(s));
        }
        (total, 2.0 * stick.len)
    }

    /// The same walk in the other direction (climb differs, nothing else).
    pub fn reversed(&self) -> Walk {
        Walk {
            stick: self.stick.clone(),
            cycle: self.cycle.iter().rev().map(|&(e, f)| (e, !f)).collect(),
        }
    }

    pub fn expand(&self, local: &Local) -> Vec<Step> {
        let mut out = Vec::new();
        for &s in self.stick.iter().chain(&self.cycle) {
            local.expand(s, &mut out);
        }
        for &(e, fwd) in self.stick.iter().rev() {
            local.expand((e, !fwd), &mut out);
        }
        out
    }

    fn edge_len_set(&self, local: &Local) -> Vec<(u32, f64)> {
        let mut set: Vec<(u32, f64)> = self
            .stick
            .iter()
            .chain(&self.cycle)
            .map(|&(e, _)| (e, local.edges[e as usize].attrs.len))
            .collect();
        set.sort_unstable_by_key(|p| p.0);
        set.dedup_by_key(|p| p.0);
        set
    }
}

/// Smallest search radius of a move, as a fraction of T.
const LOCAL_RADIUS: f64 = 0.05;

/// SplitMix64: tiny, seedable, and enough to rotate the search order.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, stream: u64) -> Rng {
        Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n.max(1) as u64) as usize
    }
}

/// Up to `count` different fundamental walks, closest to the target first.
pub(crate) fn seeds(local: &Local, scorer: &Scorer, reach: f64, count: usize) -> Vec<Walk> {
    let is_tree = |e: u32| {
        let edge = &local.edges[e as usize];
        local.parent[edge.b as usize].edge == e || local.parent[edge.a as usize].edge == e
    };
    // (approximate cost, edge): loops rank before lollipops of equal length error.
    let mut ranked: Vec<(f64, u32, bool)> = Vec::new();
    for (i, e) in local.edges.iter().enumerate() {
        let (da, db) = (local.dist[e.a as usize], local.dist[e.b as usize]);
        let len = da + e.attrs.len + db;
        if is_tree(i as u32) || !len.is_finite() || len > reach {
            continue;
        }
        // Stretching a loop is easy (any detour), shrinking one is not (its sides are
        // shortest paths), so loops too long count double.
        let error = (len - scorer.target).abs() / scorer.target
            * if len > scorer.target { 2.0 } else { 1.0 };
        let simple =
            local.branch[e.a as usize] != local.branch[e.b as usize] || e.a == 0 || e.b == 0;
        let approx = if simple {
            error
        } else {
            error + 0.5 * 2.0 * lca_depth(local, e.a, e.b) / len
        };
        ranked.push((approx, i as u32, simple));
    }
    ranked.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    // True loops first, however far from T: the local search stretches them, while a
    // lollipop can never lose its stick. Lollipops keep two seats as a fallback.
    let loops = ranked
        .iter()
        .filter(|r| r.2)
        .count()
        .min(count.saturating_sub(2));
    let mut order: Vec<(f64, u32, bool)> = ranked.iter().filter(|r| r.2).copied().collect();
    order.truncate(8 * loops.max(1));
    order.extend(ranked.iter().filter(|r| !r.2).copied());

    struct Picked {
        walk: Walk,
        set: Vec<(u32, f64)>,
        len: f64,
    }
    let mut picked: Vec<Picked> = Vec::new();
    let mut spare = Vec::new();
    let mut picked_loops = 0;
    for &(_, e, simple) in order.iter().take(8 * count) {
        if picked.len() >= count {
            break;
        }
        if simple && picked_loops >= loops {
            continue;
        }
        let walk = fundamental_walk(local, e);
        let set = walk.edge_len_set(local);
        let len: f64 = walk.attrs(local).0.len;
        let differs = picked
            .iter()
            .all(|p| shared(&set, &p.set) <= MAX_SHARED * len.min(p.len))
            && !walks_beside_itself(local, &walk);
        if differs {
            picked_loops += usize::from(simple);
            picked.push(Picked { walk, set, len });
        } else {
            spare.push(walk);
        }
    }
    let mut out: Vec<Walk> = picked.into_iter().map(|p| p.walk).collect();
    let missing = count.saturating_sub(out.len());
    out.extend(spare.into_iter().take(missing));
    out
}

fn shared(a: &[(u32, f64)], b: &[(u32, f64)]) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

fn lca(local: &Local, mut u: u32, mut v: u32) -> u32 {
    while u != v {
        if local.dist[u as usize] >= local.dist[v as usize] && u != 0 {
            u = local.parent[u as usize].to;
        } else {
            v = local.parent[v as usize].to;
        }
    }
    u
}

fn lca_depth(local: &Local, u: u32, v: u32) -> f64 {
    local.dist[lca(local, u, v) as usize]
}

/// The closed walk that non-tree edge `e` makes with the shortest-path tree.
fn fundamental_walk(local: &Local, e: u32) -> Walk {
    let edge = &local.edges[e as usize];
    let top = lca(local, edge.a, edge.b);
    let to_a = local.tree_path(edge.a);
    let to_b = local.tree_path(edge.b);
    let stick_len = local.tree_path(top).len();
    let mut cycle: Vec<LStep> = to_a[stick_len..].to_vec();
    cycle.push((e, true));
    cycle.extend(to_b[stick_len..].iter().rev().map(|&(e, f)| (e, !f)));
    Walk {
        stick: to_a[..stick_len].to_vec(),
        cycle,
    }
}

/// What the searches keep per node, together: the inner loops read and write most of
/// it for every edge they scan.
#[derive(Debug, Clone, Copy)]
struct NodeState {
    /// The Dijkstra generation `dist`, `done` and `parent` belong to.
    stamp: u32,
    /// The walk mark: the node is on the walk being improved (or, for a via walk, on
    /// its way out).
    forbid: u32,
    /// Position on the walk's cycle, when `forbid` is current.
    pos: u32,
    done: bool,
    dist: f64,
    parent: Adj,
    /// OR of the signatures of the tree path's edges (see `local::signature`).
    path: u64,
}

impl NodeState {
    /// Offers the node a path of length `dist` ending with `via` in Dijkstra
    /// `generation`; returns whether it is the shortest so far (the caller pushes it).
    #[inline(always)]
    fn relax(&mut self, generation: u32, dist: f64, via: Adj, path: u64) -> bool {
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
            parent: Adj {
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
pub(crate) struct LsScratch {
    /// Dijkstra generation: `stamp` entries equal to it belong to the current search.
    generation: u32,
    /// Walk generation: `forbid` and `cycle_edge` entries equal to it mark the walk
    /// being improved, which stays the same across the many searches that fail.
    mark: u32,
    node: Vec<NodeState>,
    /// Attributes of the Dijkstra tree path to each settled node.
    acc: Vec<Attrs>,
    cycle_edge: Vec<u32>,
    /// Walk generation: entries equal to `mark` are edges drawn beside the walk, which
    /// no new path may take.
    beside: Vec<u32>,
    heap: MinHeap,
}

impl LsScratch {
    fn prepare(&mut self, nodes: usize, edges: usize) {
        if self.node.len() < nodes {
            self.node.resize(nodes, NodeState::default());
            self.acc.resize(nodes, Attrs::default());
        }
        if self.cycle_edge.len() < edges {
            self.cycle_edge.resize(edges, 0);
            self.beside.resize(edges, 0);
        }
    }

    fn next_generation(&mut self) -> u32 {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.node.iter_mut().for_each(|n| n.stamp = 0);
            self.generation = 1;
        }
        self.generation
    }

    fn next_mark(&mut self) -> u32 {
        self.mark = self.mark.wrapping_add(1);
        if self.mark == 0 {
            self.node.iter_mut().for_each(|n| n.forbid = 0);
            self.cycle_edge.iter_mut().for_each(|s| *s = 0);
            self.beside.iter_mut().for_each(|s| *s = 0);
            self.mark = 1;
        }
        self.mark
    }
}

/// What every move from a walk needs, computed once per walk (most searches from an
/// origin find no improving move, so the walk is searched many times unchanged). Marks
/// the walk's nodes (`forbid`, `pos`) and cycle edges in the scratch.
struct Marked {
    /// Cycle nodes: `nodes[0] == nodes[m] ==` the anchor.
    nodes: Vec<u32>,
    /// `prefix[p]` = attributes of cycle steps `0..p`.
    prefix: Vec<Attrs>,
    total: Attrs,
    shared: f64,
    mark: u32,
}

impl Marked {
    fn new(local: &Local, walk: &Walk, s: &mut LsScratch) -> Marked {
        let mark = s.next_mark();
        let nodes = cycle_nodes(local, walk);
        let m = walk.cycle.len();
        for &(e, _) in &walk.stick {
            let edge = &local.edges[e as usize];
            s.node[edge.a as usize].forbid = mark;
            s.node[edge.b as usize].forbid = mark;
        }
        for (p, &v) in nodes.iter().enumerate().take(m) {
            s.node[v as usize].forbid = mark;
            s.node[v as usize].pos = p as u32;
        }
        for &(e, _) in &walk.cycle {
            s.cycle_edge[e as usize] = mark;
        }
        mark_beside(local, walk.stick.iter().chain(&walk.cycle), s, mark);
        let mut prefix = Vec::with_capacity(m + 1);
        prefix.push(Attrs::default());
        for &st in &walk.cycle {
            let mut next = *prefix.last().expect("non-empty");
            next.add(&local.step_attrs(st));
            prefix.push(next);
        }
        let (total, shared) = walk.attrs(local);
        Marked {
            nodes,
            prefix,
            total,
            shared,
            mark,
        }
    }
}

/// Marks the edges drawn beside `steps` as closed to new paths.
fn mark_beside<'a>(
    local: &Local,
    steps: impl Iterator<Item = &'a LStep>,
    s: &mut LsScratch,
    mark: u32,
) {
    for &(e, _) in steps {
        for &b in local.beside(e) {
            s.beside[b as usize] = mark;
        }
    }
}

/// Whether a walk takes two edges drawn beside each other.
pub(crate) fn walks_beside_itself(local: &Local, walk: &Walk) -> bool {
    let steps = || walk.stick.iter().chain(&walk.cycle);
    if steps().all(|&(e, _)| local.beside_signature[e as usize] == 0) {
        return false;
    }
    let mut edges: Vec<u32> = steps().map(|s| s.0).collect();
    edges.sort_unstable();
    edges.iter().any(|&e| {
        local
            .beside(e)
            .iter()
            .any(|b| edges.binary_search(b).is_ok())
    })
}

/// The best move found from one origin.
#[derive(Debug, Clone, Copy)]
struct Move {
    quality: Quality,
    origin: u32,
    x: u32,
    closing: Adj,
    i: usize,
    j: usize,
    /// Whether the new path runs from the origin (at position i) towards position j.
    from_origin: bool,
}

/// How the local search ended and what it spent.
pub(crate) struct LsResult {
    pub best: Walk,
    pub work: u64,
    pub stopped: bool,
    /// Whether it ended at a local optimum (rather than out of budget or stopped).
    pub converged: bool,
}

/// Length error at which a walk within tolerance counts as polished: its local search
/// stops (as converged), since what is left to gain is smaller than the length of a
/// typical edge, and only the compactness tie-breaker could still move.
pub(crate) const POLISHED: f64 = 0.0003;

/// Improves `walk` until no origin in a row of `patience` improves it, it is
/// [`POLISHED`], or the budget or the limits stop it.
pub(crate) fn local_search(
    local: &Local,
    scorer: &Scorer,
    mut walk: Walk,
    rng: &mut Rng,
    budget: u64,
    limits: &Limits,
    s: &mut LsScratch,
) -> LsResult {
    s.prepare(local.n(), local.edges.len());
    let mut work = 0u64;
    let quality = |w: &Walk| {
        let (attrs, shared) = w.attrs(local);
        scorer.quality(&attrs, shared)
    };
    let mut current = quality(&walk);
    // Moves never flip the direction, and only the climb depends on it: start the
    // right way round.
    let back = walk.reversed();
    let back_quality = quality(&back);
    if back_quality.key.better_than(&current.key) {
        walk = back;
        current = back_quality;
    }
    let mut failures = 0usize;
    let mut cursor = rng.below(walk.cycle.len().max(1));
    let mut marked = Marked::new(local, &walk, s);
    loop {
        let m = walk.cycle.len();
        // A cycle cuts a planar network into pockets; many origins only see a small
        // one, so give every origin a chance before calling the walk locally optimal.
        let patience = m;
        let polished = current.key.tier <= 1 && current.length_error <= POLISHED;
        if m == 0 || failures >= patience || work >= budget {
            return LsResult {
                best: walk,
                work,
                stopped: false,
                converged: work < budget || polished,
            };
        }
        if limits.should_stop() {
            return LsResult {
                best: walk,
                work,
                stopped: true,
                converged: false,
            };
        }
        if polished {
            return LsResult {
                best: walk,
                work,
                stopped: false,
                converged: true,
            };
        }
        cursor = (cursor + 1 + rng.below(2)) % m;
        let found = best_move(local, scorer, &marked, cursor, &current.key, s, &mut work);
        match found {
            Some(mv) => {
                walk = apply(&walk, &mv, s);
                marked = Marked::new(local, &walk, s);
                current = mv.quality;
                failures = 0;
            }
            None => failures += 1,
        }
    }
}

/// Node sequence of the cycle: `nodes[0] == nodes[m] ==` the anchor.
fn cycle_nodes(local: &Local, walk: &Walk) -> Vec<u32> {
    let anchor = walk.stick.last().map_or(0, |&s| local.head(s));
    let mut nodes = vec![anchor];
    nodes.extend(walk.cycle.iter().map(|&s| local.head(s)));
    nodes
}

fn best_move(
    local: &Local,
    scorer: &Scorer,
    marked: &Marked,
    origin_pos: usize,
    current: &Key,
    s: &mut LsScratch,
    work: &mut u64,
) -> Option<Move> {
    let generation = s.next_generation();
    let Marked {
        nodes,
        prefix,
        total,
        shared,
        mark,
    } = marked;
    let (total, shared, mark) = (*total, *shared, *mark);
    let m = nodes.len() - 1;
    let anchor = nodes[0];
    let origin = nodes[origin_pos];
    let positions = |v: u32, s: &LsScratch| -> [Option<usize>; 2] {
        if v == anchor {
            [Some(0), Some(m)]
        } else {
            [Some(s.node[v as usize].pos as usize), None]
        }
    };

    // Detours of length about |T - L| (plus a short arc) move the length to T; far
    // larger ones cannot help, and a small radius keeps each move cheap.
    let gap = (scorer.target - total.len).abs();
    let limit = (1.25 * gap.max(LOCAL_RADIUS * scorer.target)).min(scorer.target);

    // A Dijkstra from the origin over the free nodes; when it settles `x`, every edge
    // from `x` to a cycle node `y` closes a path origin..x-y, priced on the spot (one
    // pass over each settled node's adjacency; the work count is that of a Dijkstra
    // followed by a second pass over the settled nodes' edges).
    let mut best: Option<Move> = None;
    let origin_positions = positions(origin, s);
    seed_dijkstra(s, origin, generation);
    while let Some(Item { dist, node: x }) = s.heap.pop() {
        if dist > limit {
            break;
        }
        let ix = x as usize;
        if std::mem::replace(&mut s.node[ix].done, true) {
            continue;
        }
        // Attributes of the tree path origin..x, summed once x is settled (its parent
        // was settled before it) rather than at every relaxation.
        if x != origin {
            let p = s.node[ix].parent;
            let mut acc = s.acc[p.to as usize];
            acc.add(&local.step_attrs((p.edge, p.fwd)));
            s.acc[ix] = acc;
        }
        let acc_x = s.acc[ix];
        let adj = local.adj(x);
        *work += 2 * adj.len() as u64;
        let path_x = s.node[ix].path;
        for a in adj {
            // Not beside the walk, nor beside the path that leads here.
            if s.beside[a.edge as usize] == mark
                || local.beside_signature[a.edge as usize] & path_x != 0
            {
                continue;
            }
            let y = a.to;
            let t = y as usize;
            let state = s.node[t];
            if state.forbid == mark {
                // A join, unless to the origin, back along the cycle, or to the stick.
                if y == origin || (x == origin && s.cycle_edge[a.edge as usize] == mark) {
                    continue;
                }
                let py0 = state.pos as usize;
                if y != anchor && (py0 >= m || nodes[py0] != y) {
                    continue;
                }
                let mut path = acc_x;
                path.add(&local.step_attrs((a.edge, a.fwd)));
                let y_positions = if y == anchor {
                    [Some(0), Some(m)]
                } else {
                    [Some(py0), None]
                };
                for pa in origin_positions.into_iter().flatten() {
                    for py in y_positions.into_iter().flatten() {
                        let (i, j) = (pa.min(py), pa.max(py));
                        if i == j || (i == 0 && j == m) {
                            continue;
                        }
                        let from_origin = pa == i;
                        let mut attrs = total;
                        attrs.sub(&prefix[j]);
                        attrs.add(&prefix[i]);
                        attrs.add(&path.oriented(from_origin));
                        let q = scorer.quality(&attrs, shared);
                        let improves = q.key.tier < current.tier
                            || (q.key.tier == current.tier && q.key.cost < current.cost - 1e-9);
                        if improves && best.is_none_or(|b| q.key.better_than(&b.quality.key)) {
                            best = Some(Move {
                                quality: q,
                                origin,
                                x,
                                closing: *a,
                                i,
                                j,
                                from_origin,
                            });
                        }
                    }
                }
                continue;
            }
            let nd = dist + a.len;
            let path = path_x | signature(a.edge);
            if s.node[t].relax(generation, nd, Adj { to: x, ..*a }, path) {
                s.heap.push(Item { dist: nd, node: y });
            }
        }
    }
    best
}

/// Resets the scratch for a Dijkstra from `origin` in `generation`.
fn seed_dijkstra(s: &mut LsScratch, origin: u32, generation: u32) {
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
fn free_path(local: &Local, s: &mut LsScratch, from: u32, to: u32, work: &mut u64) -> bool {
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
                || s.beside[a.edge as usize] == mark
                || local.beside_signature[a.edge as usize] & path != 0
            {
                continue;
            }
            let nd = dist + a.len;
            let path = path | signature(a.edge);
            if s.node[t].relax(generation, nd, Adj { to: node, ..*a }, path) {
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
fn path_to(s: &LsScratch, origin: u32, node: u32) -> Vec<LStep> {
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

/// A simple cycle through `x`: out along the shortest path, back along the shortest
/// path that avoids it. Such loops are wide, unlike fundamental cycles whose two sides
/// are both shortest paths and often run side by side. A start with a single edge (a
/// trailhead at the end of an access path) cannot be on a cycle: the walk then becomes
/// a lollipop whose stick is that edge and whose cycle goes through its far end.
pub(crate) fn via_walk(local: &Local, x: u32, s: &mut LsScratch, work: &mut u64) -> Option<Walk> {
    s.prepare(local.n(), local.edges.len());
    let mut out = local.tree_path(x);
    let stick: Vec<LStep> = if local.adj(0).len() == 1 {
        out.drain(..1).collect()
    } else {
        Vec::new()
    };
    let anchor = stick.first().map_or(0, |&step| local.head(step));
    if out.len() < 2 {
        return None;
    }
    let mark = s.next_mark();
    s.node[0].forbid = mark;
    for &step in &out[..out.len() - 1] {
        s.node[local.head(step) as usize].forbid = mark;
    }
    mark_beside(local, stick.iter().chain(&out), s, mark);
    if !free_path(local, s, x, anchor, work) {
        return None;
    }
    let mut cycle = out;
    cycle.extend(path_to(s, x, anchor));
    Some(Walk { stick, cycle })
}

/// Turning points for [`via_walk`]: in each of `count` sectors around the start, the
/// node whose distance is closest to T / 4. The way back is usually one to two times as
/// long, so the loop comes out short of T and the local search stretches it.
pub(crate) fn via_points(local: &Local, scorer: &Scorer, count: usize) -> Vec<u32> {
    let origin = local.pos[0];
    let scale = origin[1].to_radians().cos();
    let want = scorer.target / 4.0;
    let mut best: Vec<Option<(f64, u32)>> = vec![None; count];
    for v in 1..local.n() {
        let d = local.dist[v];
        if !d.is_finite() {
            continue;
        }
        let (dx, dy) = (
            (local.pos[v][0] - origin[0]) * scale,
            local.pos[v][1] - origin[1],
        );
        let turn = (dy.atan2(dx) + std::f64::consts::PI) / std::f64::consts::TAU;
        let sector = ((turn * count as f64) as usize).min(count - 1);
        let off = (d - want).abs();
        if best[sector].is_none_or(|b| off < b.0) {
            best[sector] = Some((off, v as u32));
        }
    }
    best.into_iter().flatten().map(|b| b.1).collect()
}

fn apply(walk: &Walk, mv: &Move, s: &LsScratch) -> Walk {
    // Tree path origin -> x, then the closing edge x -> y.
    let mut path = path_to(s, mv.origin, mv.x);
    path.push((mv.closing.edge, mv.closing.fwd));
    if !mv.from_origin {
        path = path.iter().rev().map(|&(e, f)| (e, !f)).collect();
    }
    let mut cycle = walk.cycle[..mv.i].to_vec();
    cycle.extend(path);
    cycle.extend_from_slice(&walk.cycle[mv.j..]);
    Walk {
        stick: walk.stick.clone(),
        cycle,
    }
}
