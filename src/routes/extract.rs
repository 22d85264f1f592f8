//! Extractors that turn bodies and query strings into request types or an [`ApiError`]
//! naming the field (`origin.lat`, `max_sac_scale`): actix's own give the parser's
//! message without a path, and a plain-text error body.

use actix_web::dev::Payload;
use actix_web::mime;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{ready, LocalBoxFuture, Ready};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::domain::FieldError;
use crate::error::ApiError;

/// Largest body a route accepts, set per resource with `app_data`.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Used where no [`BodyLimit`] is set.
const DEFAULT_LIMIT: usize = 64 * 1024;

/// Time a client has to send a whole body, set on the app with `app_data`; a body
/// trickled slower than that is cut off with 408 instead of holding a connection.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

/// Used where no [`BodyTimeout`] is set.
const DEFAULT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A JSON body deserialized into `T`.
pub struct ApiJson<T>(pub T);

/// A query string deserialized into `T`.
pub struct ApiQuery<T>(pub T);

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(m)) => {
            m.type_() == mime::APPLICATION
                && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
        }
        _ => false,
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<ApiJson<T>, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().map_or(DEFAULT_LIMIT, |l| l.0);
        let timeout = req
            .app_data::<BodyTimeout>()
            .map_or(DEFAULT_BODY_TIMEOUT, |t| t.0);
        let json = is_json(req);
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType);
            }
            // Refuse before reading when the client says how much it will send.
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let read = async {
                let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(limit));
                while let Some(chunk) = payload.next().await {
                    let chunk = chunk.map_err(|e| ApiError::Malformed {
                        detail: format!("reading the body: {e}"),
                        field: None,
                    })?;
                    if body.len() + chunk.len() > limit {
                        return Err(ApiError::PayloadTooLarge { limit });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(body)
            };
            let body = tokio::time::timeout(timeout, read).await.map_err(|_| {
                ApiError::RequestTimeout {
                    secs: timeout.as_secs(),
                }
            })??;
            parse_json(&body).map(ApiJson)
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<ApiQuery<T>, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(ApiQuery))
    }
}

/// Parses JSON: syntax errors are 400, well-formed JSON of the wrong shape is 422, and
/// both name the field where the parser stopped.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = clean_path(&e.path().to_string());
        let inner = e.into_inner();
        let message = strip_position(&inner.to_string());
        match inner.classify() {
            serde_json::error::Category::Data => {
                ApiError::Validation(vec![FieldError::new(field_name(&path, &message), message)])
            }
            _ => ApiError::Malformed {
                detail: format!("malformed JSON: {inner}"),
                field: (!path.is_empty()).then_some(path),
            },
        }
    })?;
    de.end().map_err(|e| ApiError::Malformed {
        detail: format!("malformed JSON: {e}"),
        field: None,
    })?;
    Ok(value)
}

/// Parses a query string; every failure names its parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = clean_path(&e.path().to_string());
        let message = e.into_inner().to_string();
        ApiError::Validation(vec![FieldError::new(field_name(&path, &message), message)])
    })
}

/// serde_path_to_error writes `.` for the root and `?` where it lost track (in the
/// middle of a truncated object): keep only the segments it knows.
fn clean_path(path: &str) -> String {
    path.split('.')
        .filter(|s| !s.is_empty() && *s != "?")
        .collect::<Vec<_>>()
        .join(".")
}

/// serde_json appends " at line 1 column 42"; the field name says more to a client.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The field an error is about. Unknown, missing and duplicate fields are reported at
/// their parent's path with the name in backticks in the message.
fn field_name(path: &str, message: &str) -> String {
    let named = ["unknown field `", "missing field `", "duplicate field `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    match named {
        Some(name) if path.is_empty() => name.to_string(),
        Some(name) if path.ends_with(name) => path.to_string(),
        Some(name) => format!("{path}.{name}"),
        None if path.is_empty() => "body".to_string(),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LoopQuery, LoopRequestBody};

    fn json_field(body: &str) -> (u16, String) {
        use actix_web::ResponseError;
        let e = parse_json::<LoopRequestBody>(body.as_bytes()).expect_err("must fail");
        let p = e.problem();
        (e.status_code().as_u16(), p.errors[0].field.clone())
    }

    const OK: &str = r#""max_drive_km": 25, "target_km": 20"#;

    #[test]
    fn json_errors_name_the_field_at_fault() {
        let cases = [
            (
                format!(r#"{{"origin": {{"lat": "x", "lon": 1}}, {OK}}}"#),
                422,
                "origin.lat",
            ),
            (
                format!(r#"{{"origin": {{"lat": 1, "lon": 1, "alt": 3}}, {OK}}}"#),
                422,
                "origin.alt",
            ),
            (
                format!(r#"{{"origin": {{"lat": 1, "lon": 1}}, {OK}, "colour": 1}}"#),
                422,
                "colour",
            ),
            (
                format!(r#"{{"origin": {{"lat": 1, "lon": 1}}, {OK}, "days": 2.5}}"#),
                422,
                "days",
            ),
            (
                format!(r#"{{"origin": {{"lat": 1e999, "lon": 1}}, {OK}}}"#),
                400,
                "origin.lat",
            ),
            (
                format!(r#"{{"origin": {{"lat": 1, "lon": 1}}, {OK}, "seed": -1}}"#),
                422,
                "seed",
            ),
            (
                format!(
                    r#"{{"origin": {{"lat": 1, "lon": 1}}, {OK}, "preferences": {{"avoid_roads": "yes"}}}}"#
                ),
                422,
                "preferences.avoid_roads",
            ),
        ];
        for (body, status, field) in cases {
            assert_eq!(json_field(&body), (status, field.to_string()), "{body}");
        }
    }

    #[test]
    fn broken_json_is_a_400() {
        use actix_web::ResponseError;
        for body in ["", "{", "[1,2]", "{\"origin\": }", "{} trailing"] {
            let e = parse_json::<LoopRequestBody>(body.as_bytes())
                .err()
                .unwrap();
            assert!(e.status_code().is_client_error(), "{body}");
        }
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let f = |q: &str| match parse_query::<LoopQuery>(q) {
            Err(ApiError::Validation(e)) => e[0].field.clone(),
            _ => panic!("{q} must fail validation"),
        };
        assert_eq!(f("lat=x&lon=1&max_drive_km=1&target_km=1"), "lat");
        assert_eq!(f("lon=1&max_drive_km=1&target_km=1"), "lat");
        assert_eq!(f("lat=1&lon=1&max_drive_km=1&target_km=1&bogus=2"), "bogus");
        assert_eq!(f("lat=1&lon=1&max_drive_km=1&target_km=1&days=-2"), "days");
    }
}
