//! Probes and metrics: `/healthz` (the process answers), `/readyz` (the backend can
//! serve), `/metrics` (Prometheus text).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{ApiError, Problem};
use crate::metrics::{Metrics, MetricsPort};
use crate::plan::Planner;
use crate::store::{Store, StoreError};

/// Whether the planning network is loaded: set at once without preloading, else when
/// the preload is done (the app's own data, shared with the task that loads it).
#[derive(Debug, Clone, Default)]
pub struct Warm(Arc<AtomicBool>);

impl Warm {
    /// Warm from the start, or not until [`Warm::set`].
    pub fn new(warm: bool) -> Warm {
        Warm(Arc::new(AtomicBool::new(warm)))
    }

    /// The network is loaded.
    pub fn set(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether the network is loaded.
    pub fn is_warm(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

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
pub async fn readyz(
    planner: web::Data<Planner>,
    warm: web::Data<Warm>,
) -> Result<HttpResponse, ApiError> {
    let store = planner.store();
    let warm = warm.is_warm();
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
        Some(why) if planner.regions_held() > 0 => {
            let since = planner
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
    metrics: web::Data<Metrics>,
    port: web::Data<MetricsPort>,
    planner: web::Data<Planner>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // With a port of their own, the metrics are not on the API's (the public) one.
    if port.is_set() && !port.is(req.app_config().local_addr().port()) {
        return Err(ApiError::NotFound("no such route".into()));
    }
    let pool = match planner.store() {
        Store::Postgres(pg) => Some(pg.pool().status()),
        Store::Embedded(_) => None,
    };
    let text = metrics
        .render(pool)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("encoding metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
