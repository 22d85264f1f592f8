//! `GET /v1/trailheads`: places to start near a point, nearest first.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::ApiQuery;
use super::loop_json::{DriveDistanceJson, TrailheadJson, ATTRIBUTION};
use crate::domain::{TrailheadQuery, TrailheadSearch};
use crate::error::{ApiError, Problem};
use crate::startup::AppState;

/// A trailhead and how far it is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NearbyTrailheadJson {
    /// The trailhead; `drive_km` is the estimated drive from the search centre.
    #[serde(flatten)]
    pub trailhead: TrailheadJson,
    /// Straight-line distance from the search centre, km.
    pub distance_km: f64,
}

/// The answer of `/v1/trailheads`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrailheadsResponse {
    /// Nearest first.
    pub trailheads: Vec<NearbyTrailheadJson>,
    /// How `drive_km` is estimated.
    pub drive_distance: DriveDistanceJson,
    /// Always `© OpenStreetMap contributors`.
    pub attribution: String,
}

/// Trailheads within a straight-line radius.
#[utoipa::path(
    get,
    path = "/v1/trailheads",
    tag = "trailheads",
    params(TrailheadQuery),
    responses(
        (status = 200, description = "Trailheads, nearest first", body = TrailheadsResponse),
        (status = 422, description = "Invalid parameters, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    query: ApiQuery<TrailheadQuery>,
) -> Result<HttpResponse, ApiError> {
    let search = TrailheadSearch::try_from(query.0).map_err(ApiError::Validation)?;
    let found = state.planner.trailheads(&search).await?;
    let trailheads = found
        .iter()
        .map(|t| NearbyTrailheadJson {
            trailhead: TrailheadJson::from(t),
            distance_km: t.trailhead.distance_m.round() / 1000.0,
        })
        .collect();
    Ok(HttpResponse::Ok().json(TrailheadsResponse {
        trailheads,
        drive_distance: DriveDistanceJson::new(state.planner.circuity_factor()),
        attribution: ATTRIBUTION.into(),
    }))
}
