//! Why a request could not be planned ([`PlanError`]), and what preparing one can run
//! into besides (the data changed under it).

use crate::domain::FieldError;
use crate::network::CacheError;
use crate::solver_pool::PoolError;
use crate::store::StoreError;

/// Why a request could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A field is fine on its own but not with the data (an unknown trailhead).
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// The solver queue is full.
    #[error("too many planning requests in flight")]
    Overloaded,
    /// Nothing was found within the time budget.
    #[error("planning ran out of its time budget")]
    TimeBudget,
    /// The database cannot be reached, or keeps changing under the request.
    #[error("backend unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or corrupt data.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<PoolError> for PlanError {
    fn from(e: PoolError) -> PlanError {
        match e {
            PoolError::Overloaded => PlanError::Overloaded,
            PoolError::TimeBudget => PlanError::TimeBudget,
            PoolError::Internal(e) => PlanError::Internal(e),
        }
    }
}

/// What preparing a request can run into besides a failure: the data changed under it.
pub(super) enum Prepare {
    Stale,
    Failed(PlanError),
}

impl From<StoreError> for Prepare {
    fn from(e: StoreError) -> Prepare {
        match e {
            StoreError::Stale(_) => Prepare::Stale,
            StoreError::Unavailable(m) => {
                Prepare::Failed(PlanError::Unavailable(anyhow::anyhow!(m)))
            }
            StoreError::Other(e) => Prepare::Failed(PlanError::Internal(e)),
        }
    }
}

impl From<StoreError> for PlanError {
    fn from(e: StoreError) -> PlanError {
        match Prepare::from(e) {
            Prepare::Failed(e) => e,
            Prepare::Stale => PlanError::Unavailable(anyhow::anyhow!(
                "the network was replaced while it was read"
            )),
        }
    }
}

impl From<CacheError> for Prepare {
    fn from(e: CacheError) -> Prepare {
        match e {
            CacheError::Store(e) => e.into(),
            e @ CacheError::Build { .. } => Prepare::Failed(PlanError::Internal(e.into())),
        }
    }
}

pub(super) fn failed(p: Prepare) -> PlanError {
    match p {
        Prepare::Failed(e) => e,
        Prepare::Stale => PlanError::Unavailable(anyhow::anyhow!(
            "the network keeps changing under the request"
        )),
    }
}
