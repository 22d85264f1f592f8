//! `GET /v1/coverage`: the areas the service has data for, as GeoJSON (the map page's
//! first view); `GET /v1/places?q=..`: trailheads, highlights and places to sleep of
//! those areas by name (the page's place search, with no outside geocoder).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::ApiQuery;
use super::loop_json::degrees;
use crate::domain::FieldError;
use crate::error::{ApiError, Problem};
use crate::plan::coverage::CoveredRegion;
use crate::plan::MapTrails;
use trailloop_geo::Coord;

/// Most places one search answers.
pub const MAX_PLACES: u32 = 50;
/// Places a search answers when not told.
const DEFAULT_PLACES: u32 = 10;
/// The longest query.
pub const MAX_QUERY_CHARS: usize = 100;

/// A region's covered area.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageGeometry {
    /// Always `MultiPolygon`.
    #[serde(rename = "type")]
    #[schema(example = "MultiPolygon")]
    pub type_: &'static str,
    /// One rectangle per covered square: `[[[lon, lat], ...]]`, closed, counter-clockwise.
    #[schema(value_type = Vec<Vec<Vec<Vec<f64>>>>)]
    pub coordinates: Vec<[[[f64; 2]; 5]; 1]>,
}

/// What a covered area is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageProperties {
    /// The region's name.
    #[schema(example = "andorra")]
    pub region: String,
    /// Its trailheads.
    pub trailheads: usize,
}

/// One region as a GeoJSON Feature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub type_: &'static str,
    /// Its area.
    pub geometry: CoverageGeometry,
    /// What it is.
    pub properties: CoverageProperties,
}

/// The covered areas, as a GeoJSON FeatureCollection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub type_: &'static str,
    /// The box around every covered area, `[west, south, east, north]`; absent when
    /// no region is loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f64; 4]>,
    /// One per region.
    pub features: Vec<CoverageFeature>,
    /// The attribution of the data shown: the operator's own (with its licence) for a
    /// region of own trails, then `© OpenStreetMap contributors` where OSM data went in.
    pub attribution: String,
}

fn feature(r: &CoveredRegion) -> CoverageFeature {
    CoverageFeature {
        type_: "Feature",
        geometry: CoverageGeometry {
            type_: "MultiPolygon",
            coordinates: r
                .squares
                .iter()
                .map(|(sw, ne)| {
                    let (w, s, e, n) = (
                        degrees(sw.lon),
                        degrees(sw.lat),
                        degrees(ne.lon),
                        degrees(ne.lat),
                    );
                    [[[w, s], [e, s], [e, n], [w, n], [w, s]]]
                })
                .collect(),
        },
        properties: CoverageProperties {
            region: r.region.clone(),
            trailheads: r.trailheads,
        },
    }
}

/// The areas with data: each region's covered squares, and the box around them all.
#[utoipa::path(
    get,
    path = "/v1/coverage",
    tag = "map",
    responses(
        (status = 200, description = "The covered areas", body = CoverageCollection, content_type = "application/geo+json"),
        (status = 503, description = "Database unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(trails: web::Data<MapTrails>) -> Result<HttpResponse, ApiError> {
    let regions = trails.coverage().await?;
    let attribution = crate::store::combined_attribution(regions.iter().map(|r| &r.origin));
    let bbox = regions
        .iter()
        .flat_map(|r| &r.squares)
        .fold(None, |b: Option<[f64; 4]>, (sw, ne)| {
            let [w, s, e, n] = b.unwrap_or([sw.lon, sw.lat, ne.lon, ne.lat]);
            Some([w.min(sw.lon), s.min(sw.lat), e.max(ne.lon), n.max(ne.lat)])
        })
        .map(|b| b.map(degrees));
    let body = CoverageCollection {
        type_: "FeatureCollection",
        bbox,
        features: regions.iter().map(feature).collect(),
        attribution,
    };
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .json(body))
}

/// `GET /v1/places` parameters.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlacesQuery {
    /// Part of a name, as typed (case and accents do not matter), at most 100
    /// characters; under 2 characters finds nothing.
    #[param(example = "sorteny", max_length = 100)]
    pub q: String,
    /// Places to answer, 1..=50 (default 10).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u32>,
}

/// A place found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceJson {
    /// Its name, as OSM has it.
    #[schema(example = "Refugi de Sorteny")]
    pub name: String,
    /// `trailhead`, `parking`, `road_junction`, `trail_end` (trailheads), `peak`, `lake`,
    /// `waterfall`, `viewpoint`, `hut` (highlights), `camp_site`, `shelter`, `lodging`
    /// (places to sleep), or `city`, `town`, `village`, `hamlet`, `suburb`,
    /// `neighbourhood` (settlements, OSM `place=*`).
    #[schema(example = "hut")]
    pub kind: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// The region it is in.
    pub region: String,
}

/// The answer of `/v1/places`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlacesResponse {
    /// Names starting with the query first, then shorter names.
    pub places: Vec<PlaceJson>,
    /// The attribution of the data shown: the operator's own (with its licence) for a
    /// region of own trails, then `© OpenStreetMap contributors` where OSM data went in.
    pub attribution: String,
}

/// Trailheads, highlights and places to sleep whose name holds `q`.
#[utoipa::path(
    get,
    path = "/v1/places",
    tag = "map",
    params(PlacesQuery),
    responses(
        (status = 200, description = "Places by name, best match first", body = PlacesResponse),
        (status = 422, description = "Invalid parameters, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn places(
    trails: web::Data<MapTrails>,
    query: ApiQuery<PlacesQuery>,
) -> Result<HttpResponse, ApiError> {
    let PlacesQuery { q, limit } = query.0;
    let mut errors = Vec::new();
    if q.chars().count() > MAX_QUERY_CHARS {
        errors.push(FieldError::new(
            "q",
            format!("at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = limit.unwrap_or(DEFAULT_PLACES);
    if !(1..=MAX_PLACES).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be in 1..={MAX_PLACES}, got {limit}"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let found = trails.places(&q, limit as usize).await?;
    let (sw, ne) = found.iter().fold(
        (
            Coord {
                lon: 180.0,
                lat: 90.0,
            },
            Coord {
                lon: -180.0,
                lat: -90.0,
            },
        ),
        |(sw, ne), p| {
            (
                Coord {
                    lon: sw.lon.min(p.coord.lon),
                    lat: sw.lat.min(p.coord.lat),
                },
                Coord {
                    lon: ne.lon.max(p.coord.lon),
                    lat: ne.lat.max(p.coord.lat),
                },
            )
        },
    );
    let attribution = trails.attribution_in(sw, ne);
    Ok(HttpResponse::Ok().json(PlacesResponse {
        places: found
            .into_iter()
            .map(|p| PlaceJson {
                name: p.name,
                kind: p.kind,
                lat: degrees(p.coord.lat),
                lon: degrees(p.coord.lon),
                region: p.region,
            })
            .collect(),
        attribution,
    }))
}
