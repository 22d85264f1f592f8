//! Probes and metrics: `/healthz` (the process answers), `/readyz` (the backend can
//! serve), `/metrics` (Prometheus text).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::startup::AppState;
use crate::store::{Store, StoreError};

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

/// Readiness: 200 when the database answers (or the embedded network is loaded).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = StatusJson),
        (status = 503, description = "Not ready; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backend = match &state.store {
        Store::Postgres(_) => "postgres",
        Store::Embedded(_) => "embedded",
    };
    // Any failure means "do not send traffic here yet", never a 500.
    state.store.ready().await.map_err(|e| match e {
        StoreError::Unavailable(m) => ApiError::Unavailable(anyhow::anyhow!(m)),
        StoreError::Other(e) => ApiError::Unavailable(e),
    })?;
    Ok(HttpResponse::Ok().json(StatusJson {
        status: "ready".into(),
        backend: Some(backend.into()),
    }))
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String)))]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state
        .metrics
        .render(&state.store)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("encoding metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
