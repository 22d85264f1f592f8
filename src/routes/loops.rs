//! `POST /v1/loops` and `GET /v1/loops`: trailheads within driving range, the network
//! around them, a solve on the solver pool within the request's time budget, ranked loops.

use std::time::{Duration, Instant};

use actix_web::{web, HttpResponse};

use super::extract::{ApiJson, ApiQuery};
use super::loop_json::{LoopJson, LoopsResponse};
use crate::domain::{LoopQuery, LoopRequest, LoopRequestBody};
use crate::error::{ApiError, Problem};
use crate::planner::{self, Candidate, PlanError};
use crate::startup::AppState;
use crate::store::TrailheadRow;

/// Loops wander a little beyond half their length from the start (a loop's farthest
/// point is at most L/2 away along it; the margin covers edges that straddle the limit).
const REACH_MARGIN_M: f64 = 500.0;

/// Plan loops (JSON body).
#[utoipa::path(
    post,
    path = "/v1/loops",
    tag = "loops",
    request_body = LoopRequestBody,
    responses(
        (status = 200, description = "Ranked loops (possibly none, with a message)", body = LoopsResponse),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Busy, out of time, or database unreachable; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post(
    state: web::Data<AppState>,
    body: ApiJson<LoopRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let request = LoopRequest::try_from(body.0).map_err(ApiError::Validation)?;
    Ok(HttpResponse::Ok().json(plan_loops(&state, request).await?))
}

/// Plan loops (query string: the body's fields, flat).
#[utoipa::path(
    get,
    path = "/v1/loops",
    tag = "loops",
    params(LoopQuery),
    responses(
        (status = 200, description = "Ranked loops (possibly none, with a message)", body = LoopsResponse),
        (status = 422, description = "Invalid parameters, each named", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Busy, out of time, or database unreachable; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    query: ApiQuery<LoopQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = LoopRequest::try_from(query.0).map_err(ApiError::Validation)?;
    Ok(HttpResponse::Ok().json(plan_loops(&state, request).await?))
}

/// The straight-line radius that a drive of `max_drive_km` can cover.
fn straight_line_radius_m(max_drive_km: f64, circuity: f64) -> f64 {
    max_drive_km * 1000.0 / circuity
}

/// The trailheads to solve from: the one asked for, or the nearest within range.
async fn trailheads(state: &AppState, req: &LoopRequest) -> Result<Vec<TrailheadRow>, ApiError> {
    let circuity = state.planner.circuity_factor;
    let radius_m = straight_line_radius_m(req.max_drive.km(), circuity);
    let origin = req.origin.coord();
    let mut rows = match req.trailhead_id {
        Some(id) => match state.store.trailhead(id, origin).await? {
            None => {
                return Err(ApiError::field(
                    "trailhead_id",
                    format!("no trailhead {id}"),
                ))
            }
            Some(row) if row.distance_m > radius_m => {
                return Err(ApiError::field(
                    "trailhead_id",
                    format!(
                        "trailhead {id} is an estimated {:.1} km drive away, beyond max_drive_km",
                        row.distance_m / 1000.0 * circuity
                    ),
                ))
            }
            Some(row) => vec![row],
        },
        None => {
            state
                .store
                .trailheads_within(origin, radius_m, state.planner.max_trailheads)
                .await?
        }
    };
    // The drive limit is the API's promise, whatever the store's radius arithmetic does.
    rows.retain(|r| r.distance_m <= radius_m);
    Ok(rows)
}

/// The whole flow of one loop request.
pub async fn plan_loops(state: &AppState, req: LoopRequest) -> Result<LoopsResponse, ApiError> {
    let started = Instant::now();
    let deadline = started + Duration::from_millis(state.time_budget_ms);
    let circuity = state.planner.circuity_factor;
    let rows = trailheads(state, &req).await?;
    if rows.is_empty() {
        let mut answer = LoopsResponse::new(vec![], circuity, 0);
        answer.message = Some(format!(
            "no trailhead within an estimated {} km drive of the origin",
            req.max_drive.km()
        ));
        return Ok(answer);
    }
    let candidates: Vec<Candidate> = rows
        .iter()
        .map(|r| Candidate {
            id: r.id,
            node_id: r.node_id,
            name: r.name.clone(),
            kind: r.kind.clone(),
            coord: r.coord,
            drive_km: r.distance_m / 1000.0 * circuity,
        })
        .collect();
    let params = req.params();
    let reach_m = params.target_m * (1.0 + params.tolerance) / 2.0 + REACH_MARGIN_M;
    let network = state.store.network_around(&rows, reach_m).await?;
    state.metrics.network_nodes.set(network.node_count() as i64);
    state.metrics.network_edges.set(network.edge_count() as i64);

    let solve_started = Instant::now();
    let outcome = state
        .solver
        .run(deadline, move |limits| {
            planner::plan(&network, &candidates, &params, limits)
        })
        .await?;
    state
        .metrics
        .solver_seconds
        .observe(solve_started.elapsed().as_secs_f64());
    let outcome = outcome.map_err(|e| match e {
        PlanError::Timeout => ApiError::TimeBudget,
        PlanError::Solver(msg) => ApiError::Internal(anyhow::anyhow!("solver: {msg}")),
    })?;
    let stats = outcome.stats;
    state.metrics.solver_work.inc_by(stats.work);
    state
        .metrics
        .solver_trailheads
        .observe(stats.trailheads as f64);
    if stats.hit_deadline {
        state.metrics.solver_deadline_hits.inc();
    }
    tracing::info!(
        trailheads = stats.trailheads,
        work = stats.work,
        solve_ms = stats.solve_time.as_secs_f64() * 1e3,
        hit_deadline = stats.hit_deadline,
        loops = outcome.loops.len(),
        "planned"
    );

    let loops: Vec<LoopJson> = outcome
        .loops
        .iter()
        .enumerate()
        .map(|(i, l)| LoopJson::new(i + 1, l))
        .collect();
    let found = loops.len();
    let mut answer = LoopsResponse::new(loops, circuity, rows.len());
    if found == 0 {
        answer.message = Some(format!(
            "no loop of {} km (±{:.0} %) from the {} trailhead(s) in range",
            req.target.km(),
            req.tolerance.fraction() * 100.0,
            rows.len()
        ));
    } else if found < req.max_results {
        answer.message = Some(format!(
            "{found} loop(s) found, fewer than the {} asked for",
            req.max_results
        ));
    }
    if stats.hit_deadline {
        answer.warnings.push(format!(
            "the search was cut short by the {} ms time budget; loops may not be the best",
            state.time_budget_ms
        ));
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_25_km_drive_reaches_about_19_km_in_a_straight_line() {
        let r = straight_line_radius_m(25.0, 1.3);
        assert!((r - 19_230.77).abs() < 0.01, "{r}");
    }
}
