//! How often each client may ask: every route but the health checks and `/metrics`
//! passes a token bucket per client ([`ClientAddr`]; GCRA, `governor`); an empty bucket
//! is a 429 with `Retry-After`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::client::ClientAddr;
use crate::error::ApiError;
use crate::metrics::MetricsPort;
use crate::settings::RateLimitSettings;

/// Paths no client is limited on: the load balancer's and the orchestrator's probes.
const EXEMPT: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The per-client limit and how clients are told apart.
#[derive(Clone)]
pub struct ClientLimits {
    limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    settings: RateLimitSettings,
}

impl ClientLimits {
    /// The limit of `settings` (none when `per_second` is 0).
    pub fn new(settings: &RateLimitSettings) -> anyhow::Result<ClientLimits> {
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
    let Some(limits) = req.app_data::<web::Data<ClientLimits>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let metrics_port = req
        .app_data::<web::Data<MetricsPort>>()
        .map_or(MetricsPort::default(), |p| *p.get_ref());
    let Some(client) = ClientAddr::of_request(req.request()) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    req.extensions_mut().insert(client);
    // The metrics port serves the metrics and nothing else.
    if metrics_port.is(req.app_config().local_addr().port()) && req.path() != "/metrics" {
        let error = ApiError::NotFound("no such route".into());
        return Ok(req
            .into_response(error.error_response())
            .map_into_right_body());
    }
    if EXEMPT.contains(&req.path()) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    match limits.check(client) {
        Ok(()) => Ok(next.call(req).await?.map_into_left_body()),
        Err(wait) => {
            let s = &limits.settings;
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

    #[test]
    fn a_client_gets_its_burst_then_waits_while_others_go_on() {
        let limits = ClientLimits::new(&RateLimitSettings {
            per_second: 2.0,
            burst: 3,
        })
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
        let off = ClientLimits::new(&RateLimitSettings {
            per_second: 0.0,
            burst: 1,
        })
        .unwrap();
        assert!((0..100).all(|_| off.check(one).is_ok()));
        for bad in [f64::NAN, -1.0] {
            let s = RateLimitSettings {
                per_second: bad,
                burst: 1,
            };
            assert!(ClientLimits::new(&s).is_err());
        }
    }
}
