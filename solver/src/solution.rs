//! What a solve returns: ranked loops in terms of the caller's edge ids, and statistics.

use std::time::Duration;

use crate::score::Score;

/// An input edge walked in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DirectedEdge {
    /// The input edge id.
    pub id: u64,
    /// `true` when walked from its `source` to its `target`.
    pub forward: bool,
}

/// The shape of a closed walk, ordered best first: a loop, then a lollipop, then an
/// out-and-back (so the worst of several is their `max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LoopKind {
    /// No edge walked twice, none beside another part of the walk (sharing 0).
    Loop,
    /// A loop with stretches walked twice: a path there and back, or a street and its
    /// sidewalk (0 < sharing < 1).
    Lollipop,
    /// Every edge walked twice, or beside another part of the walk (sharing 1).
    OutAndBack,
}

/// One closed walk from the start back to the start.
#[derive(Debug, Clone, PartialEq)]
pub struct Loop {
    /// Input edges in walking order, from the start back to it.
    pub edges: Vec<DirectedEdge>,
    /// How many edges at each end of `edges` are the approach to the loop: walked out
    /// at the start and back at the end, at most [`Query::approach_max_m`](crate::Query)
    /// long, like a car park's access path. The measures below are those of the loop
    /// between them.
    pub approach_edges: usize,
    /// Total length L, metres.
    pub length_m: f64,
    /// Total climb, metres.
    pub ascent_m: f64,
    /// Total descent, metres.
    pub descent_m: f64,
    /// Junctions of three or more ways passed.
    pub junctions: f64,
    /// Junction turns: where the walk leaves the way it is on at one of them, bending
    /// more than 45 degrees.
    pub turns: f64,
    /// `|L - T| / T`.
    pub length_error: f64,
    /// Length walked on edges used more than once (every traversal), or beside another
    /// edge of the walk (a sidewalk beside its street, a trail mapped twice), over L.
    pub sharing: f64,
    /// `4 pi A / L^2` of the walk's polygon in a local projection, in `[0, 1]`.
    pub compactness: f64,
    /// Loop, lollipop or out-and-back.
    pub kind: LoopKind,
    /// Where it ranks (lower first), comparable across trailheads of one query.
    pub score: Score,
    /// For multi-day walks, where each of the first `days - 1` days ends, in order.
    pub nights: Vec<Night>,
    /// The exact search finished and no simple cycle through the start scores better.
    /// Only ever set on the first result.
    pub proven_optimal: bool,
}

/// Where a day of a multi-day walk ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Night {
    /// Index into [`Query::nights`](crate::Query) of the place slept at.
    pub place: usize,
    /// The day ends after this many of the loop's edges (counted in [`Loop::edges`]).
    pub after_edges: usize,
    /// From the loop to the place, metres of network (0 when it is on the loop): walked
    /// there at the end of the day and back in the morning.
    pub off_m: f64,
}

/// Counters for metrics and tuning.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SearchStats {
    /// Work units spent (edges examined); bounded by the query's budget.
    pub work: u64,
    /// Wall-clock time of the solve.
    pub elapsed: Duration,
    /// Junctions within reach of the start.
    pub ball_nodes: usize,
    /// Nodes of the pruned, re-contracted graph the search ran on.
    pub search_nodes: usize,
    /// Edges of that graph.
    pub search_edges: usize,
    /// Whether the exact search ran to completion.
    pub exhausted: bool,
    /// Whether the deadline cut the search (the answer may then differ between runs).
    pub hit_deadline: bool,
}

/// The answer to one query: up to `max_results` loops, best first, pairwise sharing at
/// most 40% of the shorter one's length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Solution {
    /// Ranked loops, best first. Empty when no closed walk exists within reach.
    pub loops: Vec<Loop>,
    /// Search statistics.
    pub stats: SearchStats,
}
