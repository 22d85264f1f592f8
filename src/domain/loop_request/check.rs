//! The one check of a loop request, whichever form it came in: every field bounded and
//! consistent with the others, every bad field named at once.

use trailloop_osm::SacScale;
use trailloop_places::PoiKind;
use trailloop_solver::{walking, DayLimits, Preferences, MAX_DAYS};

use super::wire::{AvoidRoads, Form, LoopRequestBody};
use chrono::{NaiveDate, NaiveTime};

use super::{
    Hike, LoopRequest, TripDates, DEFAULT_OVERNIGHT, MAX_ASCENT_M, MAX_DAY_HOURS, MAX_RESULTS,
    MAX_TARGET_HOURS, MIN_DAYS, MIN_TARGET_HOURS, MIN_TARGET_KM, MIN_TARGET_MI, OVERNIGHT_NAMES,
};
use crate::domain::{parse_drive_limit, Coordinate, DistanceKm, FieldError, Problems, Tolerance};

/// Parses a SAC grade by its OSM name or as `T1`..`T6`.
pub(crate) fn parse_sac_scale(value: &str) -> Option<SacScale> {
    if let Some(n) = value.strip_prefix('T').filter(|n| n.len() == 1) {
        let grade: u8 = n.parse().ok()?;
        return SacScale::ALL.into_iter().find(|s| s.grade() == grade);
    }
    SacScale::from_tag(value)
}

/// The length asked for, by distance (km or miles) or by time (with the most that time
/// walks on flat ground as its distance): exactly one of the three.
fn target(raw: &LoopRequestBody) -> Result<(DistanceKm, Option<f64>), FieldError> {
    let given = [
        ("target_km", raw.target_km),
        ("target_mi", raw.target_mi),
        ("target_hours", raw.target_hours),
    ];
    let mut named = given.iter().filter(|(_, v)| v.is_some()).map(|(n, _)| *n);
    match (named.next(), named.next()) {
        (None, _) => {
            return Err(FieldError::new(
                "target_km",
                "one of target_km, target_mi or target_hours is required",
            ))
        }
        (Some(first), Some(second)) => {
            return Err(FieldError::new(
                second,
                format!("give only one of target_km, target_mi and target_hours, not {first} too"),
            ))
        }
        _ => {}
    }
    if let Some(h) = raw.target_hours {
        if !(MIN_TARGET_HOURS..=MAX_TARGET_HOURS).contains(&h) {
            return Err(FieldError::new(
                "target_hours",
                format!("must be in {MIN_TARGET_HOURS}..={MAX_TARGET_HOURS} hours, got {h}"),
            ));
        }
        let flat = DistanceKm::parse(walking::flat_m(h) / 1000.0, "target_hours", None)?;
        return Ok((flat, Some(h)));
    }
    let km = DistanceKm::parse_either(
        raw.target_km,
        raw.target_mi,
        "target",
        Some(MIN_TARGET_KM),
        Some(MIN_TARGET_MI),
    )?;
    Ok((km.expect("one was given"), None))
}

/// The gentlest and the steepest grade a hiker may set as a limit, percent.
const MIN_GRADE_PCT: f64 = 1.0;
const MAX_GRADE_PCT: f64 = 100.0;

/// Checks a request that came in `form`.
pub(super) fn check(raw: LoopRequestBody, form: Form) -> Result<LoopRequest, Vec<FieldError>> {
    let mut p = Problems::default();
    let origin = p.check_all(Coordinate::parse(
        raw.origin.lat,
        raw.origin.lon,
        form.origin(),
    ));
    let drive = p.check_all(parse_drive_limit(
        raw.max_drive_km,
        raw.max_drive_mi,
        raw.max_drive_minutes,
    ));
    let (target, target_hours) = match p.check(target(&raw)) {
        Some((t, h)) => (Some(t), h),
        None => (None, None),
    };
    let tolerance = match raw.tolerance {
        Some(t) => p.check(Tolerance::parse(t, "tolerance")),
        None => Some(Tolerance::DEFAULT),
    };
    let max_results = raw.max_results.unwrap_or(3);
    if !(1..=MAX_RESULTS).contains(&max_results) {
        p.push(
            "max_results",
            format!("must be in 1..={MAX_RESULTS}, got {max_results}"),
        );
    }
    let days = raw.days.unwrap_or(1);
    if !(MIN_DAYS..=MAX_DAYS).contains(&days) {
        p.push(
            "days",
            format!("must be in {MIN_DAYS}..={MAX_DAYS}, got {days}"),
        );
    }
    let max_day = match raw.max_day_km {
        Some(km) => p.check(DistanceKm::parse(km, "max_day_km", None)),
        None => None,
    };
    // A trip that cannot be walked in the days given is a contradiction, not a search.
    // (By time, the length is not known until the trails are: only hours are compared.)
    if let (Some(day), Some(target), None) = (max_day, target, target_hours) {
        if f64::from(days) * day.km() < target.km() {
            p.push(
                "max_day_km",
                format!(
                    "{days} day(s) of at most {} km cannot cover the target of {} km",
                    day.km(),
                    target.km()
                ),
            );
        }
    }
    if let Some(h) = raw.max_day_hours {
        if !(h > 0.0 && h <= MAX_DAY_HOURS) {
            p.push(
                "max_day_hours",
                format!("must be in (0, {MAX_DAY_HOURS}] hours, got {h}"),
            );
        } else if let Some(hours) = target_hours {
            if f64::from(days) * h < hours {
                p.push(
                    "max_day_hours",
                    format!("{days} day(s) of at most {h} h cannot walk target_hours {hours}"),
                );
            }
        } else if let Some(target) = target {
            // Even on the flat a day covers at most what its hours walk.
            let reach_km = f64::from(days) * walking::flat_m(h) / 1000.0;
            if reach_km < target.km() {
                p.push(
                    "max_day_hours",
                    format!(
                        "{days} day(s) of at most {h} h walk at most {reach_km} km, \
                         less than the target of {} km",
                        target.km()
                    ),
                );
            }
        }
    }
    if let Some(a) = raw.max_day_ascent_m {
        // 0 would be a day that may not climb at all: no walk is a plan of it.
        if !(a.is_finite() && a > 0.0 && a <= MAX_ASCENT_M) {
            p.push(
                "max_day_ascent_m",
                format!("must be a finite number of metres in (0, {MAX_ASCENT_M}], got {a}"),
            );
        }
    }
    let dates = trip_dates(&raw, &mut p);
    // The schema says int64, as JSON clients hold integers.
    if raw.seed.is_some_and(|seed| seed > i64::MAX as u64) {
        p.push("seed", "must be in 0..=9223372036854775807");
    }
    let prefs = raw.preferences.clone().unwrap_or_default();
    let defaults = Preferences::default();
    let prefs_field = |name: &str| form.preference(name);
    let max_sac_scale = match prefs.max_sac_scale.as_deref() {
        Some(s) => {
            let parsed = parse_sac_scale(s);
            if parsed.is_none() {
                p.push(
                    &prefs_field("max_sac_scale"),
                    "must be an OSM sac_scale (hiking, mountain_hiking, \
                     demanding_mountain_hiking, alpine_hiking, demanding_alpine_hiking, \
                     difficult_alpine_hiking) or T1..T6",
                );
            }
            parsed
        }
        None => None,
    };
    let avoid_roads = match prefs.avoid_roads {
        None => defaults.avoid_roads,
        Some(AvoidRoads::Flag(true)) => 1.0,
        Some(AvoidRoads::Flag(false)) => 0.0,
        Some(AvoidRoads::Strength(x)) => {
            if !(0.0..=1.0).contains(&x) {
                p.push(
                    &prefs_field("avoid_roads"),
                    format!("must be true, false or a strength in 0..=1, got {x}"),
                );
            }
            x
        }
    };
    let scenery = prefs.scenery.unwrap_or(defaults.scenery);
    if !(0.0..=1.0).contains(&scenery) {
        p.push(
            &prefs_field("scenery"),
            format!("must be in 0..=1, got {scenery}"),
        );
    }
    let hills = prefs.hills.unwrap_or(defaults.hills);
    if !(-1.0..=1.0).contains(&hills) {
        p.push(
            &prefs_field("hills"),
            format!("must be in -1..=1, got {hills}"),
        );
    }
    if let Some(a) = prefs.max_ascent_m {
        if !a.is_finite() || !(0.0..=MAX_ASCENT_M).contains(&a) {
            p.push(
                &prefs_field("max_ascent_m"),
                format!("must be a finite number of metres in 0..={MAX_ASCENT_M}, got {a}"),
            );
        }
    }
    if let Some(g) = prefs.max_grade_pct {
        if !(MIN_GRADE_PCT..=MAX_GRADE_PCT).contains(&g) {
            p.push(
                &prefs_field("max_grade_pct"),
                format!("must be in {MIN_GRADE_PCT}..={MAX_GRADE_PCT} percent, got {g}"),
            );
        }
    }
    let overnight = match prefs.overnight {
        None => DEFAULT_OVERNIGHT.to_vec(),
        Some(names) => {
            let mut kinds = Vec::new();
            for name in &names {
                match PoiKind::parse(name).filter(|k| k.is_overnight()) {
                    Some(k) if !kinds.contains(&k) => kinds.push(k),
                    Some(_) => {}
                    None => p.push(
                        &prefs_field("overnight"),
                        format!("unknown kind {name:?}: must be any of {}", *OVERNIGHT_NAMES),
                    ),
                }
            }
            if names.is_empty() {
                p.push(
                    &prefs_field("overnight"),
                    format!("must name at least one of {}", *OVERNIGHT_NAMES),
                );
            }
            kinds
        }
    };
    p.finish(|| LoopRequest {
        origin: origin.expect("checked"),
        drive: drive.expect("checked"),
        trailhead_id: raw.trailhead_id,
        units: raw.units.unwrap_or_default(),
        hike: Hike {
            target_m: target.expect("checked").metres(),
            target_hours,
            tolerance: tolerance.expect("checked").fraction(),
            max_results: max_results as usize,
            days,
            day_limits: DayLimits {
                max_m: max_day.map(|d| d.metres()),
                max_hours: raw.max_day_hours,
                max_ascent_m: raw.max_day_ascent_m,
            },
            preferences: Preferences {
                avoid_roads,
                scenery,
                hills,
                max_sac_grade: max_sac_scale.map(SacScale::grade),
                max_ascent_m: prefs.max_ascent_m,
                max_grade_pct: prefs.max_grade_pct,
            },
            overnight,
            base_camp: prefs.base_camp.unwrap_or(false),
            seed: raw.seed.unwrap_or(0),
            dates,
        },
    })
}

/// The first date a request may plan for (year, month, day).
pub const FIRST_DATE: (i32, u32, u32) = (2000, 1, 1);
/// The last date a request may plan for (year, month, day).
pub const LAST_DATE: (i32, u32, u32) = (2099, 12, 31);

/// `start_date` and `start_time`: exactly `YYYY-MM-DD` and `HH:MM`, a real date within
/// the years served; a time only with a date.
fn trip_dates(raw: &LoopRequestBody, p: &mut Problems) -> Option<TripDates> {
    let ymd = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    let date = raw.start_date.as_deref().and_then(|s| {
        let parsed = (s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-')
            .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .flatten();
        match parsed {
            Some(d) if (ymd(FIRST_DATE)..=ymd(LAST_DATE)).contains(&d) => Some(d),
            Some(_) => {
                p.push(
                    "start_date",
                    format!("must be within 2000-01-01..=2099-12-31, got {s}"),
                );
                None
            }
            None => {
                p.push(
                    "start_date",
                    format!("must be a date as YYYY-MM-DD, got {s:?}"),
                );
                None
            }
        }
    });
    let time = match raw.start_time.as_deref() {
        None => Some(TripDates::DEFAULT_START),
        Some(s) => {
            let parsed = (s.len() == 5 && s.as_bytes()[2] == b':')
                .then(|| NaiveTime::parse_from_str(s, "%H:%M").ok())
                .flatten();
            if parsed.is_none() {
                p.push(
                    "start_time",
                    format!("must be a time as HH:MM (00:00 to 23:59), got {s:?}"),
                );
            } else if raw.start_date.is_none() {
                p.push("start_time", "needs start_date: a start time is for a date");
            }
            parsed
        }
    };
    let rest = raw.rest_minutes_per_hour;
    if let Some(r) = rest {
        if !(r.is_finite() && (0.0..=TripDates::MAX_REST_MIN_PER_H).contains(&r)) {
            p.push(
                "rest_minutes_per_hour",
                format!(
                    "must be a number of minutes in 0..={}, got {r}",
                    TripDates::MAX_REST_MIN_PER_H
                ),
            );
        } else if raw.start_date.is_none() {
            p.push(
                "rest_minutes_per_hour",
                "needs start_date: rests lengthen the days of a dated plan",
            );
        }
    }
    Some(TripDates {
        start_date: date?,
        start_time: time?,
        daylight_margin_h: TripDates::DEFAULT_MARGIN_H,
        rest_minutes_per_hour: rest,
    })
}
