//! Exact search: depth-first branch and bound over the simple cycles through the start.
//!
//! A partial path of length l ending at v closes into a walk of length at least
//! `l + d(v)`, so it is cut as soon as that exceeds the longest length that could still
//! beat the k-th best loop in the pool (or the reach, until there are k loops). The
//! heuristic runs first, so the bound is tight from the first expansion. When the search
//! runs out of paths before it runs out of budget, nothing better exists: the best loop is
//! proven optimal among simple cycles through the start within reach.

use crate::alternatives::{Alternatives, ScoredWalk, MAX_SHARED};
use crate::attrs::Attrs;
use crate::graph::TrailGraph;
use crate::query::Limits;
use crate::score::{Score, Scorer};
use crate::search_graph::{SearchGraph, SearchStep};

/// How often (in work units) the wall clock and the cancellation flag are read.
const CLOCK_EVERY: u64 = 4096;
/// Offers after which cycles are first checked against the pool on search-graph edges
/// (see [`Rivals`]); most searches make far fewer.
const CHECK_AFTER: u64 = 32;
/// Margin that keeps the cheap check on the safe side of the pool's own rounding.
const SLACK: f64 = 1e-6;

#[cfg(test)]
thread_local! {
    /// Tests: offers before the check starts (instead of [`CHECK_AFTER`]).
    pub(crate) static CHECK_AFTER_IN_TESTS: std::cell::Cell<Option<u64>> =
        const { std::cell::Cell::new(None) };
    /// Tests: cycles the check turned away on this thread.
    pub(crate) static REJECTED_IN_TESTS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn check_after() -> u64 {
    #[cfg(test)]
    if let Some(n) = CHECK_AFTER_IN_TESTS.with(std::cell::Cell::get) {
        return n;
    }
    CHECK_AFTER
}

/// How the exact search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every path was explored or cut by the bound.
    Exhausted,
    /// The deterministic work budget ran out.
    OutOfBudget,
    /// A safety stop (deadline or cancellation).
    Stopped,
}

pub(crate) struct Exact<'a> {
    pub graph: &'a TrailGraph,
    pub local: &'a SearchGraph,
    pub scorer: &'a Scorer,
    pub results: usize,
    pub reach: f64,
    pub limits: &'a Limits,
}

impl Exact<'_> {
    fn bound(&self, pool: &Alternatives) -> f64 {
        match pool.kth_loop_key(self.results) {
            Some(key) => self.scorer.max_len_beating(&key, self.reach),
            None => self.reach,
        }
    }

    pub fn run(&self, pool: &mut Alternatives, budget: u64, work: &mut u64) -> Outcome {
        let local = self.local;
        let n = local.n();
        let start_degree = local.adj(0).len();
        if n == 0 || start_degree < 2 {
            return Outcome::Exhausted;
        }
        let mut on_path = vec![false; n];
        on_path[0] = true;
        let mut path: Vec<SearchStep> = Vec::new();
        let mut acc: Vec<Attrs> = vec![Attrs::default()];
        // (node, next adjacency index)
        let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
        let mut bound = self.bound(pool);
        let mut spent = 0u64;
        let mut offers = 0u64;
        let mut rivals = Rivals::default();
        let check_after = check_after();
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let adj = local.adj(node);
            if *next == adj.len() {
                stack.pop();
                if let Some(_step) = path.pop() {
                    on_path[node as usize] = false;
                    acc.pop();
                }
                continue;
            }
            let a = adj[*next];
            *next += 1;
            spent += 1;
            if spent >= budget {
                *work += spent;
                return Outcome::OutOfBudget;
            }
            if spent.is_multiple_of(CLOCK_EVERY) && self.limits.should_stop() {
                *work += spent;
                return Outcome::Stopped;
            }
            let here = acc[acc.len() - 1];
            let len = here.len + a.len;
            if a.to == 0 {
                // Closing: not back along the only edge walked (that is no cycle).
                if (path.len() == 1 && path[0].0 == a.edge) || len > bound {
                    continue;
                }
                let mut attrs = here;
                attrs.add(&local.step_attrs((a.edge, a.fwd)));
                let quality = self.scorer.quality(&attrs, 0.0);
                if quality.key.better_than(&pool.threshold()) {
                    offers += 1;
                    let cycle = || path.iter().copied().chain(std::iter::once((a.edge, a.fwd)));
                    if offers > check_after
                        && rivals.reject(self, pool, cycle().map(|s| s.0), attrs.len, &quality.key)
                    {
                        #[cfg(test)]
                        REJECTED_IN_TESTS.with(|r| r.set(r.get() + 1));
                        continue;
                    }
                    let mut steps = Vec::new();
                    for s in cycle() {
                        local.expand(s, &mut steps);
                    }
                    if pool.offer(
                        self.graph,
                        ScoredWalk::new(self.graph, self.scorer, steps, &[]),
                    ) {
                        bound = self.bound(pool);
                        rivals.stale = true;
                    }
                }
                continue;
            }
            if on_path[a.to as usize] || len + local.dist[a.to as usize] > bound {
                continue;
            }
            on_path[a.to as usize] = true;
            path.push((a.edge, a.fwd));
            let mut next_acc = here;
            next_acc.add(&local.step_attrs((a.edge, a.fwd)));
            acc.push(next_acc);
            stack.push((a.to, 0));
        }
        *work += spent;
        Outcome::Exhausted
    }
}

/// The pool's members measured on the search graph's edges, so that a cycle the pool
/// would turn away can be told without expanding it to input edges (which costs more
/// than finding it). A small network with few loops near T otherwise offers thousands
/// of near-copies of the loops it has.
///
/// Each search-graph edge is a run of input edges that no other search-graph edge
/// holds, and a cycle walks each edge once, so the length a cycle shares with a member
/// is the sum, over its edges, of the member's share of each.
#[derive(Debug)]
struct Rivals {
    /// `cover[m * edges + e]`: length of search-graph edge `e` that member `m` walks.
    cover: Vec<f64>,
    /// Score and length of each member.
    members: Vec<(Score, f64)>,
    /// Per input edge: the member count + 1 of the last member that holds it.
    marks: Vec<u32>,
    stale: bool,
}

impl Default for Rivals {
    fn default() -> Rivals {
        Rivals {
            cover: Vec::new(),
            members: Vec::new(),
            marks: Vec::new(),
            stale: true,
        }
    }
}

impl Rivals {
    fn rebuild(&mut self, exact: &Exact, pool: &Alternatives) {
        let (graph, local) = (exact.graph, exact.local);
        let edges = local.edges.len();
        self.marks.clear();
        self.marks.resize(graph.edge_count(), 0);
        self.members.clear();
        self.cover.clear();
        self.cover.resize(pool.items().len() * edges, 0.0);
        for (m, member) in pool.items().iter().enumerate() {
            let tag = m as u32 + 1;
            for &e in member.edge_set() {
                self.marks[e as usize] = tag;
            }
            for (i, le) in local.edges.iter().enumerate() {
                let run = &local.steps[le.steps.0 as usize..le.steps.1 as usize];
                self.cover[m * edges + i] = run
                    .iter()
                    .filter(|s| self.marks[s.edge as usize] == tag)
                    .map(|s| graph.edge(s.edge).attrs.len)
                    .sum();
            }
            self.members.push((member.key(), member.attrs.len));
        }
        self.stale = false;
    }

    /// Whether the pool would surely turn away a simple cycle over `cycle` (search-graph
    /// edges) of length `len` and key `key`: it shares more than [`MAX_SHARED`] of the
    /// shorter with a member it does not beat. Only clear cases count; the rest go to
    /// the pool.
    fn reject(
        &mut self,
        exact: &Exact,
        pool: &Alternatives,
        cycle: impl Iterator<Item = u32> + Clone,
        len: f64,
        key: &Score,
    ) -> bool {
        if self.stale {
            self.rebuild(exact, pool);
        }
        let edges = exact.local.edges.len();
        self.members
            .iter()
            .enumerate()
            .any(|(m, (member_key, member_len))| {
                let clearly_better = member_key.tier < key.tier
                    || (member_key.tier == key.tier && member_key.cost < key.cost - SLACK);
                clearly_better && {
                    let row = &self.cover[m * edges..(m + 1) * edges];
                    let shared: f64 = cycle.clone().map(|e| row[e as usize]).sum();
                    shared > MAX_SHARED * len.min(*member_len) + SLACK
                }
            })
    }
}
