//! GeoJSON answers (RFC 7946): `/v1/loops` asked with `Accept: application/geo+json`
//! gives one Feature per loop, and `/v1/network` the trails around a place. Positions
//! are `[lon, lat]` or `[lon, lat, elevation]` in WGS 84; lines have no winding.

use actix_web::http::header::{self, HeaderValue};
use actix_web::HttpRequest;
use serde::Serialize;
use utoipa::ToSchema;

use super::loop_json::{LineStringJson, LoopJson, LoopsResponse, TrailheadCountsJson};
use crate::domain::Units;

/// The media type.
pub const GEO_JSON: &str = "application/geo+json";

/// Whether the client prefers GeoJSON to plain JSON. Each type weighs what its most
/// specific range in `Accept` gives it (RFC 9110: its own entry, else `application/*`,
/// else `*/*`); GeoJSON wins when it weighs more, or as much when it was named and
/// plain JSON was not.
pub fn wants_geojson(req: &HttpRequest) -> bool {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    // The weight of the entry for exactly `range`, when there is one.
    let entry = |range: &str| -> Option<f32> {
        accept.split(',').find_map(|part| {
            let mut fields = part.split(';').map(str::trim);
            if !fields.next()?.eq_ignore_ascii_case(range) {
                return None;
            }
            Some(
                fields
                    .find_map(|f| f.strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.parse::<f32>().ok())
                    .unwrap_or(0.0),
            )
        })
    };
    let wildcard = entry("application/*").or_else(|| entry("*/*"));
    let geo_named = entry(GEO_JSON);
    let json_named = entry("application/json");
    let geo = geo_named.or(wildcard).unwrap_or(0.0);
    let json = json_named.or(wildcard).unwrap_or(0.0);
    geo > 0.0 && (geo > json || (geo == json && geo_named.is_some() && json_named.is_none()))
}

/// The content type header value.
pub fn content_type() -> (header::HeaderName, HeaderValue) {
    (header::CONTENT_TYPE, HeaderValue::from_static(GEO_JSON))
}

/// A loop as a GeoJSON Feature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoopFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub type_: &'static str,
    /// The loop's rank.
    pub id: usize,
    /// The loop's `geometry`.
    pub geometry: LineStringJson,
    /// The loop's other fields, as in the JSON answer (without `geometry`).
    #[schema(value_type = Object)]
    pub properties: serde_json::Value,
}

/// The loops of an answer as a GeoJSON FeatureCollection, with the answer's other
/// fields as foreign members.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoopFeatureCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub type_: &'static str,
    /// One per loop, best first.
    pub features: Vec<LoopFeature>,
    /// Always `© OpenStreetMap contributors`.
    pub attribution: String,
    /// As in the JSON answer.
    pub duration_model: String,
    /// As in the JSON answer.
    pub trailheads_considered: usize,
    /// As in the JSON answer.
    pub trailheads: TrailheadCountsJson,
    /// As in the JSON answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// As in the JSON answer.
    pub warnings: Vec<String>,
    /// As in the JSON answer.
    pub units: Units,
    /// As in the JSON answer.
    pub calendar: super::loop_json::CalendarJson,
    /// As in the JSON answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<super::loop_json::SuggestionJson>,
}

impl LoopFeature {
    fn new(l: LoopJson) -> LoopFeature {
        let rank = l.rank;
        let geometry = l.geometry.clone();
        let mut properties = serde_json::to_value(l).unwrap_or_default();
        if let Some(map) = properties.as_object_mut() {
            map.remove("geometry");
        }
        LoopFeature {
            type_: "Feature",
            id: rank,
            geometry,
            properties,
        }
    }
}

impl From<LoopsResponse> for LoopFeatureCollection {
    fn from(r: LoopsResponse) -> LoopFeatureCollection {
        LoopFeatureCollection {
            type_: "FeatureCollection",
            features: r.loops.into_iter().map(LoopFeature::new).collect(),
            attribution: r.attribution,
            duration_model: r.duration_model,
            trailheads_considered: r.trailheads_considered,
            trailheads: r.trailheads,
            message: r.message,
            warnings: r.warnings,
            units: r.units,
            calendar: r.calendar,
            suggestion: r.suggestion,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn accepts(value: &str) -> bool {
        wants_geojson(
            &TestRequest::default()
                .insert_header((header::ACCEPT, value))
                .to_http_request(),
        )
    }

    #[test]
    fn geojson_only_when_preferred_over_json() {
        assert!(accepts("application/geo+json"));
        assert!(accepts("application/geo+json, application/json;q=0.9"));
        assert!(accepts("application/json;q=0.5, application/geo+json"));
        assert!(!accepts("application/json, application/geo+json"));
        assert!(!accepts("*/*"));
        assert!(!accepts("application/geo+json;q=0"));
        assert!(!accepts("application/geo+json;q=x"));
        assert!(
            accepts("application/geo+json, */*"),
            "named beats a wildcard"
        );
        assert!(accepts(
            "application/*;q=0.9, application/geo+json;q=0.8, application/json;q=0.5"
        ));
        assert!(!accepts("application/geo+json;q=0.5, */*"));
        assert!(!wants_geojson(&TestRequest::default().to_http_request()));
    }
}
