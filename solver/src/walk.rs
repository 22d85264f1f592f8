//! Closed walks in the search graph, as the heuristic builds and changes them: a cycle
//! through an anchor, reached from the start along a stick (empty for a true loop).

use crate::attrs::{Attrs, TrailStep};
use crate::search_graph::{SearchGraph, SearchStep};

/// A closed walk in the search graph: out along `stick`, round `cycle`, back along
/// `stick` reversed. The cycle starts and ends at the stick's end (the start if empty).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Walk {
    pub stick: Vec<SearchStep>,
    pub cycle: Vec<SearchStep>,
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
        let approach = !self.cycle.is_empty() && stick.len <= approach_max;
        // Out along the stick and back: its area cancels, its climb is both ways.
        let mut total = Attrs::default();
        if !approach {
            total = stick;
            total.add(&stick.reversed());
        }
        for &s in &self.cycle {
            total.add(&local.step_attrs(s));
        }
        (total, if approach { 0.0 } else { 2.0 * stick.len })
    }

    /// The same walk in the other direction (climb differs, nothing else).
    pub fn reversed(&self) -> Walk {
        Walk {
            stick: self.stick.clone(),
            cycle: self.cycle.iter().rev().map(|&(e, f)| (e, !f)).collect(),
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
