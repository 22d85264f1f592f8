//! Around every request: a request id (the caller's, when sane, else a new UUID) echoed
//! in `x-request-id` and carried by the tracing span that every log line of the request
//! sits in; request metrics by route pattern; one access log line. And the two halves
//! of "small bodies go out as they are" around actix's `Compress`.

use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use tracing::Instrument;

use crate::metrics::Metrics;

/// The request id header, in and out.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A caller's id is kept only if it cannot forge log fields or bloat them.
fn sane_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// Methods outside this list share one label, so that made-up methods cannot create
/// series.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// The middleware (`App::wrap(from_fn(observe))`).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| sane_request_id(id))
        .map(String::from)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    // The pattern, not the path: `/v1/plans/{id}` is one series however many plans exist.
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let method = method_label(req.method());
    let metrics = req
        .app_data::<web::Data<Metrics>>()
        .map(|m| m.get_ref().clone());
    let span = tracing::info_span!(
        "http_request",
        request_id = %request_id,
        method,
        route = %route,
    );
    let mut res = next.call(req).instrument(span.clone()).await?;
    let status = res.status();
    let elapsed = started.elapsed();
    if let Some(m) = metrics {
        m.http_requests
            .with_label_values(&[method, &route, status.as_str()])
            .inc();
        m.http_duration
            .with_label_values(&[method, &route])
            .observe(elapsed.as_secs_f64());
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(X_REQUEST_ID, v);
    }
    let latency_ms = elapsed.as_secs_f64() * 1e3;
    let _enter = span.enter();
    // Probes and scrapes arrive every few seconds: not worth an info line each.
    if matches!(route.as_str(), "/healthz" | "/readyz" | "/metrics") && status.is_success() {
        tracing::debug!(status = status.as_u16(), latency_ms, "request finished");
    } else {
        tracing::info!(status = status.as_u16(), latency_ms, "request finished");
    }
    Ok(res)
}

/// Bodies smaller than this are not compressed: the saving is less than the work and
/// the headers it costs (a problem+json error, a health answer).
pub const MIN_COMPRESS_BYTES: u64 = 1024;

/// Inside `Compress`: marks small bodies as already encoded, which `Compress` leaves
/// alone.
pub async fn leave_small_bodies(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    if let BodySize::Sized(n) = res.response().body().size() {
        if n < MIN_COMPRESS_BYTES && !res.headers().contains_key(header::CONTENT_ENCODING) {
            res.headers_mut().insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static("identity"),
            );
        }
    }
    Ok(res)
}

/// Outside `Compress`: removes the mark [`leave_small_bodies`] set, so that no response
/// says `Content-Encoding: identity` (RFC 9110 reserves it for `Accept-Encoding`).
pub async fn unmark_small_bodies(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    if res
        .headers()
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v == "identity")
    {
        res.headers_mut().remove(header::CONTENT_ENCODING);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_from_callers_are_kept_only_when_harmless() {
        assert!(sane_request_id("3f2a-abc_1.2:x"));
        assert!(!sane_request_id(""));
        assert!(!sane_request_id("a b"));
        assert!(!sane_request_id("x\"}{"));
        assert!(!sane_request_id(&"a".repeat(129)));
    }
}
