//! Who a request comes from, as the rate limit (`rate_limit`) and the plan quota count
//! it.
//!
//! The client is the TCP peer, or, behind a load balancer that appends the address it
//! saw to `X-Forwarded-For` (an ALB does), that header's rightmost entry: the entries
//! left of it are the client's own say and can be forged. IPv6 clients count by their
//! /64, the block one host or household gets, so that a client cannot step round its
//! limit by changing the last bits of its address.

use std::net::{IpAddr, Ipv6Addr};

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{ready, Ready};

use crate::error::ApiError;

/// Whether the service runs behind a load balancer that appends the client's address to
/// `X-Forwarded-For` (`server.behind_proxy`): the app's own data, so that whoever names
/// a client names the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BehindProxy(pub bool);

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

impl ClientAddr {
    /// The client of a request as the rate limit named it, else as the app's
    /// [`BehindProxy`] says to.
    pub fn of_request(req: &HttpRequest) -> Option<ClientAddr> {
        req.extensions().get::<ClientAddr>().copied().or_else(|| {
            let behind_proxy = req
                .app_data::<web::Data<BehindProxy>>()
                .is_some_and(|b| b.0);
            ClientAddr::of(req, behind_proxy)
        })
    }
}

impl FromRequest for ClientAddr {
    type Error = ApiError;
    type Future = Ready<Result<ClientAddr, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let found = ClientAddr::of_request(req);
        ready(
            found.ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("a request without a peer address"))
            }),
        )
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
}
