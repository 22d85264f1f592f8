//! The embedded store: the whole network in memory, plans in memory.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use trailloop_osm::{distance_m, Coord, Network};
use uuid::Uuid;

use super::{PlanRecord, TrailheadRow};
use crate::planner::PlanningNetwork;

/// Plans kept at most; the oldest go first. Embedded mode is for development and demos,
/// and memory must stay bounded whatever clients do.
const MAX_PLANS: usize = 10_000;

/// Network and plans in memory; plans are lost on restart.
pub struct EmbeddedStore {
    network: Arc<PlanningNetwork>,
    trailheads: Vec<TrailheadRow>,
    plans: Mutex<Plans>,
}

#[derive(Default)]
struct Plans {
    by_id: HashMap<Uuid, PlanRecord>,
    order: VecDeque<Uuid>,
}

impl EmbeddedStore {
    /// Builds the network from an OSM extract and DEM tiles (seconds for a small
    /// country: call it off the async runtime).
    pub fn load(pbf: &Path, dem: &[PathBuf]) -> anyhow::Result<EmbeddedStore> {
        EmbeddedStore::new(&crate::import::build(pbf, dem)?)
    }

    /// Wraps an already built network. Trailhead ids are their indices in
    /// `network.trailheads`, stable for the life of the process.
    pub fn new(network: &Network) -> anyhow::Result<EmbeddedStore> {
        let trailheads = network
            .trailheads
            .iter()
            .enumerate()
            .map(|(i, t)| TrailheadRow {
                id: i as i64,
                region: "embedded".into(),
                node_id: network.nodes[t.node as usize].osm_id,
                name: t.name.clone(),
                kind: t.kind.as_str().into(),
                coord: t.coord,
                distance_m: 0.0,
            })
            .collect();
        Ok(EmbeddedStore {
            network: Arc::new(PlanningNetwork::from_network(network)?),
            trailheads,
            plans: Mutex::default(),
        })
    }

    pub(super) fn trailheads_within(
        &self,
        origin: Coord,
        radius_m: f64,
        limit: usize,
    ) -> Vec<TrailheadRow> {
        let mut found: Vec<TrailheadRow> = self
            .trailheads
            .iter()
            .filter_map(|t| {
                let d = distance_m(origin, t.coord);
                (d <= radius_m).then(|| TrailheadRow {
                    distance_m: d,
                    ..t.clone()
                })
            })
            .collect();
        found.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then(a.id.cmp(&b.id)));
        found.truncate(limit);
        found
    }

    pub(super) fn trailhead(&self, id: i64, origin: Coord) -> Option<TrailheadRow> {
        let t = self.trailheads.get(usize::try_from(id).ok()?)?;
        Some(TrailheadRow {
            distance_m: distance_m(origin, t.coord),
            ..t.clone()
        })
    }

    pub(super) fn network(&self) -> Arc<PlanningNetwork> {
        self.network.clone()
    }

    pub(super) fn save_plan(&self, name: Option<String>, body: serde_json::Value) -> PlanRecord {
        let record = PlanRecord {
            id: Uuid::new_v4(),
            created_at: chrono::Utc::now(),
            name,
            body,
        };
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        if plans.order.len() >= MAX_PLANS {
            if let Some(old) = plans.order.pop_front() {
                plans.by_id.remove(&old);
            }
        }
        plans.order.push_back(record.id);
        plans.by_id.insert(record.id, record.clone());
        record
    }

    pub(super) fn plan(&self, id: Uuid) -> Option<PlanRecord> {
        let plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        plans.by_id.get(&id).cloned()
    }
}
