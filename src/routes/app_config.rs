//! `GET /app-config.json`: what the map page reads at start. Where its tiles come from,
//! and the bounds the service checks requests against, stated from the very constants
//! the checks use, so that the page keeps no copy of them and cannot drift from them.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpResponse};
use serde::Serialize;
use trailloop_places::PoiKind;
use utoipa::ToSchema;

use super::coverage::{MAX_PLACES, MAX_QUERY_CHARS};
use crate::domain::{
    Area, DistanceKm, FIRST_DATE, LAST_DATE, MAX_MI, MAX_NAME_CHARS, MAX_RESULTS, MIN_DAYS,
    MIN_TARGET_KM, MIN_TARGET_MI,
};
use crate::settings::WebSettings;

/// What the map page reads at start. The bounds are those of `POST /v1/loops` (and its
/// `GET` form), `GET /v1/network`, `POST /v1/plans` and `GET /v1/places`: a value out of
/// them is answered 422.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AppConfig {
    /// Tile URL template (`{z}/{x}/{y}`, `{s}` subdomains), or null: no background tiles.
    #[schema(example = "https://tile.openstreetmap.org/{z}/{x}/{y}.png")]
    pub tile_url: Option<String>,
    /// The tiles' attribution, HTML.
    pub tile_attribution: String,
    /// The tiles' deepest zoom.
    pub tile_max_zoom: u8,
    /// `days` of a loop request: whole days, both ends included.
    pub days: CountRange,
    /// `max_results` of a loop request: at most this many loops (at least 1).
    pub max_results: u32,
    /// `target_km` of a loop request, both ends included.
    pub target_km: NumberRange,
    /// `target_mi` of a loop request, both ends included.
    pub target_mi: NumberRange,
    /// `max_drive_km` of a loop request: more than 0, at most `max`.
    pub max_drive_km: UpperBound,
    /// `max_drive_mi` of a loop request: more than 0, at most `max`.
    pub max_drive_mi: UpperBound,
    /// `start_date` of a loop request, both ends included.
    pub start_date: DateRange,
    /// `GET /v1/network`: the widest side of its box, degrees (a wider box is cut to this
    /// around its centre).
    pub network_max_span_deg: f64,
    /// `name` of `POST /v1/plans`: at most this many characters.
    pub plan_name_max_chars: usize,
    /// `q` of `GET /v1/places`: at most this many characters.
    pub place_query_max_chars: usize,
    /// `limit` of `GET /v1/places`: at most this many places.
    pub places_max: u32,
    /// The kinds of place a night may be spent at (the `kind` of a stage's `night`, which
    /// may also be `trailhead` for a night back at the start), each with its label.
    pub night_kinds: Vec<NightKind>,
}

/// Whole numbers from `min` to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct CountRange {
    /// The least.
    pub min: u32,
    /// The most.
    pub max: u32,
}

/// Numbers from `min` to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct NumberRange {
    /// The least.
    pub min: f64,
    /// The most.
    pub max: f64,
}

/// Numbers up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct UpperBound {
    /// The most.
    pub max: f64,
}

/// Dates (`YYYY-MM-DD`) from `min` to `max`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DateRange {
    /// The first.
    #[schema(example = "2000-01-01")]
    pub min: String,
    /// The last.
    #[schema(example = "2099-12-31")]
    pub max: String,
}

/// A kind of place to spend a night at.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NightKind {
    /// Its name on the wire (`overnight` of a loop request, `kind` of a night).
    #[schema(example = "camp_site")]
    pub kind: &'static str,
    /// How the page names it.
    #[schema(example = "Camp site")]
    pub label: &'static str,
}

fn date((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

impl AppConfig {
    /// The page's config under the web settings `web`.
    pub fn new(web: &WebSettings) -> AppConfig {
        AppConfig {
            tile_url: Some(web.tile_url.trim().to_owned()).filter(|u| !u.is_empty()),
            tile_attribution: web.tile_attribution.clone(),
            tile_max_zoom: web.tile_max_zoom,
            days: CountRange {
                min: MIN_DAYS,
                max: trailloop_solver::MAX_DAYS,
            },
            max_results: MAX_RESULTS,
            target_km: NumberRange {
                min: MIN_TARGET_KM,
                max: DistanceKm::MAX_KM,
            },
            target_mi: NumberRange {
                min: MIN_TARGET_MI,
                max: MAX_MI,
            },
            max_drive_km: UpperBound {
                max: DistanceKm::MAX_KM,
            },
            max_drive_mi: UpperBound { max: MAX_MI },
            start_date: DateRange {
                min: date(FIRST_DATE),
                max: date(LAST_DATE),
            },
            network_max_span_deg: Area::MAX_SPAN_DEG,
            plan_name_max_chars: MAX_NAME_CHARS,
            place_query_max_chars: MAX_QUERY_CHARS,
            places_max: MAX_PLACES,
            night_kinds: PoiKind::nights()
                .map(|k| NightKind {
                    kind: k.as_str(),
                    label: k.label(),
                })
                .collect(),
        }
    }
}

/// The page's config: its tiles and the service's bounds.
#[utoipa::path(
    get,
    path = "/app-config.json",
    tag = "map",
    responses((status = 200, description = "What the map page reads at start", body = AppConfig)),
)]
pub async fn get(config: web::Data<AppConfig>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .json(config.get_ref())
}

/// Registers `/app-config.json`.
pub fn configure(cfg: &mut web::ServiceConfig, settings: &WebSettings) {
    cfg.service(
        web::resource("/app-config.json")
            .app_data(web::Data::new(AppConfig::new(settings)))
            .route(web::get().to(get))
            .default_service(super::not_allowed("GET")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn night_kinds_are_the_overnight_kinds_each_with_a_label() {
        let settings = crate::settings::Settings::load_from(None, Vec::new()).unwrap();
        let config = AppConfig::new(&settings.web);
        let kinds: Vec<_> = config.night_kinds.iter().map(|n| n.kind).collect();
        assert_eq!(kinds, ["hut", "camp_site", "shelter", "lodging"]);
        for n in &config.night_kinds {
            let kind = PoiKind::parse(n.kind).unwrap();
            assert!(kind.is_overnight());
            assert!(!n.label.contains('_'), "{}: a label in words", n.kind);
        }
        assert_eq!(config.start_date.min, "2000-01-01");
        assert_eq!(config.start_date.max, "2099-12-31");
    }
}
