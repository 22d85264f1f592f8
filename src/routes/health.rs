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
    /// `ok` (`/healthz`), `ready`, or `degraded`: the database cannot be reached, loops
    /// and trailheads are answered from the network held in memory, saved plans are not
    /// (503 with Retry-After).
    pub status: String,
    /// `postgres` or `embedded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// What is degraded, and since when (seconds), when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Liveness: 200 while the process serves HTTP.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Alive", body = StatusJson)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(StatusJson {
        status: "ok".into(),
        backend: None,
        detail: None,
    })
}

/// Readiness: 200 when the planning network is loaded (when `network.preload` asks
/// for that) and the database answers; 200 `degraded` when the database cannot be
/// reached but the network is held in memory (loops and trailheads are still answered:
/// a task is not pulled out of the balancer for a database failover); 503 otherwise.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready, or degraded (see `status`)", body = StatusJson),
        (status = 503, description = "Not ready; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let store = state.planner.store();
    let warm = state.warm.load(std::sync::atomic::Ordering::Acquire);
    // Any failure means "do not send traffic here yet", never a 500.
    let away = match tokio::time::timeout(READY_CHECK_TIMEOUT, store.ready()).await {
        Ok(Ok(())) => None,
        Ok(Err(StoreError::Unavailable(m) | StoreError::Stale(m))) => Some(m),
        Ok(Err(StoreError::Other(e))) => return Err(ApiError::Unavailable(e)),
        Err(_) => Some(format!(
            "no answer within {} ms",
            READY_CHECK_TIMEOUT.as_millis()
        )),
    };
    if !warm {
        return Err(ApiError::Unavailable(anyhow::anyhow!(
            "the planning network is still loading"
        )));
    }
    let backend = Some(store.backend().to_string());
    let (status, detail) = match away {
        None => ("ready", None),
        Some(why) if state.planner.regions_held() > 0 => {
            let since = state
                .planner
                .database_away_since()
                .map_or(0.0, |t| t.elapsed().as_secs_f64());
            (
                "degraded",
                Some(format!(
                    "the database cannot be reached ({why}; {since:.0} s): loops and \
                     trailheads are planned from the network held in memory, saved plans \
                     wait for the database"
                )),
            )
        }
        Some(why) => return Err(ApiError::Unavailable(anyhow::anyhow!(why))),
    };
    Ok(HttpResponse::Ok().json(StatusJson {
        status: status.into(),
        backend,
        detail,
    }))
}

/// How long the readiness probe waits for the database.
const READY_CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1000);

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
