//! The ranking of closed walks, in one place: the search, the pool and the tests all
//! score through [`Scorer`].
//!
//! A walk's key is `(tier, cost)`, compared lexicographically, lower is better:
//! - tier 0: a true loop (no edge walked twice) within tolerance;
//! - tier 1: a lollipop or out-and-back within tolerance;
//! - tier 2: anything outside tolerance.
//!
//! `cost = e + SHARING_WEIGHT * s + road and climb penalties + COMPACT_WEIGHT * (1 - c)`.
//! The compactness weight is small on purpose: it only breaks near-ties in length.

use std::cmp::Ordering;
use std::f64::consts::PI;

use trailloop_osm::geo::METRES_PER_DEGREE;

use crate::attrs::Attrs;
use crate::query::Query;

/// Cost of walking the whole loop on roads when avoiding roads (as if 20% off length).
const ROAD_WEIGHT: f64 = 0.2;
/// Cost per metre of climb above the maximum, relative to (maximum + 100 m).
const CLIMB_WEIGHT: f64 = 0.5;
/// Cost of a walk that is all shared (an out-and-back), on top of its length error.
const SHARING_WEIGHT: f64 = 0.25;
/// Tie-breaker weight of `1 - compactness`.
const COMPACT_WEIGHT: f64 = 0.001;

/// How a walk ranks, lower first: `tier` (0: a true loop within tolerance, 1: a walk
/// with stretches walked twice within tolerance, 2: anything farther off the asked
/// length), then `cost` (see the module docs). The only ranking of loops there is:
/// within one search, and across trailheads ([`best_alternatives`](crate::best_alternatives)).
#[derive(Debug, Clone, Copy)]
pub struct Score {
    /// 0, 1 or 2, as above.
    pub tier: u8,
    /// Lower is better; compared only within a tier.
    pub cost: f64,
}

/// Tier first, then cost (a total order, NaN last).
impl Ord for Score {
    fn cmp(&self, other: &Score) -> Ordering {
        self.tier
            .cmp(&other.tier)
            .then(self.cost.total_cmp(&other.cost))
    }
}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Score) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Score {
    fn eq(&self, other: &Score) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Score {}

impl Score {
    /// Worse than any walk.
    pub const WORST: Score = Score {
        tier: u8::MAX,
        cost: f64::INFINITY,
    };

    /// Whether `self` ranks strictly before `other`.
    pub fn better_than(&self, other: &Score) -> bool {
        self.cmp(other) == Ordering::Less
    }
}

/// The measured quality of a closed walk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Quality {
    pub key: Score,
    pub length_error: f64,
    pub sharing: f64,
    pub compactness: f64,
}

/// Scores walks for one query.
#[derive(Debug, Clone)]
pub(crate) struct Scorer {
    pub target: f64,
    pub tolerance: f64,
    avoid_roads: bool,
    max_ascent: Option<f64>,
    /// Square metres per unit of shoelace sum (which is twice the area in degrees²).
    area_scale: f64,
}

impl Scorer {
    /// `start_lat` fixes the local equirectangular projection used for areas.
    pub fn new(query: &Query, start_lat: f64) -> Scorer {
        Scorer {
            target: query.target_m,
            tolerance: query.tolerance,
            avoid_roads: query.preferences.avoid_roads,
            max_ascent: query.preferences.max_ascent_m,
            area_scale: 0.5 * METRES_PER_DEGREE * METRES_PER_DEGREE * start_lat.to_radians().cos(),
        }
    }

    /// Compactness `4 pi A / P^2` with P the walked length, clamped to `[0, 1]`.
    pub fn compactness(&self, attrs: &Attrs) -> f64 {
        if attrs.len <= 0.0 {
            return 0.0;
        }
        let area = attrs.area.abs() * self.area_scale;
        (4.0 * PI * area / (attrs.len * attrs.len)).clamp(0.0, 1.0)
    }

    /// Scores a closed walk with totals `attrs` of which `shared` metres are on edges
    /// walked more than once (every traversal counted).
    pub fn quality(&self, attrs: &Attrs, shared: f64) -> Quality {
        let len = attrs.len;
        let length_error = (len - self.target).abs() / self.target;
        let sharing = if len > 0.0 {
            (shared / len).min(1.0)
        } else {
            1.0
        };
        let compactness = self.compactness(attrs);
        let mut cost =
            length_error + SHARING_WEIGHT * sharing + COMPACT_WEIGHT * (1.0 - compactness);
        if self.avoid_roads && len > 0.0 {
            cost += ROAD_WEIGHT * attrs.road / len;
        }
        if let Some(max) = self.max_ascent {
            cost += CLIMB_WEIGHT * (attrs.ascent - max).max(0.0) / (max + 100.0);
        }
        let within = length_error <= self.tolerance;
        let tier = match (sharing == 0.0, within) {
            (true, true) => 0,
            (false, true) => 1,
            (_, false) => 2,
        };
        Quality {
            key: Score { tier, cost },
            length_error,
            sharing,
            compactness,
        }
    }

    /// A key no out-and-back can beat: it is all shared (and encloses no area, so its
    /// compactness term is positive too).
    pub fn out_and_back_bound(&self) -> Score {
        Score {
            tier: 1,
            cost: SHARING_WEIGHT,
        }
    }

    /// Longest walk that could still beat `key` (for pruning).
    pub fn max_len_beating(&self, key: &Score, reach: f64) -> f64 {
        let within = self.target * (1.0 + self.tolerance);
        match key.tier {
            0 => within.min(self.target * (1.0 + key.cost)),
            2 => reach.min(within.max(self.target * (1.0 + key.cost))),
            _ => reach,
        }
    }
}
