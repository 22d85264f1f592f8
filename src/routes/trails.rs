//! `GET /v1/network?bbox=..`: the trails of an area as GeoJSON, for a map to draw under
//! its loops (and without background tiles, as the map itself).

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::ApiQuery;
use super::geojson;
use super::loop_json::{degrees, ATTRIBUTION};
use crate::domain::{Area, NetworkQuery};
use crate::error::{ApiError, Problem};
use crate::plan::trails::TrailLine;
use crate::startup::AppState;

/// A trail's line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrailLineGeometry {
    /// Always `LineString`.
    #[serde(rename = "type")]
    #[schema(example = "LineString")]
    pub type_: &'static str,
    /// `[lon, lat]` vertices.
    #[schema(value_type = Vec<Vec<f64>>)]
    pub coordinates: Vec<[f64; 2]>,
}

/// What a trail is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrailProperties {
    /// OSM highway class (`path`, `track`, `residential`, ...).
    #[schema(example = "path")]
    pub highway: &'static str,
    /// Whether cars use it.
    pub road: bool,
    /// Its name.
    pub name: Option<String>,
}

/// One trail as a GeoJSON Feature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrailFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub type_: &'static str,
    /// Its line.
    pub geometry: TrailLineGeometry,
    /// What it is.
    pub properties: TrailProperties,
}

/// The trails of an area, as a GeoJSON FeatureCollection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrailsCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub type_: &'static str,
    /// The area's box as served, `[west, south, east, north]`.
    pub bbox: [f64; 4],
    /// The trails meeting it.
    pub features: Vec<TrailFeature>,
    /// Whether trails were left out (at most 20,000 are given).
    pub truncated: bool,
    /// Always `© OpenStreetMap contributors`.
    pub attribution: &'static str,
}

impl From<TrailLine> for TrailFeature {
    fn from(t: TrailLine) -> TrailFeature {
        TrailFeature {
            type_: "Feature",
            geometry: TrailLineGeometry {
                type_: "LineString",
                coordinates: t
                    .line
                    .into_iter()
                    .map(|[lon, lat]| [degrees(lon), degrees(lat)])
                    .collect(),
            },
            properties: TrailProperties {
                highway: t.highway.as_str(),
                road: t.highway.is_road(),
                name: t.name.map(|n| n.to_string()),
            },
        }
    }
}

/// The trails of an area.
#[utoipa::path(
    get,
    path = "/v1/network",
    tag = "loops",
    params(NetworkQuery),
    responses(
        (status = 200, description = "The trails meeting the area", body = TrailsCollection, content_type = "application/geo+json"),
        (status = 422, description = "Not four numbers", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unreachable; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    query: ApiQuery<NetworkQuery>,
) -> Result<HttpResponse, ApiError> {
    let area = Area::parse(&query.0.bbox).map_err(|e| ApiError::Validation(vec![e]))?;
    let trails = state.trails.of_area(&area).await?;
    // Up to thousands of lines.
    let body = super::off_worker("writing trails", move || {
        serde_json::to_vec(&TrailsCollection {
            type_: "FeatureCollection",
            bbox: [
                area.south_west.lon,
                area.south_west.lat,
                area.north_east.lon,
                area.north_east.lat,
            ]
            .map(degrees),
            features: trails.lines.into_iter().map(TrailFeature::from).collect(),
            truncated: trails.truncated,
            attribution: ATTRIBUTION,
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(geojson::content_type())
        .body(body))
}
