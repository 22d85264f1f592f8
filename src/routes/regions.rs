//! `GET /v1/regions`: each region's live import: its box, where its data came from, its
//! attribution, and what the import did (for own trails: ends snapped, lines split,
//! connected pieces and their share of the length; where the trailheads came from).

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::loop_json::degrees;
use crate::error::{ApiError, Problem};
use crate::plan::MapTrails;

/// Every region.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionsResponse {
    /// By name.
    pub regions: Vec<RegionJson>,
}

/// One region's live import.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionJson {
    /// Region name.
    #[schema(example = "albuquerque")]
    pub name: String,
    /// The live import's id (changes when the region is imported again).
    pub import_id: i64,
    /// `[west, south, east, north]`, degrees.
    pub bbox: [f64; 4],
    /// What answers from this region carry: the operator's attribution and licence,
    /// then OpenStreetMap's where its data went in.
    #[schema(example = "City of Albuquerque Open Data")]
    pub attribution: String,
    /// Whether OSM data went in (all of an OSM import; roads, nature and places around
    /// own trails when an extract was given).
    pub uses_osm: bool,
    /// What the import did, as it logged it: `own_trails`, `files`, `lines_left_out`,
    /// `named_trails`, `trailheads_from` (`osm`, `source` or `derived`), `attribution`,
    /// and for own trails `topology` (`tolerance_m`, `lines`, `ends_joined`,
    /// `ends_touching`, `ends_snapped`, `ends_loose`, `split_points`, `lines_split`,
    /// `pieces`, `length_km`, `largest_shares`). `{}` for an import made before reports
    /// were kept.
    #[schema(value_type = Object)]
    pub import: serde_json::Value,
}

/// Each region's live import and what it did.
#[utoipa::path(
    get,
    path = "/v1/regions",
    tag = "map",
    responses(
        (status = 200, description = "Every region", body = RegionsResponse),
        (status = 503, description = "Database unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(trails: web::Data<MapTrails>) -> Result<HttpResponse, ApiError> {
    let regions = trails.regions().await?;
    let regions = regions
        .into_iter()
        .map(|(r, origin)| RegionJson {
            attribution: origin.attribution_text(),
            name: r.version.region,
            import_id: r.version.import_id,
            bbox: [
                r.south_west.lon,
                r.south_west.lat,
                r.north_east.lon,
                r.north_east.lat,
            ]
            .map(degrees),
            uses_osm: origin.uses_osm,
            import: origin.report,
        })
        .collect();
    Ok(HttpResponse::Ok().json(RegionsResponse { regions }))
}
