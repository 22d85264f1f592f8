//! Who a request comes from, and how often each client may ask.
//!
//! The client is the TCP peer, or, behind a load balancer that appends the address it
//! saw to `X-Forwarded-For` (an ALB does), that header's rightmost entry: the entries
//! left of it are the client's own say and can be forged. IPv6 clients count by their
//! /64, the block one host or household gets, so that a client cannot step round its
//! limit by changing the last bits of its address.
//!
//! Every route but the health checks and `/metrics` passes a token bucket per client
//! (GCRA, `governor`); an empty bucket is a 429 with `Retry-After`.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, ResponseError};
use futures_util::future::{ready, Ready};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;
use crate::settings::RateLimitSettings;
use crate::startup::AppState;

/// Paths no client is limited on: the load balancer's and the orchestrator's probes.
const EXEMPT: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// A request's client, as the rate limit and the plan quota count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The client of a request: the peer, or the rightmost `X-Forwarded-For` entry when
    /// `behind_proxy` (the peer when the header is missing or not an address).
    pub fn of(req: &HttpRequest, behind_proxy: bool) -> Option<ClientAddr> {
        let forwarded = behind_proxy
            .then(|| {
                req.headers()
                    .get_all("x-forwarded-for")
                    .last()
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit(',').next())
                    .and_then(|hop| hop.trim().parse::<IpAddr>().ok())
            })
            .flatten();
        forwarded
            .or_else(|| req.peer_addr().map(|a| a.ip()))
            .map(|ip| ClientAddr(bucket_of(ip)))
    }
}

/// The address that stands for a client: IPv4 as it is, IPv6 by its /64 (an IPv4
/// address mapped into IPv6 as that IPv4 address).
fn bucket_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl FromRequest for ClientAddr {
    type Error = ApiError;
    type Future = Ready<Result<ClientAddr, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = req.extensions().get::<ClientAddr>().copied().or_else(|| {
            let behind_proxy = req
                .app_data::<web::Data<AppState>>()
                .is_some_and(|s| s.limits.behind_proxy);
            ClientAddr::of(req, behind_proxy)
        });
        ready(
            found.ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("a request without a peer address"))
            }),
        )
    }
}

/// The per-client limit and how clients are told apart.
#[derive(Clone)]
pub struct ClientLimits {
    /// Whether the client is the rightmost `X-Forwarded-For` entry.
    pub behind_proxy: bool,
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    settings: RateLimitSettings,
}

impl ClientLimits {
    /// The limit of `settings` (none when `per_second` is 0).
    pub fn new(settings: &RateLimitSettings, behind_proxy: bool) -> anyhow::Result<ClientLimits> {
        let limiter = if settings.per_second == 0.0 {
            None
        } else {
            anyhow::ensure!(
                settings.per_second.is_finite() && settings.per_second > 0.0,
                "rate_limit.per_second must be a positive number or 0 (off), got {}",
                settings.per_second
            );
            let burst = NonZeroU32::new(settings.burst)
                .ok_or_else(|| anyhow::anyhow!("rate_limit.burst must be at least 1"))?;
            let period = Duration::from_secs_f64(1.0 / settings.per_second);
            let quota = Quota::with_period(period)
                .ok_or_else(|| anyhow::anyhow!("rate_limit.per_second is too high"))?
                .allow_burst(burst);
            Some(Arc::new(RateLimiter::dashmap(quota)))
        };
        Ok(ClientLimits {
            behind_proxy,
            limiter,
            settings: settings.clone(),
        })
    }

    /// `Ok` when `client` may make a request now, else how long until it may.
    pub fn check(&self, client: ClientAddr) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter
            .check_key(&client.0)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets clients whose buckets are full again (they would start from full anyway),
    /// so that the state stays as large as the set of recent clients.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Clients with state held.
    pub fn clients_held(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }
}

/// The middleware (`App::wrap(from_fn(limit))`): names the client for the handlers and
/// answers 429 when its bucket is empty.
pub async fn limit<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let Some(client) = ClientAddr::of(req.request(), state.limits.behind_proxy) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    req.extensions_mut().insert(client);
    // The metrics port serves the metrics and nothing else.
    if state
        .metrics_port
        .is_some_and(|port| req.app_config().local_addr().port() == port)
        && req.path() != "/metrics"
    {
        let error = ApiError::NotFound("no such route".into());
        return Ok(req
            .into_response(error.error_response())
            .map_into_right_body());
    }
    if EXEMPT.contains(&req.path()) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    match state.limits.check(client) {
        Ok(()) => Ok(next.call(req).await?.map_into_left_body()),
        Err(wait) => {
            let s = &state.limits.settings;
            let error = ApiError::TooManyRequests {
                detail: format!(
                    "more than {} requests at once, or {} a second, from one client; retry after Retry-After seconds",
                    s.burst, s.per_second
                ),
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u32,
            };
            Ok(req
                .into_response(error.error_response())
                .map_into_right_body())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn addr(s: &str) -> std::net::SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn behind_a_proxy_the_client_is_the_rightmost_forwarded_entry() {
        let req = TestRequest::default()
            .peer_addr(addr("10.0.1.5:40000"))
            .insert_header(("x-forwarded-for", "6.6.6.6, 203.0.113.7"))
            .to_http_request();
        let ip = |s: &str| ClientAddr(s.parse().unwrap());
        assert_eq!(ClientAddr::of(&req, true), Some(ip("203.0.113.7")));
        assert_eq!(ClientAddr::of(&req, false), Some(ip("10.0.1.5")));
        // Forged entries the client sends first, in a header of its own, do not count.
        let two = TestRequest::default()
            .peer_addr(addr("10.0.1.5:40000"))
            .append_header(("x-forwarded-for", "1.2.3.4"))
            .append_header(("x-forwarded-for", "198.51.100.9"))
            .to_http_request();
        assert_eq!(ClientAddr::of(&two, true), Some(ip("198.51.100.9")));
        let junk = TestRequest::default()
            .peer_addr(addr("10.0.1.5:40000"))
            .insert_header(("x-forwarded-for", "not-an-address"))
            .to_http_request();
        assert_eq!(ClientAddr::of(&junk, true), Some(ip("10.0.1.5")));
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let a = bucket_of("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = bucket_of("2001:db8:1:2:bbbb::9".parse().unwrap());
        let c = bucket_of("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            bucket_of("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn a_client_gets_its_burst_then_waits_while_others_go_on() {
        let limits = ClientLimits::new(
            &RateLimitSettings {
                per_second: 2.0,
                burst: 3,
            },
            false,
        )
        .unwrap();
        let one = ClientAddr("192.0.2.1".parse().unwrap());
        let two = ClientAddr("192.0.2.2".parse().unwrap());
        for _ in 0..3 {
            assert!(limits.check(one).is_ok());
        }
        let wait = limits.check(one).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        assert!(limits.check(two).is_ok());
        assert_eq!(limits.clients_held(), 2);
        let off = ClientLimits::new(
            &RateLimitSettings {
                per_second: 0.0,
                burst: 1,
            },
            false,
        )
        .unwrap();
        assert!((0..100).all(|_| off.check(one).is_ok()));
        for bad in [f64::NAN, -1.0] {
            let s = RateLimitSettings {
                per_second: bad,
                burst: 1,
            };
            assert!(ClientLimits::new(&s, false).is_err());
        }
    }
}
