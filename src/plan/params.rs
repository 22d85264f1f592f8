//! The request as the planner and the solver need it: [`LoopParams`] and the solver's
//! [`Query`] built from it.

use trailloop_osm::{PoiKind, SacScale};
use trailloop_solver::{
    default_approach_m, reach_m, walking, DayLimits, NightPlace, Preferences, Query,
    DEFAULT_EXTENSION_BUDGET, DEFAULT_WORK_BUDGET,
};

use crate::domain::LoopRequest;
use crate::network::PlanningNetwork;

use super::{trips, Start};

/// What the hiker asked for, as the solver needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopParams {
    /// Target length T, metres.
    pub target_m: f64,
    /// Acceptable length error, fraction of T.
    pub tolerance: f64,
    /// Loops to return at most.
    pub max_results: usize,
    /// Days of walking (1 for a day hike).
    pub days: u32,
    /// Limits on each day (on the whole hike of a day hike).
    pub day_limits: DayLimits,
    /// Kinds of place nights may be spent at.
    pub overnight: Vec<PoiKind>,
    /// Whether nights may be spent back at the trailhead.
    pub base_camp: bool,
    /// How hard to keep off roads, 0..=1.
    pub avoid_roads: f64,
    /// Worth of nature and hiking routes, 0..=1.
    pub scenery: f64,
    /// -1 avoids climb .. +1 seeks it.
    pub hills: f64,
    /// Hardest acceptable SAC grade.
    pub max_sac_scale: Option<SacScale>,
    /// Ascent above which loops are penalised, metres.
    pub max_ascent_m: Option<f64>,
    /// Seed for the search; same request and seed, same loops.
    pub seed: u64,
    /// Whether the hiker asked by walking time: `target_m` is then the most that time
    /// walks on the flat, and each network's climb shortens it (see
    /// [`LoopParams::on`]).
    pub by_time: bool,
}

impl LoopParams {
    /// What the planner needs of a checked request.
    pub fn of(req: &LoopRequest) -> LoopParams {
        LoopParams {
            target_m: req.target.metres(),
            tolerance: req.tolerance.fraction(),
            max_results: req.max_results,
            days: req.days,
            day_limits: DayLimits {
                max_m: req.day_limits.max_distance.map(|d| d.metres()),
                max_hours: req.day_limits.max_hours,
                max_ascent_m: req.day_limits.max_ascent_m,
            },
            overnight: req.preferences.overnight.clone(),
            base_camp: req.preferences.base_camp,
            avoid_roads: req.preferences.avoid_roads,
            scenery: req.preferences.scenery,
            hills: req.preferences.hills,
            max_sac_scale: req.preferences.max_sac_scale,
            max_ascent_m: req.preferences.max_ascent_m,
            seed: req.seed,
            by_time: req.target_hours.is_some(),
        }
    }

    /// The request as planned on `network`: asked by time, the length that time walks
    /// there by the duration model. With `g` metres of climb per km of its trails, an
    /// hour walks `5 / (1 + 5 g / 600)` km (the flat 5 km, less a twelfth of a km for
    /// every 10 m of climb per km).
    pub(super) fn on(&self, network: &PlanningNetwork) -> std::borrow::Cow<'_, LoopParams> {
        if !self.by_time {
            return std::borrow::Cow::Borrowed(self);
        }
        std::borrow::Cow::Owned(LoopParams {
            target_m: self.target_m * walking::time_factor(network.climb_per_km()),
            ..self.clone()
        })
    }

    /// How far from its trailhead a loop can go, in network distance (and so at most
    /// in a straight line); for a trip, or a hike with limits, that of the longest
    /// nearby request planned when none of the asked one is a plan.
    pub fn radius_m(&self) -> f64 {
        let longest = if self.is_trip() {
            trips::NEARBY_LONGEST
        } else {
            1.0
        };
        reach_m(self.target_m * longest, self.tolerance) / 2.0
    }

    /// Whether answers must be checked as plans of days: a trip of several days, or a
    /// day hike with day limits.
    pub fn is_trip(&self) -> bool {
        self.days > 1 || !self.day_limits.is_none()
    }

    /// Of a base-camp trip, the request for its day loops: a day's share of the
    /// length, each from the trailhead, a few more than days to choose from.
    pub(super) fn base_camp_day(&self) -> Option<LoopParams> {
        (self.base_camp && self.days > 1).then(|| LoopParams {
            target_m: self.target_m / f64::from(self.days),
            days: 1,
            max_results: (self.days as usize + 2).min(trailloop_solver::MAX_RESULTS),
            base_camp: false,
            ..self.clone()
        })
    }

    /// The hiker's preferences as the solver weighs them.
    pub(super) fn preferences(&self) -> Preferences {
        Preferences {
            avoid_roads: self.avoid_roads,
            scenery: self.scenery,
            hills: self.hills,
            max_sac_grade: self.max_sac_scale.map(SacScale::grade),
            max_ascent_m: self.max_ascent_m,
        }
    }

    /// The solver's query from `start`, whose drive costs `start_cost` in the score,
    /// with the places nights may be spent at.
    pub(super) fn query(&self, start: &Start, start_cost: f64, nights: &[NightPlace]) -> Query {
        let multi_day = self.days > 1;
        Query {
            start: start.trailhead.node_id as u64,
            target_m: self.target_m,
            tolerance: self.tolerance,
            max_results: self.max_results,
            preferences: self.preferences(),
            start_cost,
            days: self.days,
            nights: if multi_day {
                nights.to_vec()
            } else {
                Vec::new()
            },
            day_limits: self.day_limits,
            approach_max_m: default_approach_m(self.target_m),
            seed: self.seed,
            // A trip's walk is as long as its days together, and each night is one more
            // constraint to search around: the budget grows with the days.
            work_budget: DEFAULT_WORK_BUDGET * u64::from(self.days),
            extension_budget: DEFAULT_EXTENSION_BUDGET,
        }
    }
}
