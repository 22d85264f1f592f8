//! Where the network and the saved plans live: PostGIS, or memory (embedded mode). Both
//! answer the same questions in the same domain records, so nothing above them cares
//! which one runs.

mod embedded;
mod postgres;
pub mod snapshot;

pub use embedded::{EmbeddedStore, EMBEDDED_REGION};
pub use postgres::PgStore;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use trailloop_drive::RoadNetwork;
use trailloop_geo::Coord;
use trailloop_osm::TileKey;
use uuid::Uuid;

use crate::domain::{RegionVersion, TileRecords, TrailheadRecord};

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
    /// When it is deleted.
    pub expires_at: DateTime<Utc>,
}

/// A plan to save, and the limits it is saved under.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// A name the user gave it.
    pub name: Option<String>,
    /// The loop JSON.
    pub body: serde_json::Value,
    /// Who saves it (a keyed hash of the client's address).
    pub client: String,
    /// SHA-256 of the loop's token (see [`crate::plan::SavedPlans::token_digest`]): a token saves
    /// one plan, and saving it again answers that plan.
    pub token_hash: [u8; 32],
    /// How long it is kept.
    pub retention: std::time::Duration,
    /// Plans one client may save per [`QUOTA_WINDOW`].
    pub quota: u32,
    /// Unexpired plans stored at most, of all clients.
    pub max_stored: u64,
}

/// The window of the per-client plan quota.
pub const QUOTA_WINDOW: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// What saving a plan came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    /// Stored.
    Plan(PlanRecord),
    /// The token was saved before: its plan, as it was saved then (its name included),
    /// not counted against the quota again.
    Existing(PlanRecord),
    /// The client has saved its quota within the window: the next slot frees this
    /// long from now.
    OverQuota(std::time::Duration),
    /// The store holds all the plans it may (`plans.max_stored`, or the embedded
    /// store's memory without a plan of the client holding the most to give way):
    /// retry after this long.
    Full(std::time::Duration),
}

/// How long a client refused for a full store is told to wait: until the soonest plan
/// expires and the next purge (every minute) deletes it, between a minute and an hour.
pub(crate) fn full_retry(soonest_expiry: Option<std::time::Duration>) -> std::time::Duration {
    const MINUTE: std::time::Duration = std::time::Duration::from_secs(60);
    const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);
    soonest_expiry.map_or(HOUR, |d| d.saturating_add(MINUTE).clamp(MINUTE, HOUR))
}

/// A region's live import and the box its network lies in.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionInfo {
    /// Region and import.
    pub version: RegionVersion,
    /// South-west corner.
    pub south_west: Coord,
    /// North-east corner.
    pub north_east: Coord,
}

/// Where an import's data came from, read with its trailheads (once an import, not on
/// every request's version check).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOrigin {
    /// The attribution and licence the operator gave with its own trails, if any.
    pub attribution: Option<String>,
    /// Whether OSM data went into the import (all of an OSM import; the roads, nature
    /// and places around own trails when an extract was given).
    pub uses_osm: bool,
    /// What the import did: its sources, what joining own trails did (ends snapped,
    /// lines split, connected pieces), where the trailheads came from
    /// ([`trailloop_osm::DataOrigin`] as JSON; `{}` for imports made before it was kept).
    pub report: serde_json::Value,
}

impl ImportOrigin {
    /// The origin of a network built in this process.
    pub fn of(origin: &trailloop_osm::DataOrigin) -> ImportOrigin {
        ImportOrigin {
            attribution: origin.attribution.clone(),
            uses_osm: origin.uses_osm,
            report: serde_json::to_value(origin).unwrap_or_default(),
        }
    }

    /// The attribution answers from this import carry.
    pub fn attribution_text(&self) -> String {
        trailloop_osm::attribution_text(self.attribution.as_deref(), self.uses_osm)
    }
}

/// The attribution of an answer drawing on `regions`: each operator's own (once), then
/// OSM's where any uses OSM data; OSM's alone when none is given.
pub fn combined_attribution<'a>(regions: impl IntoIterator<Item = &'a ImportOrigin>) -> String {
    let mut own: Vec<&str> = Vec::new();
    let mut osm = false;
    let mut any = false;
    for r in regions {
        any = true;
        osm |= r.uses_osm;
        if let Some(a) = r
            .attribution
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            if !own.contains(&a) {
                own.push(a);
            }
        }
    }
    let own = own.join("; ");
    trailloop_osm::attribution_text((!own.is_empty()).then_some(own.as_str()), osm || !any)
}

/// What a region's live import holds besides its tiles: its trailheads and the roads
/// that lead to them, read together.
#[derive(Debug, Clone)]
pub struct RegionData {
    /// Region and import.
    pub version: RegionVersion,
    /// By id.
    pub trailheads: Vec<TrailheadRecord>,
    /// Its road graph (empty for an import made before roads were).
    pub roads: RoadNetwork,
    /// Its named highlights and places to sleep, for a place search.
    pub places: Vec<NamedPlace>,
    /// Where the import's data came from: attribution and report.
    pub origin: ImportOrigin,
}

/// A named place of a region: a highlight (peak, lake, ...) or a place to sleep.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPlace {
    /// Its name.
    pub name: String,
    /// What it is: a highlight's kind (`peak`, `lake`, ...) or a place's (`hut`,
    /// `camp_site`, ...).
    pub kind: String,
    /// Where it is (a lake's middle).
    pub coord: Coord,
}

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached (pool timeout, connection refused).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The data changed under the request: an import replaced the region between two
    /// reads. Retrying reads the new data.
    #[error("the network changed while it was read: {0}")]
    Stale(String),
    /// Anything else.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl crate::codes::ErrorCode for StoreError {
    fn error_code(&self) -> crate::codes::Code {
        use crate::codes::Code;
        match self {
            // A region replaced under every retry is as good as away for this request.
            StoreError::Unavailable(_) | StoreError::Stale(_) => Code::Unavailable,
            StoreError::Other(_) => Code::Internal,
        }
    }
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
    /// `postgres` or `embedded`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Postgres(_) => "postgres",
            Store::Embedded(_) => "embedded",
        }
    }

    /// Every region's live import and the box its network lies in.
    pub async fn region_versions(&self) -> Result<Vec<RegionInfo>, StoreError> {
        match self {
            Store::Postgres(pg) => pg.region_versions().await,
            Store::Embedded(mem) => Ok(vec![mem.region_info()]),
        }
    }

    /// Every trailhead of a region (distances 0) and its roads, with the import they
    /// belong to.
    pub async fn region_data(&self, region: &str) -> Result<RegionData, StoreError> {
        match self {
            Store::Postgres(pg) => pg.region_data(region).await,
            Store::Embedded(mem) if region == EMBEDDED_REGION => Ok(mem.region_data()),
            Store::Embedded(_) => Err(StoreError::Stale(format!("no region {region}"))),
        }
    }

    /// One tile of a region's network, all from the import live when it was read.
    pub async fn tile(&self, region: &str, tile: TileKey) -> Result<TileRecords, StoreError> {
        match self {
            Store::Postgres(pg) => pg.tile(region, tile).await,
            Store::Embedded(mem) if region == EMBEDDED_REGION => Ok(mem.tile(tile)),
            Store::Embedded(_) => Err(StoreError::Stale(format!("no region {region}"))),
        }
    }

    /// Every region with its live import and the tiles its network covers.
    pub async fn regions(&self) -> Result<Vec<(RegionVersion, Vec<TileKey>)>, StoreError> {
        match self {
            Store::Postgres(pg) => pg.regions().await,
            Store::Embedded(mem) => Ok(mem.regions()),
        }
    }

    /// Saves a plan, unless its client is over its quota.
    pub async fn save_plan(&self, plan: NewPlan) -> Result<Saved, StoreError> {
        match self {
            Store::Postgres(pg) => pg.save_plan(plan).await,
            Store::Embedded(mem) => mem.save_plan(plan),
        }
    }

    /// Deletes the plans past their expiry; how many.
    pub async fn purge_expired_plans(&self) -> Result<u64, StoreError> {
        match self {
            Store::Postgres(pg) => pg.purge_expired_plans().await,
            Store::Embedded(mem) => Ok(mem.purge_expired_plans()),
        }
    }

    /// A saved plan, unless it has expired.
    pub async fn plan(&self, id: Uuid) -> Result<Option<PlanRecord>, StoreError> {
        match self {
            Store::Postgres(pg) => pg.plan(id).await,
            Store::Embedded(mem) => mem.plan(id),
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
