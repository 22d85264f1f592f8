//! The neighbourhood of a start: a bounded Dijkstra on the contracted graph.
//!
//! A closed walk of length at most `reach` never goes farther than `reach / 2` (network
//! distance) from its start, so only junctions within that radius matter. A start inside
//! a chain becomes a virtual junction with the chain split into two pieces.
//! The per-thread [`Scratch`] keeps the graph-sized arrays between queries; a generation
//! counter marks which entries belong to the current query, so nothing is cleared.

use crate::attrs::{Attrs, TrailStep};
use crate::demands::Demands;
use crate::graph::TrailGraph;
use crate::heap::{Item, MinHeap};
use crate::tile::{Place, NONE};

/// How a node of the neighbourhood was reached.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Link {
    Chain(u32),
    /// One of the start's two pieces (index into `Neighbourhood::pieces`).
    Piece(u8),
}

/// The start's half of a split chain.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub steps: Vec<TrailStep>,
    pub attrs: Attrs,
    pub demands: Demands,
    pub to: u32,
}

/// Graph-sized buffers reused across the queries one thread runs.
#[derive(Debug, Default)]
pub struct Scratch {
    generation: u32,
    stamp: Vec<u32>,
    pub(crate) dist: Vec<f64>,
    pub(crate) parent: Vec<(u32, Link)>,
    pub(crate) local: Vec<u32>,
    heap: MinHeap,
    /// Junctions in the order they were settled (the start first).
    pub(crate) settled: Vec<u32>,
    /// Per input edge: (generation, search-graph edge that walks it) for `local`.
    pub(crate) edge_owner: Vec<(u32, u32)>,
}

impl Scratch {
    /// Empty buffers; they grow to the graph on first use.
    pub fn new() -> Scratch {
        Scratch::default()
    }

    fn reset(&mut self, size: usize) {
        if self.stamp.len() < size {
            self.stamp.resize(size, 0);
            self.dist.resize(size, f64::INFINITY);
            self.parent.resize(size, (NONE, Link::Chain(NONE)));
            self.local.resize(size, NONE);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        self.heap.clear();
        self.settled.clear();
    }

    /// The current query's generation (entries stamped with it are current).
    pub(crate) fn generation(&self) -> u32 {
        self.generation
    }

    /// Whether `node` was settled in the current query.
    pub(crate) fn is_settled(&self, node: u32) -> bool {
        self.stamp[node as usize] == self.generation && self.local[node as usize] != NONE
    }
}

/// The start and its neighbourhood, with distances in the scratch.
#[derive(Debug)]
pub(crate) struct Neighbourhood {
    /// Node index of the start in the scratch arrays (a junction, or the virtual node).
    pub start: u32,
    /// Chain split by the start, if it is not a junction.
    pub split: Option<u32>,
    pub pieces: Vec<Piece>,
    pub radius: f64,
    /// The start as an original node index.
    pub start_node: u32,
}

impl Neighbourhood {
    /// Dijkstra from `start_node` (an original node index) up to `radius`, over chains
    /// whose hardest edge is allowed.
    pub fn grow(
        graph: &TrailGraph,
        start_node: u32,
        radius: f64,
        limit: Demands,
        scratch: &mut Scratch,
        work: &mut u64,
    ) -> Neighbourhood {
        let virtual_start = graph.junction_slots() as u32;
        scratch.reset(graph.junction_slots() + 1);
        let (start, split, pieces) = match graph.place(start_node) {
            Place::Junction(j) => (j, None, Vec::new()),
            Place::Interior { chain, pos } => {
                let c = graph.chain(chain);
                let steps: Vec<TrailStep> = graph.chain_steps(chain).collect();
                let back: Vec<TrailStep> = steps[..pos as usize]
                    .iter()
                    .rev()
                    .map(|s| s.reversed())
                    .collect();
                let ahead = steps[pos as usize..].to_vec();
                let pieces = [(back, c.a), (ahead, c.b)]
                    .into_iter()
                    .map(|(steps, to)| {
                        let (attrs, demands) = graph.steps_attrs(&steps);
                        Piece {
                            steps,
                            attrs,
                            demands,
                            to,
                        }
                    })
                    .collect();
                (virtual_start, Some(chain), pieces)
            }
        };
        let hood = Neighbourhood {
            start_node,
            start,
            split,
            pieces,
            radius,
        };
        hood.dijkstra(graph, limit, scratch, work);
        hood
    }

    fn dijkstra(&self, graph: &TrailGraph, limit: Demands, s: &mut Scratch, work: &mut u64) {
        let generation = s.generation;
        let relax = |s: &mut Scratch, node: u32, dist: f64, via: (u32, Link)| {
            let ix = node as usize;
            if s.stamp[ix] != generation {
                s.stamp[ix] = generation;
                s.dist[ix] = f64::INFINITY;
                s.local[ix] = NONE;
            }
            if dist < s.dist[ix] && s.local[ix] == NONE {
                s.dist[ix] = dist;
                s.parent[ix] = via;
                s.heap.push(Item { dist, node });
            }
        };
        relax(s, self.start, 0.0, (NONE, Link::Chain(NONE)));
        while let Some(Item { dist, node }) = s.heap.pop() {
            if dist > self.radius {
                break;
            }
            let ix = node as usize;
            if s.local[ix] != NONE || dist > s.dist[ix] {
                continue;
            }
            // `local` doubles as the settled mark; the local graph renumbers later.
            s.local[ix] = s.settled.len() as u32;
            s.settled.push(node);
            if node == self.start && self.split.is_some() {
                for (i, p) in self.pieces.iter().enumerate() {
                    *work += 1;
                    if p.demands.within(&limit) {
                        relax(s, p.to, p.attrs.len, (node, Link::Piece(i as u8)));
                    }
                }
                continue;
            }
            for adj in graph.neighbours(node) {
                *work += 1;
                if Some(adj.chain) == self.split || !adj.demands.within(&limit) {
                    continue;
                }
                relax(s, adj.to, dist + adj.len, (node, Link::Chain(adj.chain)));
            }
        }
    }

    /// Steps of a link walked from `from`.
    pub fn link_steps(&self, graph: &TrailGraph, from: u32, link: Link, out: &mut Vec<TrailStep>) {
        match link {
            Link::Piece(i) => out.extend_from_slice(&self.pieces[i as usize].steps),
            Link::Chain(c) => {
                let steps = graph.chain_steps(c);
                if graph.chain(c).a == from {
                    out.extend(steps);
                } else {
                    out.extend(steps.rev().map(TrailStep::reversed));
                }
            }
        }
    }

    /// Steps of the shortest path from the start to a settled node.
    pub fn path_to(&self, graph: &TrailGraph, node: u32, s: &Scratch) -> Vec<TrailStep> {
        let mut links = Vec::new();
        let mut v = node;
        while v != self.start {
            let (from, link) = s.parent[v as usize];
            links.push((from, link));
            v = from;
        }
        let mut out = Vec::new();
        for &(from, link) in links.iter().rev() {
            self.link_steps(graph, from, link, &mut out);
        }
        out
    }

    /// The best out-and-back: walk a shortest path to some original node and back. The
    /// turning point may be inside a chain (or a dead-end spur the loop search pruned).
    pub fn out_and_back(
        &self,
        graph: &TrailGraph,
        target: f64,
        limit: Demands,
        s: &Scratch,
    ) -> Option<Vec<TrailStep>> {
        // (error, junction, link, steps into the link)
        let mut best: Option<(f64, u32, Option<Link>, usize)> = None;
        let target_half = target / 2.0;
        let mut consider = |err: f64, node: u32, link: Option<Link>, k: usize| {
            if best.is_none_or(|b| err < b.0) {
                best = Some((err, node, link, k));
            }
        };
        for &node in &s.settled {
            let d = s.dist[node as usize];
            if node != self.start {
                consider((d - target_half).abs(), node, None, 0);
            }
            // Turning points inside the links leaving `node` (walked in from `node`),
            // scanned in place: this runs over the whole neighbourhood.
            let mut scan = |link: Link, steps: &mut dyn Iterator<Item = TrailStep>, n: usize| {
                let mut along = d;
                for (k, step) in steps.take(n.saturating_sub(1)).enumerate() {
                    let edge = graph.edge(step.edge);
                    along += edge.attrs.len;
                    if !edge.demands.within(&limit) {
                        break;
                    }
                    consider((along - target_half).abs(), node, Some(link), k + 1);
                }
            };
            if node == self.start && self.split.is_some() {
                for (i, p) in self.pieces.iter().enumerate() {
                    scan(
                        Link::Piece(i as u8),
                        &mut p.steps.iter().copied(),
                        p.steps.len(),
                    );
                }
            } else {
                for adj in graph.neighbours(node) {
                    let chain = graph.chain(adj.chain);
                    let n = chain.step_count();
                    if Some(adj.chain) != self.split && n > 1 {
                        let steps = graph.chain_steps(adj.chain);
                        if chain.a != node {
                            scan(Link::Chain(adj.chain), &mut steps.rev(), n);
                        } else {
                            scan(Link::Chain(adj.chain), &mut { steps }, n);
                        }
                    }
                }
            }
        }
        let (_, node, link, k) = best?;
        let mut out = self.path_to(graph, node, s);
        if let Some(link) = link {
            let mut steps = Vec::new();
            self.link_steps(graph, node, link, &mut steps);
            out.extend_from_slice(&steps[..k]);
        }
        if out.is_empty() {
            return None;
        }
        let back: Vec<TrailStep> = out.iter().rev().map(|s| s.reversed()).collect();
        out.extend(back);
        Some(out)
    }
}
