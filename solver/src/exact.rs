//! Exact search: depth-first branch and bound over the simple cycles through the start.
//!
//! A partial path of length l ending at v closes into a walk of length at least
//! `l + d(v)`, so it is cut as soon as that exceeds the longest length that could still
//! beat the k-th best loop in the pool (or the reach, until there are k loops). The
//! heuristic runs first, so the bound is tight from the first expansion. When the search
//! runs out of paths before it runs out of budget, nothing better exists: the best loop is
//! proven optimal among simple cycles through the start within reach.

use crate::graph::{Attrs, TrailGraph};
use crate::local::{LStep, Local};
use crate::pool::{Candidate, Pool};
use crate::query::Limits;
use crate::score::Scorer;

/// How often (in work units) the wall clock and the cancellation flag are read.
const CLOCK_EVERY: u64 = 4096;

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
    pub local: &'a Local,
    pub scorer: &'a Scorer,
    pub results: usize,
    pub reach: f64,
    pub limits: &'a Limits,
}

impl Exact<'_> {
    fn bound(&self, pool: &Pool) -> f64 {
        match pool.kth_loop_key(self.results) {
            Some(key) => self.scorer.max_len_beating(&key, self.reach),
            None => self.reach,
        }
    }

    pub fn run(&self, pool: &mut Pool, budget: u64, work: &mut u64) -> Outcome {
        let local = self.local;
        let n = local.n();
        let start_degree = local.adj(0).len();
        if n == 0 || start_degree < 2 {
            return Outcome::Exhausted;
        }
        let mut on_path = vec![false; n];
        on_path[0] = true;
        let mut path: Vec<LStep> = Vec::new();
        let mut acc: Vec<Attrs> = vec![Attrs::default()];
        // (node, next adjacency index)
        let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
        let mut bound = self.bound(pool);
        let mut spent = 0u64;
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
            if spent % CLOCK_EVERY == 0 && self.limits.should_stop() {
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
                    let mut steps = Vec::new();
                    for &s in path.iter().chain(std::iter::once(&(a.edge, a.fwd))) {
                        local.expand(s, &mut steps);
                    }
                    if pool.offer(self.graph, Candidate::new(self.graph, self.scorer, steps)) {
                        bound = self.bound(pool);
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
