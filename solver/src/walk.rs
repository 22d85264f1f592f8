//! Closed walks in the search graph, as the heuristic builds and changes them: a cycle
//! through an anchor, reached from the start along a stick (empty for a true loop).

use crate::attrs::{Attrs, TrailStep};
use crate::score::{NightAt, Quality, Scorer};
use crate::search_graph::{SearchGraph, SearchStep};

/// A closed walk in the search graph: out along `stick`, round `cycle`, back along
/// `stick` reversed. The cycle starts and ends at the stick's end (the start if empty).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Walk {
    pub stick: Vec<SearchStep>,
    pub cycle: Vec<SearchStep>,
    /// Multi-day walks: the cycle's nodes where the first days end (in any order; the
    /// walk's direction orders the days).
    pub nights: Vec<u32>,
}

impl Walk {
    /// The walk's measures and the metres walked twice. A stick of at most
    /// `approach_max` is the approach from the trailhead to the loop (a car park's access
    /// path), not part of the hike: it is measured as nothing.
    pub fn attrs(&self, local: &SearchGraph, approach_max: f64) -> (Attrs, f64) {
        let mut stick = Attrs::default();
        for &s in &self.stick {
            stick.add(&local.step_attrs(s));
        }
        let approach = !self.stick_counts(local, approach_max);
        // Out along the stick and back: its area cancels, its climb is both ways.
        let mut total = Attrs::default();
        if !approach {
            total = stick;
            total.add(&stick.reversed());
        }
        for &s in &self.cycle {
            total.add(&local.step_attrs(s));
        }
        total.turns += self.joint_turns(local, approach);
        (total, if approach { 0.0 } else { 2.0 * stick.len })
    }

    /// Whether the stick is measured (walked as part of the hike, not an approach).
    pub fn stick_counts(&self, local: &SearchGraph, approach_max: f64) -> bool {
        !self.stick.is_empty()
            && (self.cycle.is_empty()
                || self
                    .stick
                    .iter()
                    .map(|&s| local.edges[s.0 as usize].attrs.len)
                    .sum::<f64>()
                    > approach_max)
    }

    /// Turns where its steps meet (those inside a step are in its attributes): between
    /// the measured steps, out along a measured stick, round and back. Not at the
    /// walk's start and end.
    fn joint_turns(&self, local: &SearchGraph, approach: bool) -> f64 {
        let pairs = |steps: &mut dyn Iterator<Item = SearchStep>| {
            let mut count = 0.0;
            let mut prev: Option<SearchStep> = None;
            for s in steps {
                if let Some(p) = prev {
                    count += local.turn(p, s);
                }
                prev = Some(s);
            }
            count
        };
        if approach || self.stick.is_empty() {
            pairs(&mut self.cycle.iter().copied())
        } else {
            let back = self.stick.iter().rev().map(|&(e, f)| (e, !f));
            pairs(
                &mut self
                    .stick
                    .iter()
                    .copied()
                    .chain(self.cycle.iter().copied())
                    .chain(back),
            )
        }
    }

    /// The measures of each day, and the night ending each but the last. A stick that is
    /// no approach is walked out on the first day and back on the last.
    pub fn days<'s>(
        &self,
        local: &SearchGraph,
        scorer: &'s Scorer,
    ) -> (Vec<Attrs>, Vec<&'s NightAt>) {
        let mut days = Vec::with_capacity(self.nights.len() + 1);
        let mut nights = Vec::with_capacity(self.nights.len());
        let mut day = Attrs::default();
        for &st in &self.cycle {
            day.add(&local.step_attrs(st));
            let head = local.head(st);
            if self.nights.contains(&head) {
                if let Some(n) = scorer.night_at(head) {
                    days.push(std::mem::take(&mut day));
                    nights.push(n);
                }
            }
        }
        days.push(day);
        let mut stick = Attrs::default();
        for &s in &self.stick {
            stick.add(&local.step_attrs(s));
        }
        if stick.len > scorer.approach_max {
            days[0].add(&stick);
            let last = days.len() - 1;
            days[last].add(&stick.reversed());
        }
        (days, nights)
    }

    /// The measures and the quality of the walk, days included.
    pub fn quality(&self, local: &SearchGraph, scorer: &Scorer) -> Quality {
        let (attrs, shared) = self.attrs(local, scorer.approach_max);
        if scorer.days > 1 {
            let (days, nights) = self.days(local, scorer);
            scorer.quality_days(&attrs, shared, &days, &nights)
        } else {
            scorer.quality(&attrs, shared)
        }
    }

    /// The input ids of the nodes where its days end.
    pub fn night_ids(&self, local: &SearchGraph) -> Vec<u64> {
        self.nights
            .iter()
            .map(|&n| local.node_ids[n as usize])
            .collect()
    }

    /// The same walk in the other direction (climb differs, nothing else).
    pub fn reversed(&self) -> Walk {
        Walk {
            stick: self.stick.clone(),
            cycle: self.cycle.iter().rev().map(|&(e, f)| (e, !f)).collect(),
            nights: self.nights.clone(),
        }
    }

    pub fn expand(&self, local: &SearchGraph) -> Vec<TrailStep> {
        let mut out = Vec::new();
        for &s in self.stick.iter().chain(&self.cycle) {
            local.expand(s, &mut out);
        }
        for &(e, fwd) in self.stick.iter().rev() {
            local.expand((e, !fwd), &mut out);
        }
        out
    }

    pub fn edge_len_set(&self, local: &SearchGraph) -> Vec<(u32, f64)> {
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

/// Whether a walk takes two edges drawn beside each other.
pub(crate) fn runs_beside_itself(local: &SearchGraph, walk: &Walk) -> bool {
    let steps = || walk.stick.iter().chain(&walk.cycle);
    if steps().all(|&(e, _)| local.side_signature[e as usize] == 0) {
        return false;
    }
    let mut edges: Vec<u32> = steps().map(|s| s.0).collect();
    edges.sort_unstable();
    edges.iter().any(|&e| {
        local
            .side_by_side(e)
            .iter()
            .any(|b| edges.binary_search(b).is_ok())
    })
}
