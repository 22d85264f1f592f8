//! `GET /v1/trailheads?lat=..&lon=..&radius_km=..|max_drive_km=..|max_drive_minutes=..&limit=..`.

use serde::Deserialize;
use utoipa::IntoParams;

use trailloop_drive::DriveLimit;

use super::{parse_drive_limit, Coordinate, DistanceKm, FieldError, Problems};

/// Most trailheads one answer lists.
const MAX_LIMIT: usize = 200;

/// The query string.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrailheadQuery {
    /// Latitude of the search centre.
    #[param(minimum = -90.0, maximum = 90.0)]
    pub lat: f64,
    /// Longitude of the search centre.
    #[param(minimum = -180.0, maximum = 180.0)]
    pub lon: f64,
    /// Straight-line search radius, km, in (0, 300].
    #[param(exclusive_minimum = 0.0, maximum = 300.0)]
    pub radius_km: Option<f64>,
    /// Trailheads within this drive by road, km, in (0, 300]. One of `radius_km`,
    /// `max_drive_km`, `max_drive_mi` and `max_drive_minutes` is required.
    #[param(exclusive_minimum = 0.0, maximum = 300.0)]
    pub max_drive_km: Option<f64>,
    /// The same in miles, in (0, 186.4]; not with `max_drive_km`.
    #[param(exclusive_minimum = 0.0, maximum = 186.4)]
    pub max_drive_mi: Option<f64>,
    /// Trailheads within this drive time, minutes, in (0, 300].
    #[param(exclusive_minimum = 0.0, maximum = 300.0)]
    pub max_drive_minutes: Option<f64>,
    /// Most trailheads to list, 1..=200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
}

/// A checked trailhead search.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailheadSearch {
    /// Centre.
    pub origin: Coordinate,
    /// Straight-line radius, when given.
    pub radius: Option<DistanceKm>,
    /// Drive limit, when given: trailheads within it by road, by drive time first.
    pub drive: Option<DriveLimit>,
    /// At most this many, nearest first.
    pub limit: usize,
}

impl TryFrom<TrailheadQuery> for TrailheadSearch {
    type Error = Vec<FieldError>;

    fn try_from(q: TrailheadQuery) -> Result<TrailheadSearch, Vec<FieldError>> {
        let mut p = Problems::default();
        let origin = p.check_all(Coordinate::parse(q.lat, q.lon, ""));
        let radius = q
            .radius_km
            .and_then(|r| p.check(DistanceKm::parse(r, "radius_km", None)));
        let drive = if q.max_drive_km.is_some()
            || q.max_drive_mi.is_some()
            || q.max_drive_minutes.is_some()
        {
            p.check_all(parse_drive_limit(
                q.max_drive_km,
                q.max_drive_mi,
                q.max_drive_minutes,
            ))
        } else {
            if q.radius_km.is_none() {
                p.push(
                    "radius_km",
                    "one of radius_km, max_drive_km, max_drive_mi or max_drive_minutes is required",
                );
            }
            None
        };
        let limit = q.limit.unwrap_or(50);
        if !(1..=MAX_LIMIT).contains(&limit) {
            p.push("limit", format!("must be in 1..={MAX_LIMIT}, got {limit}"));
        }
        p.finish(|| TrailheadSearch {
            origin: origin.expect("checked"),
            radius,
            drive,
            limit,
        })
    }
}
