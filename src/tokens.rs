//! Plan tokens: the service's word that a loop is one it answered. Every loop of
//! `/v1/loops` carries `token`, an HMAC-SHA256 over the loop's content and the time it
//! was answered; `POST /v1/plans` stores a loop only when its token matches it, so a
//! saved plan, its GPX and its attribution are the service's own computation, not
//! whatever a client chose to send.
//!
//! The MAC covers the loop's JSON value in a canonical form: object keys in order,
//! every number as the f64 it stands for (JavaScript writes `2.0` as `2`), strings and
//! arrays length-prefixed. A client may re-serialise the loop any way JSON allows;
//! changing any value, adding or removing a field breaks the token.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::Sha256;

use crate::client::ClientAddr;

/// The loop's field that holds its token (left out of what the token covers).
pub const TOKEN_FIELD: &str = "token";
/// Shortest key accepted from settings, bytes.
pub const MIN_KEY_BYTES: usize = 32;
/// What the MAC starts with, so that it means nothing in another protocol.
const DOMAIN: &[u8] = b"trailloop plan token v1\0";
/// A token from a clock this far ahead is still taken (tasks' clocks differ a little).
const CLOCK_SKEW: Duration = Duration::from_secs(60);

/// Why a token does not vouch for a loop.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No token, or not one this service writes.
    #[error("is not a token of this service")]
    Malformed,
    /// The token was made for other content, or with another key.
    #[error("does not match the loop: save a loop exactly as /v1/loops answered it")]
    Mismatch,
    /// The loop was answered too long ago.
    #[error("has expired: a loop can be saved within {hours} hours of being planned")]
    Expired {
        /// The time allowed.
        hours: u64,
    },
}

/// Makes and checks tokens with one key.
#[derive(Clone)]
pub struct PlanTokens {
    key: Vec<u8>,
    ttl: Duration,
}

impl std::fmt::Debug for PlanTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanTokens")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl PlanTokens {
    /// Tokens under the configured key, or a random key of this process's own when none
    /// is set (tokens then die with the process).
    pub fn from_settings(key: Option<&SecretString>, ttl: Duration) -> anyhow::Result<PlanTokens> {
        let key = match key {
            Some(k) => {
                let k = k.expose_secret().as_bytes();
                anyhow::ensure!(
                    k.len() >= MIN_KEY_BYTES,
                    "plans.token_key must be at least {MIN_KEY_BYTES} characters"
                );
                k.to_vec()
            }
            None => {
                tracing::warn!(
                    "plans.token_key is not set: loops can be saved only on this process, \
                     until it stops (set TRAILLOOP__PLANS__TOKEN_KEY on every task)"
                );
                let mut k = vec![0; 32];
                getrandom::getrandom(&mut k)
                    .map_err(|e| anyhow::anyhow!("no randomness for the token key: {e}"))?;
                k
            }
        };
        Ok(PlanTokens { key, ttl })
    }

    /// Tokens under `key` (tests).
    pub fn new(key: &[u8], ttl: Duration) -> PlanTokens {
        PlanTokens {
            key: key.to_vec(),
            ttl,
        }
    }

    /// The token of `loop_` (a loop object; its own `token` field, if any, ignored),
    /// answered at `now`.
    pub fn issue(&self, loop_: &Value, now: SystemTime) -> String {
        let issued = unix_secs(now);
        let tag = self.mac(issued, loop_).finalize().into_bytes();
        format!("{issued}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// Whether `token` vouches for `loop_` at `now`.
    pub fn verify(&self, loop_: &Value, token: &str, now: SystemTime) -> Result<(), TokenError> {
        let (issued, tag) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let issued: u64 = issued.parse().map_err(|_| TokenError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .ok()
            .filter(|t| t.len() == 32)
            .ok_or(TokenError::Malformed)?;
        // Constant-time comparison: the time to refuse says nothing of the right tag.
        self.mac(issued, loop_)
            .verify_slice(&tag)
            .map_err(|_| TokenError::Mismatch)?;
        // Checked after the MAC: the time in it is the service's own.
        let now = unix_secs(now);
        if issued > now.saturating_add(CLOCK_SKEW.as_secs())
            || now.saturating_sub(issued) > self.ttl.as_secs()
        {
            return Err(TokenError::Expired {
                hours: self.ttl.as_secs() / 3600,
            });
        }
        Ok(())
    }

    /// What a client's saved plans are counted under: a keyed hash of its address, so
    /// that the database holds no address.
    pub fn client_key(&self, client: ClientAddr) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(b"trailloop client\0");
        mac.update(client.0.to_string().as_bytes());
        let tag = mac.finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&tag[..16])
    }

    fn mac(&self, issued: u64, loop_: &Value) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(DOMAIN);
        mac.update(&issued.to_be_bytes());
        canonical(&mut mac, loop_, true);
        mac
    }
}

fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Feeds `value` in canonical form; at the top, without the token field.
fn canonical(mac: &mut Hmac<Sha256>, value: &Value, top: bool) {
    let len = |mac: &mut Hmac<Sha256>, n: usize| mac.update(&(n as u64).to_be_bytes());
    match value {
        Value::Null => mac.update(b"z"),
        Value::Bool(b) => mac.update(if *b { b"t" } else { b"f" }),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            // -0 and 0 are one number to JSON.stringify.
            let x = if x == 0.0 { 0.0 } else { x };
            mac.update(b"n");
            mac.update(&x.to_bits().to_be_bytes());
        }
        Value::String(s) => {
            mac.update(b"s");
            len(mac, s.len());
            mac.update(s.as_bytes());
        }
        Value::Array(items) => {
            mac.update(b"a");
            len(mac, items.len());
            for item in items {
                canonical(mac, item, false);
            }
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map
                .iter()
                .filter(|(k, _)| !(top && k.as_str() == TOKEN_FIELD))
                .collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            mac.update(b"o");
            len(mac, entries.len());
            for (k, v) in entries {
                len(mac, k.len());
                mac.update(k.as_bytes());
                canonical(mac, v, false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tokens() -> PlanTokens {
        PlanTokens::new(&[7; 32], Duration::from_secs(3600))
    }

    fn a_loop() -> Value {
        json!({
            "rank": 1, "distance_km": 12.5, "ascent_m": 2.0, "name": "Coll d'Ordino",
            "geometry": {"type": "LineString", "coordinates": [[1.5, 42.5, 1023.0], [1.51, 42.52, 1100.25], [1.5, 42.5, 1023.0]]},
            "segments": [{"name": null, "highway": "path"}]
        })
    }

    #[test]
    fn a_token_vouches_for_its_loop_however_it_is_reserialised() {
        let t = tokens();
        let now = SystemTime::now();
        let mut l = a_loop();
        let token = t.issue(&l, now);
        l["token"] = json!(token);
        assert_eq!(t.verify(&l, &token, now), Ok(()));
        // As a browser sends it back: keys in another order, 2.0 written as 2.
        let text = serde_json::to_string(&l)
            .unwrap()
            .replace("\"ascent_m\":2.0", "\"ascent_m\":2");
        assert!(text.contains("\"ascent_m\":2,"), "{text}");
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(t.verify(&back, &token, now), Ok(()));
    }

    #[test]
    fn any_change_to_the_loop_breaks_its_token() {
        let t = tokens();
        let now = SystemTime::now();
        let token = t.issue(&a_loop(), now);
        let edits: [fn(&mut Value); 6] = [
            |l| l["distance_km"] = json!(12.500001),
            |l| l["name"] = json!("Official TrailLoop route"),
            |l| l["geometry"]["coordinates"][1][0] = json!(9.0),
            |l| l["segments"][0]["name"] = json!(""),
            |l| l["difficulty"] = json!("easy"),
            |l| {
                l.as_object_mut().unwrap().remove("ascent_m");
            },
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut l = a_loop();
            edit(&mut l);
            assert_eq!(
                t.verify(&l, &token, now),
                Err(TokenError::Mismatch),
                "edit {i}"
            );
        }
        let other_key = PlanTokens::new(&[8; 32], Duration::from_secs(3600));
        assert_eq!(
            other_key.verify(&a_loop(), &token, now),
            Err(TokenError::Mismatch)
        );
        for bad in ["", "abc", "1.", "x.AAAA", "12.!!"] {
            assert_eq!(
                t.verify(&a_loop(), bad, now),
                Err(TokenError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_token_expires_and_its_time_cannot_be_moved() {
        let t = tokens();
        let then = SystemTime::now() - Duration::from_secs(7200);
        let token = t.issue(&a_loop(), then);
        assert_eq!(
            t.verify(&a_loop(), &token, SystemTime::now()),
            Err(TokenError::Expired { hours: 1 })
        );
        // Claiming a later time in the token breaks its MAC.
        let (_, tag) = token.split_once('.').unwrap();
        let moved = format!("{}.{tag}", unix_secs(SystemTime::now()));
        assert_eq!(
            t.verify(&a_loop(), &moved, SystemTime::now()),
            Err(TokenError::Mismatch)
        );
    }

    #[test]
    fn a_short_configured_key_is_refused() {
        let short = SecretString::from("too short");
        assert!(PlanTokens::from_settings(Some(&short), Duration::from_secs(1)).is_err());
        let long = SecretString::from("k".repeat(MIN_KEY_BYTES));
        assert!(PlanTokens::from_settings(Some(&long), Duration::from_secs(1)).is_ok());
    }
}
