//! The HTTP routes. Each resource answers 405 (problem+json, with `Allow`) for methods it
//! does not take; the app answers 404 for everything else.

pub mod app_config;
pub mod coverage;
mod extract;
pub mod geojson;
pub mod health;
mod loop_json;
pub mod loops;
pub mod openapi;
mod page;
pub mod plans;
pub mod regions;
mod stage_json;
pub mod trailheads;
pub mod trails;

pub use extract::{parse_json, parse_query, ApiJson, ApiQuery, BodyLimit, BodyTimeout};
pub use loop_json::{
    ApproachJson, BreakdownJson, DriveDistanceJson, HighlightJson, LineStringJson, LoopJson,
    LoopsResponse, NightJson, ProfileJson, SegmentJson, StageJson, TrailheadJson, WaterJson,
    ATTRIBUTION,
};

use actix_web::{web, HttpResponse};

use crate::error::ApiError;
use crate::settings::{ServerSettings, WebSettings};

/// Runs `job`, the writing of a large answer (megabytes of JSON or GPX), on the blocking
/// pool, so that the HTTP workers go on serving everyone else meanwhile.
pub(crate) async fn off_worker<T, E>(
    what: &'static str,
    job: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    E: Into<anyhow::Error> + Send + 'static,
{
    web::block(job)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{what}: {e}")))?
        .map_err(|e| ApiError::Internal(e.into().context(what)))
}

fn not_allowed(allow: &'static str) -> actix_web::Route {
    web::to(move || async move { Err::<HttpResponse, _>(ApiError::MethodNotAllowed(allow)) })
}

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig, server: &ServerSettings, web_page: &WebSettings) {
    cfg.service(
        web::resource("/v1/loops")
            .app_data(BodyLimit(server.max_body_bytes))
            .route(web::post().to(loops::post))
            .route(web::get().to(loops::get))
            .default_service(not_allowed("GET, POST")),
    )
    .service(
        web::resource("/v1/network")
            .route(web::get().to(trails::get))
            .default_service(not_allowed("GET")),
    )
    .service(
        web::resource("/v1/coverage")
            .route(web::get().to(coverage::get))
            .default_service(not_allowed("GET")),
    )
    .service(
        web::resource("/v1/regions")
            .route(web::get().to(regions::list))
            .default_service(not_allowed("GET")),
    )
    .service(
        web::resource("/v1/places")
            .route(web::get().to(coverage::places))
            .default_service(not_allowed("GET")),
    )
    .service(
        web::resource("/v1/trailheads")
            .route(web::get().to(trailheads::list))
            .default_service(not_allowed("GET")),
    )
    .service(
        web::resource("/v1/plans")
            .app_data(BodyLimit(server.max_plan_bytes))
            .route(web::post().to(plans::create))
            .default_service(not_allowed("POST")),
    )
    .service(
        web::resource("/v1/plans/{id}")
            .route(web::get().to(plans::get))
            .default_service(not_allowed("GET")),
    )
    .service(
        web::resource("/v1/plans/{id}/gpx")
            .route(web::get().to(plans::gpx))
            .default_service(not_allowed("GET")),
    );
    for (path, handler) in [
        ("/healthz", web::get().to(health::healthz)),
        ("/readyz", web::get().to(health::readyz)),
        ("/metrics", web::get().to(health::metrics)),
    ] {
        cfg.service(
            web::resource(path)
                .route(handler)
                .default_service(not_allowed("GET")),
        );
    }
    if server.docs {
        openapi::configure(cfg);
    }
    app_config::configure(cfg, web_page);
    page::configure(cfg, web_page);
}
