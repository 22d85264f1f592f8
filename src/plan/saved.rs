//! Saved plans: a loop the service answered, kept for a while under a per-client quota,
//! and read back.

use uuid::Uuid;

use super::PlanError;
use crate::domain::SavePlanRequest;
use crate::store::{NewPlan, PlanRecord, Saved, Store};

/// The limits a plan is saved under.
#[derive(Debug, Clone)]
pub struct PlanLimits {
    /// How long it is kept.
    pub retention: std::time::Duration,
    /// Plans one client may save per day.
    pub quota_per_day: u32,
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

    /// Stores a checked plan for `client` (a keyed hash of its address), unless the
    /// client has saved its quota already.
    pub async fn save(
        &self,
        request: SavePlanRequest,
        client: String,
        limits: &PlanLimits,
    ) -> Result<Saved, PlanError> {
        let plan = NewPlan {
            name: request.name,
            body: request.loop_,
            client,
            retention: limits.retention,
            quota: limits.quota_per_day,
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
