//! `GET /v1/trailheads?lat=..&lon=..&radius_km=..&limit=..`.

use serde::Deserialize;
use utoipa::IntoParams;

use super::{Coordinate, DistanceKm, FieldError, Problems};

/// Most trailheads one answer lists.
const MAX_LIMIT: usize = 200;

/// The query string.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrailheadQuery {
    /// Latitude of the search centre.
    pub lat: f64,
    /// Longitude of the search centre.
    pub lon: f64,
    /// Straight-line search radius, km, in (0, 300].
    pub radius_km: f64,
    /// Most trailheads to list, 1..=200 (default 50).
    pub limit: Option<usize>,
}

/// A checked trailhead search.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailheadSearch {
    /// Centre.
    pub origin: Coordinate,
    /// Radius.
    pub radius: DistanceKm,
    /// At most this many, nearest first.
    pub limit: usize,
}

impl TryFrom<TrailheadQuery> for TrailheadSearch {
    type Error = Vec<FieldError>;

    fn try_from(q: TrailheadQuery) -> Result<TrailheadSearch, Vec<FieldError>> {
        let mut p = Problems::default();
        let origin = match Coordinate::parse(q.lat, q.lon, "") {
            Ok(c) => Some(c),
            Err(e) => {
                p.0.extend(e);
                None
            }
        };
        let radius = p.check(DistanceKm::parse(q.radius_km, "radius_km", None));
        let limit = q.limit.unwrap_or(50);
        if !(1..=MAX_LIMIT).contains(&limit) {
            p.push("limit", format!("must be in 1..={MAX_LIMIT}, got {limit}"));
        }
        p.finish(|| TrailheadSearch {
            origin: origin.expect("checked"),
            radius: radius.expect("checked"),
            limit,
        })
    }
}
