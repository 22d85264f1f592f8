//! What planning gives: the starts and their drives, planned loops, their effort, and
//! the answer to a loop request.

use std::time::Duration;

use trailloop_geo::Coord;
use trailloop_osm::SacScale;
use trailloop_solver::{rank, LoopKind, Score};

use crate::domain::TrailheadRecord;

use super::breakdown::{Breakdown, Passed};
use super::drive::{Drive, DriveMethod};
use super::present::{Difficulty, Segment};
use super::stages::Stage;
use super::trips;

/// A trailhead a loop may start from, with the drive to it from the origin.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailheadStart {
    /// The trailhead as stored.
    pub trailhead: TrailheadRecord,
    /// The drive from the origin.
    pub drive: Drive,
    /// How much of the hiker's drive limit it takes, 0..=1.
    pub drive_share: f64,
}

/// How the drives of an answer were found.
#[derive(Debug, Clone, PartialEq)]
pub struct DriveSummary {
    /// The methods used (road network, straight-line estimate), at most two.
    pub methods: Vec<DriveMethod>,
    /// How far the origin is from the road drives start on, metres (none when no road
    /// graph was used).
    pub origin_off_road_m: Option<f64>,
    /// The factor straight-line estimates use.
    pub circuity_factor: f64,
}

/// The answer of a trailhead search.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailheadsFound {
    /// Each trailhead with its drive (`None` when no road leads to it within the
    /// search); by drive time when a drive limit was given, else nearest first.
    pub trailheads: Vec<(TrailheadRecord, Option<Drive>)>,
    /// How the drives were found.
    pub drive: DriveSummary,
}

/// One planned loop, ready to be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedLoop {
    /// A name a hiker recognises, made from what it passes (see `names`); distinct
    /// within an answer.
    pub name: String,
    /// The way the drive to its trailhead goes, from the origin (by road; `None` for
    /// an estimate).
    pub drive_route: Option<Vec<Coord>>,
    /// Where it starts and ends.
    pub trailhead: TrailheadStart,
    /// Its rank in the solver's ranking.
    pub score: Score,
    /// Days of walking it is planned for (the request's, or a nearby one's when no
    /// plan of the request's exists).
    pub days: u32,
    /// The length it was planned for, metres (likewise).
    pub target_m: f64,
    /// Whether its nights are spent back at the trailhead: one loop a day.
    pub base_camp: bool,
    /// Length, metres.
    pub distance_m: f64,
    /// Total climb, metres.
    pub ascent_m: f64,
    /// Total descent, metres.
    pub descent_m: f64,
    /// `|L - T| / T`.
    pub length_error: f64,
    /// Length walked more than once / L.
    pub sharing: f64,
    /// `4 pi A / P^2` of the loop's polygon.
    pub compactness: f64,
    /// Walking time, hours, by [`DURATION_MODEL`](super::DURATION_MODEL) (the days' together, off-trail
    /// walking to the nights included).
    pub duration_h: f64,
    /// Overall grade.
    pub difficulty: Difficulty,
    /// Hardest SAC grade on the way, if any edge has one.
    pub max_sac_scale: Option<SacScale>,
    /// Loop, lollipop or out-and-back.
    pub kind: LoopKind,
    /// Whether the search proved this the best loop from its trailhead.
    pub proven_optimal: bool,
    /// Vertices of the loop, following the trails, from where the approach reaches it
    /// (the trailhead's node when there is no approach) back there; of a base-camp
    /// plan, each day's loop from the trailhead's node in turn.
    pub geometry: Vec<Coord>,
    /// Elevation of each vertex of `geometry`, metres, when every one is known.
    pub elevations: Option<Vec<f64>>,
    /// From the trailhead to the loop, when the trailhead is not on it: the car park to
    /// its nearest node, then any short access path (walked there and back).
    pub approach: Option<Approach>,
    /// What the loop walks on and through.
    pub breakdown: Breakdown,
    /// Highlights it passes, in order.
    pub highlights: Vec<Passed>,
    /// Consecutive stretches on one named trail.
    pub segments: Vec<Segment>,
    /// The days, in order (one for a day hike).
    pub stages: Vec<Stage>,
}

/// The walk from the trailhead to the loop, one way.
#[derive(Debug, Clone, PartialEq)]
pub struct Approach {
    /// Metres.
    pub distance_m: f64,
    /// Climb on the way to the loop, metres (the way back climbs `descent_m`).
    pub ascent_m: f64,
    /// Descent on the way to the loop, metres.
    pub descent_m: f64,
    /// From the trailhead to the loop's first vertex.
    pub geometry: Vec<Coord>,
}

impl Approach {
    /// Walking time to the loop, hours.
    pub fn out_h(&self) -> f64 {
        trailloop_solver::walking::hours(self.distance_m, self.ascent_m)
    }

    /// Walking time back from the loop, hours.
    pub fn back_h(&self) -> f64 {
        trailloop_solver::walking::hours(self.distance_m, self.descent_m)
    }
}

impl PlannedLoop {
    /// Times the approach is walked there and back: every day of a base-camp plan,
    /// else once (out on the first day, back on the last).
    fn approaches(&self) -> f64 {
        match (&self.approach, self.base_camp) {
            (None, _) => 0.0,
            (Some(_), true) => f64::from(self.days.max(1)),
            (Some(_), false) => 1.0,
        }
    }

    /// What the hiker walks, metres: the loop and its approach there and back.
    pub fn total_m(&self) -> f64 {
        self.distance_m
            + self.approaches() * 2.0 * self.approach.as_ref().map_or(0.0, |a| a.distance_m)
    }

    /// The walking time of `total_m`, hours.
    pub fn total_duration_h(&self) -> f64 {
        self.duration_h
            + self.approaches()
                * self
                    .approach
                    .as_ref()
                    .map_or(0.0, |a| a.out_h() + a.back_h())
    }

    /// Walking time of the approach on day `day` (1-based) of `days`: out on the first
    /// day, back on the last (both every day of a base-camp plan), hours.
    pub fn approach_h_on(&self, day: u32) -> f64 {
        let Some(a) = &self.approach else {
            return 0.0;
        };
        let last = self.stages.len().max(1) as u32;
        let out = if self.base_camp || day == 1 {
            a.out_h()
        } else {
            0.0
        };
        let back = if self.base_camp || day == last {
            a.back_h()
        } else {
            0.0
        };
        out + back
    }
}

/// Solver effort behind one answer, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PlanStats {
    /// Trailheads solved.
    pub trailheads: usize,
    /// Work units the solver spent, summed.
    pub work: u64,
    /// Solver time summed over trailheads.
    pub solve_time: Duration,
    /// Whether any solve was cut by the deadline.
    pub hit_deadline: bool,
}

/// Loops and what they cost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanOutcome {
    /// Best first, mutually different.
    pub loops: Vec<PlannedLoop>,
    /// Effort.
    pub stats: PlanStats,
    /// When no walk was a plan of the asked days and limits: how near the nearest came.
    pub(super) shortfall: Option<trips::Shortfall>,
    /// Places nights could be spent at within the network planned on.
    pub(super) night_places: usize,
    /// Of a dated plan, the longest day daylight allows (the shortest across networks).
    pub(super) daylight: Option<super::dated::Daylight>,
}

impl PlanOutcome {
    pub(super) fn absorb(&mut self, other: PlanOutcome) {
        self.loops.extend(other.loops);
        self.stats.trailheads += other.stats.trailheads;
        self.stats.work += other.stats.work;
        self.stats.solve_time += other.stats.solve_time;
        self.stats.hit_deadline |= other.stats.hit_deadline;
        self.shortfall = self.shortfall.max(other.shortfall);
        self.night_places += other.night_places;
        self.daylight = super::dated::Daylight::min(self.daylight, other.daylight);
    }

    /// Best first across regions: regions share no edges, so their best loops never
    /// conflict.
    pub(super) fn rank(&mut self, max_results: usize) {
        rank(&mut self.loops, max_results, |l| l.score);
    }
}

/// How many trailheads an answer looked at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrailheadCounts {
    /// Within the drive limit (by road, or by the estimate where there are no roads).
    pub reachable: usize,
    /// Weighed by their promise: every reachable one, unless more than
    /// `planner.trailhead_candidates` are, then the fastest that many (the answer warns).
    pub weighed: usize,
    /// Solved from: the most promising weighed ones whose surroundings fit in what one
    /// request may read.
    pub solved: usize,
}

/// The answer to a loop request.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopsAnswer {
    /// Best first.
    pub loops: Vec<PlannedLoop>,
    /// The trailheads reached, weighed and solved from.
    pub trailheads: TrailheadCounts,
    /// How the drives were found.
    pub drive: DriveSummary,
    /// Why there are fewer loops than asked for, when there are.
    pub message: Option<String>,
    /// Caveats, e.g. that the time budget cut the search short.
    pub warnings: Vec<String>,
    /// How its time went: the wait for a turn and the planning (none when nothing was
    /// solved, e.g. no trailhead in reach).
    pub timing: Option<PlanTiming>,
    /// The dates planned for, with the time zone of the origin; `None`: for no date.
    pub dates: Option<(crate::domain::TripDates, chrono_tz::Tz)>,
    /// When the best loop is mostly on roads, or there is none: a longer drive whose
    /// best loop is on trails.
    pub suggestion: Option<super::suggest::Suggestion>,
}

/// How a request's time went, for the `Server-Timing` header and the logs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanTiming {
    /// Whether it planned in the costly lane.
    pub costly: bool,
    /// Its estimated cost, units of a 10 km day hike.
    pub cost_units: f64,
    /// Milliseconds waiting for its turn in the pool.
    pub queued_ms: f64,
    /// Milliseconds from entering the pool to its answer.
    pub planning_ms: f64,
    /// Its planning budget, milliseconds.
    pub budget_ms: f64,
}
