//! `POST /v1/loops` and `GET /v1/loops`: parse, plan, serialise.

use actix_web::{web, HttpResponse};

use super::extract::{ApiJson, ApiQuery};
use super::loop_json::LoopsResponse;
use crate::domain::{LoopQuery, LoopRequest, LoopRequestBody};
use crate::error::{ApiError, Problem};
use crate::startup::AppState;

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
    let answer = state.planner.loops(&request).await?;
    Ok(HttpResponse::Ok().json(LoopsResponse::from(&answer)))
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
    let answer = state.planner.loops(&request).await?;
    Ok(HttpResponse::Ok().json(LoopsResponse::from(&answer)))
}
