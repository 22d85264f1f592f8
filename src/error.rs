//! The one error shape of the API: `application/problem+json` (RFC 9457). Each layer's
//! error says its own [`Code`], words and fields ([`ErrorCode`], in the `codes` leaf:
//! the pool's, the store's, the cache's, the planner's); an [`ApiError`] holds any of
//! them as it is, beside the failures of HTTP itself, so no layer mirrors another's
//! variants and this module knows none of them. The log gets the whole cause; the
//! client a clean message.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::{Code, ErrorCode, FieldError};

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
    /// The client made too many requests, or saved too many plans; retry after this
    /// many seconds.
    #[error("too many requests: {detail}")]
    TooManyRequests {
        /// What the limit is.
        detail: String,
        /// Seconds until a retry can succeed.
        retry_after_secs: u32,
    },
    /// The store holds all the saved plans it may; retry after this many seconds.
    #[error("no room for more plans: {detail}")]
    PlanStoreFull {
        /// What the bound is.
        detail: String,
        /// Seconds until a retry may find room.
        retry_after_secs: u32,
    },
    /// The client did not send its body within the time allowed.
    #[error("request timeout")]
    RequestTimeout {
        /// The time allowed, seconds.
        secs: u64,
    },
    /// A layer failed (the planner, the store, the pool, ...), for the reason its error
    /// gives: its code, words and fields are its own ([`ErrorCode`]).
    #[error("{0}")]
    Layer(Box<dyn ErrorCode>),
    /// A dependency the answer needs is not ready (the readiness probe's failures).
    #[error("backend unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// The client closed its connection before the answer (nobody reads this one; it
    /// is logged and counted as 499, as proxies do).
    #[error("the client closed the connection")]
    ClientClosed,
    /// A bug or broken data: logged in full, hidden from the client.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl<E: ErrorCode> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError::Layer(Box::new(e))
    }
}

impl ApiError {
    /// One invalid field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    /// Which kind of failure this is.
    pub fn code(&self) -> Code {
        match self {
            ApiError::Validation(_) => Code::InvalidRequest,
            ApiError::Malformed { .. } => Code::MalformedRequest,
            ApiError::UnsupportedMediaType => Code::UnsupportedMediaType,
            ApiError::PayloadTooLarge { .. } => Code::PayloadTooLarge,
            ApiError::NotFound(_) => Code::NotFound,
            ApiError::MethodNotAllowed(_) => Code::MethodNotAllowed,
            ApiError::TooManyRequests { .. } => Code::TooManyRequests,
            ApiError::PlanStoreFull { .. } => Code::PlanStoreFull,
            ApiError::RequestTimeout { .. } => Code::RequestTimeout,
            ApiError::Layer(e) => e.error_code(),
            ApiError::Unavailable(_) => Code::Unavailable,
            ApiError::ClientClosed => Code::ClientClosed,
            ApiError::Internal(_) => Code::Internal,
        }
    }

    /// What the client is told went wrong, and the fields at fault.
    fn detail(&self) -> (String, Vec<FieldError>) {
        match self {
            ApiError::Validation(errors) => bounded(errors),
            ApiError::Layer(e) => {
                let fields = e.fields();
                if fields.is_empty() {
                    let detail = e.detail();
                    (
                        detail.unwrap_or_else(|| self.code().info().detail.into()),
                        vec![],
                    )
                } else {
                    bounded(&fields)
                }
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
            ApiError::TooManyRequests { detail, .. } | ApiError::PlanStoreFull { detail, .. } => {
                (detail.clone(), vec![])
            }
            ApiError::RequestTimeout { secs } => (
                format!("the request's body did not arrive within {secs} s"),
                vec![FieldError::new("body", "sent too slowly")],
            ),
            ApiError::ClientClosed | ApiError::Unavailable(_) | ApiError::Internal(_) => {
                (self.code().info().detail.into(), vec![])
            }
        }
    }

    /// The problem document the client sees.
    pub fn problem(&self) -> Problem {
        let info = self.code().info();
        let (detail, errors) = self.detail();
        Problem {
            type_: format!("{TYPE_BASE}{}", info.slug),
            title: info.title.into(),
            status: info.status.as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code().info().status
    }

    fn error_response(&self) -> HttpResponse {
        // The cause chain may hold SQL or file paths: the log gets it, the client not.
        let cause = || match self {
            // The layer's error and its causes (it is the cause the log wants).
            ApiError::Layer(e) => cause_chain(e.as_ref()),
            _ => cause_chain(self),
        };
        match self.code() {
            Code::Internal => tracing::error!(error = cause(), "internal error"),
            Code::Unavailable => tracing::warn!(error = cause(), "unavailable"),
            _ => tracing::info!(problem = %self, "request rejected"),
        }
        let info = self.code().info();
        let mut response = HttpResponse::build(info.status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        let retry_after = match self {
            ApiError::TooManyRequests {
                retry_after_secs, ..
            }
            | ApiError::PlanStoreFull {
                retry_after_secs, ..
            } => Some((*retry_after_secs).max(1)),
            _ => info.retry_after,
        };
        if let Some(secs) = retry_after {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if matches!(self, ApiError::RequestTimeout { .. }) {
            // The rest of the body may still be on its way: do not read it.
            response.insert_header((header::CONNECTION, "close"));
        }
        if let ApiError::MethodNotAllowed(allow) = self {
            response.insert_header((header::ALLOW, *allow));
        }
        response.json(self.problem())
    }
}

/// An error and every cause under it, one after another.
fn cause_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Answers 404 for every unknown route (the app's default service).
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("no such route".into()))
}

/// A problem document names at most this many faults: a request with thousands of bad
/// values (7,000 unknown `overnight` names in 49 KB) must not get a megabyte back.
const MAX_FAULTS: usize = 20;
/// Longest message of one fault, characters (messages may quote what was sent).
const MAX_FAULT_CHARS: usize = 300;

/// The detail and the fields of a request's faults, bounded: the first
/// [`MAX_FAULTS`] (each field named once in the detail), each message cut to
/// [`MAX_FAULT_CHARS`], and the detail says how many more there were.
fn bounded(errors: &[FieldError]) -> (String, Vec<FieldError>) {
    let kept: Vec<FieldError> = errors
        .iter()
        .take(MAX_FAULTS)
        .map(|e| FieldError {
            field: cut(&e.field),
            message: cut(&e.message),
        })
        .collect();
    let mut names: Vec<&str> = Vec::new();
    for e in &kept {
        if !names.contains(&e.field.as_str()) {
            names.push(&e.field);
        }
    }
    let mut detail = format!("invalid field(s): {}", names.join(", "));
    if errors.len() > kept.len() {
        detail.push_str(&format!(
            " (and {} more faults not listed)",
            errors.len() - kept.len()
        ));
    }
    (detail, kept)
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_FAULT_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod bounded_tests {
    use super::*;

    #[test]
    fn a_problem_names_at_most_twenty_faults_each_cut_short() {
        let errors: Vec<FieldError> = (0..7000)
            .map(|i| FieldError::new("overnight", format!("unknown kind {}", "x".repeat(i % 500))))
            .collect();
        let (detail, kept) = bounded(&errors);
        assert_eq!(kept.len(), MAX_FAULTS);
        assert_eq!(
            detail,
            "invalid field(s): overnight (and 6980 more faults not listed)"
        );
        assert!(kept
            .iter()
            .all(|e| e.message.chars().count() <= MAX_FAULT_CHARS + 1));
        let (detail, kept) = bounded(&errors[..2]);
        assert_eq!(
            (detail.as_str(), kept.len()),
            ("invalid field(s): overnight", 2)
        );
    }
}
