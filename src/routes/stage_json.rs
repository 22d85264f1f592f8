//! The JSON shape of a plan's days: each stage with its night (the place as OSM has
//! it) and the water it passes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::loop_json::{feet, miles, round};
use crate::plan::{Stage, TrailheadStart};

/// Where a night is spent: the place as OSM has it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NightJson {
    /// `hut` (alpine and wilderness huts), `camp_site` (camp sites and pitches),
    /// `shelter` (basic huts and lean-tos), `lodging` (hostels, guest houses, hotels),
    /// or `trailhead` (back at the car park, in a base-camp plan).
    #[schema(example = "hut")]
    pub kind: String,
    /// Its name.
    pub name: Option<String>,
    /// The OSM tag value it was recognised by (`alpine_hut`, `camp_pitch`, `lean_to`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osm_tag: Option<String>,
    /// The OSM element: `node`, `way` or `relation` ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osm_type: Option<String>,
    /// ... and its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osm_id: Option<i64>,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// From the trail to the place, km (walked there in the evening and back in the
    /// morning).
    pub off_trail_km: f64,
    /// OSM `fee`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<String>,
    /// OSM `access`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    /// OSM `opening_hours`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<String>,
    /// OSM `capacity`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<String>,
    /// OSM `drinking_water`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drinking_water: Option<String>,
    /// OSM `website`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// OSM `seasonal`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seasonal: Option<String>,
    /// OSM `winter_room`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winter_room: Option<String>,
    /// Of a plan for a date (`start_date`), whether the place is open that night: `yes`,
    /// or `unknown` (OSM does not say, or says it in a way not understood); a place
    /// closed that night is never planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "yes")]
    pub open: Option<String>,
    /// The tag `open` was read from: `opening_hours`, `seasonal` or `winter_room` (a
    /// hut closed that night whose winter room is open); absent when OSM says nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_tag: Option<String>,
}

/// Water on a day's way.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WaterJson {
    /// `drinking_water`, `spring`, `water_tap`, `water_point`, or a place to sleep
    /// that has water (`hut`, ...).
    #[schema(example = "spring")]
    pub kind: String,
    /// Its name.
    pub name: Option<String>,
    /// The OSM element's type.
    pub osm_type: String,
    /// The OSM element's id.
    pub osm_id: i64,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Where along the day it comes, km.
    pub at_km: f64,
}

/// One day of a plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StageJson {
    /// Day number, from 1.
    pub day: u32,
    /// Km walked on the loop.
    pub distance_km: f64,
    /// The same in miles.
    #[serde(default)]
    pub distance_mi: f64,
    /// Km walked off it: to the night's place and back from the last one (or, in a
    /// base-camp plan, the trailhead's access path out and back).
    #[serde(default)]
    pub off_trail_km: f64,
    /// Climb, m.
    pub ascent_m: f64,
    /// Climb, ft.
    #[serde(default)]
    pub ascent_ft: f64,
    /// Descent, m.
    pub descent_m: f64,
    /// Descent, ft.
    #[serde(default)]
    pub descent_ft: f64,
    /// Walking time, hours, off-trail walking included.
    pub duration_h: f64,
    /// The day's stretch of `geometry`: its vertices `start_index..=end_index`.
    #[serde(default)]
    pub start_index: usize,
    /// See `start_index`.
    #[serde(default)]
    pub end_index: usize,
    /// Where the night after the day is spent; absent on the last day, back at the
    /// trailhead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub night: Option<NightJson>,
    /// Water on the way, in order (the night's place, when it has water, last).
    #[serde(default)]
    pub water: Vec<WaterJson>,
    /// Whether the day passes water, or starts or ends at a place that has it.
    #[serde(default)]
    pub has_water: bool,
    /// Of a plan for a date (`start_date`): the day's date, `YYYY-MM-DD`, local.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-07-15")]
    pub date: Option<String>,
    /// When walking starts, RFC 3339 with the trailhead's local offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-07-15T08:00:00+02:00")]
    pub start_time: Option<String>,
    /// When the day ends, RFC 3339, local offset: its walking time (`duration_h`), the
    /// approach walked that day (`approach_h`) and the rests (`rest_h`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// Of a dated plan, the walk between the trailhead and the loop that day, hours:
    /// out on the first day, back on the last (both every day of a base-camp plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approach_h: Option<f64>,
    /// Of a dated plan, the day's rests, hours (`rest_minutes_per_hour` of its walking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest_h: Option<f64>,
    /// Sunrise where the day ends, RFC 3339, local offset; absent when the sun does not
    /// rise or set that day (polar day or night).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunrise: Option<String>,
    /// Sunset where the day ends, RFC 3339, local offset; absent as `sunrise`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunset: Option<String>,
    /// From `end_time` to `sunset`, hours; at least `calendar.daylight_margin_h` in a
    /// plan that fits its daylight, negative after sunset. Absent without a sunset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daylight_margin_h: Option<f64>,
}

impl StageJson {
    pub(crate) fn new(s: &Stage, trailhead: &TrailheadStart) -> StageJson {
        let night = s.night.as_ref().map(|n| match &n.place {
            Some(p) => {
                let d = &p.details;
                NightJson {
                    kind: p.kind.as_str().into(),
                    name: p.name.clone(),
                    osm_tag: Some(d.osm_tag.clone()).filter(|t| !t.is_empty()),
                    osm_type: Some(p.osm_type.as_str().into()),
                    osm_id: Some(p.osm_id),
                    lat: p.coord.lat,
                    lon: p.coord.lon,
                    off_trail_km: round(n.off_trail_m / 1000.0, 3),
                    fee: d.fee.clone(),
                    access: d.access.clone(),
                    opening_hours: d.opening_hours.clone(),
                    capacity: d.capacity.clone(),
                    drinking_water: d.drinking_water.clone(),
                    website: d.website.clone(),
                    seasonal: d.seasonal.clone(),
                    winter_room: d.winter_room.clone(),
                    open: n.opening.map(|o| o.open.as_str().into()),
                    open_tag: n.opening.and_then(|o| o.tag).map(Into::into),
                }
            }
            None => NightJson {
                kind: "trailhead".into(),
                name: trailhead.trailhead.name.clone(),
                osm_tag: None,
                osm_type: None,
                osm_id: None,
                lat: trailhead.trailhead.coord.lat,
                lon: trailhead.trailhead.coord.lon,
                off_trail_km: round(n.off_trail_m / 1000.0, 3),
                fee: None,
                access: None,
                opening_hours: None,
                capacity: None,
                drinking_water: None,
                website: None,
                seasonal: None,
                winter_room: None,
                open: None,
                open_tag: None,
            },
        });
        StageJson {
            day: s.day,
            distance_km: round(s.distance_m / 1000.0, 3),
            distance_mi: miles(s.distance_m / 1000.0),
            off_trail_km: round(s.off_trail_m / 1000.0, 3),
            ascent_m: round(s.ascent_m, 1),
            ascent_ft: feet(s.ascent_m),
            descent_m: round(s.descent_m, 1),
            descent_ft: feet(s.descent_m),
            duration_h: round(s.duration_h, 2),
            start_index: s.start_index,
            end_index: s.end_index,
            night,
            water: s
                .water
                .iter()
                .map(|w| WaterJson {
                    kind: w.place.kind.as_str().into(),
                    name: w.place.name.clone(),
                    osm_type: w.place.osm_type.as_str().into(),
                    osm_id: w.place.osm_id,
                    lat: w.place.coord.lat,
                    lon: w.place.coord.lon,
                    at_km: round(w.at_m / 1000.0, 3),
                })
                .collect(),
            has_water: s.has_water,
            date: s.times.as_ref().map(|t| t.date.to_string()),
            start_time: s.times.as_ref().map(|t| rfc3339(&t.start)),
            end_time: s.times.as_ref().map(|t| rfc3339(&t.end)),
            approach_h: s.times.as_ref().map(|t| round(t.approach_h, 2)),
            rest_h: s.times.as_ref().map(|t| round(t.rest_h, 2)),
            sunrise: s
                .times
                .as_ref()
                .and_then(|t| t.sunrise.as_ref())
                .map(rfc3339),
            sunset: s
                .times
                .as_ref()
                .and_then(|t| t.sunset.as_ref())
                .map(rfc3339),
            daylight_margin_h: s
                .times
                .as_ref()
                .and_then(|t| t.margin_h)
                .map(|h| round(h, 2)),
        }
    }
}

/// A local time as RFC 3339 to the second, with its offset.
fn rfc3339(t: &chrono::DateTime<chrono::FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}
