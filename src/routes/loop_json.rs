//! The JSON shape of planned loops and trailheads: what the web app reads, what a saved
//! plan stores. Summary numbers are rounded to what is meaningful (a metre, a tenth of a
//! metre of climb); positions to 1e-7 degrees, OpenStreetMap's own precision, so that
//! they lie on the trails.

use serde::{Deserialize, Serialize};
use trailloop_geo::Coord;
use trailloop_solver::LoopKind;
use utoipa::ToSchema;

use crate::domain::{TrailheadRecord, TripDates, Units, FT_PER_M, KM_PER_MI};
use crate::plan::elevation::{elevation_profile, ElevationProfile};
use crate::plan::{
    Difficulty, Drive, DriveMethod, DriveSummary, LoopsAnswer, PlannedLoop, TrailheadStart,
    DURATION_MODEL,
};

pub use super::stage_json::{NightJson, StageJson, WaterJson};

/// How many trailheads an answer looked at.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct TrailheadCountsJson {
    /// Within the drive limit.
    pub reachable: usize,
    /// Weighed by what they promise for the request.
    pub weighed: usize,
    /// Solved from.
    pub solved: usize,
}

/// The OpenStreetMap attribution every answer built from OSM data carries (ODbL).
pub const ATTRIBUTION: &str = trailloop_osm::OSM_ATTRIBUTION;

pub(crate) fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// Degrees to OpenStreetMap's precision (1e-7, about a centimetre).
pub(crate) fn degrees(x: f64) -> f64 {
    round(x, 7)
}

/// Kilometres as miles, to the nearest 10 m or so.
pub(crate) fn miles(km: f64) -> f64 {
    round(km / KM_PER_MI, 3)
}

/// Metres as feet, to the foot.
pub(crate) fn feet(m: f64) -> f64 {
    (m * FT_PER_M).round()
}

/// How the drives of an answer were found.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DriveDistanceJson {
    /// `road_network` (the fastest route on the region's roads from the origin's nearest
    /// road), `straight_line_estimate` (the straight line times `circuity_factor` at
    /// 50 km/h, where a region has no road graph or the origin is nowhere near its
    /// roads), or `mixed` when trailheads of both kinds are in the answer; each
    /// trailhead's `drive_method` says which applies to it.
    #[schema(example = "road_network")]
    pub method: String,
    /// From the origin to the road its drive starts on, km (absent without a road
    /// graph).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin_to_road_km: Option<f64>,
    /// The factor straight-line estimates use.
    #[schema(example = 1.3)]
    pub circuity_factor: f64,
}

impl DriveDistanceJson {
    /// How `drive` was found.
    pub fn new(drive: &DriveSummary) -> DriveDistanceJson {
        let method = match drive.methods.as_slice() {
            [one] => one.as_str(),
            [] => DriveMethod::RoadNetwork.as_str(),
            _ => "mixed",
        };
        DriveDistanceJson {
            method: method.into(),
            origin_to_road_km: drive.origin_off_road_m.map(|m| round(m / 1000.0, 3)),
            circuity_factor: drive.circuity_factor,
        }
    }
}

/// A trailhead as shown with a loop or in a search.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrailheadJson {
    /// Id, usable as `trailhead_id`.
    pub id: i64,
    /// Its name: the data's (OSM's, or the operator's), else one made from the road it
    /// is on ("Brush Ridge Road parking"), the nearest named feature within 1 km
    /// ("Parking near Greenwood Lake"), the trail it starts, or its place
    /// (`name_derived` true). Absent only in a region imported before every trailhead
    /// was named.
    pub name: Option<String>,
    /// Whether `name` was made by the service rather than given by the data.
    #[serde(default)]
    pub name_derived: bool,
    /// `trailhead`, `parking`, `road_junction`, or `trail_end` (found in own trails
    /// alone: where a trail ends or a named trail starts).
    pub kind: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Drive from the origin, km: the fastest route's length (see `drive_method`);
    /// absent when no road leads there.
    pub drive_km: Option<f64>,
    /// The same in miles.
    #[serde(default)]
    pub drive_mi: Option<f64>,
    /// Drive time from the origin, minutes; absent when no road leads there.
    pub drive_minutes: Option<f64>,
    /// How the drive was found: `road_network`, `straight_line_estimate`, or
    /// `not_reached` (no road within 300 m of the trailhead, or none that leads there
    /// within the search).
    #[serde(default = "not_reached")]
    pub drive_method: String,
    /// With a loop, the way the drive goes by road (`drive_method` `road_network`): a
    /// LineString from the origin to the trailhead, along the roads the drive search
    /// took; absent for an estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drive_geometry: Option<LineStringJson>,
}

fn not_reached() -> String {
    "not_reached".into()
}

impl TrailheadJson {
    /// A trailhead and its drive, if any.
    pub fn new(t: &TrailheadRecord, drive: Option<&Drive>) -> TrailheadJson {
        TrailheadJson {
            id: t.id,
            name: t.name.clone(),
            name_derived: t.name_derived,
            kind: t.kind.as_str().into(),
            lat: degrees(t.coord.lat),
            lon: degrees(t.coord.lon),
            drive_km: drive.map(|d| round(d.km, 3)),
            drive_mi: drive.map(|d| miles(d.km)),
            drive_minutes: drive.map(|d| round(d.minutes, 1)),
            drive_method: drive.map_or_else(not_reached, |d| d.method.as_str().into()),
            drive_geometry: None,
        }
    }
}

impl From<&TrailheadStart> for TrailheadJson {
    fn from(c: &TrailheadStart) -> TrailheadJson {
        TrailheadJson::new(&c.trailhead, Some(&c.drive))
    }
}

/// A GeoJSON LineString (RFC 7946): positions `[lon, lat]`, or `[lon, lat,
/// elevation in metres]` where the elevation of every vertex is known.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LineStringJson {
    /// Always `LineString`.
    #[serde(rename = "type")]
    #[schema(example = "LineString")]
    pub type_: String,
    /// Vertices, `[lon, lat]` or `[lon, lat, elevation_m]`; a loop's first equals its
    /// last.
    #[schema(value_type = Vec<Vec<f64>>, example = json!([[1.5211, 42.5078, 1023.4], [1.5219, 42.5081, 1030.1]]))]
    pub coordinates: Vec<Vec<f64>>,
}

impl LineStringJson {
    fn new(coords: &[Coord]) -> LineStringJson {
        LineStringJson::with_elevations(coords, None)
    }

    /// With elevations (one per vertex) as each position's third value.
    fn with_elevations(coords: &[Coord], elevations: Option<&[f64]>) -> LineStringJson {
        let coordinates = match elevations.filter(|z| z.len() == coords.len()) {
            Some(z) => coords
                .iter()
                .zip(z)
                .map(|(c, &z)| vec![degrees(c.lon), degrees(c.lat), round(z, 1)])
                .collect(),
            None => coords
                .iter()
                .map(|c| vec![degrees(c.lon), degrees(c.lat)])
                .collect(),
        };
        LineStringJson {
            type_: "LineString".into(),
            coordinates,
        }
    }
}

/// Elevation against distance along the loop (its `geometry`, from its first vertex).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProfileJson {
    /// Distance between samples, metres: 50, or more for loops over 50 km (at most
    /// 1,000 steps, the step rounded up to 10 m).
    #[schema(example = 50.0)]
    pub step_m: f64,
    /// `[distance_km, elevation_m]` every `step_m` from 0, and at the loop's end.
    #[schema(value_type = Vec<Vec<f64>>, example = json!([[0.0, 1023.4], [0.05, 1026.0]]))]
    pub points: Vec<[f64; 2]>,
}

impl From<ElevationProfile> for ProfileJson {
    fn from(p: ElevationProfile) -> ProfileJson {
        ProfileJson {
            step_m: p.step_m,
            points: p
                .points
                .into_iter()
                .map(|(d, z)| [round(d / 1000.0, 3), round(z, 1)])
                .collect(),
        }
    }
}

/// A stretch on one trail.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SegmentJson {
    /// Trail name, when it has one.
    pub name: Option<String>,
    /// OSM highway class, e.g. `path`, `track`.
    pub highway: String,
    /// Length, km.
    pub distance_km: f64,
}

/// The walk from the trailhead to the loop, when the trailhead is not on it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApproachJson {
    /// One way, km (walked there at the start and back at the end).
    pub distance_km: f64,
    /// From the trailhead to the loop's first vertex.
    pub geometry: LineStringJson,
}

/// What the loop walks on and through, as shares of its length (0..1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BreakdownJson {
    /// On paths, footways, bridleways, steps, cycleways and pedestrian ways.
    pub path_share: f64,
    /// On tracks.
    pub track_share: f64,
    /// On roads cars use.
    pub road_share: f64,
    /// On ways of hiking routes (`route=hiking|foot`).
    pub route_share: f64,
    /// In or beside nature of any kind below.
    pub nature_share: f64,
    /// In forests and woods.
    pub forest_share: f64,
    /// Within 30 m of water or a watercourse.
    pub water_share: f64,
    /// On open mountain land, meadows and moors.
    pub open_share: f64,
    /// In parks, nature reserves and protected areas.
    pub protected_share: f64,
    /// Junctions of three or more ways passed per km: the hiker's decision points.
    pub junctions_per_km: f64,
    /// Junction turns per km: where the loop leaves the way it is on (bending more than
    /// 45 degrees), the places a hiker must not walk past. Absent from plans saved
    /// before it was reported.
    #[serde(default)]
    pub turns_per_km: f64,
}

/// A highlight the loop passes (within 150 m).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HighlightJson {
    /// `peak`, `viewpoint`, `waterfall`, `lake` or `hut`.
    #[schema(example = "peak")]
    pub kind: String,
    /// Name from OSM.
    pub name: Option<String>,
    /// The OSM element (a node, or a way or relation for a lake).
    pub osm_id: i64,
    /// Latitude of its point nearest the loop.
    pub lat: f64,
    /// Longitude of that point.
    pub lon: f64,
    /// A peak's elevation, m.
    pub elevation_m: Option<f64>,
    /// Where along the loop it comes, km.
    pub at_km: f64,
}

/// How a loop ranks by the service's one score (`trailloop_solver::Score`): `tier`
/// first, then `cost`. Comparable between the loops of one answer and between answers
/// to the same request with another drive limit (the drive costs as its share of the
/// limit, so the same loop costs less under a wider one).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
pub struct ScoreJson {
    /// 0: a true loop within the tolerance; 1: within it with stretches walked twice
    /// (a lollipop, an out-and-back); 2: farther off the asked length.
    pub tier: u8,
    /// Lower is better; compared only within a tier.
    pub cost: f64,
}

/// One planned loop.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoopJson {
    /// A name a hiker recognises, made only from what the loop passes: its best-known
    /// highlights, else its longest named trail, and its trailhead ("Estany Primer and
    /// Pic de Casamanya from Coll d'Ordino"); no two loops of an answer share one.
    #[serde(default)]
    #[schema(example = "Estany Primer and Pic de Casamanya from Coll d'Ordino")]
    pub name: String,
    /// 1 for the best.
    pub rank: usize,
    /// Where it starts and ends.
    pub trailhead: TrailheadJson,
    /// Days of walking it is planned for: those asked, or a nearby number when no
    /// plan of the asked days exists (`message` says why).
    #[serde(default = "one_day")]
    pub days: u32,
    /// The length it was planned for, km: the asked one (for `target_hours`, the length
    /// that time walks here), or a nearby one (likewise).
    #[serde(default)]
    pub target_km: f64,
    /// The same in miles.
    #[serde(default)]
    pub target_mi: f64,
    /// Whether its nights are spent back at the trailhead, one loop a day
    /// (`preferences.base_camp`).
    #[serde(default)]
    pub base_camp: bool,
    /// Length, km: the loop's own, from where the approach reaches it.
    pub distance_km: f64,
    /// Length, miles.
    #[serde(default)]
    pub distance_mi: f64,
    /// What the hiker walks, km: the loop and its approach from the trailhead there and
    /// back (every day of a base-camp plan). The summary and GPX use it.
    #[serde(default)]
    pub total_km: f64,
    /// The same in miles.
    #[serde(default)]
    pub total_mi: f64,
    /// The walking time of `total_km`, hours, by the model named in `duration_model`
    /// (no rests: a dated plan's days add them, see `stages[].rest_h`).
    #[serde(default)]
    pub total_duration_h: f64,
    /// Total climb, m.
    pub ascent_m: f64,
    /// Total climb, ft.
    #[serde(default)]
    pub ascent_ft: f64,
    /// Total descent, m.
    pub descent_m: f64,
    /// Total descent, ft.
    #[serde(default)]
    pub descent_ft: f64,
    /// Distance, climb, time and difficulty in a line, in the request's `units`.
    #[serde(default)]
    #[schema(example = "12.4 km, 850 m of climb, 4 h 5 min, moderate")]
    pub summary: String,
    /// `|distance - target| / target`.
    pub length_error: f64,
    /// Share of the length walked more than once, or beside another part of the loop
    /// (a street and its sidewalk, a trail mapped twice): 0 for a true loop, 1 for an
    /// out-and-back.
    pub sharing: f64,
    /// `4 pi A / P^2` of the loop's polygon (1 = circle, 0 = a line).
    pub compactness: f64,
    /// Walking time, hours, by the model named in `duration_model`.
    pub duration_h: f64,
    /// `easy`, `moderate`, `hard` or `expert`.
    pub difficulty: String,
    /// Hardest OSM `sac_scale` on the way, when tagged.
    pub max_sac_scale: Option<String>,
    /// `loop`, `lollipop` or `out_and_back`.
    pub kind: String,
    /// Whether the search proved this the best loop from its trailhead.
    pub proven_optimal: bool,
    /// How the loop ranks by the service's one score.
    #[serde(default)]
    pub score: ScoreJson,
    /// The loop on the trails, closed: from where the approach reaches it (the
    /// trailhead's node when there is no approach) back there; with each vertex's
    /// elevation where the network has elevations.
    pub geometry: LineStringJson,
    /// Elevation along `geometry`; absent where the network has no elevations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileJson>,
    /// The walk from the trailhead to the loop, when the trailhead is not on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approach: Option<ApproachJson>,
    /// What the loop walks on and through.
    pub breakdown: BreakdownJson,
    /// Highlights it passes, in order.
    pub highlights: Vec<HighlightJson>,
    /// Trail stretches in walking order.
    pub segments: Vec<SegmentJson>,
    /// The days, in order (one for a day hike).
    pub stages: Vec<StageJson>,
    /// The service's word for this loop, to save it: `POST /v1/plans` takes the loop
    /// with its token, unchanged, within `plans.token_ttl_hours` (an HMAC over every
    /// other field of the JSON form and the time it was answered; opaque).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub token: String,
}

fn one_day() -> u32 {
    1
}

fn difficulty_name(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Easy => "easy",
        Difficulty::Moderate => "moderate",
        Difficulty::Hard => "hard",
        Difficulty::Expert => "expert",
    }
}

fn kind_name(k: LoopKind) -> &'static str {
    match k {
        LoopKind::Loop => "loop",
        LoopKind::Lollipop => "lollipop",
        LoopKind::OutAndBack => "out_and_back",
    }
}

/// Distance, climb, time and difficulty in a line, the walk from the car included
/// ("5.4 km with the walk from the car, 320 m of climb, 1 h 8 min, moderate").
fn summary(l: &PlannedLoop, units: Units) -> String {
    let approach = l.approach.as_ref();
    let climb_m = l.ascent_m
        + approach.map_or(0.0, |a| a.ascent_m + a.descent_m)
            * if l.base_camp {
                f64::from(l.days.max(1))
            } else {
                1.0
            };
    let (distance, climb) = match units {
        Units::Metric => (
            format!("{:.1} km", l.total_m() / 1000.0),
            format!("{climb_m:.0} m"),
        ),
        Units::Imperial => (
            format!("{:.1} mi", l.total_m() / 1000.0 / KM_PER_MI),
            format!("{:.0} ft", climb_m * FT_PER_M),
        ),
    };
    let with = if approach.is_some() {
        " with the walk from the car"
    } else {
        ""
    };
    let minutes = (l.total_duration_h() * 60.0).round() as u64;
    format!(
        "{distance}{with}, {climb} of climb, {} h {} min, {}",
        minutes / 60,
        minutes % 60,
        difficulty_name(l.difficulty)
    )
}

impl LoopJson {
    /// The JSON of the `rank`-th loop, its summary in `units`.
    pub fn new(rank: usize, l: &PlannedLoop, units: Units) -> LoopJson {
        LoopJson {
            name: l.name.clone(),
            rank,
            trailhead: TrailheadJson {
                drive_geometry: l.drive_route.as_deref().map(LineStringJson::new),
                ..TrailheadJson::from(&l.trailhead)
            },
            days: l.days,
            target_km: round(l.target_m / 1000.0, 3),
            target_mi: miles(l.target_m / 1000.0),
            base_camp: l.base_camp,
            distance_km: round(l.distance_m / 1000.0, 3),
            distance_mi: miles(l.distance_m / 1000.0),
            total_km: round(l.total_m() / 1000.0, 3),
            total_mi: miles(l.total_m() / 1000.0),
            total_duration_h: round(l.total_duration_h(), 2),
            ascent_m: round(l.ascent_m, 1),
            ascent_ft: feet(l.ascent_m),
            descent_m: round(l.descent_m, 1),
            descent_ft: feet(l.descent_m),
            summary: summary(l, units),
            length_error: round(l.length_error, 4),
            sharing: round(l.sharing, 4),
            compactness: round(l.compactness, 4),
            duration_h: round(l.duration_h, 2),
            difficulty: difficulty_name(l.difficulty).into(),
            max_sac_scale: l.max_sac_scale.map(|s| s.as_str().into()),
            kind: kind_name(l.kind).into(),
            proven_optimal: l.proven_optimal,
            score: ScoreJson {
                tier: l.score.tier,
                cost: round(l.score.cost, 6),
            },
            geometry: LineStringJson::with_elevations(&l.geometry, l.elevations.as_deref()),
            profile: l
                .elevations
                .as_deref()
                .and_then(|z| elevation_profile(&l.geometry, z))
                .map(ProfileJson::from),
            approach: l.approach.as_ref().map(|a| ApproachJson {
                distance_km: round(a.distance_m / 1000.0, 3),
                geometry: LineStringJson::new(&a.geometry),
            }),
            breakdown: {
                let b = &l.breakdown;
                BreakdownJson {
                    path_share: round(b.path, 3),
                    track_share: round(b.track, 3),
                    road_share: round(b.road, 3),
                    route_share: round(b.route, 3),
                    nature_share: round(b.nature, 3),
                    forest_share: round(b.forest, 3),
                    water_share: round(b.water, 3),
                    open_share: round(b.open, 3),
                    protected_share: round(b.protected, 3),
                    junctions_per_km: round(b.junctions_per_km, 2),
                    turns_per_km: round(b.turns_per_km, 2),
                }
            },
            highlights: l
                .highlights
                .iter()
                .map(|h| HighlightJson {
                    kind: h.kind.as_str().into(),
                    name: h.name.clone(),
                    osm_id: h.osm_id,
                    lat: h.coord.lat,
                    lon: h.coord.lon,
                    elevation_m: h.elevation_m.map(|e| round(e, 1)),
                    at_km: round(h.at_m / 1000.0, 3),
                })
                .collect(),
            segments: l
                .segments
                .iter()
                .map(|s| SegmentJson {
                    name: s.name.clone(),
                    highway: s.highway.as_str().into(),
                    distance_km: round(s.distance_km, 3),
                })
                .collect(),
            stages: l
                .stages
                .iter()
                .map(|s| StageJson::new(s, &l.trailhead))
                .collect(),
            token: String::new(),
        }
    }
}

/// The answer of `/v1/loops`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoopsResponse {
    /// Best first; empty when nothing fits (see `message`).
    pub loops: Vec<LoopJson>,
    /// The attribution of the data shown: the operator's own (with its licence) for a
    /// region of own trails, then `© OpenStreetMap contributors` where OSM data went in.
    #[schema(example = "© OpenStreetMap contributors")]
    pub attribution: String,
    /// Walking-time model of `duration_h`: always `naismith` (1 h per 5 km plus 1 h per
    /// 600 m of climb).
    #[schema(example = "naismith")]
    pub duration_model: String,
    /// How `drive_km` is estimated.
    pub drive_distance: DriveDistanceJson,
    /// Trailheads weighed for the answer (as `trailheads.weighed`; kept for clients that
    /// read it).
    pub trailheads_considered: usize,
    /// The trailheads within the drive (`reachable`), weighed by what they promise for
    /// the request (`weighed`: all reachable ones unless the service bounds them, then
    /// `warnings` says so) and solved from (`solved`).
    pub trailheads: TrailheadCountsJson,
    /// Why there are fewer loops than asked for, when there are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Caveats, e.g. that the time budget cut the search short.
    pub warnings: Vec<String>,
    /// The units of the loops' `summary` lines, as asked.
    pub units: Units,
    /// The dates planned for (`start_date`), or that the plan is for no date.
    pub calendar: CalendarJson,
    /// When the best loop is mostly on roads cars use (more than half its length), or
    /// there is none: the shortest longer drive whose best loop is on trails (at most
    /// 15 % on roads), confirmed by planning the request with it. Absent when the first
    /// loop is on trails, or no drive within the search (3 times the asked one, at least
    /// 60 km or minutes, by default) reaches one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<SuggestionJson>,
}

/// A longer drive whose best loop is on trails.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SuggestionJson {
    /// The drive to ask for, km (the asked limit widened, rounded up to a whole km;
    /// of a drive asked by time, the drive to the loop's trailhead).
    pub max_drive_km: f64,
    /// The same in miles.
    pub max_drive_mi: f64,
    /// The drive to ask for, minutes (likewise).
    pub max_drive_minutes: f64,
    /// Why, in a sentence.
    #[schema(
        example = "the best loop within a drive of 15 km is 93 % on roads; a drive of 37 km reaches one on trails"
    )]
    pub reason: String,
    /// The best loop of the request with that drive.
    #[serde(rename = "loop")]
    pub best: SuggestedLoopJson,
}

/// The loop a suggested drive reaches.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SuggestedLoopJson {
    /// Its name, as that request names it.
    pub name: String,
    /// Its share on roads cars use, 0..1.
    pub road_share: f64,
    /// Where it starts, with the drive there.
    pub trailhead: TrailheadJson,
}

impl SuggestionJson {
    fn new(s: &crate::plan::suggest::Suggestion) -> SuggestionJson {
        let km = if s.limit.metres.is_finite() {
            s.limit.metres / 1000.0
        } else {
            s.drive.km.ceil()
        };
        let minutes = if s.limit.seconds.is_finite() {
            s.limit.seconds / 60.0
        } else {
            s.drive.minutes.ceil()
        };
        SuggestionJson {
            max_drive_km: km,
            max_drive_mi: (km / KM_PER_MI * 10.0).ceil() / 10.0,
            max_drive_minutes: minutes,
            reason: s.reason.clone(),
            best: SuggestedLoopJson {
                name: s.loop_name.clone(),
                road_share: round(s.road_share, 4),
                trailhead: TrailheadJson::new(&s.trailhead, Some(&s.drive)),
            },
        }
    }
}

/// What dates an answer was planned for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CalendarJson {
    /// Whether the request gave `start_date`: then each day ends before sunset with
    /// `daylight_margin_h` to spare, nights are at places open that night, ways closed
    /// to walkers on a day of the trip are not walked, and the stages have dates and
    /// times.
    pub planned_for_date: bool,
    /// The first day of walking, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// When walking starts each day, `HH:MM`, local time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// The IANA time zone at the origin (stage times carry each trailhead's offset).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Europe/Andorra")]
    pub time_zone: Option<String>,
    /// Each day ends at least this many hours before sunset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daylight_margin_h: Option<f64>,
    /// Minutes of rest per walking hour each day's end time counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest_minutes_per_hour: Option<f64>,
    /// What planning for (or without) a date means for this answer.
    pub note: String,
}

impl CalendarJson {
    fn new(dates: Option<&(TripDates, chrono_tz::Tz)>) -> CalendarJson {
        match dates {
            None => CalendarJson {
                planned_for_date: false,
                start_date: None,
                start_time: None,
                time_zone: None,
                daylight_margin_h: None,
                rest_minutes_per_hour: None,
                note: "planned for no particular date: daylight, opening hours and seasonal \
                       closures were not taken into account (give start_date for them)"
                    .into(),
            },
            Some((d, zone)) => CalendarJson {
                planned_for_date: true,
                start_date: Some(d.start_date.to_string()),
                start_time: Some(d.start_time.format("%H:%M").to_string()),
                time_zone: Some(zone.name().into()),
                daylight_margin_h: Some(d.daylight_margin_h),
                rest_minutes_per_hour: Some(round((d.day_factor() - 1.0) * 60.0, 1)),
                note: format!(
                    "planned for {} from {}: every day, with the walk from the car and \
                     {:.0} min of rest per walking hour, ends {:.0} min before sunset or \
                     earlier, nights only at places not closed that night, no way closed \
                     to walkers on the trip's days",
                    d.start_date,
                    d.start_time.format("%H:%M"),
                    (d.day_factor() - 1.0) * 60.0,
                    d.daylight_margin_h * 60.0
                ),
            },
        }
    }
}

impl LoopsResponse {
    /// The answer, summaries in `units`, with the attribution of the data it shows.
    pub fn new(a: &LoopsAnswer, units: Units, attribution: String) -> LoopsResponse {
        LoopsResponse {
            units,
            loops: a
                .loops
                .iter()
                .enumerate()
                .map(|(i, l)| LoopJson::new(i + 1, l, units))
                .collect(),
            attribution,
            duration_model: DURATION_MODEL.into(),
            drive_distance: DriveDistanceJson::new(&a.drive),
            trailheads_considered: a.trailheads.weighed,
            trailheads: TrailheadCountsJson {
                reachable: a.trailheads.reachable,
                weighed: a.trailheads.weighed,
                solved: a.trailheads.solved,
            },
            message: a.message.clone(),
            warnings: a.warnings.clone(),
            calendar: CalendarJson::new(a.dates.as_ref()),
            suggestion: a.suggestion.as_ref().map(SuggestionJson::new),
        }
    }

    /// The same with every loop's token, as answered at `now`.
    pub fn signed(
        mut self,
        tokens: &crate::tokens::PlanTokens,
        now: std::time::SystemTime,
    ) -> serde_json::Result<LoopsResponse> {
        for l in &mut self.loops {
            l.token = tokens.issue(&serde_json::to_value(&*l)?, now);
        }
        Ok(self)
    }
}
