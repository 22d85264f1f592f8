//! The two wire forms of a loop request: the JSON body of `POST /v1/loops` and the flat
//! query string of `GET /v1/loops`. The query string becomes a body ([`From`]), so one
//! check ([`super::check`]) serves both; only the names its errors give differ
//! ([`Form`]).

use serde::Deserialize;
use trailloop_places::PoiKind;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::domain::Units;

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
    /// Most climb in one day, metres, in (0, 20000].
    #[schema(example = 1200.0, exclusive_minimum = 0.0, maximum = 20000.0)]
    pub max_day_ascent_m: Option<f64>,
    /// First day of walking, `YYYY-MM-DD` (2000-01-01 to 2099-12-31), in the local time
    /// of the trailhead. With it each day is planned to end before sunset with a margin
    /// (`planner.daylight_margin_h`), nights are spent only at places open that night by
    /// OSM's `opening_hours`/`seasonal` (unknown hours allowed and said), and ways closed
    /// to walkers on a day of the trip (`foot:conditional`, `access:conditional`,
    /// `seasonal`) are not walked; every stage gets its date and times. Without it the
    /// plan is for no particular date (`calendar.planned_for_date` false).
    #[schema(example = "2026-07-15", format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub start_date: Option<String>,
    /// Time walking starts each day, `HH:MM`, local time of the trailhead (default
    /// `08:00`); only with `start_date`.
    #[schema(example = "08:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start_time: Option<String>,
    /// Minutes of rest per walking hour, 0..=60 (default `planner.rest_minutes_per_hour`,
    /// 10); only with `start_date`. Each day's end time, and the check that it ends
    /// before sunset with the margin, count the rests.
    #[schema(example = 10.0, minimum = 0.0, maximum = 60.0)]
    pub rest_minutes_per_hour: Option<f64>,
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

/// The kinds of place `overnight` takes (for the OpenAPI document): the kinds one
/// sleeps at in the list of kinds.
struct OvernightName;

// By hand: the names come from the list of kinds, not from variants of a type here.
impl PartialSchema for OvernightName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "The kinds of place `overnight` takes (for the OpenAPI document).",
            ))
            .enum_values(Some(PoiKind::nights().map(PoiKind::as_str)))
            .into()
    }
}

impl ToSchema for OvernightName {}

/// `overnight` in the query string: names of [`OvernightName`], comma-separated (for
/// the OpenAPI document).
struct OvernightList;

impl PartialSchema for OvernightList {
    fn schema() -> RefOr<Schema> {
        let names: Vec<&str> = PoiKind::nights().map(PoiKind::as_str).collect();
        let one = format!("({})", names.join("|"));
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!("^{one}(,{one})*$")))
            .into()
    }
}

impl ToSchema for OvernightList {}

/// The example of `overnight`: where nights go when the request does not say.
fn overnight_example() -> Vec<&'static str> {
    PoiKind::DEFAULT_NIGHTS.map(PoiKind::as_str).to_vec()
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
    /// Steepest sustained grade accepted, percent, in [1, 100]: ways steeper than this
    /// over 100 m, up or down (by the elevation model), are not walked.
    #[schema(example = 25.0, minimum = 1.0, maximum = 100.0)]
    pub max_grade_pct: Option<f64>,
    /// Where a multi-day trip may spend its nights: any of `hut` (alpine and
    /// wilderness huts), `camp_site` (camp sites and pitches), `shelter` (basic huts and
    /// lean-tos), `lodging` (hostels, guest houses, hotels). Default: huts, camp sites
    /// and shelters.
    #[schema(example = overnight_example, value_type = Option<Vec<OvernightName>>, min_items = 1)]
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
    #[param(exclusive_minimum = 0.0, maximum = 20000.0)]
    pub max_day_ascent_m: Option<f64>,
    /// As in the body.
    #[param(example = "2026-07-15", format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub start_date: Option<String>,
    /// As in the body.
    #[param(example = "08:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start_time: Option<String>,
    /// As in the body.
    #[param(minimum = 0.0, maximum = 60.0)]
    pub rest_minutes_per_hour: Option<f64>,
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
    /// As `preferences.max_grade_pct` in the body.
    #[serde(alias = "preferences.max_grade_pct")]
    #[param(minimum = 1.0, maximum = 100.0)]
    pub max_grade_pct: Option<f64>,
    /// As `preferences.overnight` in the body, comma-separated (`hut,camp_site`).
    #[serde(alias = "preferences.overnight")]
    #[param(value_type = Option<OvernightList>, inline)]
    pub overnight: Option<String>,
    /// As `preferences.base_camp` in the body.
    #[serde(alias = "preferences.base_camp")]
    pub base_camp: Option<bool>,
    /// As in the body.
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub seed: Option<u64>,
}

/// `avoid_roads` in a query string, exactly as the OpenAPI pattern states: `true`,
/// `false`, or `0`/`1` with up to six decimals (then checked to be at most 1).
pub(super) fn parse_avoid_roads(v: &str) -> AvoidRoads {
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

impl From<LoopQuery> for LoopRequestBody {
    fn from(q: LoopQuery) -> LoopRequestBody {
        LoopRequestBody {
            origin: OriginBody {
                lat: q.lat,
                lon: q.lon,
            },
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
            start_date: q.start_date,
            start_time: q.start_time,
            rest_minutes_per_hour: q.rest_minutes_per_hour,
            trailhead_id: q.trailhead_id,
            preferences: Some(PreferencesBody {
                avoid_roads: q.avoid_roads.as_deref().map(parse_avoid_roads),
                scenery: q.scenery,
                hills: q.hills,
                max_sac_scale: q.max_sac_scale,
                max_ascent_m: q.max_ascent_m,
                max_grade_pct: q.max_grade_pct,
                overnight: q
                    .overnight
                    .map(|list| list.split(',').map(str::to_owned).collect()),
                base_camp: q.base_camp,
            }),
            seed: q.seed,
        }
    }
}

/// Which form a request came in, for the names its errors give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The JSON body: `origin.lat`, `preferences.scenery`.
    Body,
    /// The flat query string: `lat`, `scenery`.
    Query,
}

impl Form {
    /// The prefix of the origin's fields (`Coordinate::parse` adds the dot).
    pub fn origin(self) -> &'static str {
        match self {
            Form::Body => "origin",
            Form::Query => "",
        }
    }

    /// A preference's field name.
    pub fn preference(self, name: &str) -> String {
        match self {
            Form::Body => format!("preferences.{name}"),
            Form::Query => name.to_owned(),
        }
    }
}
