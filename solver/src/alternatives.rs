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
use crate::score::NightAt;
use crate::score::{Quality, Score, Scorer};
use crate::solution::{Loop, LoopKind, Night};

/// Largest shared length between two alternatives, as a fraction of the shorter.
pub(crate) const MAX_SHARED: f64 = 0.4;

#[derive(Debug, Clone)]
pub(crate) struct ScoredWalk {
    pub steps: Vec<TrailStep>,
    /// Steps at each end that are the approach to the loop, out and back (see
    /// [`approach_steps`]); `attrs` and `quality` measure the rest.
    pub approach: usize,
    /// Where the days of a multi-day walk end.
    pub nights: Vec<Night>,
    pub attrs: Attrs,
    pub quality: Quality,
    pub kind: LoopKind,
    /// Distinct input edges, sorted, for overlap tests.
    edge_set: Vec<u32>,
}

impl ScoredWalk {
    /// Measures a closed walk given as input-edge steps; a multi-day walk's days end
    /// where it first arrives at each of `nights` (input node ids).
    pub fn new(
        graph: &TrailGraph,
        scorer: &Scorer,
        steps: Vec<TrailStep>,
        nights: &[u64],
    ) -> ScoredWalk {
        let approach = approach_steps(graph, &steps, scorer.approach_max);
        let hike = &steps[approach..steps.len() - approach];
        let (mut attrs, _) = graph.steps_attrs(hike);
        attrs.turns = graph.walk_turns(hike);
        let mut ids: Vec<u32> = hike.iter().map(|s| s.edge).collect();
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
        let mut night_stops = Vec::new();
        let quality = if scorer.days > 1 {
            let mut days = Vec::with_capacity(nights.len() + 1);
            let mut at = Vec::with_capacity(nights.len());
            let mut day = Attrs::default();
            for (k, s) in hike.iter().enumerate() {
                day.add(&graph.edge(s.edge).attrs.oriented(s.fwd));
                let head = graph.step_head_id(*s);
                if nights.contains(&head) && !at.iter().any(|n: &&NightAt| n.id == head) {
                    if let Some(n) = scorer.nights.iter().find(|n| n.id == head) {
                        days.push(std::mem::take(&mut day));
                        at.push(n);
                        night_stops.push(Night {
                            place: n.place,
                            after_edges: approach + k + 1,
                            off_m: n.off_m,
                        });
                    }
                }
            }
            days.push(day);
            scorer.quality_days(&attrs, shared, &days, &at)
        } else {
            scorer.quality(&attrs, shared)
        };
        let kind = if quality.sharing == 0.0 && shared == 0.0 {
            LoopKind::Loop
        } else if repeated_all || quality.sharing >= 0.99 {
            LoopKind::OutAndBack
        } else {
            LoopKind::Lollipop
        };
        ScoredWalk {
            steps,
            approach,
            nights: night_stops,
            attrs,
            quality,
            kind,
            edge_set,
        }
    }

    pub fn key(&self) -> Score {
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

/// How many steps at each end of a closed walk are the approach to its loop: the
/// longest run walked out at the start and back at the end, when it is at most
/// `approach_max` long and leaves a loop of at least two steps.
pub(crate) fn approach_steps(graph: &TrailGraph, steps: &[TrailStep], approach_max: f64) -> usize {
    let n = steps.len();
    let (mut j, mut len) = (0, 0.0);
    while 2 * (j + 1) < n && steps[j] == steps[n - 1 - j].reversed() {
        len += graph.edge(steps[j].edge).attrs.len;
        if len > approach_max {
            return 0;
        }
        j += 1;
    }
    if n - 2 * j >= 2 {
        j
    } else {
        0
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
    pub fn threshold(&self) -> Score {
        if self.items.len() < self.capacity {
            Score::WORST
        } else {
            self.items[self.items.len() - 1].key()
        }
    }

    /// The `k`-th best true loop's key, or `None` with fewer than `k` loops.
    pub fn kth_loop_key(&self, k: usize) -> Option<Score> {
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
    pub fn count_better_than(&self, key: &Score) -> usize {
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

/// The best `k` of loops found from several starts of one query (or one start), in the
/// one ranking there is ([`Score`]), pairwise different by the rule the search itself
/// keeps (at most [`MAX_SHARED`] of the shorter one's length in common). When any loop
/// is within tolerance, those farther off are no alternative and are left out; ties go
/// to the earlier loop in `loops`.
pub fn best_alternatives(graph: &TrailGraph, mut loops: Vec<Loop>, k: usize) -> Vec<Loop> {
    // Stable: equal scores keep the caller's order.
    let all = loops.len();
    crate::score::rank(&mut loops, all, |l| l.score);
    let length = |id: u64| graph.edge_length(id).unwrap_or(0.0);
    let edge_set = |l: &Loop| {
        let mut ids: Vec<u64> = l.edges.iter().map(|d| d.id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let mut chosen: Vec<(Loop, Vec<u64>)> = Vec::new();
    for l in loops {
        if chosen.len() == k {
            break;
        }
        let set = edge_set(&l);
        let differs = chosen.iter().all(|(c, c_set)| {
            let shared: f64 = set
                .iter()
                .filter(|id| c_set.binary_search(id).is_ok())
                .map(|&id| length(id))
                .sum();
            shared <= MAX_SHARED * c.length_m.min(l.length_m)
        });
        if differs {
            chosen.push((l, set));
        }
    }
    chosen.into_iter().map(|(l, _)| l).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Scorer;
    use crate::{DirectedEdge, Query};

    /// A made-up answer of `kind`, `length_m` long, on edges of its own (ids from
    /// `first`), scored as the search scores.
    fn answer(kind: LoopKind, length_m: f64, first: u64) -> Loop {
        let scorer = Scorer::new(&Query::new(0, 20_000.0), 42.5);
        let sharing = match kind {
            LoopKind::Loop => 0.0,
            LoopKind::Lollipop => 0.3,
            LoopKind::OutAndBack => 1.0,
        };
        let attrs = Attrs {
            len: length_m,
            ..Attrs::default()
        };
        let quality = scorer.quality(&attrs, sharing * length_m);
        Loop {
            edges: (first..first + 3)
                .map(|id| DirectedEdge { id, forward: true })
                .collect(),
            approach_edges: 0,
            length_m,
            ascent_m: 0.0,
            descent_m: 0.0,
            junctions: 0.0,
            turns: 0.0,
            length_error: quality.length_error,
            sharing,
            compactness: 0.5,
            kind,
            score: quality.key,
            nights: Vec::new(),
            proven_optimal: false,
        }
    }

    #[test]
    fn answers_within_tolerance_come_first_and_far_misses_go_when_any_hits() {
        let graph = TrailGraph::new(vec![], vec![]).unwrap();
        let found = vec![
            answer(LoopKind::Loop, 181.0, 1 << 40),
            answer(LoopKind::Lollipop, 20_100.0, 2 << 40),
            answer(LoopKind::Loop, 19_900.0, 3 << 40),
            answer(LoopKind::OutAndBack, 20_050.0, 4 << 40),
        ];
        let kinds: Vec<(LoopKind, f64)> = best_alternatives(&graph, found, 3)
            .iter()
            .map(|l| (l.kind, l.length_m))
            .collect();
        assert_eq!(
            kinds,
            [
                (LoopKind::Loop, 19_900.0),
                (LoopKind::Lollipop, 20_100.0),
                (LoopKind::OutAndBack, 20_050.0)
            ],
            "a true loop within tolerance first, the 181 m loop not at all"
        );
        // With nothing within tolerance, the nearest misses, by length error.
        let found = vec![
            answer(LoopKind::Loop, 181.0, 1 << 40),
            answer(LoopKind::Lollipop, 17_000.0, 2 << 40),
        ];
        let lengths: Vec<f64> = best_alternatives(&graph, found, 3)
            .iter()
            .map(|l| l.length_m)
            .collect();
        assert_eq!(lengths, [17_000.0, 181.0]);
    }

    #[test]
    fn an_alternative_sharing_most_of_a_better_loop_is_left_out() {
        let graph = TrailGraph::new(
            vec![
                crate::NodeInput::new(1, 1.5, 42.5),
                crate::NodeInput::new(2, 1.6, 42.5),
            ],
            (10..16)
                .map(|id| crate::EdgeInput::trail(id, 1, 2, 5_000.0))
                .collect(),
        )
        .unwrap();
        let mut a = answer(LoopKind::Loop, 20_000.0, 10);
        let mut b = answer(LoopKind::Loop, 20_100.0, 11);
        let c = answer(LoopKind::Loop, 20_200.0, 13);
        // a holds 10, 11, 12; b holds 11, 12, 13: 10 km in common, half of either.
        a.edges.truncate(3);
        b.edges.truncate(3);
        let ids = |l: &Loop| l.edges.iter().map(|d| d.id).collect::<Vec<_>>();
        let chosen = best_alternatives(&graph, vec![b, a, c], 3);
        assert_eq!(chosen.len(), 2);
        assert_eq!(ids(&chosen[0]), [10, 11, 12]);
        assert_eq!(ids(&chosen[1]), [13, 14, 15]);
    }
}
