//! How good a walk a start promises before any search, in the score's own terms, so
//! that a caller choosing which of thousands of starts to solve weighs them as the
//! search will rank their walks: the same weights for roads, nature, hiking routes and
//! hills, the same drive cost, and the risk of no true loop priced as sharing.
//!
//! The inputs are [`Surroundings`]: what lies within half a loop's length of the start
//! in network distance (a loop of length T never goes farther), measured once when the
//! network is built.

use crate::query::Preferences;
use crate::score::{HILLS_CAP, HILLS_WEIGHT, ROUTE_SHARE, SCENERY_WEIGHT, SHARING_WEIGHT};

/// A loop of T needs this many times T of network around its start to choose from.
const ENOUGH_NETWORK: f64 = 2.0;

/// Independent cycles within reach at which a true loop is as good as certain; with
/// none there is no loop at all, only out-and-backs.
const CYCLES_FOR_A_LOOP: f64 = 5.0;

/// The promise weighs the drive this many times as the score does. A promise is a
/// guess from what lies around a start, not a loop: of two starts that promise alike,
/// the nearer is the safer choice, since a guess that misses costs the hiker the longer
/// drive for nothing. Measured with the hike report on the sample region: weighed as in
/// the score alone, 4 more of 216 answers had a lollipop among their alternatives.
const DRIVE_RISK: f64 = 2.0;

/// What lies within `T / 2` of a start in network distance.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Surroundings {
    /// Metres of paths, tracks and other ways that are not roads.
    pub trail_m: f64,
    /// Metres of roads.
    pub road_m: f64,
    /// Metres on hiking routes.
    pub route_m: f64,
    /// Metres in nature.
    pub nature_m: f64,
    /// Highest minus lowest elevation, metres.
    pub relief_m: f64,
    /// Independent cycles (edges - nodes + 1) of the network there.
    pub cycles: f64,
}

/// The cost (as [`Score::cost`](crate::Score), lower is better) a walk of `target_m`
/// from a start with `around` it can be expected to have for a hiker of `preferences`,
/// when every walk from it costs `start_cost` (see [`drive_cost`](crate::drive_cost));
/// `road_cost_per_m` is what a metre of road typically costs in the caller's profile.
///
/// Each term is the score's for a walk whose make-up is that of the network around the
/// start: the profile's road cost scaled by the road avoidance, nature and hiking
/// routes by the scenery weight, relief per km of the target by the taste for hills.
/// The chance of no true loop (too little network, too few cycles) costs as sharing: an
/// out-and-back costs [`SHARING_WEIGHT`]. The start cost counts [`DRIVE_RISK`] times.
pub fn promise(
    around: &Surroundings,
    target_m: f64,
    preferences: &Preferences,
    start_cost: f64,
    road_cost_per_m: f64,
) -> f64 {
    let total = around.trail_m + around.road_m;
    if total <= 0.0 || target_m <= 0.0 {
        return DRIVE_RISK * start_cost + SHARING_WEIGHT;
    }
    let enough = (total / (ENOUGH_NETWORK * target_m)).min(1.0);
    let cycles = (around.cycles / CYCLES_FOR_A_LOOP).clamp(0.0, 1.0);
    let loop_chance = enough * cycles;
    let share = |m: f64| m / total;
    let climb_per_km = around.relief_m / (target_m / 1000.0);
    DRIVE_RISK * start_cost
        + SHARING_WEIGHT * (1.0 - loop_chance)
        + preferences.avoid_roads * road_cost_per_m * share(around.road_m)
        - SCENERY_WEIGHT
            * preferences.scenery
            * (share(around.nature_m) + ROUTE_SHARE * share(around.route_m))
        - HILLS_WEIGHT * preferences.hills * (climb_per_km / 100.0).min(HILLS_CAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn around(trail_m: f64, road_m: f64, cycles: f64) -> Surroundings {
        Surroundings {
            trail_m,
            road_m,
            route_m: 0.0,
            nature_m: trail_m * 0.5,
            relief_m: 300.0,
            cycles,
        }
    }

    #[test]
    fn trails_with_cycles_promise_more_than_roads_a_spur_or_too_little() {
        let p = Preferences::default();
        let cost = |a: Surroundings| promise(&a, 10_000.0, &p, 0.0, 0.8);
        let trails = cost(around(30_000.0, 2_000.0, 20.0));
        assert!(trails < cost(around(2_000.0, 30_000.0, 20.0)), "roads");
        assert!(trails < cost(around(30_000.0, 0.0, 0.0)), "a spur");
        assert!(trails < cost(around(3_000.0, 0.0, 20.0)), "too little");
        let walk_roads = Preferences {
            avoid_roads: 0.0,
            ..p
        };
        let roads = around(2_000.0, 30_000.0, 20.0);
        assert!(promise(&roads, 10_000.0, &walk_roads, 0.0, 0.8) < cost(roads));
    }

    #[test]
    fn the_drive_costs_as_in_the_score_times_its_risk() {
        let p = Preferences::default();
        let a = around(30_000.0, 2_000.0, 20.0);
        let near = promise(&a, 10_000.0, &p, crate::drive_cost(0.0), 0.8);
        let far = promise(&a, 10_000.0, &p, crate::drive_cost(1.0), 0.8);
        assert!((far - near - DRIVE_RISK * crate::drive_cost(1.0)).abs() < 1e-12);
    }

    #[test]
    fn hills_weigh_as_the_hiker_asks() {
        let a = around(30_000.0, 0.0, 20.0);
        let with = |hills: f64| {
            let p = Preferences {
                hills,
                ..Preferences::default()
            };
            promise(&a, 10_000.0, &p, 0.0, 0.8)
        };
        assert!(with(1.0) < with(0.0) && with(0.0) < with(-1.0));
    }
}
