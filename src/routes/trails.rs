//! `GET /v1/network?bbox=..`: the trails of an area as GeoJSON, for a map to draw under
//! its loops (and without background tiles, as the map itself). An answer holds at most
//! [`MAX_BYTES`] of JSON: lines simplified to the box's scale, the longest first, and
//! when the box holds more than that, the shortest left out with `truncated` and a
//! `hint` to zoom in.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::ApiQuery;
use super::geojson;
use super::loop_json::{degrees, round};
use crate::domain::{Area, TrailsQuery};
use crate::error::{ApiError, Problem};
use crate::plan::trails::{TrailLine, Trails};
use crate::plan::MapTrails;

/// Most bytes of JSON one answer holds (1 MiB), whatever the box holds.
pub const MAX_BYTES: usize = 1 << 20;

/// Decimals of the lines' degrees: a tenth of a metre, finer than their simplification.
const LINE_DECIMALS: i32 = 6;

/// What a cut answer says.
const HINT: &str = "The box holds more trails than one answer carries (1 MiB): the \
    shortest are left out. Zoom in, or ask for a smaller box, for all of them.";

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
    /// Whether trails were left out: an answer holds at most 1 MiB (1,048,576 bytes) of
    /// JSON, and at most 20,000 lines. The lines come longest first, so a cut answer
    /// leaves out the shortest, all over the box.
    pub truncated: bool,
    /// When `truncated`: a word to zoom in (a smaller box gets every line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<&'static str>,
    /// The attribution of the data shown: the operator's own (with its licence) for a
    /// region of own trails, then `© OpenStreetMap contributors` where OSM data went in.
    pub attribution: String,
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
                    .map(|p| p.map(|x| round(x, LINE_DECIMALS)))
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

/// The trails of an area: lines simplified to the box's scale (within 1/4000 of its
/// longer side), longest first, in at most 1 MiB of JSON. When the box holds more, the
/// shortest lines are left out, `truncated` is true and `hint` says to zoom in.
#[utoipa::path(
    get,
    path = "/v1/network",
    tag = "loops",
    params(TrailsQuery),
    responses(
        (status = 200, description = "The trails meeting the area, at most 1 MiB of JSON", body = TrailsCollection, content_type = "application/geo+json"),
        (status = 422, description = "Not four numbers, or a box across the antimeridian", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unreachable, or the solver queue full; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
    )
)]
pub async fn get(
    trails: web::Data<MapTrails>,
    query: ApiQuery<TrailsQuery>,
) -> Result<HttpResponse, ApiError> {
    let area = Area::parse(&query.0.bbox).map_err(|e| ApiError::Validation(vec![e]))?;
    let attribution = trails.attribution_in(area.south_west, area.north_east);
    let trails = trails.of_area(&area).await?;
    // Up to thousands of lines.
    let body = super::off_worker("writing trails", move || {
        bounded_json(&area, trails, attribution)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(geojson::content_type())
        .body(body))
}

/// Counts the bytes written to it.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The answer's JSON, at most [`MAX_BYTES`]: as many of the lines, in their order, as
/// fit with the collection around them.
fn bounded_json(
    area: &Area,
    trails: Trails,
    attribution: String,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut features: Vec<TrailFeature> =
        trails.lines.into_iter().map(TrailFeature::from).collect();
    let collection = |features: Vec<TrailFeature>, truncated: bool| TrailsCollection {
        type_: "FeatureCollection",
        bbox: [
            area.south_west.lon,
            area.south_west.lat,
            area.north_east.lon,
            area.north_east.lat,
        ]
        .map(degrees),
        features,
        truncated,
        hint: truncated.then_some(HINT),
        attribution: attribution.clone(),
    };
    // The collection without features, as a cut answer writes it (its hint included):
    // at least as long as an uncut one's.
    let mut used = serde_json::to_vec(&collection(Vec::new(), true))?.len();
    let mut fit = 0;
    for f in &features {
        let mut size = Counter(usize::from(fit > 0)); // the comma before it
        serde_json::to_writer(&mut size, f)?;
        if used + size.0 > MAX_BYTES {
            break;
        }
        used += size.0;
        fit += 1;
    }
    let truncated = trails.truncated || fit < features.len();
    features.truncate(fit);
    serde_json::to_vec(&collection(features, truncated))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::Value;
    use trailloop_osm::Highway;

    use crate::routes::ATTRIBUTION;

    use super::*;

    fn lines(n: usize, vertices: usize) -> Trails {
        Trails {
            lines: (0..n)
                .map(|i| TrailLine {
                    highway: Highway::Path,
                    name: (i % 2 == 0).then(|| Arc::from(format!("Trail {i}").as_str())),
                    line: (0..vertices)
                        .map(|k| [1.5 + k as f64 * 1.234_567e-4, 42.5 + i as f64 * 1e-5])
                        .collect(),
                })
                .collect(),
            truncated: false,
        }
    }

    #[test]
    fn an_answer_holds_every_line_that_fits_in_a_mebibyte_and_says_when_it_is_cut() {
        let area = Area::parse("1.3,42.3,1.8,42.8").unwrap();
        let small = bounded_json(&area, lines(100, 10), ATTRIBUTION.into()).unwrap();
        let v: Value = serde_json::from_slice(&small).unwrap();
        assert_eq!(v["features"].as_array().unwrap().len(), 100);
        assert_eq!(v["truncated"], false);
        assert!(v.get("hint").is_none(), "{}", v["hint"]);
        // Six decimals, simplified elsewhere; the first line first.
        assert_eq!(v["features"][0]["geometry"]["coordinates"][1][0], 1.500123);
        assert_eq!(v["features"][0]["properties"]["name"], "Trail 0");

        let big = bounded_json(&area, lines(20_000, 30), ATTRIBUTION.into()).unwrap();
        assert!(big.len() <= MAX_BYTES, "{} bytes", big.len());
        let v: Value = serde_json::from_slice(&big).unwrap();
        let kept = v["features"].as_array().unwrap();
        // Every line is about 640 bytes: all but the last one's room is used.
        assert!(big.len() > MAX_BYTES - 700, "{} bytes", big.len());
        assert!(kept.len() > 1000 && kept.len() < 20_000, "{}", kept.len());
        assert_eq!(v["truncated"], true);
        assert!(v["hint"].as_str().unwrap().contains("Zoom in"));
        // The lines kept are the first ones, in order.
        for (i, f) in kept.iter().enumerate() {
            let lat = f["geometry"]["coordinates"][0][1].as_f64().unwrap();
            assert!((lat - (42.5 + i as f64 * 1e-5)).abs() < 1e-9, "{i}: {lat}");
        }
    }

    #[test]
    fn lines_left_out_before_are_said_too() {
        let area = Area::parse("1.3,42.3,1.8,42.8").unwrap();
        let mut few = lines(3, 2);
        few.truncated = true;
        let v: Value =
            serde_json::from_slice(&bounded_json(&area, few, ATTRIBUTION.into()).unwrap()).unwrap();
        assert_eq!(v["features"].as_array().unwrap().len(), 3);
        assert_eq!(v["truncated"], true);
        assert!(v["hint"].is_string());
    }
}
