//! Which browser pages on other origins may call the API (CORS), from
//! `server.cors_origins`: listed origins may call every route; `*` lets any origin call
//! the routes that only read (everything but saving a plan). Pages on the service's own
//! origin need no entry. Requests from other origins are still served (a non-browser
//! client is not a page), without the headers that would let a browser read the answer.

use actix_cors::Cors;
use actix_web::dev::RequestHead;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;

use crate::middleware::X_REQUEST_ID;

/// How long a browser may keep a preflight's answer, seconds.
const PREFLIGHT_MAX_AGE_SECS: usize = 3600;

/// The allowed origins, as configured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllowedOrigins {
    /// Exact origins (`scheme://host[:port]`), allowed on every route.
    listed: Vec<String>,
    /// Whether `*` was given.
    any_for_reads: bool,
}

impl AllowedOrigins {
    /// From the settings' list; blank entries and trailing slashes are ignored.
    pub fn new(configured: &[String]) -> AllowedOrigins {
        let mut out = AllowedOrigins::default();
        for o in configured.iter().map(|o| o.trim().trim_end_matches('/')) {
            match o {
                "" => {}
                "*" => out.any_for_reads = true,
                o => out.listed.push(o.to_ascii_lowercase()),
            }
        }
        out
    }

    /// Whether a page of `origin` may make the request `head` (for a preflight, the
    /// request it announces).
    pub fn allows(&self, origin: &HeaderValue, head: &RequestHead) -> bool {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        if self.listed.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
            return true;
        }
        self.any_for_reads && only_reads(head)
    }

    /// The middleware.
    pub fn middleware(self) -> Cors {
        Cors::default()
            .allowed_origin_fn(move |origin, head| self.allows(origin, head))
            .allowed_methods([Method::GET, Method::POST, Method::HEAD])
            .allowed_headers([
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::ACCEPT_LANGUAGE,
                X_REQUEST_ID,
            ])
            .expose_headers([
                X_REQUEST_ID,
                header::LOCATION,
                header::RETRY_AFTER,
                header::CONTENT_DISPOSITION,
            ])
            .max_age(PREFLIGHT_MAX_AGE_SECS)
            .block_on_origin_mismatch(false)
    }
}

/// Whether the request (or the one a preflight announces) only reads: GET and HEAD
/// anywhere, and POST of a loop request (a question in a body). Listed, so that a route
/// added later is not opened to every origin by default; the path as the router sees
/// it, percent-decoded.
fn only_reads(head: &RequestHead) -> bool {
    let method = if head.method == Method::OPTIONS {
        head.headers
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
            .unwrap_or(Method::OPTIONS)
    } else {
        head.method.clone()
    };
    match method {
        Method::GET | Method::HEAD => true,
        Method::POST => {
            let path = percent_encoding::percent_decode_str(head.uri.path()).decode_utf8_lossy();
            path.trim_end_matches('/') == "/v1/loops"
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn head(method: Method, path: &str, announced: Option<&str>) -> RequestHead {
        let mut r = TestRequest::default().method(method).uri(path);
        if let Some(m) = announced {
            r = r.insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, m));
        }
        r.to_srv_request().head().clone()
    }

    fn origin(o: &str) -> HeaderValue {
        HeaderValue::from_str(o).unwrap()
    }

    #[test]
    fn listed_origins_may_call_everything_and_others_nothing() {
        let a = AllowedOrigins::new(&["https://App.example.org/".into(), " ".into()]);
        let save = head(Method::OPTIONS, "/v1/plans", Some("POST"));
        assert!(a.allows(&origin("https://app.example.org"), &save));
        assert!(!a.allows(&origin("https://evil.example"), &save));
        assert!(!a.allows(
            &origin("https://app.example.org.evil.example"),
            &head(Method::GET, "/v1/loops", None)
        ));
        // An empty setting (one blank entry) allows no origin.
        assert_eq!(AllowedOrigins::new(&["".into()]), AllowedOrigins::default());
        assert!(!AllowedOrigins::new(&[]).allows(
            &origin("https://app.example.org"),
            &head(Method::GET, "/v1/loops", None)
        ));
    }

    #[test]
    fn a_wildcard_opens_the_reading_routes_only() {
        let a = AllowedOrigins::new(&["*".into()]);
        let any = origin("https://anyone.example");
        assert!(a.allows(&any, &head(Method::OPTIONS, "/v1/loops", Some("POST"))));
        assert!(a.allows(&any, &head(Method::GET, "/v1/plans/x/gpx", None)));
        assert!(!a.allows(&any, &head(Method::OPTIONS, "/v1/plans", Some("POST"))));
        assert!(!a.allows(&any, &head(Method::POST, "/v1/plans/", None)));
        assert!(
            !a.allows(&any, &head(Method::OPTIONS, "/v1/%70lans", Some("POST"))),
            "the router decodes %70 to p"
        );
        assert!(a.allows(&any, &head(Method::OPTIONS, "/v1/%6Coops", Some("POST"))));
        assert!(!a.allows(&any, &head(Method::OPTIONS, "/v1/anything", Some("PUT"))));
    }
}
