//! What each kind of failure means on the wire, in one table ([`Code::info`]), and what
//! every layer's error says of itself ([`ErrorCode`]): its code, the words the client
//! may see, the fields at fault. A leaf: the HTTP error (`error`) holds any layer's
//! error through this trait, so no layer mirrors another's variants and none of them
//! knows HTTP beyond a status.

use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One rejected input field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `origin.lat` or `preferences.max_sac_scale`.
    pub field: String,
    /// Why it was rejected.
    pub message: String,
}

impl FieldError {
    /// A rejection of `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What every layer's error implements: the kind of failure it is answered as, and
/// what the client may be told of it.
pub trait ErrorCode: std::error::Error + Send + Sync + 'static {
    /// The code of this failure.
    fn error_code(&self) -> Code;

    /// Words of its own for the client, when the failure has them (else the code's).
    fn detail(&self) -> Option<String> {
        None
    }

    /// The request's fields at fault, when input was.
    fn fields(&self) -> Vec<FieldError> {
        Vec::new()
    }
}
/// Every kind of failure the API reports, with everything that follows from it in one
/// table ([`Code::info`]): status, the stable `type` slug, the title, `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Values out of range, unknown or missing fields.
    InvalidRequest,
    /// Not JSON, or not a form.
    MalformedRequest,
    /// Not `application/json`.
    UnsupportedMediaType,
    /// Over the route's body limit.
    PayloadTooLarge,
    /// No such resource or route.
    NotFound,
    /// The route does not take that method.
    MethodNotAllowed,
    /// Over the client's rate limit or plan quota.
    TooManyRequests,
    /// No room for another saved plan.
    PlanStoreFull,
    /// The body did not arrive in time.
    RequestTimeout,
    /// The solver queue is full.
    Overloaded,
    /// Planning ran out of its time budget.
    TimeBudgetExceeded,
    /// The database cannot be reached.
    Unavailable,
    /// The client went away before the answer.
    ClientClosed,
    /// A bug or broken data.
    Internal,
}

/// What a [`Code`] means on the wire.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    /// HTTP status.
    pub status: StatusCode,
    /// Slug of the problem `type` URI.
    pub slug: &'static str,
    /// The problem's title.
    pub title: &'static str,
    /// Seconds to send as `Retry-After`, for answers worth retrying.
    pub retry_after: Option<u32>,
    /// What the client is told when the failure has no words of its own for it.
    pub detail: &'static str,
}

impl Code {
    /// The table.
    pub fn info(self) -> CodeInfo {
        use StatusCode as S;
        let (status, slug, title, retry_after) = match self {
            Code::InvalidRequest => (
                S::UNPROCESSABLE_ENTITY,
                "invalid-request",
                "The request is invalid",
                None,
            ),
            Code::MalformedRequest => (
                S::BAD_REQUEST,
                "malformed-request",
                "The request cannot be parsed",
                None,
            ),
            Code::UnsupportedMediaType => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "The body must be application/json",
                None,
            ),
            Code::PayloadTooLarge => (
                S::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "The body is too large",
                None,
            ),
            Code::NotFound => (S::NOT_FOUND, "not-found", "Not found", None),
            Code::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                None,
            ),
            Code::TooManyRequests => (
                S::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
                Some(1),
            ),
            Code::PlanStoreFull => (
                S::SERVICE_UNAVAILABLE,
                "plan-store-full",
                "No room for more saved plans",
                Some(60),
            ),
            Code::RequestTimeout => (
                S::REQUEST_TIMEOUT,
                "request-timeout",
                "The request took too long to arrive",
                None,
            ),
            Code::Overloaded => (
                S::SERVICE_UNAVAILABLE,
                "overloaded",
                "The planner is busy",
                Some(1),
            ),
            Code::TimeBudgetExceeded => (
                S::SERVICE_UNAVAILABLE,
                "time-budget-exceeded",
                "Planning ran out of time",
                Some(1),
            ),
            Code::Unavailable => (
                S::SERVICE_UNAVAILABLE,
                "unavailable",
                "The service is not ready",
                Some(5),
            ),
            Code::ClientClosed => (
                // No standard status says it; 499 is the one proxies log.
                S::from_u16(499).unwrap_or(S::BAD_REQUEST),
                "client-closed",
                "The client closed the connection",
                None,
            ),
            Code::Internal => (
                S::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
                None,
            ),
        };
        let detail = match self {
            Code::Overloaded => "too many planning requests are in flight; retry shortly",
            Code::TimeBudgetExceeded => {
                "no loop was found within the time budget; retry, or ask for a shorter loop"
            }
            Code::Unavailable => "the database cannot be reached; retry shortly",
            Code::Internal => "something went wrong on our side",
            _ => title,
        };
        CodeInfo {
            status,
            slug,
            title,
            retry_after,
            detail,
        }
    }
}
