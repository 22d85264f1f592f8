//! Why a request could not be planned ([`PlanError`]).

use crate::codes::{Code, ErrorCode};
use crate::domain::FieldError;
use crate::network::CacheError;
use crate::solver_pool::PoolError;
use crate::store::StoreError;

/// Why a request could not be planned: the planner's own reasons, and its layers'
/// errors as they are (each says its own [`Code`]).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A field is fine on its own but not with the data (an unknown trailhead).
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// Nothing was found within the time budget.
    #[error("planning ran out of its time budget")]
    TimeBudget,
    /// The solver pool refused or lost the job.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The store failed, or the region changed while it was read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The network's tiles could not be had.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// A bug or corrupt data (the solver refused its query).
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl PlanError {
    /// Whether an import replaced the region while the request read it: planning again
    /// reads the new data.
    pub(super) fn is_stale(&self) -> bool {
        matches!(
            self,
            PlanError::Store(StoreError::Stale(_))
                | PlanError::Cache(CacheError::Store(StoreError::Stale(_)))
        )
    }

    /// The region `region` changed under the request.
    pub(super) fn stale(region: &str) -> PlanError {
        PlanError::Store(StoreError::Stale(format!(
            "region {region} was replaced while the request read it"
        )))
    }
}

impl ErrorCode for PlanError {
    fn error_code(&self) -> Code {
        match self {
            PlanError::Invalid(_) => Code::InvalidRequest,
            PlanError::TimeBudget => Code::TimeBudgetExceeded,
            PlanError::Pool(e) => e.error_code(),
            PlanError::Store(e) => e.error_code(),
            PlanError::Cache(e) => e.error_code(),
            PlanError::Internal(_) => Code::Internal,
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            PlanError::Pool(e) => e.detail(),
            _ => None,
        }
    }

    fn fields(&self) -> Vec<FieldError> {
        match self {
            PlanError::Invalid(errors) => errors.clone(),
            _ => Vec::new(),
        }
    }
}
