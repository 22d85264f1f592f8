//! Where the network and the saved plans live: PostGIS, or memory (embedded mode). Both
//! answer the same questions so that the HTTP layer does not care which one runs.

mod embedded;
mod postgres;

pub use embedded::EmbeddedStore;
pub use postgres::PgStore;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use trailloop_osm::Coord;
use uuid::Uuid;

use crate::planner::PlanningNetwork;

/// A trailhead near the origin of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailheadRow {
    /// Id (stable for the life of an import).
    pub id: i64,
    /// Region it belongs to.
    pub region: String,
    /// Node loops start from.
    pub node_id: i64,
    /// Name from OSM.
    pub name: Option<String>,
    /// `trailhead`, `parking` or `road_junction`.
    pub kind: String,
    /// Location.
    pub coord: Coord,
    /// Straight-line distance from the query point, metres.
    pub distance_m: f64,
}

/// A saved plan: the loop exactly as the API returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRecord {
    /// Id.
    pub id: Uuid,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
    /// A name the user gave it.
    pub name: Option<String>,
    /// The loop JSON.
    pub body: serde_json::Value,
}

/// Store failures; the HTTP layer turns `Unavailable` into 503.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached (pool timeout, connection refused).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The backend the service runs on.
#[derive(Clone)]
pub enum Store {
    /// PostGIS.
    Postgres(PgStore),
    /// In memory.
    Embedded(Arc<EmbeddedStore>),
}

impl Store {
    /// Trailheads within `radius_m` of `origin`, nearest first, at most `limit`.
    pub async fn trailheads_within(
        &self,
        origin: Coord,
        radius_m: f64,
        limit: usize,
    ) -> Result<Vec<TrailheadRow>, StoreError> {
        match self {
            Store::Postgres(pg) => pg.trailheads_within(origin, radius_m, limit).await,
            Store::Embedded(mem) => Ok(mem.trailheads_within(origin, radius_m, limit)),
        }
    }

    /// One trailhead by id, with its distance from `origin`.
    pub async fn trailhead(
        &self,
        id: i64,
        origin: Coord,
    ) -> Result<Option<TrailheadRow>, StoreError> {
        match self {
            Store::Postgres(pg) => pg.trailhead(id, origin).await,
            Store::Embedded(mem) => Ok(mem.trailhead(id, origin)),
        }
    }

    /// The network a loop of up to `reach_m` from any of `trailheads` can use.
    pub async fn network_around(
        &self,
        trailheads: &[TrailheadRow],
        reach_m: f64,
    ) -> Result<Arc<PlanningNetwork>, StoreError> {
        match self {
            Store::Postgres(pg) => pg.network_around(trailheads, reach_m).await,
            Store::Embedded(mem) => Ok(mem.network()),
        }
    }

    /// Saves a plan.
    pub async fn save_plan(
        &self,
        name: Option<String>,
        body: serde_json::Value,
    ) -> Result<PlanRecord, StoreError> {
        match self {
            Store::Postgres(pg) => pg.save_plan(name, body).await,
            Store::Embedded(mem) => Ok(mem.save_plan(name, body)),
        }
    }

    /// A saved plan.
    pub async fn plan(&self, id: Uuid) -> Result<Option<PlanRecord>, StoreError> {
        match self {
            Store::Postgres(pg) => pg.plan(id).await,
            Store::Embedded(mem) => Ok(mem.plan(id)),
        }
    }

    /// Whether the backend can answer: the database is reachable and holds a network.
    pub async fn ready(&self) -> Result<(), StoreError> {
        match self {
            Store::Postgres(pg) => pg.ready().await,
            Store::Embedded(_) => Ok(()),
        }
    }
}
