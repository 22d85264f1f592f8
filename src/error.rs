//! The one error shape of the API: `application/problem+json` (RFC 9457). Every failure a
//! handler or extractor can meet is an [`ApiError`], and this file alone decides its
//! status, its stable `type` and what the client sees; the log gets the whole cause.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::FieldError;
use crate::store::StoreError;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Prefix of every problem `type`.
const TYPE_BASE: &str = "https://trailloop.dev/problems/";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "https://trailloop.dev/problems/invalid-request")]
    pub type_: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The offending fields, when input was at fault.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Well-formed input with values out of range, unknown or missing fields.
    #[error("invalid request")]
    Validation(Vec<FieldError>),
    /// The body is not JSON (or the query string not a form).
    #[error("malformed request: {detail}")]
    Malformed {
        /// Parser message, position included.
        detail: String,
        /// Where the parser was, if it knows.
        field: Option<String>,
    },
    /// The body is not `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The body exceeds the route's limit.
    #[error("body larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit, bytes.
        limit: usize,
    },
    /// No such resource.
    #[error("{0}")]
    NotFound(String),
    /// The route exists, the method does not; holds the `Allow` header value.
    #[error("method not allowed")]
    MethodNotAllowed(&'static str),
    /// The solver queue is full.
    #[error("too many planning requests in flight")]
    Overloaded,
    /// Planning found nothing within the request's time budget.
    #[error("planning ran out of its time budget")]
    TimeBudget,
    /// The database cannot be reached.
    #[error("backend unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or broken data: logged in full, hidden from the client.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// One invalid field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    /// Stable slug of the `type` URI, and the title.
    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::Validation(_) => ("invalid-request", "The request is invalid"),
            ApiError::Malformed { .. } => ("malformed-request", "The request cannot be parsed"),
            ApiError::UnsupportedMediaType => (
                "unsupported-media-type",
                "The body must be application/json",
            ),
            ApiError::PayloadTooLarge { .. } => ("payload-too-large", "The body is too large"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::MethodNotAllowed(_) => ("method-not-allowed", "Method not allowed"),
            ApiError::Overloaded => ("overloaded", "The planner is busy"),
            ApiError::TimeBudget => ("time-budget-exceeded", "Planning ran out of time"),
            ApiError::Unavailable(_) => ("unavailable", "The service is not ready"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// The problem document the client sees.
    pub fn problem(&self) -> Problem {
        let (slug, title) = self.kind();
        let (detail, errors) = match self {
            ApiError::Validation(errors) => {
                let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                (
                    format!("invalid field(s): {}", names.join(", ")),
                    errors.clone(),
                )
            }
            ApiError::Malformed { detail, field } => (
                detail.clone(),
                vec![FieldError::new(
                    field.as_deref().unwrap_or("body"),
                    detail.clone(),
                )],
            ),
            ApiError::UnsupportedMediaType => {
                let detail = "send the body with Content-Type: application/json";
                (detail.into(), vec![FieldError::new("content-type", detail)])
            }
            ApiError::PayloadTooLarge { limit } => {
                let detail = format!("the body exceeds {limit} bytes");
                (detail.clone(), vec![FieldError::new("body", detail)])
            }
            ApiError::NotFound(what) => (what.clone(), vec![]),
            ApiError::MethodNotAllowed(_) => {
                ("this route does not take that method".into(), vec![])
            }
            ApiError::Overloaded => (
                "too many planning requests are in flight; retry shortly".into(),
                vec![],
            ),
            ApiError::TimeBudget => (
                "no loop was found within the time budget; retry, or ask for a shorter loop".into(),
                vec![],
            ),
            ApiError::Unavailable(_) => (
                "the database cannot be reached; retry shortly".into(),
                vec![],
            ),
            ApiError::Internal(_) => ("something went wrong on our side".into(), vec![]),
        };
        Problem {
            type_: format!("{TYPE_BASE}{slug}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors,
        }
    }

    /// Seconds a client should wait before retrying, for 503s.
    fn retry_after(&self) -> Option<u32> {
        match self {
            ApiError::Overloaded | ApiError::TimeBudget => Some(1),
            ApiError::Unavailable(_) => Some(5),
            _ => None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Unavailable(msg) => ApiError::Unavailable(anyhow::anyhow!(msg)),
            StoreError::Other(e) => ApiError::Internal(e),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Malformed { .. } => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Overloaded | ApiError::TimeBudget | ApiError::Unavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            // The cause chain may hold SQL or file paths: the log gets it, the client not.
            ApiError::Internal(e) => tracing::error!(error = format!("{e:#}"), "internal error"),
            ApiError::Unavailable(e) => tracing::warn!(error = format!("{e:#}"), "unavailable"),
            _ => tracing::info!(problem = %self, "request rejected"),
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if let Some(secs) = self.retry_after() {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let ApiError::MethodNotAllowed(allow) = self {
            response.insert_header((header::ALLOW, *allow));
        }
        response.json(self.problem())
    }
}

/// Answers 404 for every unknown route (the app's default service).
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("no such route".into()))
}
