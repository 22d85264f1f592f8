//! The ranking of closed walks, in one place: the search, the alternatives and the
//! ranking across trailheads all score through [`Scorer`].
//!
//! A walk's key is `(tier, cost)`, compared lexicographically, lower is better:
//! - tier 0: a true loop (no edge walked twice, nothing walked beside itself) within
//!   tolerance;
//! - tier 1: a lollipop or out-and-back within tolerance;
//! - tier 2: anything outside tolerance.
//!
//! Within tolerance the length is a constraint and the hike decides. With L the length,
//! e the length error, s the sharing and c the compactness:
//!
//! ```text
//! cost = LENGTH_WEIGHT e + LENGTH_STEEP max(0, e - LENGTH_SLACK) + SHARING_WEIGHT s
//!      + (avoid_roads * road cost + trail cost) / L          the profile, per metre
//!      - SCENERY_WEIGHT * scenery * (nature + ROUTE_SHARE * route) / L
//!      + COMPACT_WEIGHT (1 - c)                               round, not thin
//!      + JUNCTION_WEIGHT * junctions per km                   few decisions
//!      + TURN_WEIGHT * junction turns per km                  few turns to find
//!      - HILLS_WEIGHT * hills * min(climb per km / 100 m, HILLS_CAP)
//!      + CLIMB_WEIGHT * climb above max_ascent / (max_ascent + 100 m)
//!      + start_cost                                           the drive
//! ```
//!
//! Outside tolerance the miss decides: `cost = e + OUTSIDE_SHARE * (the rest)`.
//! The road and trail costs per metre come from the caller's profile (see
//! [`EdgeInput::cost_per_m`](crate::EdgeInput::cost_per_m)); every measure is a sum over
//! the walk's pieces (`attrs`), so the local search prices a move in O(1).

use std::cmp::Ordering;
use std::f64::consts::PI;

use trailloop_geo::METRES_PER_DEGREE;

use crate::attrs::Attrs;
use crate::days::{self, DayLimits, BALANCE_WEIGHT, LIMIT_WEIGHT, MAX_DAY_RATIO};
use crate::query::Query;
use crate::walking;

/// Weight of the length error within tolerance: at a 5% tolerance at most 0.01, less
/// than 2% of the length on a road.
pub(crate) const LENGTH_WEIGHT: f64 = 0.5;
/// Length error within tolerance beyond which each unit of error costs
/// [`LENGTH_STEEP`] more.
const LENGTH_SLACK: f64 = 0.02;
/// Extra weight of the length error beyond [`LENGTH_SLACK`]: a 5% miss costs 0.03
/// more, as much as one junction turn per km.
const LENGTH_STEEP: f64 = 1.0;
/// Cost of a walk that is all shared (an out-and-back).
pub(crate) const SHARING_WEIGHT: f64 = 1.0;
/// Worth of a walk all in nature at `scenery` 1.
pub(crate) const SCENERY_WEIGHT: f64 = 0.4;
/// A metre on a hiking route is worth this much of a metre in nature.
pub(crate) const ROUTE_SHARE: f64 = 0.5;
/// Cost of `1 - compactness`: a thin walk (c near 0) against a round one (c = 0.5).
pub(crate) const COMPACT_WEIGHT: f64 = 0.4;
/// Cost of one junction per km.
const JUNCTION_WEIGHT: f64 = 0.01;
/// Cost of one junction turn per km (leaving the way one is on at a junction; see
/// `turns`).
const TURN_WEIGHT: f64 = 0.03;
/// Worth (hills = +1) or cost (hills = -1) of 100 m of climb per km.
pub(crate) const HILLS_WEIGHT: f64 = 0.4;
/// Climb per km counted at most, in units of 100 m.
pub(crate) const HILLS_CAP: f64 = 2.0;
/// Cost per metre of climb above the maximum, relative to (maximum + 100 m).
const CLIMB_WEIGHT: f64 = 0.5;
/// What driving to the edge of the hiker's drive limit costs a walk (its start cost,
/// see [`drive_cost`]): a far trailhead has to offer this much more hike, about 5% of a
/// loop's length on a residential road.
const DRIVE_WEIGHT: f64 = 0.05;
/// Weight of everything but the length error outside tolerance: a tie-breaker.
const OUTSIDE_SHARE: f64 = 0.01;

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

    /// Whether the walk is within the length tolerance (and, for a plan of days, a plan
    /// one can follow): tier 0 or 1.
    pub fn within_tolerance(&self) -> bool {
        self.tier <= 1
    }
}

/// What a start `drive_share` of the hiker's drive limit away (0..=1) costs every walk
/// from it: the [`Query::start_cost`] that lets walks from several starts rank together.
pub fn drive_cost(drive_share: f64) -> f64 {
    DRIVE_WEIGHT * drive_share.clamp(0.0, 1.0)
}

/// Keeps the best `max` of `items` by `score`, best first: walks within tolerance before
/// any miss, and the misses only when nothing is within it (then the nearest).
pub fn rank<T>(items: &mut Vec<T>, max: usize, score: impl Fn(&T) -> Score) {
    if items.iter().any(|i| score(i).within_tolerance()) {
        items.retain(|i| score(i).within_tolerance());
    }
    items.sort_by_key(|i| score(i));
    items.truncate(max);
}

/// The measured quality of a closed walk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Quality {
    pub key: Score,
    pub length_error: f64,
    pub sharing: f64,
    pub compactness: f64,
}

/// A place to sleep as a walk in the search graph reaches it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NightAt {
    /// The search-graph node the walk visits it at.
    pub local: u32,
    /// That node's input id.
    pub id: u64,
    /// Index into the query's nights.
    pub place: usize,
    /// From the node to the place's node, metres of network.
    pub off_m: f64,
    /// Its cost in the score: [`night_cost`](crate::night_cost) of its kind and its own
    /// distance from its node. The walk from `local` to that node counts in the days'
    /// lengths (and in choosing among the places at one node), not here.
    pub cost: f64,
}

/// Scores walks for one query.
#[derive(Debug, Clone)]
pub(crate) struct Scorer {
    /// Days of walking.
    pub days: u32,
    /// Where nights may be spent, by search-graph node (sorted).
    pub nights: Vec<NightAt>,
    limits: DayLimits,
    pub target: f64,
    pub tolerance: f64,
    /// The longest walk out and back to the loop that counts as the approach.
    pub approach_max: f64,
    avoid_roads: f64,
    scenery: f64,
    hills: f64,
    max_ascent: Option<f64>,
    start_cost: f64,
    /// Square metres per unit of shoelace sum (which is twice the area in degrees²).
    area_scale: f64,
}

impl Scorer {
    /// `start_lat` fixes the local equirectangular projection used for areas.
    pub fn new(query: &Query, start_lat: f64) -> Scorer {
        let p = &query.preferences;
        Scorer {
            days: query.days,
            nights: Vec::new(),
            limits: query.day_limits,
            target: query.target_m,
            tolerance: query.tolerance,
            approach_max: query.approach_max_m,
            avoid_roads: p.avoid_roads,
            scenery: p.scenery,
            hills: p.hills,
            max_ascent: p.max_ascent_m,
            start_cost: query.start_cost,
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

    /// The lowest the terms other than length error, sharing and compactness can sum
    /// to (the bonuses at their largest).
    fn least_rest(&self) -> f64 {
        -SCENERY_WEIGHT * self.scenery * (1.0 + ROUTE_SHARE)
            - HILLS_WEIGHT * self.hills.abs() * HILLS_CAP
            + self.start_cost
    }

    /// Scores a closed walk with totals `attrs` of which `shared` metres are walked
    /// more than once (every traversal counted) or beside another part of the walk.
    pub fn quality(&self, attrs: &Attrs, shared: f64) -> Quality {
        let len = attrs.len;
        let length_error = (len - self.target).abs() / self.target;
        let sharing = if len > 0.0 {
            (shared / len).min(1.0)
        } else {
            1.0
        };
        let compactness = self.compactness(attrs);
        let mut rest =
            SHARING_WEIGHT * sharing + COMPACT_WEIGHT * (1.0 - compactness) + self.start_cost;
        // Past a small slack the length weighs more: fewer turns or a rounder shape
        // are not bought with a walk far off the length asked for.
        rest += LENGTH_STEEP * (length_error - LENGTH_SLACK).max(0.0);
        if len > 0.0 {
            let km = len / 1000.0;
            rest += (self.avoid_roads * attrs.road + attrs.trail) / len;
            rest -=
                SCENERY_WEIGHT * self.scenery * (attrs.nature + ROUTE_SHARE * attrs.route) / len;
            rest += JUNCTION_WEIGHT * attrs.junctions / km + TURN_WEIGHT * attrs.turns / km;
            rest -= HILLS_WEIGHT * self.hills * (attrs.ascent / km / 100.0).min(HILLS_CAP);
        }
        if let Some(max) = self.max_ascent {
            rest += CLIMB_WEIGHT * (attrs.ascent - max).max(0.0) / (max + 100.0);
        }
        if self.days <= 1 {
            // A day hike is one day: its limits hold for the whole walk.
            rest += LIMIT_WEIGHT * self.limits.over(len, attrs.ascent);
        }
        let within = length_error <= self.tolerance;
        let (tier, cost) = match (sharing == 0.0, within) {
            (true, true) => (0, LENGTH_WEIGHT * length_error + rest),
            (false, true) => (1, LENGTH_WEIGHT * length_error + rest),
            (_, false) => (2, length_error + OUTSIDE_SHARE * rest),
        };
        Quality {
            key: Score { tier, cost },
            length_error,
            sharing,
            compactness,
        }
    }

    /// The night place a search-graph node offers, if any.
    pub fn night_at(&self, local: u32) -> Option<&NightAt> {
        self.nights
            .binary_search_by_key(&local, |n| n.local)
            .ok()
            .map(|i| &self.nights[i])
    }

    /// What a split into `days` (measures of each day's walk on the loop) with `nights`
    /// (the place each of the first days ends at) costs: unbalanced walking times, days
    /// over a limit, and the places' own costs; and the longest day's walking time over
    /// the shortest's. A walk short of nights costs the most.
    pub fn day_cost(&self, days: &[Attrs], nights: &[&NightAt]) -> (f64, f64) {
        if days.len() != self.days as usize || nights.len() + 1 != days.len() {
            return (1e3, f64::INFINITY);
        }
        let mut cost: f64 = nights.iter().map(|n| n.cost).sum();
        let mut hours = Vec::with_capacity(days.len());
        for (k, d) in days.iter().enumerate() {
            // The walk off the loop to the night's place and back belongs to the days
            // either side of it.
            let off = nights.get(k.wrapping_sub(1)).map_or(0.0, |n| n.off_m)
                + nights.get(k).map_or(0.0, |n| n.off_m);
            let len = d.len + off;
            hours.push(walking::hours(len, d.ascent));
            cost += LIMIT_WEIGHT * self.limits.over(len, d.ascent);
        }
        let ratio = days::day_ratio(hours);
        (cost + BALANCE_WEIGHT * (ratio - 1.0), ratio)
    }

    /// [`Scorer::quality`] of a multi-day walk.
    pub fn quality_days(
        &self,
        attrs: &Attrs,
        shared: f64,
        days: &[Attrs],
        nights: &[&NightAt],
    ) -> Quality {
        let mut q = self.quality(attrs, shared);
        let (extra, ratio) = self.day_cost(days, nights);
        if q.key.within_tolerance() && ratio > MAX_DAY_RATIO {
            // Days this unequal are no plan one would follow: ranked with the misses.
            q.key.tier = 2;
            q.key.cost = LENGTH_WEIGHT * q.length_error + ratio - MAX_DAY_RATIO;
        }
        q.key.cost += if q.key.tier == 2 {
            OUTSIDE_SHARE * extra
        } else {
            extra
        };
        q
    }

    /// A key no out-and-back can beat: it is all shared and encloses no area.
    pub fn out_and_back_bound(&self) -> Score {
        Score {
            tier: 1,
            cost: SHARING_WEIGHT + COMPACT_WEIGHT + self.least_rest(),
        }
    }

    /// Longest walk that could still beat `key` (for pruning).
    pub fn max_len_beating(&self, key: &Score, reach: f64) -> f64 {
        let within = self.target * (1.0 + self.tolerance);
        match key.tier {
            0 => within,
            2 => {
                // cost >= e + OUTSIDE_SHARE * least_rest
                let e = key.cost - OUTSIDE_SHARE * self.least_rest().min(0.0);
                reach.min(within.max(self.target * (1.0 + e)))
            }
            _ => reach,
        }
    }
}
