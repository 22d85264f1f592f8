//! Saved plans: a loop kept as the API returned it, and read back.

use uuid::Uuid;

use super::{PlanError, Planner};
use crate::domain::SavePlanRequest;
use crate::store::PlanRecord;

impl Planner {
    /// Stores a checked plan.
    pub async fn save_plan(&self, request: SavePlanRequest) -> Result<PlanRecord, PlanError> {
        Ok(self.store.save_plan(request.name, request.loop_).await?)
    }

    /// A saved plan, if there is one with this id.
    pub async fn saved_plan(&self, id: Uuid) -> Result<Option<PlanRecord>, PlanError> {
        Ok(self.store.plan(id).await?)
    }
}
