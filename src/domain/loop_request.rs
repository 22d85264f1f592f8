//! A loop request, as JSON (`POST /v1/loops`) or as a query string (`GET /v1/loops`),
//! and the checked [`LoopRequest`] both become.

use serde::Deserialize;
use trailloop_osm::{PoiKind, SacScale};
use trailloop_solver::{walking, MAX_DAYS};
use utoipa::{IntoParams, ToSchema};

use super::{Coordinate, DistanceKm, DriveRange, FieldError, Problems, Tolerance, Units};

/// Loops shorter than this are not worth driving to.
const MIN_TARGET_KM: f64 = 0.5;
/// The same in miles (a little more than 0.5 km).
const MIN_TARGET_MI: f64 = 0.32;
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
pub const DEFAULT_OVERNIGHT: [PoiKind; 3] = [PoiKind::Hut, PoiKind::CampSite, PoiKind::Shelter];
/// The names `overnight` takes.
const OVERNIGHT_NAMES: &str = "hut, camp_site, shelter, lodging";

/// Body of `POST /v1/loops`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoopRequestBody {
    /// Where the hiker starts driving from.
    pub origin: OriginBody,
    /// Longest acceptable drive to the trailhead by road, km, in (0, 300]. One of
    /// `max_drive_km`, `max_drive_mi` and `max_drive_minutes` is required (not both
    /// `max_drive_km` and `max_drive_mi`); given a distance and a time, a drive keeps
    /// both.
    #[schema(example = 25.0, exclusive_minimum = 0.0, maximum = 300.0)]
    pub max_drive_km: Option<f64>,
    /// Longest acceptable drive by road, miles, in (0, 186.4].
    #[schema(exclusive_minimum = 0.0, maximum = 186.4)]
    pub max_drive_mi: Option<f64>,
    /// Longest acceptable drive time to the trailhead, minutes, in (0, 300].
    #[schema(example = 40.0, exclusive_minimum = 0.0, maximum = 300.0)]
    pub max_drive_minutes: Option<f64>,
    /// Wanted loop length, km, in [0.5, 300]. Exactly one of `target_km`, `target_mi`
    /// and `target_hours` is required.
    #[schema(example = 20.0, minimum = 0.5, maximum = 300.0)]
    pub target_km: Option<f64>,
    /// Wanted loop length, miles, in [0.32, 186.4].
    #[schema(minimum = 0.32, maximum = 186.4)]
    pub target_mi: Option<f64>,
    /// Wanted walking time, hours, in [0.1, 60], by the duration model (5 km and
    /// 600 m of climb an hour): the length is chosen for the average climb of the
    /// trails around the trailheads planned from (about 20 km for 4 hours on flat
    /// ground, less in hills); loops more than 20 % off the time are named in
    /// `warnings`.
    #[schema(minimum = 0.1, maximum = 60.0)]
    pub target_hours: Option<f64>,
    /// How the answer's `summary` lines give distances and climb: `metric` (default) or
    /// `imperial`. Every answer carries both units' numbers.
    pub units: Option<Units>,
    /// Loops to return, 1..=10 (default 3).
    #[schema(example = 3, minimum = 1, maximum = 10)]
    pub max_results: Option<u32>,
    /// Acceptable length error as a fraction of the target, in (0, 0.5] (default 0.05).
    #[schema(example = 0.05, exclusive_minimum = 0.0, maximum = 0.5)]
    pub tolerance: Option<f64>,
    /// Days of walking, 1..=14 (default 1).
    #[schema(example = 1, minimum = 1, maximum = 14)]
    pub days: Option<u32>,
    /// Longest acceptable day, km, in (0, 300]; `days * max_day_km` must reach the
    /// target (else 422).
    #[schema(exclusive_minimum = 0.0, maximum = 300.0)]
    pub max_day_km: Option<f64>,
    /// Longest acceptable day's walking time, hours, in (0, 24] (by the duration model:
    /// 5 km and 600 m of climb an hour); the days must be able to walk the target at
    /// 5 km/h (else 422).
    #[schema(example = 7.0, exclusive_minimum = 0.0, maximum = 24.0)]
    pub max_day_hours: Option<f64>,
    /// Most climb in one day, metres, in [0, 20000].
    #[schema(example = 1200.0, minimum = 0.0, maximum = 20000.0)]
    pub max_day_ascent_m: Option<f64>,
    /// Start from this trailhead only (it must be within driving range).
    pub trailhead_id: Option<i64>,
    /// Trail preferences.
    pub preferences: Option<PreferencesBody>,
    /// Search seed, 0..=2^63-1: the same request and seed give the same loops (default
    /// 0).
    #[schema(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub seed: Option<u64>,
}

/// A position in WGS 84 degrees.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OriginBody {
    /// Latitude, -90..=90.
    #[schema(example = 42.5078, minimum = -90.0, maximum = 90.0)]
    pub lat: f64,
    /// Longitude, -180..=180.
    #[schema(example = 1.5211, minimum = -180.0, maximum = 180.0)]
    pub lon: f64,
}

/// How hard to avoid roads: `true` (the default) or `false`, or a strength in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum AvoidRoads {
    /// `true` avoids roads in full, `false` walks them like trails.
    Flag(bool),
    /// 0 walks roads like trails, 1 avoids them in full.
    Strength(f64),
}

// By hand: the derive cannot bound the number of an untagged variant.
impl utoipa::PartialSchema for AvoidRoads {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .description(Some(
                "`true` avoids roads in full, `false` walks them like trails; or a strength \
                 from 0 (like trails) to 1 (in full)",
            ))
            .item(ObjectBuilder::new().schema_type(Type::Boolean))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .minimum(Some(0.0))
                    .maximum(Some(1.0)),
            )
            .into()
    }
}

impl ToSchema for AvoidRoads {}

/// The SAC grades `max_sac_scale` takes, by their OSM names or as T1..T6 (for the
/// OpenAPI document; the value is parsed by [`parse_sac_scale`]).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(rename_all = "snake_case")]
enum SacScaleName {
    Hiking,
    MountainHiking,
    DemandingMountainHiking,
    AlpineHiking,
    DemandingAlpineHiking,
    DifficultAlpineHiking,
    #[schema(rename = "T1")]
    T1,
    #[schema(rename = "T2")]
    T2,
    #[schema(rename = "T3")]
    T3,
    #[schema(rename = "T4")]
    T4,
    #[schema(rename = "T5")]
    T5,
    #[schema(rename = "T6")]
    T6,
}

/// The kinds of place `overnight` takes (for the OpenAPI document).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(rename_all = "snake_case")]
enum OvernightName {
    Hut,
    CampSite,
    Shelter,
    Lodging,
}

/// Trail preferences. Each has a default that gives a good hike without being asked.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesBody {
    /// Keep off roads cars use: `true` (default), `false`, or a strength in 0..=1.
    #[schema(example = true)]
    pub avoid_roads: Option<AvoidRoads>,
    /// How much nature (forest, water, open mountain land, protected areas) and hiking
    /// routes are worth against other qualities, 0..=1 (default 0.5).
    #[schema(example = 0.5, minimum = 0.0, maximum = 1.0)]
    pub scenery: Option<f64>,
    /// -1 avoids climb, +1 seeks it, 0 (default) does not mind.
    #[schema(example = 0.0, minimum = -1.0, maximum = 1.0)]
    pub hills: Option<f64>,
    /// Hardest acceptable SAC grade: `hiking` .. `difficult_alpine_hiking`, or `T1` .. `T6`.
    #[schema(example = "mountain_hiking", value_type = Option<SacScaleName>)]
    pub max_sac_scale: Option<String>,
    /// Total climb above which loops are penalised, metres, in [0, 20000].
    #[schema(minimum = 0.0, maximum = 20000.0)]
    pub max_ascent_m: Option<f64>,
    /// Where a multi-day trip may spend its nights: any of `hut` (alpine and
    /// wilderness huts), `camp_site` (camp sites and pitches), `shelter` (basic huts and
    /// lean-tos), `lodging` (hostels, guest houses, hotels). Default: huts, camp sites
    /// and shelters.
    #[schema(example = json!(["hut", "camp_site", "shelter"]), value_type = Option<Vec<OvernightName>>, min_items = 1)]
    pub overnight: Option<Vec<String>>,
    /// Whether the nights may be spent back at the trailhead (a base-camp plan: one
    /// loop a day from the same car park). Default false.
    pub base_camp: Option<bool>,
}

/// Query string of `GET /v1/loops`: the body's fields, flat (`lat`, `lon`, `avoid_roads`,
/// ...; the dotted names `origin.lat` and `preferences.avoid_roads` work too).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LoopQuery {
    /// Latitude of the origin.
    #[serde(alias = "origin.lat")]
    #[param(minimum = -90.0, maximum = 90.0)]
    pub lat: f64,
    /// Longitude of the origin.
    #[serde(alias = "origin.lon")]
    #[param(minimum = -180.0, maximum = 180.0)]
    pub lon: f64,
    /// As in the body.
    #[param(exclusive_minimum = 0.0, maximum = 300.0)]
    pub max_drive_km: Option<f64>,
    /// As in the body.
    #[param(exclusive_minimum = 0.0, maximum = 186.4)]
    pub max_drive_mi: Option<f64>,
    /// As in the body.
    #[param(exclusive_minimum = 0.0, maximum = 300.0)]
    pub max_drive_minutes: Option<f64>,
    /// As in the body (exactly one of `target_km`, `target_mi` and `target_hours`).
    #[param(minimum = 0.5, maximum = 300.0)]
    pub target_km: Option<f64>,
    /// As in the body.
    #[param(minimum = 0.32, maximum = 186.4)]
    pub target_mi: Option<f64>,
    /// As in the body.
    #[param(minimum = 0.1, maximum = 60.0)]
    pub target_hours: Option<f64>,
    /// As in the body.
    #[param(inline)]
    pub units: Option<Units>,
    /// As in the body.
    #[param(minimum = 1, maximum = 10)]
    pub max_results: Option<u32>,
    /// As in the body.
    #[param(exclusive_minimum = 0.0, maximum = 0.5)]
    pub tolerance: Option<f64>,
    /// As in the body.
    #[param(minimum = 1, maximum = 14)]
    pub days: Option<u32>,
    /// As in the body.
    #[param(exclusive_minimum = 0.0, maximum = 300.0)]
    pub max_day_km: Option<f64>,
    /// As in the body.
    #[param(exclusive_minimum = 0.0, maximum = 24.0)]
    pub max_day_hours: Option<f64>,
    /// As in the body.
    #[param(minimum = 0.0, maximum = 20000.0)]
    pub max_day_ascent_m: Option<f64>,
    /// As in the body.
    pub trailhead_id: Option<i64>,
    /// As `preferences.avoid_roads` in the body: `true`, `false` or a strength in 0..=1.
    #[serde(alias = "preferences.avoid_roads")]
    #[param(pattern = r"^(true|false|0(\.[0-9]{1,6})?|1(\.0{1,6})?)$")]
    pub avoid_roads: Option<String>,
    /// As `preferences.scenery` in the body.
    #[serde(alias = "preferences.scenery")]
    #[param(minimum = 0.0, maximum = 1.0)]
    pub scenery: Option<f64>,
    /// As `preferences.hills` in the body.
    #[serde(alias = "preferences.hills")]
    #[param(minimum = -1.0, maximum = 1.0)]
    pub hills: Option<f64>,
    /// As `preferences.max_sac_scale` in the body.
    #[serde(alias = "preferences.max_sac_scale")]
    #[param(value_type = Option<SacScaleName>)]
    pub max_sac_scale: Option<String>,
    /// As `preferences.max_ascent_m` in the body.
    #[serde(alias = "preferences.max_ascent_m")]
    #[param(minimum = 0.0, maximum = 20000.0)]
    pub max_ascent_m: Option<f64>,
    /// As `preferences.overnight` in the body, comma-separated (`hut,camp_site`).
    #[serde(alias = "preferences.overnight")]
    #[param(pattern = r"^(hut|camp_site|shelter|lodging)(,(hut|camp_site|shelter|lodging))*$")]
    pub overnight: Option<String>,
    /// As `preferences.base_camp` in the body.
    #[serde(alias = "preferences.base_camp")]
    pub base_camp: Option<bool>,
    /// As in the body.
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub seed: Option<u64>,
}

/// Checked trail preferences.
#[derive(Debug, Clone, PartialEq)]
pub struct Preferences {
    /// How hard to keep off roads, 0..=1.
    pub avoid_roads: f64,
    /// Worth of nature and hiking routes, 0..=1.
    pub scenery: f64,
    /// -1 avoids climb .. +1 seeks it.
    pub hills: f64,
    /// Hardest acceptable grade.
    pub max_sac_scale: Option<SacScale>,
    /// Climb above which loops are penalised, metres.
    pub max_ascent_m: Option<f64>,
    /// Kinds of place nights may be spent at (not empty, no repeats).
    pub overnight: Vec<PoiKind>,
    /// Whether nights may be spent back at the trailhead.
    pub base_camp: bool,
}

/// Limits on each day of a multi-day trip.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DayLimits {
    /// Longest day.
    pub max_distance: Option<DistanceKm>,
    /// Longest walking time, hours.
    pub max_hours: Option<f64>,
    /// Most climb, metres.
    pub max_ascent_m: Option<f64>,
}

/// A loop request that has passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopRequest {
    /// Where the drive starts.
    pub origin: Coordinate,
    /// Longest drive, by distance or time.
    pub drive: DriveRange,
    /// Loop length wanted: the one asked for, or for `target_hours` the most that
    /// time walks on flat ground.
    pub target: DistanceKm,
    /// Walking time wanted, hours, when the request asked by time.
    pub target_hours: Option<f64>,
    /// How answers are shown.
    pub units: Units,
    /// Acceptable length error.
    pub tolerance: Tolerance,
    /// Loops wanted, 1..=10.
    pub max_results: usize,
    /// Days, 1..=14.
    pub days: u32,
    /// Limits on each day.
    pub day_limits: DayLimits,
    /// Only this trailhead.
    pub trailhead_id: Option<i64>,
    /// Preferences.
    pub preferences: Preferences,
    /// Search seed.
    pub seed: u64,
}

/// Parses a SAC grade by its OSM name or as `T1`..`T6`.
pub(crate) fn parse_sac_scale(value: &str) -> Option<SacScale> {
    if let Some(n) = value.strip_prefix('T').filter(|n| n.len() == 1) {
        let grade: u8 = n.parse().ok()?;
        return SacScale::ALL.into_iter().find(|s| s.grade() == grade);
    }
    SacScale::from_tag(value)
}

/// `avoid_roads` in a query string, exactly as the OpenAPI pattern states: `true`,
/// `false`, or `0`/`1` with up to six decimals (then checked to be at most 1).
fn parse_avoid_roads(v: &str) -> AvoidRoads {
    let number = match v.as_bytes() {
        [b'0' | b'1'] => true,
        [b'0' | b'1', b'.', decimals @ ..] => {
            (1..=6).contains(&decimals.len()) && decimals.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    };
    match v {
        "true" => AvoidRoads::Flag(true),
        "false" => AvoidRoads::Flag(false),
        v if number => AvoidRoads::Strength(v.parse().unwrap_or(f64::NAN)),
        _ => AvoidRoads::Strength(f64::NAN),
    }
}

/// The raw values of either form, with the names their fields had.
struct Raw {
    lat: f64,
    lon: f64,
    max_drive_km: Option<f64>,
    max_drive_mi: Option<f64>,
    max_drive_minutes: Option<f64>,
    target_km: Option<f64>,
    target_mi: Option<f64>,
    target_hours: Option<f64>,
    units: Option<Units>,
    max_results: Option<u32>,
    tolerance: Option<f64>,
    days: Option<u32>,
    max_day_km: Option<f64>,
    max_day_hours: Option<f64>,
    max_day_ascent_m: Option<f64>,
    trailhead_id: Option<i64>,
    prefs: PreferencesBody,
    seed: Option<u64>,
    /// `origin` for JSON, empty for the flat query string.
    origin_prefix: &'static str,
    /// `preferences.` for JSON, empty for the query string.
    prefs_prefix: &'static str,
}

impl TryFrom<LoopRequestBody> for LoopRequest {
    type Error = Vec<FieldError>;

    fn try_from(b: LoopRequestBody) -> Result<LoopRequest, Vec<FieldError>> {
        check(Raw {
            lat: b.origin.lat,
            lon: b.origin.lon,
            max_drive_km: b.max_drive_km,
            max_drive_mi: b.max_drive_mi,
            max_drive_minutes: b.max_drive_minutes,
            target_km: b.target_km,
            target_mi: b.target_mi,
            target_hours: b.target_hours,
            units: b.units,
            max_results: b.max_results,
            tolerance: b.tolerance,
            days: b.days,
            max_day_km: b.max_day_km,
            max_day_hours: b.max_day_hours,
            max_day_ascent_m: b.max_day_ascent_m,
            trailhead_id: b.trailhead_id,
            prefs: b.preferences.unwrap_or_default(),
            seed: b.seed,
            origin_prefix: "origin",
            prefs_prefix: "preferences.",
        })
    }
}

impl TryFrom<LoopQuery> for LoopRequest {
    type Error = Vec<FieldError>;

    fn try_from(q: LoopQuery) -> Result<LoopRequest, Vec<FieldError>> {
        check(Raw {
            lat: q.lat,
            lon: q.lon,
            max_drive_km: q.max_drive_km,
            max_drive_mi: q.max_drive_mi,
            max_drive_minutes: q.max_drive_minutes,
            target_km: q.target_km,
            target_mi: q.target_mi,
            target_hours: q.target_hours,
            units: q.units,
            max_results: q.max_results,
            tolerance: q.tolerance,
            days: q.days,
            max_day_km: q.max_day_km,
            max_day_hours: q.max_day_hours,
            max_day_ascent_m: q.max_day_ascent_m,
            trailhead_id: q.trailhead_id,
            prefs: PreferencesBody {
                avoid_roads: q.avoid_roads.as_deref().map(parse_avoid_roads),
                scenery: q.scenery,
                hills: q.hills,
                max_sac_scale: q.max_sac_scale,
                max_ascent_m: q.max_ascent_m,
                overnight: q
                    .overnight
                    .map(|list| list.split(',').map(str::to_owned).collect()),
                base_camp: q.base_camp,
            },
            seed: q.seed,
            origin_prefix: "",
            prefs_prefix: "",
        })
    }
}

/// The length asked for, by distance (km or miles) or by time (with the most that time
/// walks on flat ground as its distance): exactly one of the three.
fn target(raw: &Raw) -> Result<(DistanceKm, Option<f64>), FieldError> {
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

fn check(raw: Raw) -> Result<LoopRequest, Vec<FieldError>> {
    let mut p = Problems::default();
    let origin = p.check_all(Coordinate::parse(raw.lat, raw.lon, raw.origin_prefix));
    let drive = p.check_all(DriveRange::parse(
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
    if !(1..=MAX_DAYS).contains(&days) {
        p.push("days", format!("must be in 1..={MAX_DAYS}, got {days}"));
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
        if !a.is_finite() || !(0.0..=MAX_ASCENT_M).contains(&a) {
            p.push(
                "max_day_ascent_m",
                format!("must be a finite number of metres in 0..={MAX_ASCENT_M}, got {a}"),
            );
        }
    }
    // The schema says int64, as JSON clients hold integers.
    if raw.seed.is_some_and(|seed| seed > i64::MAX as u64) {
        p.push("seed", "must be in 0..=9223372036854775807");
    }
    let prefs_field = |name: &str| format!("{}{name}", raw.prefs_prefix);
    let max_sac_scale = match raw.prefs.max_sac_scale.as_deref() {
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
    let avoid_roads = match raw.prefs.avoid_roads {
        None | Some(AvoidRoads::Flag(true)) => 1.0,
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
    let scenery = raw.prefs.scenery.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&scenery) {
        p.push(
            &prefs_field("scenery"),
            format!("must be in 0..=1, got {scenery}"),
        );
    }
    let hills = raw.prefs.hills.unwrap_or(0.0);
    if !(-1.0..=1.0).contains(&hills) {
        p.push(
            &prefs_field("hills"),
            format!("must be in -1..=1, got {hills}"),
        );
    }
    if let Some(a) = raw.prefs.max_ascent_m {
        if !a.is_finite() || !(0.0..=MAX_ASCENT_M).contains(&a) {
            p.push(
                &prefs_field("max_ascent_m"),
                format!("must be a finite number of metres in 0..={MAX_ASCENT_M}, got {a}"),
            );
        }
    }
    let overnight = match raw.prefs.overnight {
        None => DEFAULT_OVERNIGHT.to_vec(),
        Some(names) => {
            let mut kinds = Vec::new();
            for name in &names {
                match PoiKind::parse(name).filter(|k| k.is_overnight()) {
                    Some(k) if !kinds.contains(&k) => kinds.push(k),
                    Some(_) => {}
                    None => p.push(
                        &prefs_field("overnight"),
                        format!("unknown kind {name:?}: must be any of {OVERNIGHT_NAMES}"),
                    ),
                }
            }
            if names.is_empty() {
                p.push(
                    &prefs_field("overnight"),
                    format!("must name at least one of {OVERNIGHT_NAMES}"),
                );
            }
            kinds
        }
    };
    p.finish(|| LoopRequest {
        origin: origin.expect("checked"),
        drive: drive.expect("checked"),
        target: target.expect("checked"),
        target_hours,
        units: raw.units.unwrap_or_default(),
        tolerance: tolerance.expect("checked"),
        max_results: max_results as usize,
        days,
        day_limits: DayLimits {
            max_distance: max_day,
            max_hours: raw.max_day_hours,
            max_ascent_m: raw.max_day_ascent_m,
        },
        trailhead_id: raw.trailhead_id,
        preferences: Preferences {
            avoid_roads,
            scenery,
            hills,
            max_sac_scale,
            max_ascent_m: raw.prefs.max_ascent_m,
            overnight,
            base_camp: raw.prefs.base_camp.unwrap_or(false),
        },
        seed: raw.seed.unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(json: serde_json::Value) -> Result<LoopRequest, Vec<FieldError>> {
        LoopRequest::try_from(serde_json::from_value::<LoopRequestBody>(json).unwrap())
    }

    fn fields(r: Result<LoopRequest, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn the_example_request_gets_the_defaults() {
        let r = body(serde_json::json!({
            "origin": {"lat": 42.5078, "lon": 1.5211},
            "max_drive_km": 25, "target_km": 20, "max_results": 3
        }))
        .unwrap();
        assert_eq!(r.target.metres(), 20_000.0);
        assert_eq!(r.tolerance.fraction(), 0.05);
        assert_eq!((r.max_results, r.days, r.seed), (3, 1, 0));
        assert_eq!(
            (
                r.preferences.avoid_roads,
                r.preferences.scenery,
                r.preferences.hills
            ),
            (1.0, 0.5, 0.0),
            "a good hike without being asked: roads avoided, some scenery"
        );
        assert!(r.preferences.max_sac_scale.is_none());
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let f = fields(body(serde_json::json!({
            "origin": {"lat": 95, "lon": 1},
            "max_drive_km": -3, "target_km": 301, "max_results": 0, "tolerance": 0.9,
            "days": 20, "preferences": {"max_sac_scale": "T9", "max_ascent_m": -1}
        })));
        assert_eq!(
            f,
            [
                "origin.lat",
                "max_drive_km",
                "target_km",
                "tolerance",
                "max_results",
                "days",
                "preferences.max_sac_scale",
                "preferences.max_ascent_m"
            ]
        );
    }

    #[test]
    fn preferences_take_flags_strengths_and_bounded_numbers() {
        let with = |p: serde_json::Value| {
            body(serde_json::json!({
                "origin": {"lat": 42.5, "lon": 1.5}, "max_drive_km": 25, "target_km": 10,
                "preferences": p
            }))
        };
        assert_eq!(
            with(json!({"avoid_roads": false}))
                .unwrap()
                .preferences
                .avoid_roads,
            0.0
        );
        assert_eq!(
            with(json!({"avoid_roads": 0.3}))
                .unwrap()
                .preferences
                .avoid_roads,
            0.3
        );
        let r = with(json!({"scenery": 1, "hills": -1})).unwrap();
        assert_eq!((r.preferences.scenery, r.preferences.hills), (1.0, -1.0));
        assert_eq!(
            fields(with(
                json!({"avoid_roads": 2, "scenery": -0.1, "hills": 1.5})
            )),
            [
                "preferences.avoid_roads",
                "preferences.scenery",
                "preferences.hills"
            ]
        );
        let q: LoopQuery = serde_urlencoded::from_str(
            "lat=42.5&lon=1.5&max_drive_km=5&target_km=5&avoid_roads=0.5",
        )
        .unwrap();
        assert_eq!(
            LoopRequest::try_from(q).unwrap().preferences.avoid_roads,
            0.5
        );
        let q: LoopQuery = serde_urlencoded::from_str(
            "lat=42.5&lon=1.5&max_drive_km=5&target_km=5&avoid_roads=maybe",
        )
        .unwrap();
        assert_eq!(fields(LoopRequest::try_from(q)), ["avoid_roads"]);
        // Exactly the schema's pattern: what it refuses, the service refuses.
        assert_eq!(parse_avoid_roads("0.25"), AvoidRoads::Strength(0.25));
        assert_eq!(parse_avoid_roads("1"), AvoidRoads::Strength(1.0));
        for off_pattern in ["1e-1", ".5", " 0.5", "0.", "0.1234567", "TRUE"] {
            assert!(
                matches!(parse_avoid_roads(off_pattern), AvoidRoads::Strength(x) if x.is_nan()),
                "{off_pattern}"
            );
        }
    }

    #[test]
    fn days_times_max_day_must_reach_the_target() {
        let base = serde_json::json!({
            "origin": {"lat": 42.5, "lon": 1.5}, "max_drive_km": 25, "target_km": 60,
            "days": 2, "max_day_km": 20
        });
        assert_eq!(fields(body(base.clone())), ["max_day_km"]);
        let mut ok = base;
        ok["days"] = 3.into();
        assert_eq!(
            body(ok).unwrap().day_limits.max_distance.unwrap().km(),
            20.0
        );
    }

    #[test]
    fn day_limits_are_checked_against_each_other_and_the_target() {
        let with = |extra: serde_json::Value| {
            let mut b = json!({
                "origin": {"lat": 42.5, "lon": 1.5}, "max_drive_km": 25, "target_km": 60,
                "days": 3
            });
            for (k, v) in extra.as_object().unwrap() {
                b[k] = v.clone();
            }
            body(b)
        };
        let r = with(json!({"max_day_hours": 7, "max_day_ascent_m": 1200})).unwrap();
        assert_eq!(r.day_limits.max_hours, Some(7.0));
        assert_eq!(r.day_limits.max_ascent_m, Some(1200.0));
        // Three days of 3 h walk 45 km at most on the flat: not 60.
        assert_eq!(fields(with(json!({"max_day_hours": 3}))), ["max_day_hours"]);
        assert_eq!(
            fields(with(json!({"max_day_hours": 0, "max_day_ascent_m": -5}))),
            ["max_day_hours", "max_day_ascent_m"]
        );
    }

    #[test]
    fn overnight_kinds_default_to_wild_places_and_reject_others() {
        let with = |p: serde_json::Value| {
            body(json!({
                "origin": {"lat": 42.5, "lon": 1.5}, "max_drive_km": 25, "target_km": 40,
                "days": 2, "preferences": p
            }))
        };
        let r = with(json!({})).unwrap();
        assert_eq!(r.preferences.overnight, DEFAULT_OVERNIGHT);
        assert!(!r.preferences.base_camp);
        let r = with(json!({"overnight": ["lodging", "hut", "hut"], "base_camp": true})).unwrap();
        assert_eq!(r.preferences.overnight, [PoiKind::Lodging, PoiKind::Hut]);
        assert!(r.preferences.base_camp);
        assert_eq!(
            fields(with(json!({"overnight": ["spring"]}))),
            ["preferences.overnight"],
            "a spring is water, not a bed"
        );
        assert_eq!(
            fields(with(json!({"overnight": []}))),
            ["preferences.overnight"]
        );
        let q: LoopQuery = serde_urlencoded::from_str(
            "lat=42.5&lon=1.5&max_drive_km=5&target_km=30&days=2&overnight=camp_site,shelter",
        )
        .unwrap();
        assert_eq!(
            LoopRequest::try_from(q).unwrap().preferences.overnight,
            [PoiKind::CampSite, PoiKind::Shelter]
        );
    }

    #[test]
    fn sac_grades_parse_by_osm_name_or_t_number() {
        assert_eq!(parse_sac_scale("T2"), Some(SacScale::MountainHiking));
        assert_eq!(parse_sac_scale("T6"), Some(SacScale::DifficultAlpineHiking));
        assert_eq!(parse_sac_scale("t6"), None, "as the schema's enum has it");
        assert_eq!(parse_sac_scale(" T2"), None);
        assert_eq!(
            parse_sac_scale("alpine_hiking"),
            Some(SacScale::AlpineHiking)
        );
        assert_eq!(parse_sac_scale("T0"), None);
        assert_eq!(parse_sac_scale("easy"), None);
    }

    #[test]
    fn query_fields_are_named_as_in_the_query() {
        let q: LoopQuery = serde_urlencoded::from_str(
            "origin.lat=NaN&lon=1&max_drive_km=inf&target_km=10&max_sac_scale=x",
        )
        .unwrap();
        assert_eq!(
            fields(LoopRequest::try_from(q)),
            ["lat", "max_drive_km", "max_sac_scale"]
        );
    }
}
