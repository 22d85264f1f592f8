//! A loop request: its two wire forms ([`wire`]: the JSON body of `POST /v1/loops` and
//! the query string of `GET /v1/loops`, which becomes a body), one check (`check`), and
//! the checked [`LoopRequest`] both become. Its [`Hike`] is what the planner plans and
//! the solver's query is built from: the solver's own [`Preferences`] and
//! [`DayLimits`], so a preference is declared on the wire, checked here and used by the
//! solver, and nowhere else.

mod check;
#[cfg(test)]
mod tests;
mod wire;

use std::sync::LazyLock;

use trailloop_places::PoiKind;
use trailloop_solver::{DayLimits, Preferences};

pub use check::{FIRST_DATE, LAST_DATE};
pub use wire::{AvoidRoads, Form, LoopQuery, LoopRequestBody, OriginBody, PreferencesBody};

use trailloop_drive::DriveLimit;

use super::{Coordinate, FieldError, Units};

/// Loops shorter than this are not worth driving to.
pub const MIN_TARGET_KM: f64 = 0.5;
/// The same in miles (a little more than 0.5 km).
pub const MIN_TARGET_MI: f64 = 0.32;
/// The fewest days a request may ask for (the most is the solver's `MAX_DAYS`).
pub const MIN_DAYS: u32 = 1;
/// Walking time a request may ask for, hours: 0.5 km to 300 km at 5 km/h.
const MIN_TARGET_HOURS: f64 = 0.1;
const MAX_TARGET_HOURS: f64 = 60.0;
/// The most loops one answer holds (the solver could give more; ten is a page).
pub const MAX_RESULTS: u32 = 10;
const _: () = assert!(MAX_RESULTS as usize <= trailloop_solver::MAX_RESULTS);
/// Ascent limits above this are not limits.
const MAX_ASCENT_M: f64 = 20_000.0;
/// A day of walking is at most this long, hours.
const MAX_DAY_HOURS: f64 = 24.0;
/// Where nights are planned when the request does not say.
pub const DEFAULT_OVERNIGHT: &[PoiKind] = &PoiKind::DEFAULT_NIGHTS;
/// The names `overnight` takes, for messages: `hut, camp_site, ...`.
static OVERNIGHT_NAMES: LazyLock<String> = LazyLock::new(|| {
    PoiKind::nights()
        .map(PoiKind::as_str)
        .collect::<Vec<_>>()
        .join(", ")
});

/// A loop request that has passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopRequest {
    /// Where the drive starts.
    pub origin: Coordinate,
    /// Longest drive, by distance or time.
    pub drive: DriveLimit,
    /// Only this trailhead.
    pub trailhead_id: Option<i64>,
    /// How answers are shown.
    pub units: Units,
    /// The walk asked for.
    pub hike: Hike,
}

/// The walk a hiker asks for, as the planner plans it and the solver searches for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hike {
    /// Target length T, metres: the one asked for, or for `target_hours` the most that
    /// time walks on flat ground.
    pub target_m: f64,
    /// Walking time asked for, hours, when the request asked by time: the length is
    /// then chosen on each network for its climb.
    pub target_hours: Option<f64>,
    /// Acceptable length error, fraction of T.
    pub tolerance: f64,
    /// Loops to return at most.
    pub max_results: usize,
    /// Days of walking (1 for a day hike).
    pub days: u32,
    /// Limits on each day (on the whole hike of a day hike).
    pub day_limits: DayLimits,
    /// What the hiker likes, as the solver weighs it.
    pub preferences: Preferences,
    /// Kinds of place nights may be spent at.
    pub overnight: Vec<PoiKind>,
    /// Whether nights may be spent back at the trailhead.
    pub base_camp: bool,
    /// Seed for the search; same request and seed, same loops.
    pub seed: u64,
    /// The dates it is planned for; `None`: for no particular date.
    pub dates: Option<TripDates>,
}

/// When a hike is walked: its first day and the local time each day's walking starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TripDates {
    /// The first day of walking, local date of the trailhead.
    pub start_date: chrono::NaiveDate,
    /// When walking starts each day, local time.
    pub start_time: chrono::NaiveTime,
    /// Each day ends at least this many hours before sunset (the planner's
    /// `daylight_margin_h`, set when it plans).
    pub daylight_margin_h: f64,
    /// Minutes of rest per walking hour: the request's `rest_minutes_per_hour`, else
    /// the planner's default (set when it plans). A day lasts its walking time and
    /// these rests.
    pub rest_minutes_per_hour: Option<f64>,
}

impl TripDates {
    /// The start time when a request gives none.
    pub const DEFAULT_START: chrono::NaiveTime = match chrono::NaiveTime::from_hms_opt(8, 0, 0) {
        Some(t) => t,
        None => panic!("08:00 is a time"),
    };

    /// The margin when the planner sets none.
    pub const DEFAULT_MARGIN_H: f64 = 0.5;

    /// Rests when neither the request nor the planner says, minutes per walking hour.
    pub const DEFAULT_REST_MIN_PER_H: f64 = 10.0;

    /// The most rest a request or the planner may ask, minutes per walking hour.
    pub const MAX_REST_MIN_PER_H: f64 = 60.0;

    /// How much longer a day lasts than its walking: 1 + rest per walking hour.
    pub fn day_factor(&self) -> f64 {
        1.0 + self
            .rest_minutes_per_hour
            .unwrap_or(Self::DEFAULT_REST_MIN_PER_H)
            / 60.0
    }

    /// The date of day `day` (1 for the first).
    pub fn date_of(&self, day: u32) -> chrono::NaiveDate {
        self.start_date + chrono::Days::new(u64::from(day.saturating_sub(1)))
    }
}

impl TryFrom<LoopRequestBody> for LoopRequest {
    type Error = Vec<FieldError>;

    fn try_from(body: LoopRequestBody) -> Result<LoopRequest, Vec<FieldError>> {
        check::check(body, Form::Body)
    }
}

impl TryFrom<LoopQuery> for LoopRequest {
    type Error = Vec<FieldError>;

    fn try_from(query: LoopQuery) -> Result<LoopRequest, Vec<FieldError>> {
        check::check(query.into(), Form::Query)
    }
}
