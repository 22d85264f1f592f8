//! Probes and metrics: `/healthz` (the process answers), `/readyz` (the backend can
//! serve), `/metrics` (Prometheus text).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::startup::AppState;
use crate::store::StoreError;

/// A probe's answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusJson {
    /// `ok` or `ready`.
    pub status: String,
    /// `postgres` or `embedded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
}

/// Liveness: 200 while the process serves HTTP.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = StatusJson)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(StatusJson {
        status: "ok".into(),
        backend: None,
    })
}

/// Readiness: 200 when the database answers and the planning network is loaded (when
/// `network.preload` asks for that).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = StatusJson),
        (status = 503, description = "Not ready; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let store = state.planner.store();
    // Any failure means "do not send traffic here yet", never a 500.
    store.ready().await.map_err(|e| match e {
        StoreError::Unavailable(m) | StoreError::Stale(m) => {
            ApiError::Unavailable(anyhow::anyhow!(m))
        }
        StoreError::Other(e) => ApiError::Unavailable(e),
    })?;
    if !state.warm.load(std::sync::atomic::Ordering::Acquire) {
        return Err(ApiError::Unavailable(anyhow::anyhow!(
            "the planning network is still loading"
        )));
    }
    let backend = store.backend();
    Ok(HttpResponse::Ok().json(StatusJson {
        status: "ready".into(),
        backend: Some(backend.into()),
    }))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String)))]
pub async fn metrics(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // With a port of their own, the metrics are not on the API's (the public) one.
    if state
        .metrics_port
        .is_some_and(|port| req.app_config().local_addr().port() != port)
    {
        return Err(ApiError::NotFound("no such route".into()));
    }
    let text = state
        .metrics
        .render(state.planner.store())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("encoding metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
