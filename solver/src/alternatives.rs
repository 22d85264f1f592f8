//! The candidate pool: the best closed walks found so far, kept pairwise different.
//!
//! Two walks conflict when they share more than [`MAX_SHARED`] of the shorter one's
//! length. A newcomer that conflicts with a better member is dropped; one that beats
//! every member it conflicts with replaces them. The pool is therefore always a set of
//! mutually different walks and the answer is simply its best `k`. This is the greedy
//! diversity rule applied online, so near-duplicates found by the exact search cannot
//! crowd out the alternatives.

use crate::attrs::{Attrs, TrailStep};
use crate::graph::TrailGraph;
use crate::score::{Key, Quality, Scorer};
use crate::solution::LoopKind;

/// Largest shared length between two alternatives, as a fraction of the shorter.
pub(crate) const MAX_SHARED: f64 = 0.4;

#[derive(Debug, Clone)]
pub(crate) struct ScoredWalk {
    pub steps: Vec<TrailStep>,
    pub attrs: Attrs,
    pub quality: Quality,
    pub kind: LoopKind,
    /// Distinct input edges, sorted, for overlap tests.
    edge_set: Vec<u32>,
}

impl ScoredWalk {
    /// Measures a closed walk given as input-edge steps.
    pub fn new(graph: &TrailGraph, scorer: &Scorer, steps: Vec<TrailStep>) -> ScoredWalk {
        let (attrs, _) = graph.steps_attrs(&steps);
        let mut ids: Vec<u32> = steps.iter().map(|s| s.edge).collect();
        ids.sort_unstable();
        let mut shared = 0.0;
        let mut repeated_all = true;
        let mut edge_set = Vec::with_capacity(ids.len());
        for run in ids.chunk_by(|a, b| a == b) {
            let len = graph.edge(run[0]).attrs.len;
            if run.len() > 1 {
                shared += len * run.len() as f64;
            } else {
                repeated_all = false;
            }
            edge_set.push(run[0]);
        }
        // An edge walked once, beside edges of the same walk, is walked twice on the
        // ground for that length.
        for run in ids.chunk_by(|a, b| a == b).filter(|run| run.len() == 1) {
            let beside: f64 = graph
                .side_by_side(run[0])
                .filter(|(f, _)| edge_set.binary_search(f).is_ok())
                .map(|(_, len)| len)
                .sum();
            shared += beside.min(graph.edge(run[0]).attrs.len);
        }
        let quality = scorer.quality(&attrs, shared);
        let kind = if quality.sharing == 0.0 && shared == 0.0 {
            LoopKind::Loop
        } else if repeated_all || quality.sharing >= 0.99 {
            LoopKind::OutAndBack
        } else {
            LoopKind::Lollipop
        };
        ScoredWalk {
            steps,
            attrs,
            quality,
            kind,
            edge_set,
        }
    }

    pub fn key(&self) -> Key {
        self.quality.key
    }

    /// Distinct input edges, sorted.
    pub fn edge_set(&self) -> &[u32] {
        &self.edge_set
    }

    fn shared_len(&self, other: &ScoredWalk, graph: &TrailGraph) -> f64 {
        let (mut i, mut j, mut shared) = (0, 0, 0.0);
        let (a, b) = (&self.edge_set, &other.edge_set);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += graph.edge(a[i]).attrs.len;
                    i += 1;
                    j += 1;
                }
            }
        }
        shared
    }

    fn conflicts(&self, other: &ScoredWalk, graph: &TrailGraph) -> bool {
        let shorter = self.attrs.len.min(other.attrs.len);
        self.shared_len(other, graph) > MAX_SHARED * shorter
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Alternatives {
    capacity: usize,
    /// Sorted best first.
    items: Vec<ScoredWalk>,
}

impl Alternatives {
    pub fn new(capacity: usize) -> Alternatives {
        Alternatives {
            capacity,
            items: Vec::new(),
        }
    }

    pub fn into_items(self) -> Vec<ScoredWalk> {
        self.items
    }

    /// The members, best first.
    pub fn items(&self) -> &[ScoredWalk] {
        &self.items
    }

    /// The key a walk must beat to have a chance of entering.
    pub fn threshold(&self) -> Key {
        if self.items.len() < self.capacity {
            Key::WORST
        } else {
            self.items[self.items.len() - 1].key()
        }
    }

    /// The `k`-th best true loop's key, or `None` with fewer than `k` loops.
    pub fn kth_loop_key(&self, k: usize) -> Option<Key> {
        self.items
            .iter()
            .filter(|c| c.kind == LoopKind::Loop)
            .nth(k - 1)
            .map(ScoredWalk::key)
    }

    /// Walks of `tier` whose length error is at most `e`.
    pub fn count_within(&self, tier: u8, e: f64) -> usize {
        self.items
            .iter()
            .filter(|c| c.key().tier == tier && c.quality.length_error <= e)
            .count()
    }

    /// Members better than `key`.
    pub fn count_better_than(&self, key: &Key) -> usize {
        self.items.partition_point(|c| c.key().better_than(key))
    }

    pub fn count_tier(&self, tier: u8) -> usize {
        self.items.iter().filter(|c| c.key().tier == tier).count()
    }

    /// Offers a walk; returns whether it entered.
    pub fn offer(&mut self, graph: &TrailGraph, cand: ScoredWalk) -> bool {
        if !cand.key().better_than(&self.threshold()) {
            return false;
        }
        let mut conflicting = Vec::new();
        for (i, member) in self.items.iter().enumerate() {
            if member.steps == cand.steps || cand.conflicts(member, graph) {
                if !cand.key().better_than(&member.key()) {
                    return false;
                }
                conflicting.push(i);
            }
        }
        for i in conflicting.into_iter().rev() {
            self.items.remove(i);
        }
        let at = self
            .items
            .partition_point(|m| !cand.key().better_than(&m.key()));
        self.items.insert(at, cand);
        self.items.truncate(self.capacity);
        true
    }
}
