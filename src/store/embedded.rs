//! The embedded store: a network built from an OSM extract, held whole in memory and
//! handed out tile by tile exactly as PostGIS would, and plans in memory.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use trailloop_osm::{Coord, Network, Partition, TileKey};
use uuid::Uuid;

use super::{NewPlan, PlanRecord, RegionData, RegionInfo, Saved, StoreError, QUOTA_WINDOW};
use crate::domain::{EdgeRecord, PoiRecord, RegionVersion, TileRecords, TrailheadRecord};

/// Plans kept at most, and their JSON text's bytes at most; the oldest go first.
/// Embedded mode is for development and demos, and memory must stay bounded whatever
/// clients do.
const MAX_PLANS: usize = 10_000;
const MAX_PLAN_BYTES: usize = 128 << 20;

/// The one region of an embedded store, and its only import.
pub const EMBEDDED_REGION: &str = "embedded";

/// Network and plans in memory; plans are lost on restart.
pub struct EmbeddedStore {
    network: Network,
    partition: Partition,
    /// Edge indices by tile, in index order; POI indices by tile.
    edges_by_tile: BTreeMap<TileKey, Vec<usize>>,
    pois_by_tile: HashMap<TileKey, Vec<usize>>,
    highlights_by_tile: HashMap<TileKey, Vec<usize>>,
    /// The region and the box its network lies in (every request asks for it).
    info: RegionInfo,
    plans: Mutex<Plans>,
}

/// Plans as JSON text (a parsed `Value` takes ten times the memory of its text), in
/// the order they were saved, and when each client saved its recent ones.
#[derive(Default)]
struct Plans {
    by_id: HashMap<Uuid, StoredPlan>,
    order: VecDeque<Uuid>,
    bytes: usize,
    by_client: HashMap<String, VecDeque<chrono::DateTime<chrono::Utc>>>,
}

struct StoredPlan {
    created_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
    name: Option<String>,
    body: String,
}

impl Plans {
    fn drop_oldest(&mut self) {
        if let Some(old) = self.order.pop_front() {
            if let Some(p) = self.by_id.remove(&old) {
                self.bytes -= p.body.len();
            }
        }
    }
}

fn version() -> RegionVersion {
    RegionVersion {
        region: EMBEDDED_REGION.into(),
        import_id: 0,
    }
}

impl EmbeddedStore {
    /// Builds the network from an OSM extract and DEM tiles (seconds for a small
    /// country: call it off the async runtime).
    pub fn load(pbf: &Path, dem: &[PathBuf]) -> anyhow::Result<EmbeddedStore> {
        Ok(EmbeddedStore::new(crate::import::build(pbf, dem)?))
    }

    /// Like [`EmbeddedStore::load`], reading the network from the snapshot beside the
    /// extract when one was made from the same files by this binary, and writing one
    /// when not (see [`super::snapshot`]).
    pub fn load_with_snapshot(pbf: &Path, dem: &[PathBuf]) -> anyhow::Result<EmbeddedStore> {
        let network = super::snapshot::load_or_build(pbf, dem, || {
            let mut network = crate::import::build(pbf, dem)?;
            // The land cover is measured into the edges already; serving needs none of it.
            network.land = Vec::new();
            Ok(network)
        })?;
        Ok(EmbeddedStore::new(network))
    }

    /// Wraps an already built network. Trailhead ids are their indices in
    /// `network.trailheads` and edge ids their indices in `network.edges`, stable for
    /// the life of the process.
    pub fn new(mut network: Network) -> EmbeddedStore {
        // The land cover is measured into the edges already; serving needs none of it.
        network.land = Vec::new();
        let partition = Partition::of(&network);
        let mut edges_by_tile: BTreeMap<TileKey, Vec<usize>> = BTreeMap::new();
        for (i, tile) in partition.edge_tile.iter().enumerate() {
            edges_by_tile.entry(*tile).or_default().push(i);
        }
        let mut pois_by_tile: HashMap<TileKey, Vec<usize>> = HashMap::new();
        for (i, p) in network.pois.iter().enumerate() {
            if let Some(tile) = partition.node_tile[p.node as usize] {
                pois_by_tile.entry(tile).or_default().push(i);
            }
        }
        let mut highlights_by_tile: HashMap<TileKey, Vec<usize>> = HashMap::new();
        for (i, h) in network.highlights.iter().enumerate() {
            highlights_by_tile
                .entry(TileKey::of(h.points[0]))
                .or_default()
                .push(i);
        }
        let info = bounds(&network);
        EmbeddedStore {
            network,
            partition,
            edges_by_tile,
            pois_by_tile,
            highlights_by_tile,
            info,
            plans: Mutex::default(),
        }
    }

    /// The network served.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The region and the box its network lies in.
    pub fn region_info(&self) -> RegionInfo {
        self.info.clone()
    }

    /// Every trailhead (ids are indices in `network.trailheads`) and the roads.
    pub fn region_data(&self) -> RegionData {
        let records = self
            .network
            .trailheads
            .iter()
            .enumerate()
            .map(|(i, t)| TrailheadRecord {
                id: i as i64,
                version: version(),
                node_id: self.network.nodes[t.node as usize].osm_id,
                name: t.name.clone(),
                kind: t.kind,
                coord: t.coord,
                distance_m: 0.0,
                snap_distance_m: t.snap_distance_m,
                potential: t.potential,
                road: t.road,
            })
            .collect();
        RegionData {
            version: version(),
            trailheads: records,
            roads: self.network.roads.clone(),
        }
    }

    /// One tile, as PostGIS would give it.
    pub fn tile(&self, tile: TileKey) -> TileRecords {
        let net = &self.network;
        let node_id = |n: u32| net.nodes[n as usize].osm_id;
        let edges = self
            .edges_by_tile
            .get(&tile)
            .into_iter()
            .flatten()
            .map(|&i| {
                let e = &net.edges[i];
                EdgeRecord {
                    id: i as i64,
                    source: node_id(e.source),
                    target: node_id(e.target),
                    source_shared: self.partition.shared[e.source as usize],
                    target_shared: self.partition.shared[e.target as usize],
                    geometry: e.geometry.clone(),
                    elevations: e.elevations.clone(),
                    length_m: e.length_m,
                    ascent_m: e.ascent_m,
                    descent_m: e.descent_m,
                    highway: e.highway,
                    name: e.name.clone(),
                    sac_scale: e.sac_scale,
                    surface: e.surface.clone(),
                    trail_visibility: e.trail_visibility.clone(),
                    routes: e.routes.clone(),
                    nature: e.nature,
                }
            })
            .collect();
        let pois = self
            .pois_by_tile
            .get(&tile)
            .into_iter()
            .flatten()
            .map(|&i| {
                let p = &net.pois[i];
                PoiRecord {
                    node_id: node_id(p.node),
                    kind: p.kind,
                    name: p.name.clone(),
                    coord: p.coord,
                    osm_id: p.osm_id,
                    osm_type: p.osm_type,
                    snap_distance_m: p.snap_distance_m,
                    details: p.details.clone(),
                }
            })
            .collect();
        let highlights = self
            .highlights_by_tile
            .get(&tile)
            .into_iter()
            .flatten()
            .map(|&i| net.highlights[i].clone())
            .collect();
        TileRecords {
            version: version(),
            tile,
            edges,
            pois,
            highlights,
        }
    }

    /// The one region and its tiles.
    pub fn regions(&self) -> Vec<(RegionVersion, Vec<TileKey>)> {
        vec![(version(), self.edges_by_tile.keys().copied().collect())]
    }

    pub(super) fn save_plan(&self, plan: NewPlan) -> Saved {
        let now = chrono::Utc::now();
        let window = chrono::Duration::from_std(QUOTA_WINDOW).expect("a day fits");
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        let recent = plans.by_client.entry(plan.client).or_default();
        while recent.front().is_some_and(|t| *t <= now - window) {
            recent.pop_front();
        }
        if recent.len() >= plan.quota as usize {
            let frees = recent.front().map_or(now, |t| *t + window);
            let wait = (frees - now).to_std().unwrap_or_default();
            return Saved::OverQuota(wait.max(std::time::Duration::from_secs(1)));
        }
        recent.push_back(now);
        let record = PlanRecord {
            id: Uuid::new_v4(),
            created_at: now,
            name: plan.name,
            body: plan.body,
            expires_at: now
                + chrono::Duration::from_std(plan.retention).unwrap_or(chrono::Duration::MAX),
        };
        let text = record.body.to_string();
        plans.bytes += text.len();
        plans.order.push_back(record.id);
        plans.by_id.insert(
            record.id,
            StoredPlan {
                created_at: record.created_at,
                expires_at: record.expires_at,
                name: record.name.clone(),
                body: text,
            },
        );
        while plans.order.len() > MAX_PLANS || plans.bytes > MAX_PLAN_BYTES {
            plans.drop_oldest();
        }
        plans.by_client.retain(|_, times| !times.is_empty());
        Saved::Plan(record)
    }

    pub(super) fn purge_expired_plans(&self) -> u64 {
        let now = chrono::Utc::now();
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        let expired: Vec<Uuid> = plans
            .by_id
            .iter()
            .filter(|(_, p)| p.expires_at <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in &expired {
            if let Some(p) = plans.by_id.remove(id) {
                plans.bytes -= p.body.len();
            }
        }
        let Plans { order, by_id, .. } = &mut *plans;
        order.retain(|id| by_id.contains_key(id));
        expired.len() as u64
    }

    pub(super) fn plan(&self, id: Uuid) -> Result<Option<PlanRecord>, StoreError> {
        let plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        let Some(p) = plans
            .by_id
            .get(&id)
            .filter(|p| p.expires_at > chrono::Utc::now())
        else {
            return Ok(None);
        };
        let body = serde_json::from_str(&p.body)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("stored plan {id}: {e}")))?;
        Ok(Some(PlanRecord {
            id,
            created_at: p.created_at,
            name: p.name.clone(),
            body,
            expires_at: p.expires_at,
        }))
    }
}

/// The region and the box `network`'s nodes lie in.
fn bounds(network: &Network) -> RegionInfo {
    let (mut sw, mut ne) = (
        Coord {
            lon: f64::INFINITY,
            lat: f64::INFINITY,
        },
        Coord {
            lon: f64::NEG_INFINITY,
            lat: f64::NEG_INFINITY,
        },
    );
    for n in &network.nodes {
        sw = Coord {
            lon: sw.lon.min(n.coord.lon),
            lat: sw.lat.min(n.coord.lat),
        };
        ne = Coord {
            lon: ne.lon.max(n.coord.lon),
            lat: ne.lat.max(n.coord.lat),
        };
    }
    RegionInfo {
        version: version(),
        south_west: sw,
        north_east: ne,
    }
}
