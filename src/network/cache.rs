//! Tiles in memory, shared by every request: loaded from the store on first use (one
//! load per tile however many requests want it at once), bounded in bytes with the least
//! recently used going first, and replaced when an import changes a region.
//!
//! A request holds the tiles it plans on (`Arc`s), so an eviction or an import never
//! pulls a tile from under a running solve: the old copy lives until that request ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures_util::future::try_join_all;
use tokio::sync::OnceCell;
use trailloop_osm::{Profile, TileKey};
use trailloop_solver::GraphError;

use super::closures::ClosureClasses;
use super::tile::NetworkTile;
use crate::domain::RegionVersion;
use crate::metrics::Metrics;
use crate::store::{Store, StoreError};

/// Why tiles could not be had.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The store failed, or the region changed while it was read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored rows do not make a valid graph (corrupt data, not the user's fault).
    #[error("building tile {tile:?} of {region}: {source}")]
    Build {
        /// Region.
        region: String,
        /// Tile.
        tile: TileKey,
        /// What was wrong.
        source: GraphError,
    },
}

impl crate::codes::ErrorCode for CacheError {
    fn error_code(&self) -> crate::codes::Code {
        match self {
            CacheError::Store(e) => e.error_code(),
            CacheError::Build { .. } => crate::codes::Code::Internal,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SlotKey {
    version: RegionVersion,
    tile: TileKey,
}

struct Slot {
    cell: Arc<OnceCell<Arc<NetworkTile>>>,
    last_used: u64,
    /// 0 until loaded.
    bytes: usize,
    /// The tile's edges, 0 until loaded.
    edges: usize,
}

#[derive(Default)]
struct State {
    slots: HashMap<SlotKey, Slot>,
    /// The newest import seen of each region.
    live: HashMap<String, i64>,
    /// The closure classes of each import whose tiles are held or loading.
    closures: HashMap<RegionVersion, Arc<ClosureClasses>>,
    /// The tiles each import has data in, where the store said (at preload): a key
    /// outside them is empty and is not asked of the store (which may be away).
    holds: HashMap<RegionVersion, Arc<std::collections::HashSet<TileKey>>>,
    bytes: usize,
    edges: usize,
    clock: u64,
}

/// The tiles of every region, bounded by [`TileCache::capacity_bytes`].
pub struct TileCache {
    state: Mutex<State>,
    capacity_bytes: usize,
    /// The hiking profile tiles' edges are costed by.
    profile: Arc<Profile>,
    metrics: Metrics,
}

impl TileCache {
    /// The hiking profile tiles' edges are costed by.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// An empty cache holding at most `capacity_bytes` of tiles.
    pub fn new(capacity_bytes: usize, profile: Arc<Profile>, metrics: Metrics) -> TileCache {
        metrics
            .network_cache_capacity_bytes
            .set(capacity_bytes as i64);
        TileCache {
            state: Mutex::default(),
            capacity_bytes,
            profile,
            metrics,
        }
    }

    /// The byte bound.
    pub fn capacity_bytes(&self) -> usize {
        self.capacity_bytes
    }

    /// Bytes of tiles held now.
    pub fn bytes_held(&self) -> usize {
        self.lock().bytes
    }

    /// Edges of the tiles held now.
    pub fn edges_held(&self) -> usize {
        self.lock().edges
    }

    /// Tiles held now.
    pub fn tiles_held(&self) -> usize {
        self.lock().slots.values().filter(|s| s.bytes > 0).count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Tells the cache that `version` is what the store now serves for its region:
    /// tiles of older imports of that region are dropped. Returns `false` when a newer
    /// import is already known, so the caller read stale data and should read again.
    pub fn observe(&self, version: &RegionVersion) -> bool {
        let mut state = self.lock();
        match state.live.get(&version.region) {
            Some(&live) if live == version.import_id => return true,
            Some(&live) if live > version.import_id => return false,
            _ => {}
        }
        state.live.insert(version.region.clone(), version.import_id);
        let old: Vec<SlotKey> = state
            .slots
            .keys()
            .filter(|k| k.version.region == version.region && k.version != *version)
            .cloned()
            .collect();
        state
            .closures
            .retain(|v, _| v.region != version.region || v == version);
        state
            .holds
            .retain(|v, _| v.region != version.region || v == version);
        for key in old {
            if let Some(slot) = state.slots.remove(&key) {
                state.bytes -= slot.bytes;
                state.edges -= slot.edges;
                if slot.bytes > 0 {
                    self.metrics
                        .network_cache_evictions
                        .with_label_values(&["import"])
                        .inc();
                }
            }
        }
        self.publish(&state);
        true
    }

    /// Notes the tiles `version` has data in (as the store lists them): the others are
    /// empty, and [`TileCache::tiles`] does not ask the store for them.
    pub fn holds(&self, version: &RegionVersion, tiles: &[TileKey]) {
        self.lock()
            .holds
            .insert(version.clone(), Arc::new(tiles.iter().copied().collect()));
    }

    /// The tiles `keys` of `version`, from memory or loaded from `store` (those known to
    /// be empty left out).
    pub async fn tiles(
        &self,
        store: &Store,
        version: &RegionVersion,
        keys: &[TileKey],
    ) -> Result<Vec<Arc<NetworkTile>>, CacheError> {
        let cells: Vec<(TileKey, Arc<OnceCell<Arc<NetworkTile>>>)> = {
            let mut state = self.lock();
            let holds = state.holds.get(version).cloned();
            keys.iter()
                .filter(|k| holds.as_ref().is_none_or(|h| h.contains(k)))
                .map(|&tile| {
                    state.clock += 1;
                    let clock = state.clock;
                    let slot = state
                        .slots
                        .entry(SlotKey {
                            version: version.clone(),
                            tile,
                        })
                        .or_insert_with(|| Slot {
                            cell: Arc::new(OnceCell::new()),
                            last_used: clock,
                            bytes: 0,
                            edges: 0,
                        });
                    slot.last_used = clock;
                    let hit = slot.cell.initialized();
                    if hit {
                        self.metrics.network_cache_hits.inc();
                    } else {
                        self.metrics.network_cache_misses.inc();
                    }
                    (tile, slot.cell.clone())
                })
                .collect()
        };
        try_join_all(cells.into_iter().map(|(tile, cell)| async move {
            cell.get_or_try_init(|| self.load(store, version, tile))
                .await
                .cloned()
        }))
        .await
    }

    async fn load(
        &self,
        store: &Store,
        version: &RegionVersion,
        tile: TileKey,
    ) -> Result<Arc<NetworkTile>, CacheError> {
        let started = Instant::now();
        let records = store.tile(&version.region, tile).await?;
        if records.version != *version {
            self.forget(version, tile);
            return Err(CacheError::Store(StoreError::Stale(format!(
                "{} is at import {}, the request planned on {}",
                version.region, records.version.import_id, version.import_id
            ))));
        }
        let region = version.region.clone();
        let profile = self.profile.clone();
        let closures = self
            .lock()
            .closures
            .entry(version.clone())
            .or_default()
            .clone();
        let built =
            tokio::task::spawn_blocking(move || NetworkTile::build(records, &profile, closures))
                .await
                .map_err(|e| CacheError::Store(StoreError::Other(e.into())))?
                .map_err(|source| CacheError::Build {
                    region: region.clone(),
                    tile,
                    source,
                })?;
        let built = Arc::new(built);
        self.metrics
            .network_tile_load_seconds
            .with_label_values(&[&version.region])
            .observe(started.elapsed().as_secs_f64());
        tracing::debug!(
            region = %version.region,
            tile = tile.id(),
            edges = built.edges.len(),
            bytes = built.bytes,
            ms = started.elapsed().as_secs_f64() * 1e3,
            "loaded tile"
        );
        self.admit(version, tile, built.bytes, built.edges.len());
        Ok(built)
    }

    /// Counts a loaded tile and evicts the least recently used tiles beyond the bound.
    fn admit(&self, version: &RegionVersion, tile: TileKey, bytes: usize, edges: usize) {
        let mut state = self.lock();
        let key = SlotKey {
            version: version.clone(),
            tile,
        };
        match state.slots.get_mut(&key) {
            Some(slot) => {
                slot.bytes = bytes;
                slot.edges = edges;
            }
            // Dropped meanwhile (a newer import): the request still plans on it, the
            // cache does not keep it.
            None => return,
        }
        state.bytes += bytes;
        state.edges += edges;
        while state.bytes > self.capacity_bytes {
            let victim = state
                .slots
                .iter()
                .filter(|(_, s)| s.bytes > 0)
                .min_by_key(|(_, s)| s.last_used)
                .map(|(k, _)| k.clone());
            let Some(victim) = victim else { break };
            if let Some(slot) = state.slots.remove(&victim) {
                state.bytes -= slot.bytes;
                state.edges -= slot.edges;
                self.metrics
                    .network_cache_evictions
                    .with_label_values(&["lru"])
                    .inc();
            }
        }
        self.publish(&state);
    }

    fn forget(&self, version: &RegionVersion, tile: TileKey) {
        let mut state = self.lock();
        if let Some(slot) = state.slots.remove(&SlotKey {
            version: version.clone(),
            tile,
        }) {
            state.bytes -= slot.bytes;
            state.edges -= slot.edges;
        }
        self.publish(&state);
    }

    fn publish(&self, state: &State) {
        self.metrics.network_cache_bytes.set(state.bytes as i64);
        self.metrics.network_cache_edges.set(state.edges as i64);
        self.metrics
            .network_cache_tiles
            .set(state.slots.values().filter(|s| s.bytes > 0).count() as i64);
    }
}
