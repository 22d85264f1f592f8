//! `POST /v1/loops` and `GET /v1/loops`: parse, plan, serialise as JSON or, asked with
//! `Accept: application/geo+json`, as a GeoJSON FeatureCollection.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::{ApiJson, ApiQuery};
use super::geojson::{self, LoopFeatureCollection};
use super::loop_json::LoopsResponse;
use crate::client::ClientAddr;
use crate::domain::{LoopQuery, LoopRequest, LoopRequestBody};
use crate::error::{ApiError, Problem};
use crate::metrics::Metrics;
use crate::plan::Planner;
use crate::tokens::PlanTokens;

/// Plan loops (JSON body).
#[utoipa::path(
    post,
    path = "/v1/loops",
    tag = "loops",
    request_body = LoopRequestBody,
    responses(
        (status = 200, description = "Ranked loops (possibly none, with a message)", content(
            (LoopsResponse = "application/json"),
            (LoopFeatureCollection = "application/geo+json"),
        )),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "This client has as many costly plans in flight as it may (the detail says what to reduce to plan at once), or too many requests", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
        (status = 503, description = "Busy, out of time, or database unreachable; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
    )
)]
pub async fn post(
    planner: web::Data<Planner>,
    tokens: web::Data<PlanTokens>,
    metrics: web::Data<Metrics>,
    req: HttpRequest,
    body: ApiJson<LoopRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let request = LoopRequest::try_from(body.0).map_err(ApiError::Validation)?;
    let app = Loops {
        planner,
        tokens,
        metrics,
    };
    answer(&app, &req, &request).await
}

/// Plan loops (query string: the body's fields, flat).
#[utoipa::path(
    get,
    path = "/v1/loops",
    tag = "loops",
    params(LoopQuery),
    responses(
        (status = 200, description = "Ranked loops (possibly none, with a message)", content(
            (LoopsResponse = "application/json"),
            (LoopFeatureCollection = "application/geo+json"),
        )),
        (status = 422, description = "Invalid parameters, each named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "This client has as many costly plans in flight as it may (the detail says what to reduce to plan at once), or too many requests", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
        (status = 503, description = "Busy, out of time, or database unreachable; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
    )
)]
pub async fn get(
    planner: web::Data<Planner>,
    tokens: web::Data<PlanTokens>,
    metrics: web::Data<Metrics>,
    req: HttpRequest,
    query: ApiQuery<LoopQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = LoopRequest::try_from(query.0).map_err(ApiError::Validation)?;
    let app = Loops {
        planner,
        tokens,
        metrics,
    };
    answer(&app, &req, &request).await
}

/// What answering a loop request takes of the app.
struct Loops {
    planner: web::Data<Planner>,
    tokens: web::Data<PlanTokens>,
    metrics: web::Data<Metrics>,
}

async fn answer(
    state: &Loops,
    req: &HttpRequest,
    request: &LoopRequest,
) -> Result<HttpResponse, ApiError> {
    let client = ClientAddr::of_request(req);
    // The plan stops when its client goes away (dropping its future raises its cancel
    // flag), not seconds later when the answer cannot be written.
    let answer = tokio::select! {
        answer = state.planner.loops(request, client) => answer?,
        () = crate::disconnect::gone(req) => {
            state.metrics.plans_cancelled.inc();
            tracing::info!("the client closed its connection; its plan is stopped");
            return Err(ApiError::ClientClosed);
        }
    };
    let timing = answer.timing;
    let attribution = if answer.loops.is_empty() {
        let o = request.origin.coord();
        state.planner.attribution_in(o, o)
    } else {
        state.planner.attribution_of(
            answer
                .loops
                .iter()
                .map(|l| l.trailhead.trailhead.version.region.as_str()),
        )
    };
    let units = request.units;
    let tokens = state.tokens.clone().into_inner();
    let geojson = geojson::wants_geojson(req);
    // Ten loops of a long trip are megabytes of JSON, each loop hashed for its token.
    let body = super::off_worker("writing loops", move || {
        let response = LoopsResponse::new(&answer, units, attribution)
            .signed(&tokens, std::time::SystemTime::now())?;
        if geojson {
            serde_json::to_vec(&LoopFeatureCollection::from(response))
        } else {
            serde_json::to_vec(&response)
        }
    })
    .await?;
    let mut ok = HttpResponse::Ok();
    if let Some(t) = timing {
        // The wait for a turn and the planning, apart: what a client (or a load test)
        // needs to tell a busy service from a costly request.
        ok.insert_header((
            "Server-Timing",
            format!(
                "queue;dur={:.1}, plan;dur={:.1};desc=\"{} lane\", budget;dur={:.0}, \
                 cost;desc=\"{:.1} units\"",
                t.queued_ms,
                t.planning_ms,
                if t.costly { "costly" } else { "ordinary" },
                t.budget_ms,
                t.cost_units
            ),
        ));
    }
    // One value for both: the CORS layer keeps only the first `Vary` it finds.
    ok.insert_header((header::VARY, "Accept, Accept-Encoding"));
    if geojson {
        ok.insert_header(geojson::content_type());
    } else {
        ok.content_type("application/json");
    }
    Ok(ok.body(body))
}
