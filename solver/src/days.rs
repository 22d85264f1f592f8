//! The rules of a plan of days, constraint and cost together: each day within the
//! hiker's [`DayLimits`], the days balanced by walking time (no day more than
//! [`MAX_DAY_RATIO`] times the shortest), what a night at a place costs
//! ([`night_cost`]), and how a base-camp plan (one loop a day from the trailhead) ranks.
//! The score prices them ([`Scorer`](crate::score)); the service checks its plans with
//! the same functions.

use trailloop_places::PoiKind;

use crate::score::Score;
use crate::walking;

/// A plan whose longest day takes more than this many times the shortest's walking time
/// is no plan one would follow: ranked with the walks outside tolerance.
pub const MAX_DAY_RATIO: f64 = 1.5;

/// Cost of the longest day's walking time over the shortest's, less one: days of 6 and
/// 4 hours cost 0.25.
pub(crate) const BALANCE_WEIGHT: f64 = 0.5;

/// Cost of each day over a day limit, per fraction over it: a constraint in all but
/// name.
pub(crate) const LIMIT_WEIGHT: f64 = 4.0;

/// A base-camp plan ranks this much behind a trip of the same quality: the hiker asked
/// for days on the move and allowed nights at the car park.
const BASE_CAMP_COST: f64 = 0.1;

/// Slack on every check, for the rounding of lengths and climbs.
const SLACK: f64 = 1e-6;

/// Limits on each day of a walk (a day hike's one day is the whole walk); a day over
/// one costs heavily in the score.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DayLimits {
    /// Longest day, metres.
    pub max_m: Option<f64>,
    /// Longest walking time, hours (by [`walking::hours`]).
    pub max_hours: Option<f64>,
    /// Most climb in a day, metres.
    pub max_ascent_m: Option<f64>,
}

impl DayLimits {
    /// Whether no limit is set.
    pub fn is_none(&self) -> bool {
        *self == DayLimits::default()
    }

    /// By how much a day of `len_m` and `ascent_m` exceeds the limits: the fractions
    /// over each limit, summed (0 within them all).
    pub fn over(&self, len_m: f64, ascent_m: f64) -> f64 {
        let over =
            |value: f64, limit: Option<f64>| limit.map_or(0.0, |l| (value / l - 1.0).max(0.0));
        over(len_m, self.max_m)
            + over(walking::hours(len_m, ascent_m), self.max_hours)
            + over(ascent_m, self.max_ascent_m)
    }

    /// Whether a day of `len_m` and `ascent_m` keeps every limit given.
    pub fn keeps(&self, len_m: f64, ascent_m: f64) -> bool {
        let ok = |value: f64, limit: Option<f64>| limit.is_none_or(|l| value <= l * (1.0 + SLACK));
        ok(len_m, self.max_m)
            && ok(walking::hours(len_m, ascent_m), self.max_hours)
            && ok(ascent_m, self.max_ascent_m)
    }

    /// Whether `days` days of `total_m` could keep the limits at all (on the flat,
    /// evenly split).
    pub fn feasible(&self, total_m: f64, days: u32) -> bool {
        self.keeps(total_m / f64::from(days.max(1)), 0.0)
    }
}

/// The longest day's walking time over the shortest's, of days taking `hours` each (1
/// for fewer than two days).
pub fn day_ratio(hours: impl IntoIterator<Item = f64>) -> f64 {
    let (mut n, mut longest, mut shortest) = (0, 0.0f64, f64::INFINITY);
    for h in hours {
        n += 1;
        longest = longest.max(h);
        shortest = shortest.min(h);
    }
    if n < 2 {
        1.0
    } else {
        longest / shortest.max(1e-3)
    }
}

/// Whether days of walking-time ratio `ratio` (see [`day_ratio`]) are balanced enough
/// to be a plan.
pub fn balanced(ratio: f64) -> bool {
    ratio <= MAX_DAY_RATIO + SLACK
}

/// What a night at a place of `kind` costs in the score, `off_m` metres off the walk
/// (walked there at the end of the day and back in the morning) on a walk of target
/// length `target_m`: how much the kind is wanted (a hut most, then a camp site, then a
/// shelter; a hostel or hotel, a fallback, least), plus the walk there and back, priced
/// like a little road (`2 off_m / target_m`).
pub fn night_cost(kind: PoiKind, off_m: f64, target_m: f64) -> f64 {
    let wanted = match kind {
        PoiKind::Hut => 0.0,
        PoiKind::CampSite => 0.01,
        PoiKind::Shelter => 0.02,
        PoiKind::Lodging => 0.05,
        // Not places to sleep (the service never offers them for a night).
        PoiKind::DrinkingWater | PoiKind::Spring | PoiKind::WaterTap | PoiKind::WaterPoint => 0.05,
    };
    wanted + 2.0 * off_m / target_m
}

/// How a base-camp plan of day loops scored `days` ranks: its worst day's tier, the
/// days' mean cost, and [`BASE_CAMP_COST`] behind a trip of the same quality.
pub fn base_camp_score(days: &[Score]) -> Score {
    let tier = days.iter().map(|s| s.tier).max().unwrap_or(0);
    let cost = days.iter().map(|s| s.cost).sum::<f64>() / days.len().max(1) as f64;
    Score {
        tier,
        cost: cost + BASE_CAMP_COST,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_balanced_by_walking_time_with_climb() {
        // 20 km flat is 4 h; 15 km with 600 m is 4 h too.
        let r = day_ratio([
            walking::hours(20_000.0, 0.0),
            walking::hours(15_000.0, 600.0),
        ]);
        assert!((r - 1.0).abs() < 1e-9);
        assert!((day_ratio([4.0, 2.0]) - 2.0).abs() < 1e-9);
        assert_eq!(day_ratio([4.0]), 1.0);
        assert!(balanced(1.5) && !balanced(1.51));
    }

    #[test]
    fn every_limit_given_is_kept_and_priced() {
        let limits = DayLimits {
            max_m: Some(25_000.0),
            max_hours: Some(6.0),
            max_ascent_m: Some(1_000.0),
        };
        assert!(limits.keeps(25_000.0, 600.0));
        assert!(!limits.keeps(25_100.0, 0.0));
        assert!(!limits.keeps(20_000.0, 1_001.0), "climb");
        // 24 km and 900 m: 4.8 + 1.5 = 6.3 h.
        assert!(!limits.keeps(24_000.0, 900.0), "time");
        assert!((limits.over(24_000.0, 900.0) - 0.05).abs() < 1e-9);
        assert_eq!(limits.over(25_000.0, 600.0), 0.0);
        assert!(DayLimits::default().keeps(99_000.0, 9e3));
        assert!(limits.feasible(50_000.0, 2) && !limits.feasible(50_100.0, 2));
    }

    #[test]
    fn a_night_costs_its_kind_and_the_walk_off_the_loop_and_back() {
        let on_loop = |kind| night_cost(kind, 0.0, 20_000.0);
        assert_eq!(on_loop(PoiKind::Hut), 0.0);
        assert!(on_loop(PoiKind::Hut) < on_loop(PoiKind::CampSite));
        assert!(on_loop(PoiKind::CampSite) < on_loop(PoiKind::Shelter));
        assert!(on_loop(PoiKind::Shelter) < on_loop(PoiKind::Lodging));
        // 500 m off a 20 km walk, there and back: 1 km, 5% of the walk.
        let off = night_cost(PoiKind::CampSite, 500.0, 20_000.0);
        assert!((off - (0.01 + 0.05)).abs() < 1e-12);
        // A hut that far off costs more than a camp site on the loop.
        assert!(night_cost(PoiKind::Hut, 500.0, 20_000.0) > on_loop(PoiKind::CampSite));
        for kind in PoiKind::ALL {
            let c = on_loop(kind);
            assert!(c.is_finite() && c >= 0.0, "{kind:?}");
        }
    }

    #[test]
    fn a_base_camp_plan_ranks_behind_a_trip_of_its_quality() {
        let s = base_camp_score(&[Score { tier: 0, cost: 0.2 }, Score { tier: 1, cost: 0.4 }]);
        assert_eq!(s.tier, 1);
        assert!((s.cost - (0.3 + BASE_CAMP_COST)).abs() < 1e-12);
    }
}
