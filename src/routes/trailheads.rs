//! `GET /v1/trailheads`: places to start near a point, nearest first.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::ApiQuery;
use super::loop_json::{DriveDistanceJson, TrailheadJson};
use crate::domain::{TrailheadQuery, TrailheadSearch};
use crate::error::{ApiError, Problem};
use crate::plan::TrailheadFinder;

/// A trailhead and how far it is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NearbyTrailheadJson {
    /// The trailhead and the drive to it from the search centre.
    #[serde(flatten)]
    pub trailhead: TrailheadJson,
    /// Straight-line distance from the search centre, km.
    pub distance_km: f64,
}

/// The answer of `/v1/trailheads`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrailheadsResponse {
    /// Fastest drive first when a drive limit is given, else nearest first.
    pub trailheads: Vec<NearbyTrailheadJson>,
    /// How the drives were found.
    pub drive_distance: DriveDistanceJson,
    /// The attribution of the data shown: the operator's own (with its licence) for a
    /// region of own trails, then `© OpenStreetMap contributors` where OSM data went in.
    pub attribution: String,
}

/// Trailheads within a drive (`max_drive_km`, `max_drive_minutes`: by road, fastest
/// first) or a straight-line radius (`radius_km`: nearest first, with the drive to each
/// where a road leads there).
#[utoipa::path(
    get,
    path = "/v1/trailheads",
    tag = "trailheads",
    params(TrailheadQuery),
    responses(
        (status = 200, description = "Trailheads, fastest drive or nearest first", body = TrailheadsResponse),
        (status = 422, description = "Invalid parameters, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    finder: web::Data<TrailheadFinder>,
    query: ApiQuery<TrailheadQuery>,
) -> Result<HttpResponse, ApiError> {
    let search = TrailheadSearch::try_from(query.0).map_err(ApiError::Validation)?;
    let found = finder.find(&search).await?;
    let trailheads = found
        .trailheads
        .iter()
        .map(|(t, drive)| NearbyTrailheadJson {
            trailhead: TrailheadJson::new(t, drive.as_ref()),
            distance_km: t.distance_m.round() / 1000.0,
        })
        .collect();
    Ok(HttpResponse::Ok().json(TrailheadsResponse {
        trailheads,
        drive_distance: DriveDistanceJson::new(&found.drive),
        attribution: finder.attribution_of(
            found
                .trailheads
                .iter()
                .map(|(t, _)| t.version.region.as_str()),
        ),
    }))
}
