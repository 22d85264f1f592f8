//! What a caller asks for: the query (deterministic inputs) and the limits (safety stops).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use trailloop_places::PoiKind;

use crate::days::DayLimits;
use crate::demands::Demands;
use crate::error::SolveError;

/// Largest accepted [`Query::max_results`].
pub const MAX_RESULTS: usize = 32;

/// Most days a walk is planned for.
pub const MAX_DAYS: u32 = 14;

/// Default [`Query::work_budget`]: enough for the heuristic to converge on real trail
/// networks at 5-40 km and for the exact search to finish on small balls.
pub const DEFAULT_WORK_BUDGET: u64 = 200_000;

/// Default [`Query::extension_budget`]: with it, dense networks (a town's or a forest's
/// paths, where every seed is short and stretching it takes many small moves) reach T
/// too.
pub const DEFAULT_EXTENSION_BUDGET: u64 = 800_000;

/// Longest walk a search for `target_m` with `tolerance` considers (see
/// [`Query::reach_m`]). No walk of the answer goes farther than half of it, in network
/// distance, from its start: that is the area a caller must provide the graph for.
pub fn reach_m(target_m: f64, tolerance: f64) -> f64 {
    target_m * (1.0 + 2.0 * tolerance)
}

/// Longest approach by default: see [`default_approach_m`].
const APPROACH_MAX_M: f64 = 500.0;
/// See [`default_approach_m`].
const APPROACH_SHARE: f64 = 0.05;

/// The default [`Query::approach_max_m`] for a target: 500 m, and at most 5% of it.
pub fn default_approach_m(target_m: f64) -> f64 {
    APPROACH_MAX_M.min(APPROACH_SHARE * target_m)
}

/// The hiker's preferences (see `score` for how each weighs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preferences {
    /// How much the profile cost of road metres counts, `0..=1`: 0 walks roads like
    /// trails, 1 (the default) counts them in full.
    pub avoid_roads: f64,
    /// How much nature and hiking routes are worth, `0..=1` (default 0.5).
    pub scenery: f64,
    /// `-1` avoids climb, `+1` seeks it, `0` (default) is indifferent.
    pub hills: f64,
    /// Edges with a SAC grade above this are not walked at all (unknown grade 0 is kept).
    pub max_sac_grade: Option<u8>,
    /// Edges whose steepest sustained grade (up or down) is above this many percent are
    /// not walked at all.
    pub max_grade_pct: Option<f64>,
    /// Penalise total ascent above this many metres.
    pub max_ascent_m: Option<f64>,
}

impl Preferences {
    /// The most a hiker of these preferences accepts of an edge, on a walk where the
    /// edges of the `closed` classes are closed.
    pub(crate) fn limit(&self, closed: u64) -> Demands {
        Demands {
            sac: self.max_sac_grade.unwrap_or(u8::MAX),
            grade_pct: self.max_grade_pct.unwrap_or(f64::INFINITY),
            closures: closed,
        }
    }
}

impl Default for Preferences {
    fn default() -> Preferences {
        Preferences {
            avoid_roads: 1.0,
            scenery: 0.5,
            hills: 0.0,
            max_sac_grade: None,
            max_grade_pct: None,
            max_ascent_m: None,
        }
    }
}

/// A place a multi-day walk may spend a night at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NightPlace {
    /// The node it is at. It must be a junction of the graph (a node the tiles were told
    /// to keep, see [`GraphTile::new`](crate::GraphTile::new)); others are ignored.
    pub node: u64,
    /// What kind of place it is: how much a night there is wanted (see
    /// [`night_cost`](crate::night_cost)).
    pub kind: PoiKind,
    /// From the node to the place itself, metres (not negative): walked there at the
    /// end of the day and back in the morning, beside any walk from the loop to the node.
    pub snap_m: f64,
}

impl NightPlace {
    /// What a night here costs in the score on a walk of target length `target_m` that
    /// passes its node: [`night_cost`](crate::night_cost) of its kind and its own
    /// distance from the node.
    pub fn cost(&self, target_m: f64) -> f64 {
        crate::days::night_cost(self.kind, self.snap_m, target_m)
    }
}

/// One loop search. Everything that changes the answer is in here, so the same query on
/// the same graph gives the same answer (unless a [`Limits`] safety stop cuts it short).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Node id to start and end at.
    pub start: u64,
    /// Target length T in metres.
    pub target_m: f64,
    /// Acceptable length error as a fraction of T, in `(0, 1]`.
    pub tolerance: f64,
    /// How many ranked, mutually different loops to return (1..=[`MAX_RESULTS`]).
    pub max_results: usize,
    /// Hiker preferences.
    pub preferences: Preferences,
    /// Cost added to every walk from this start (not negative): what reaching it costs,
    /// so that walks from several starts rank together (a longer drive, say).
    pub start_cost: f64,
    /// Days of walking: with more than one, the walk ends each of the first `days - 1`
    /// days at one of `nights`, and the days are balanced by walking time.
    pub days: u32,
    /// Where nights may be spent (multi-day walks).
    pub nights: Vec<NightPlace>,
    /// Limits on each day (on the whole walk of a day hike).
    pub day_limits: DayLimits,
    /// The closure classes closed on this walk's dates, one bit each (bit `c - 1` for
    /// class `c`, see [`closure_bit`](crate::closure_bit)): their edges are not walked.
    pub closed_classes: u64,
    /// A walk out from the start and back at the end this long or shorter is the
    /// approach to the loop (a car park's access path), not part of the hike: it counts
    /// in neither length nor sharing (see [`Loop::approach_edges`](crate::Loop)).
    pub approach_max_m: f64,
    /// Seeds the heuristic's choices; same seed, same answer.
    pub seed: u64,
    /// Deterministic limit on search effort, in units of edges examined.
    pub work_budget: u64,
    /// Work the local search may add beyond `work_budget`, in rounds, while fewer than
    /// `max_results` walks are within tolerance and the best walks were still improving
    /// when their share ran out. Easy queries never touch it.
    pub extension_budget: u64,
}

impl Query {
    /// A query with default tolerance (5%), 3 results, default preferences, no start
    /// cost, seed 0 and the default work budgets.
    pub fn new(start: u64, target_m: f64) -> Query {
        Query {
            start,
            target_m,
            tolerance: 0.05,
            max_results: 3,
            preferences: Preferences::default(),
            start_cost: 0.0,
            approach_max_m: default_approach_m(target_m),
            days: 1,
            nights: Vec::new(),
            day_limits: DayLimits::default(),
            closed_classes: 0,
            seed: 0,
            work_budget: DEFAULT_WORK_BUDGET,
            extension_budget: DEFAULT_EXTENSION_BUDGET,
        }
    }

    /// Longest walk the search considers: walks up to twice the tolerance long are
    /// searched, so that when nothing is within tolerance the nearest miss can still be
    /// offered.
    pub fn reach_m(&self) -> f64 {
        reach_m(self.target_m, self.tolerance)
    }

    pub(crate) fn validate(&self) -> Result<(), SolveError> {
        if !(self.target_m.is_finite() && self.target_m > 0.0) {
            return Err(SolveError::InvalidTarget(self.target_m));
        }
        if !(self.tolerance > 0.0 && self.tolerance <= 1.0) {
            return Err(SolveError::InvalidTolerance(self.tolerance));
        }
        if self.max_results == 0 || self.max_results > MAX_RESULTS {
            return Err(SolveError::InvalidMaxResults(self.max_results));
        }
        let p = &self.preferences;
        for (name, value, range) in [
            ("avoid_roads", p.avoid_roads, 0.0..=1.0),
            ("scenery", p.scenery, 0.0..=1.0),
            ("hills", p.hills, -1.0..=1.0),
        ] {
            if !range.contains(&value) {
                return Err(SolveError::InvalidPreference { name });
            }
        }
        if self.days == 0 || self.days > MAX_DAYS {
            return Err(SolveError::InvalidPreference { name: "days" });
        }
        if self
            .nights
            .iter()
            .any(|n| !(n.snap_m.is_finite() && n.snap_m >= 0.0))
        {
            return Err(SolveError::InvalidPreference { name: "nights" });
        }
        let l = &self.day_limits;
        if [l.max_m, l.max_hours, l.max_ascent_m]
            .iter()
            .flatten()
            .any(|v| !(v.is_finite() && *v > 0.0))
        {
            return Err(SolveError::InvalidPreference { name: "day_limits" });
        }
        if !(self.approach_max_m.is_finite() && self.approach_max_m >= 0.0) {
            return Err(SolveError::InvalidPreference {
                name: "approach_max_m",
            });
        }
        if !(self.start_cost.is_finite() && self.start_cost >= 0.0) {
            return Err(SolveError::InvalidPreference { name: "start_cost" });
        }
        if self.preferences.max_sac_grade.is_some_and(|g| g > 6) {
            return Err(SolveError::InvalidPreference {
                name: "max_sac_grade",
            });
        }
        if self
            .preferences
            .max_grade_pct
            .is_some_and(|g| !(g.is_finite() && g >= 0.0))
        {
            return Err(SolveError::InvalidPreference {
                name: "max_grade_pct",
            });
        }
        if self
            .preferences
            .max_ascent_m
            .is_some_and(|a| !(a.is_finite() && a >= 0.0))
        {
            return Err(SolveError::InvalidPreference {
                name: "max_ascent_m",
            });
        }
        Ok(())
    }
}

/// Safety stops, outside the deterministic budget: a run cut by the deadline may return
/// a different (worse) answer than an uncut run; cancellation returns
/// [`SolveError::Cancelled`].
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// Stop searching at this instant and return the best found so far.
    pub deadline: Option<Instant>,
    /// Raise to abandon the search.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Limits {
    /// No deadline, no cancellation.
    pub fn none() -> Limits {
        Limits::default()
    }

    /// Whether the search was abandoned (the cancel flag is up).
    pub fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Whether the work must stop now: abandoned, or past the deadline (the search
    /// checks it every few thousand work units; the phases around it, between steps).
    pub fn should_stop(&self) -> bool {
        self.cancelled() || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}
