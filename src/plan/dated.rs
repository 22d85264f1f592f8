//! A hike planned for its dates: each day ends before sunset with a margin (the longest
//! walking day daylight allows becomes a day limit), nights are spent only at places
//! not closed that night, ways closed to walkers on a day of the trip are not walked,
//! and every stage gets its date, its start and end times and the sun's.
//!
//! Times are the local times of the trailhead's zone. Daylight is taken where it is
//! shortest: at the corners of the area the starts' loops can reach, on every day of
//! the trip, so that whichever start and place a plan takes, its days end in time.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use trailloop_geo::{Coord, METRES_PER_DEGREE};

use super::{Hike, PlannedLoop, TrailheadStart};
use crate::dates::sun::{self, Sun};
use crate::dates::{place_open, Open};
use crate::domain::{PoiRecord, TripDates};
use crate::network::closures::ClosureClasses;

/// A day limit of no time at all (the solver takes only positive limits).
const NO_DAYLIGHT_H: f64 = 0.01;

/// Walking time set aside on a day for the approach, which the solver's day limits do
/// not count: the car park to its node (at most the trailhead snap radius) and the
/// access path (at most `approach_max_m`), out on the first day and back on the last
/// (a day hike and every base-camp day walk it both ways), on the flat: the longest
/// approach's climb is not known before the solve (a steep approach the most it can be
/// may end a day minutes later than the margin; the stage's `daylight_margin_h` says).
fn approach_reserve_h(params: &Hike) -> f64 {
    let one_way = trailloop_osm::TRAILHEAD_SNAP_RADIUS_M + params.approach_max_m();
    let h = trailloop_solver::walking::hours(one_way, 0.0);
    if params.days <= 1 || params.base_camp {
        2.0 * h
    } else {
        h
    }
}

/// What the dates allow on one network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Daylight {
    /// The longest walking day that ends before sunset less the margin on every day of
    /// the trip, hours (0 in a polar night).
    pub hours: f64,
    /// The day it comes from.
    pub date: NaiveDate,
}

impl Daylight {
    /// The shorter of two.
    pub(crate) fn min(a: Option<Daylight>, b: Option<Daylight>) -> Option<Daylight> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.hours < a.hours { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

/// The dated hike on a network: its day limit within daylight, and the closure classes
/// closed on its days (0 for none).
pub(crate) struct OnDates {
    pub hike: Hike,
    pub daylight: Option<Daylight>,
    pub closed_classes: u64,
}

/// `local` in `zone`: the earlier of an hour that comes twice, the first after a gap.
fn local(zone: Tz, local: NaiveDateTime) -> DateTime<Tz> {
    zone.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .unwrap_or_else(|| zone.from_utc_datetime(&local))
}

fn hours(d: Duration) -> f64 {
    d.num_seconds() as f64 / 3600.0
}

/// `params` planned from `starts` for its dates (unchanged without dates).
/// The ways closed on its days are those of `closures` (the network's).
pub(crate) fn on_dates(
    params: &Hike,
    starts: &[&TrailheadStart],
    closures: Option<&ClosureClasses>,
) -> OnDates {
    let Some(dates) = params.dates else {
        return OnDates {
            hike: params.clone(),
            daylight: None,
            closed_classes: 0,
        };
    };
    let Some(first) = starts.first() else {
        return OnDates {
            hike: params.clone(),
            daylight: None,
            closed_classes: 0,
        };
    };
    // The area the loops can reach: the starts' box, widened by their reach.
    let (mut south, mut north, mut west, mut east) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    for s in starts {
        let c = s.trailhead.coord;
        south = south.min(c.lat);
        north = north.max(c.lat);
        west = west.min(c.lon);
        east = east.max(c.lon);
    }
    let reach_deg = params.radius_m() / METRES_PER_DEGREE;
    let widest = south.abs().max(north.abs()).min(89.0).to_radians().cos();
    let (south, north) = (
        (south - reach_deg).max(-89.9),
        (north + reach_deg).min(89.9),
    );
    let (west, east) = (west - reach_deg / widest, east + reach_deg / widest);
    let corner = |lon: f64, lat: f64| Coord { lon, lat };
    let corners = [
        corner(west, south),
        corner(west, north),
        corner(east, south),
        corner(east, north),
    ];
    let zone = sun::zone_at(first.trailhead.coord);
    let margin = Duration::seconds((dates.daylight_margin_h * 3600.0).round() as i64);
    let mut daylight: Option<Daylight> = None;
    let mut windows = Vec::with_capacity(params.days as usize);
    for day in 1..=params.days {
        let date = dates.date_of(day);
        let start = local(zone, date.and_time(dates.start_time));
        let mut day_hours: Option<f64> = None;
        for corner in corners {
            let h = match sun::sun(corner, date, zone) {
                Some(Sun::RisesAndSets { sunset, .. }) => hours(sunset - margin - start),
                Some(Sun::PolarNight) => 0.0,
                // The sun does not set: no limit from it.
                _ => continue,
            };
            day_hours = Some(day_hours.map_or(h, |d| d.min(h)));
        }
        let end = match day_hours {
            Some(h) => start.naive_local() + Duration::seconds((h.max(0.0) * 3600.0) as i64),
            None => date.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("a time")),
        };
        windows.push((start.naive_local(), end.max(start.naive_local())));
        if let Some(h) = day_hours {
            daylight = Daylight::min(
                daylight,
                Some(Daylight {
                    hours: h.max(0.0),
                    date,
                }),
            );
        }
    }
    let mut hike = params.clone();
    if let Some(d) = daylight {
        // The daylight holds the walking, its rests and the approach.
        let walking = d.hours / dates.day_factor() - approach_reserve_h(params);
        let limit = walking.max(NO_DAYLIGHT_H);
        hike.day_limits.max_hours = Some(hike.day_limits.max_hours.map_or(limit, |h| h.min(limit)));
    }
    let closed_classes = closures.map_or(0, |c| {
        c.closed_on(&windows, first.trailhead.coord.lat < 0.0)
    });
    OnDates {
        hike,
        daylight,
        closed_classes,
    }
}

/// Whether a trip of `params` may spend its nights at `place`: not closed on any of
/// them (unknown hours allowed).
pub(crate) fn open_every_night(params: &Hike, place: &PoiRecord) -> bool {
    let Some(dates) = params.dates else {
        return true;
    };
    (1..params.days).all(|night| {
        place_open(&place.details, dates.date_of(night), place.coord.lat).open != Open::No
    })
}

/// A stage's times, in the trailhead's zone.
#[derive(Debug, Clone, PartialEq)]
pub struct StageTimes {
    /// Its date.
    pub date: NaiveDate,
    /// When walking starts.
    pub start: DateTime<FixedOffset>,
    /// When it ends: its walking, the approach walked that day and the rests.
    pub end: DateTime<FixedOffset>,
    /// The approach walked that day (out on the first, back on the last), hours.
    pub approach_h: f64,
    /// Rests, hours: the request's (or the planner's) minutes per walking hour.
    pub rest_h: f64,
    /// Sunrise where the day ends; `None` when the sun does not rise or set that day.
    pub sunrise: Option<DateTime<FixedOffset>>,
    /// Sunset where the day ends.
    pub sunset: Option<DateTime<FixedOffset>>,
    /// From the end to sunset, hours (negative: after sunset); `None` without a sunset.
    pub margin_h: Option<f64>,
}

/// Dates, times and open places on the stages of `l`, planned for `dates`.
pub(crate) fn annotate(l: &mut PlannedLoop, dates: &TripDates) {
    let trailhead = l.trailhead.trailhead.coord;
    let zone = sun::zone_at(trailhead);
    let approaches: Vec<f64> = l.stages.iter().map(|s| l.approach_h_on(s.day)).collect();
    for (stage, approach_h) in l.stages.iter_mut().zip(approaches) {
        let date = dates.date_of(stage.day);
        let start = local(zone, date.and_time(dates.start_time));
        let walking_h = stage.duration_h + approach_h;
        let rest_h = walking_h * (dates.day_factor() - 1.0);
        let end = start + Duration::seconds(((walking_h + rest_h) * 3600.0).round() as i64);
        let at = stage
            .night
            .as_ref()
            .and_then(|n| n.place.as_ref())
            .map_or(trailhead, |p| p.coord);
        let (sunrise, sunset) = match sun::sun(at, date, zone) {
            Some(Sun::RisesAndSets { sunrise, sunset }) => (Some(sunrise), Some(sunset)),
            Some(Sun::RisesOnly { sunrise }) => (Some(sunrise), None),
            _ => (None, None),
        };
        stage.times = Some(StageTimes {
            date,
            start: start.fixed_offset(),
            end: end.fixed_offset(),
            approach_h,
            rest_h,
            sunrise: sunrise.map(|s| s.fixed_offset()),
            sunset: sunset.map(|s| s.fixed_offset()),
            margin_h: sunset.map(|s| hours(s - end)),
        });
        if let Some(night) = &mut stage.night {
            if let Some(p) = &night.place {
                night.opening = Some(place_open(&p.details, date, p.coord.lat));
            }
        }
    }
}

/// The daylight limit as a message names it: "the 6.2 h of daylight of 2026-12-21
/// (from 08:00 to 30 min before sunset)".
pub(crate) fn daylight_named(d: &Daylight, dates: &TripDates) -> String {
    format!(
        "the {:.1} h of daylight of {} (from {} to {:.0} min before sunset)",
        d.hours,
        d.date,
        dates.start_time.format("%H:%M"),
        dates.daylight_margin_h * 60.0
    )
}
