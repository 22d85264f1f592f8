//! Saved plans: a loop the service answered, kept for a while under a per-client quota
//! and a cap on all of them, saved once per token, and read back.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::PlanError;
use crate::domain::{FieldError, SavePlanRequest};
use crate::settings::PlanSettings;
use crate::store::{NewPlan, PlanRecord, Saved, Store};

/// The limits a plan is saved under.
#[derive(Debug, Clone)]
pub struct PlanLimits {
    /// How long it is kept.
    pub retention: std::time::Duration,
    /// Plans one client may save per day.
    pub quota_per_day: u32,
    /// Unexpired plans kept at most, of all clients; a save beyond is refused.
    pub max_stored: u64,
}

impl PlanLimits {
    /// The limits the `[plans]` settings give.
    pub fn from_settings(plans: &PlanSettings) -> anyhow::Result<PlanLimits> {
        plans.check()?;
        Ok(PlanLimits {
            retention: std::time::Duration::from_secs_f64(plans.retention_days * 86_400.0),
            quota_per_day: plans.quota_per_day,
            max_stored: plans.max_stored,
        })
    }
}

/// Plans the hikers saved: kept under a per-client quota, read back, purged when
/// expired.
#[derive(Clone)]
pub struct SavedPlans {
    store: Store,
}

impl SavedPlans {
    /// The plans kept in `store`.
    pub fn new(store: Store) -> SavedPlans {
        SavedPlans { store }
    }

    /// What a plan's token is known by: the SHA-256 of its canonical text. A token is
    /// `<seconds>.<tag>`, and the seconds parse as a number, so `0123.t` and `+123.t`
    /// vouch as `123.t` does: they are one token, saved once. (The tag is canonical
    /// already: base64 without padding, trailing bits refused.)
    pub fn token_digest(token: &str) -> [u8; 32] {
        let canonical = match token.split_once('.') {
            Some((issued, tag)) => match issued.parse::<u64>() {
                Ok(issued) => format!("{issued}.{tag}"),
                Err(_) => token.to_string(),
            },
            None => token.to_string(),
        };
        Sha256::digest(canonical.as_bytes()).into()
    }

    /// Stores a checked plan, its token verified, for `client` (a keyed hash of its
    /// address): the token's plan if it was saved before (not counted again), else a
    /// new one unless the client has saved its quota already or the store is full.
    pub async fn save(
        &self,
        request: SavePlanRequest,
        client: String,
        limits: &PlanLimits,
    ) -> Result<Saved, PlanError> {
        let token = request.token.as_deref().ok_or_else(|| {
            PlanError::Invalid(vec![FieldError::new(
                "loop.token",
                "is required: save a loop as /v1/loops answered it, token included",
            )])
        })?;
        let plan = NewPlan {
            token_hash: SavedPlans::token_digest(token),
            name: request.name,
            body: request.loop_,
            client,
            retention: limits.retention,
            quota: limits.quota_per_day,
            max_stored: limits.max_stored,
        };
        Ok(self.store.save_plan(plan).await?)
    }

    /// A saved plan, if there is one with this id and it has not expired.
    pub async fn get(&self, id: Uuid) -> Result<Option<PlanRecord>, PlanError> {
        Ok(self.store.plan(id).await?)
    }

    /// Deletes expired plans; how many.
    pub async fn purge_expired(&self) -> Result<u64, PlanError> {
        Ok(self.store.purge_expired_plans().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_known_by_its_canonical_text() {
        let digest = SavedPlans::token_digest;
        let tag = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80";
        let plain = digest(&format!("1700000000.{tag}"));
        // The seconds written otherwise, as the check of a token takes them.
        for same in [
            format!("01700000000.{tag}"),
            format!("+1700000000.{tag}"),
            format!("0001700000000.{tag}"),
        ] {
            assert_eq!(digest(&same), plain, "{same}");
        }
        // Another time or another tag is another token.
        assert_ne!(digest(&format!("1700000001.{tag}")), plain);
        assert_ne!(
            digest(&format!("1700000000.{}", tag.replace('q', "r"))),
            plain
        );
        // What is not a token still hashes (it never verifies, so it is never stored).
        assert_ne!(digest("garbage"), digest("garbage2"));
    }
}
