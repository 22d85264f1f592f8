//! The hike as the planner plans it: on a network (asked by time, the length its climb
//! allows), how far it can reach, whether it is a trip, and the solver's [`Query`]
//! built from it.

use trailloop_solver::{
    default_approach_m, reach_m, walking, NightPlace, Query, DEFAULT_EXTENSION_BUDGET,
    DEFAULT_WORK_BUDGET,
};

use crate::domain::Hike;
use crate::network::PlanningNetwork;

use super::{trips, TrailheadStart};

impl Hike {
    /// The request as planned on `network`: asked by time, the length that time walks
    /// there by the duration model. With `g` metres of climb per km of its trails, an
    /// hour walks `5 / (1 + 5 g / 600)` km (the flat 5 km, less a twelfth of a km for
    /// every 10 m of climb per km).
    pub(super) fn on_network(&self, network: &PlanningNetwork) -> std::borrow::Cow<'_, Hike> {
        if self.target_hours.is_none() {
            return std::borrow::Cow::Borrowed(self);
        }
        std::borrow::Cow::Owned(Hike {
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

    /// The longest access path from a trailhead's node to its loop the solver walks,
    /// metres.
    pub fn approach_max_m(&self) -> f64 {
        default_approach_m(self.target_m)
    }

    /// Whether answers must be checked as plans of days: a trip of several days, or a
    /// day hike with day limits or a date (its daylight a limit).
    pub fn is_trip(&self) -> bool {
        self.days > 1 || !self.day_limits.is_none() || self.dates.is_some()
    }

    /// Of a base-camp trip, the request for its day loops: a day's share of the
    /// length, each from the trailhead, a few more than days to choose from.
    pub(super) fn base_camp_day(&self) -> Option<Hike> {
        (self.base_camp && self.days > 1).then(|| Hike {
            target_m: self.target_m / f64::from(self.days),
            days: 1,
            max_results: (self.days as usize + 2).min(trailloop_solver::MAX_RESULTS),
            base_camp: false,
            ..self.clone()
        })
    }

    /// The solver's query from `start`, whose drive costs `start_cost` in the score,
    /// with the places nights may be spent at.
    pub(super) fn query(
        &self,
        start: &TrailheadStart,
        start_cost: f64,
        nights: &[NightPlace],
    ) -> Query {
        let multi_day = self.days > 1;
        Query {
            start: start.trailhead.node_id as u64,
            target_m: self.target_m,
            tolerance: self.tolerance,
            max_results: self.max_results,
            preferences: self.preferences,
            start_cost,
            days: self.days,
            nights: if multi_day {
                nights.to_vec()
            } else {
                Vec::new()
            },
            day_limits: self.day_limits,
            // Set for the dates by the caller.
            closed_classes: 0,
            approach_max_m: self.approach_max_m(),
            seed: self.seed,
            // A trip's walk is as long as its days together, and each night is one more
            // constraint to search around: the budget grows with the days.
            work_budget: DEFAULT_WORK_BUDGET * u64::from(self.days),
            extension_budget: DEFAULT_EXTENSION_BUDGET,
        }
    }
}
