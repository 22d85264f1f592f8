//! The embedded store: a network built from an OSM extract, held whole in memory and
//! handed out tile by tile exactly as PostGIS would, and plans in memory.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use trailloop_geo::Coord;
use trailloop_osm::{Partition, TileKey, TrailData};
use uuid::Uuid;

use super::{
    ImportOrigin, NamedPlace, NewPlan, PlanRecord, RegionData, RegionInfo, Saved, StoreError,
    QUOTA_WINDOW,
};
use crate::domain::{EdgeRecord, PoiRecord, RegionVersion, TileRecords, TrailheadRecord};

/// The memory saved plans may take, bytes of their text, and the most of them: each
/// plan counts as at least the bound's share of [`MAX_PLANS`]. Embedded mode is for
/// development and demos, and memory must stay bounded whatever clients do.
const MAX_PLAN_BYTES: usize = 128 << 20;
const MAX_PLANS: usize = 10_000;

/// The one region of an embedded store, and its only import.
pub const EMBEDDED_REGION: &str = "embedded";

/// Network and plans in memory; plans are lost on restart.
pub struct EmbeddedStore {
    network: TrailData,
    partition: Partition,
    /// Edge indices by tile, in index order; POI indices by tile.
    edges_by_tile: BTreeMap<TileKey, Vec<usize>>,
    pois_by_tile: HashMap<TileKey, Vec<usize>>,
    highlights_by_tile: HashMap<TileKey, Vec<usize>>,
    /// The region and the box its network lies in (every request asks for it).
    info: RegionInfo,
    plans: Mutex<Plans>,
}

/// Plans as JSON text (a parsed `Value` takes ten times the memory of its text), each
/// client's in the order it saved them, and when each client saved its recent ones.
///
/// When a new plan does not fit, the plans that give way are those of the client
/// holding the most bytes (the saver's own first among equals, its new plan counted),
/// oldest first: a client that fills the store pushes out its own plans, never those
/// of a client holding less. When the plan to give way would be the new one itself,
/// the save is refused.
struct Plans {
    /// Bytes the plans may count as, in all.
    bound: usize,
    by_id: HashMap<Uuid, StoredPlan>,
    by_token: HashMap<[u8; 32], Uuid>,
    held: HashMap<String, Held>,
    /// What the plans count as, in all.
    bytes: usize,
    recent: HashMap<String, VecDeque<chrono::DateTime<chrono::Utc>>>,
}

/// A client's plans, oldest first, and the bytes they count as.
#[derive(Default)]
struct Held {
    bytes: usize,
    ids: VecDeque<Uuid>,
}

struct StoredPlan {
    created_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
    name: Option<String>,
    body: String,
    client: String,
    token_hash: [u8; 32],
    /// What it counts as against the bound.
    charge: usize,
}

impl StoredPlan {
    fn record(&self, id: Uuid) -> Result<PlanRecord, StoreError> {
        let body = serde_json::from_str(&self.body)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("stored plan {id}: {e}")))?;
        Ok(PlanRecord {
            id,
            created_at: self.created_at,
            name: self.name.clone(),
            body,
            expires_at: self.expires_at,
        })
    }
}

impl Plans {
    fn new(bound: usize) -> Plans {
        Plans {
            bound,
            by_id: HashMap::new(),
            by_token: HashMap::new(),
            held: HashMap::new(),
            bytes: 0,
            recent: HashMap::new(),
        }
    }

    /// What a plan of this text and name counts as.
    fn charge(&self, text: &str, name: Option<&str>) -> usize {
        (text.len() + name.map_or(0, str::len)).max(self.bound / MAX_PLANS)
    }

    fn remove(&mut self, id: Uuid) {
        let Some(p) = self.by_id.remove(&id) else {
            return;
        };
        self.bytes -= p.charge;
        if self.by_token.get(&p.token_hash) == Some(&id) {
            self.by_token.remove(&p.token_hash);
        }
        if let Some(held) = self.held.get_mut(&p.client) {
            held.bytes -= p.charge;
            if held.ids.front() == Some(&id) {
                held.ids.pop_front();
            } else {
                held.ids.retain(|i| *i != id);
            }
            if held.ids.is_empty() {
                self.held.remove(&p.client);
            }
        }
    }

    /// Deletes the expired plans, and forgets the saves that left the quota's window.
    fn purge_expired(&mut self, now: chrono::DateTime<chrono::Utc>) -> u64 {
        let expired: Vec<Uuid> = self
            .by_id
            .iter()
            .filter(|(_, p)| p.expires_at <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in &expired {
            self.remove(*id);
        }
        let window = chrono::Duration::from_std(QUOTA_WINDOW).expect("a day fits");
        self.recent.retain(|_, times| {
            while times.front().is_some_and(|t| *t <= now - window) {
                times.pop_front();
            }
            !times.is_empty()
        });
        expired.len() as u64
    }

    /// How long until the soonest plan expires.
    fn soonest_expiry(&self, now: chrono::DateTime<chrono::Utc>) -> Option<std::time::Duration> {
        self.by_id
            .values()
            .map(|p| p.expires_at)
            .min()
            .map(|t| (t - now).to_std().unwrap_or_default())
    }

    /// The plans to give way for `saver`'s new plan of `charge` bytes, or `None` when
    /// the new plan itself would be the one (see [`Plans`]).
    fn make_room<'a>(&'a self, saver: &'a str, charge: usize) -> Option<Vec<Uuid>> {
        let mut over = (self.bytes + charge).saturating_sub(self.bound);
        // Per client touched: the bytes it would hold still, and how many of its
        // oldest plans are taken.
        let mut taken: HashMap<&'a str, (usize, usize)> = HashMap::new();
        let mut victims = Vec::new();
        while over > 0 {
            let holding = |client: &str, held: usize| {
                taken.get(client).map_or(held, |t| t.0) + if client == saver { charge } else { 0 }
            };
            let mut victim = saver;
            let mut most = holding(saver, self.held.get(saver).map_or(0, |h| h.bytes));
            for (client, held) in &self.held {
                let bytes = holding(client, held.bytes);
                if bytes > most {
                    (victim, most) = (client.as_str(), bytes);
                }
            }
            let held = self.held.get(victim)?;
            let t = taken.entry(victim).or_insert((held.bytes, 0));
            let id = *held.ids.get(t.1)?;
            let charge = self.by_id[&id].charge;
            t.0 -= charge;
            t.1 += 1;
            over = over.saturating_sub(charge);
            victims.push(id);
        }
        Some(victims)
    }

    /// Saves `plan`, whose body is `text`.
    fn save(
        &mut self,
        plan: NewPlan,
        text: String,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Saved, StoreError> {
        if let Some(id) = self.by_token.get(&plan.token_hash).copied() {
            match self.by_id.get(&id) {
                Some(p) if p.expires_at > now => return Ok(Saved::Existing(p.record(id)?)),
                // An expired plan does not hold its token.
                _ => self.remove(id),
            }
        }
        let window = chrono::Duration::from_std(QUOTA_WINDOW).expect("a day fits");
        let recent = self.recent.entry(plan.client.clone()).or_default();
        while recent.front().is_some_and(|t| *t <= now - window) {
            recent.pop_front();
        }
        if recent.len() >= plan.quota as usize {
            let frees = recent.front().map_or(now, |t| *t + window);
            let wait = (frees - now).to_std().unwrap_or_default();
            return Ok(Saved::OverQuota(
                wait.max(std::time::Duration::from_secs(1)),
            ));
        }
        let charge = self.charge(&text, plan.name.as_deref());
        let full =
            |p: &Plans| p.by_id.len() as u64 >= plan.max_stored || p.bytes + charge > p.bound;
        if full(self) {
            // Expired plans do not count.
            self.purge_expired(now);
        }
        if self.by_id.len() as u64 >= plan.max_stored {
            return Ok(Saved::Full(super::full_retry(self.soonest_expiry(now))));
        }
        if self.bytes + charge > self.bound {
            let Some(victims) = self.make_room(&plan.client, charge) else {
                return Ok(Saved::Full(super::full_retry(self.soonest_expiry(now))));
            };
            for id in victims {
                self.remove(id);
            }
        }
        let record = PlanRecord {
            id: Uuid::new_v4(),
            created_at: now,
            name: plan.name,
            body: plan.body,
            expires_at: now
                + chrono::Duration::from_std(plan.retention).unwrap_or(chrono::Duration::MAX),
        };
        self.recent
            .entry(plan.client.clone())
            .or_default()
            .push_back(now);
        self.bytes += charge;
        let held = self.held.entry(plan.client.clone()).or_default();
        held.bytes += charge;
        held.ids.push_back(record.id);
        self.by_token.insert(plan.token_hash, record.id);
        self.by_id.insert(
            record.id,
            StoredPlan {
                created_at: record.created_at,
                expires_at: record.expires_at,
                name: record.name.clone(),
                body: text,
                client: plan.client,
                token_hash: plan.token_hash,
                charge,
            },
        );
        Ok(Saved::Plan(record))
    }
}

fn version() -> RegionVersion {
    RegionVersion {
        region: EMBEDDED_REGION.into(),
        import_id: 0,
    }
}

impl EmbeddedStore {
    /// Builds the network the settings name: own trails (with the extract around them,
    /// if given), else the extract, from its snapshot when asked (seconds for a small
    /// country: call it off the async runtime).
    pub fn from_settings(s: &crate::settings::EmbeddedSettings) -> anyhow::Result<EmbeddedStore> {
        if s.trails.is_empty() {
            let pbf = s.pbf.as_deref().ok_or_else(|| {
                anyhow::anyhow!("embedded mode needs embedded.pbf or embedded.trails")
            })?;
            let store = if s.snapshot {
                EmbeddedStore::load_with_snapshot(pbf, &s.dem)?
            } else {
                EmbeddedStore::load(pbf, &s.dem)?
            };
            return Ok(store);
        }
        let network = crate::import::build_sources(crate::import::BuildSources {
            pbf: s.pbf.clone(),
            own: crate::import::read_trail_files(&s.trails)?,
            own_trails: true,
            dem: s.dem.clone(),
            attribution: s.attribution.clone(),
            snap_tolerance_m: s.snap_tolerance_m,
        })?;
        Ok(EmbeddedStore::new(network))
    }

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
    pub fn new(mut network: TrailData) -> EmbeddedStore {
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
            plans: Mutex::new(Plans::new(MAX_PLAN_BYTES)),
        }
    }

    /// The store with room for `bytes` of saved plans instead of 128 MiB (tests).
    pub fn with_plan_bytes(self, bytes: usize) -> EmbeddedStore {
        EmbeddedStore {
            plans: Mutex::new(Plans::new(bytes)),
            ..self
        }
    }

    /// The network served.
    pub fn network(&self) -> &TrailData {
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
                name_derived: t.name_derived,
                kind: t.kind,
                coord: t.coord,
                distance_m: 0.0,
                snap_distance_m: t.snap_distance_m,
                potential: t.potential,
                road: t.road,
            })
            .collect();
        let highlights = self.network.highlights.iter().filter_map(|h| {
            let name = h.name.clone()?;
            let n = h.points.len().max(1) as f64;
            let (lon, lat) = h
                .points
                .iter()
                .fold((0.0, 0.0), |(x, y), p| (x + p.lon / n, y + p.lat / n));
            Some(NamedPlace {
                name,
                kind: h.kind.as_str().into(),
                coord: Coord { lon, lat },
            })
        });
        let sleeps = self
            .network
            .pois
            .iter()
            .filter(|p| p.kind.is_overnight())
            .filter_map(|p| {
                Some(NamedPlace {
                    name: p.name.clone()?,
                    kind: p.kind.as_str().into(),
                    coord: p.coord,
                })
            });
        let settlements = self.network.settlements.iter().map(|s| NamedPlace {
            name: s.name.clone(),
            kind: s.kind.as_str().into(),
            coord: s.coord,
        });
        let mut places: Vec<NamedPlace> = highlights.chain(sleeps).chain(settlements).collect();
        places.sort_by(|a, b| {
            (&a.name, &a.kind)
                .cmp(&(&b.name, &b.kind))
                .then(a.coord.lon.total_cmp(&b.coord.lon))
                .then(a.coord.lat.total_cmp(&b.coord.lat))
        });
        RegionData {
            version: version(),
            trailheads: records,
            roads: self.network.roads.clone(),
            places,
            origin: ImportOrigin::of(&self.network.origin),
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
                    conditions: e.conditions.clone(),
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

    pub(super) fn save_plan(&self, plan: NewPlan) -> Result<Saved, StoreError> {
        // Written before the lock is taken: a long trip's line is megabytes.
        let text = plan.body.to_string();
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        plans.save(plan, text, chrono::Utc::now())
    }

    pub(super) fn purge_expired_plans(&self) -> u64 {
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        plans.purge_expired(chrono::Utc::now())
    }

    pub(super) fn plan(&self, id: Uuid) -> Result<Option<PlanRecord>, StoreError> {
        let plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        plans
            .by_id
            .get(&id)
            .filter(|p| p.expires_at > chrono::Utc::now())
            .map(|p| p.record(id))
            .transpose()
    }
}

/// The region and the box `network`'s nodes lie in.
fn bounds(network: &TrailData) -> RegionInfo {
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

#[cfg(test)]
mod plan_tests {
    use super::*;
    use std::time::Duration;

    /// A store with room for 100,000 bytes of plans.
    fn plans() -> Plans {
        Plans::new(100_000)
    }

    /// `client`'s plan of about `bytes` bytes under token `token`.
    fn plan(client: &str, token: u16, bytes: usize) -> NewPlan {
        let mut token_hash = [0; 32];
        token_hash[..2].copy_from_slice(&token.to_be_bytes());
        NewPlan {
            name: Some(format!("plan {token}")),
            body: serde_json::json!({ "pad": "x".repeat(bytes) }),
            client: client.into(),
            token_hash,
            retention: Duration::from_secs(3600),
            quota: 1000,
            max_stored: 1_000_000,
        }
    }

    fn save(plans: &mut Plans, plan: NewPlan, at: chrono::DateTime<chrono::Utc>) -> Saved {
        let text = plan.body.to_string();
        plans.save(plan, text, at).unwrap()
    }

    fn saved_id(s: Saved) -> Uuid {
        match s {
            Saved::Plan(r) => r.id,
            other => panic!("not saved: {other:?}"),
        }
    }

    #[test]
    fn a_client_saving_past_the_bound_pushes_out_its_own_plans_only() {
        let now = chrono::Utc::now();
        let mut p = plans();
        let b = saved_id(save(&mut p, plan("b", 1, 9_000), now));
        let c: Vec<Uuid> = (2..4)
            .map(|t| saved_id(save(&mut p, plan("c", t, 9_000), now)))
            .collect();
        let a: Vec<Uuid> = (10..40)
            .map(|t| saved_id(save(&mut p, plan("a", t, 9_000), now)))
            .collect();
        assert!(p.bytes <= p.bound, "{} bytes held", p.bytes);
        assert!(
            p.by_id.contains_key(&b),
            "another client's plan was pushed out"
        );
        assert!(c.iter().all(|id| p.by_id.contains_key(id)));
        assert!(
            p.by_id.contains_key(a.last().unwrap()),
            "the newest is kept"
        );
        assert!(!p.by_id.contains_key(&a[0]), "the saver's oldest gave way");
        // The saver's plans went oldest first.
        let kept = a.iter().position(|id| p.by_id.contains_key(id)).unwrap();
        assert!(a[kept..].iter().all(|id| p.by_id.contains_key(id)));
        assert_eq!(p.held["a"].ids.len(), a.len() - kept);
        assert_eq!(
            p.by_token.len(),
            p.by_id.len(),
            "given-way plans free their tokens"
        );
    }

    #[test]
    fn a_newcomer_pushes_out_the_biggest_holder_and_is_refused_among_equals() {
        let now = chrono::Utc::now();
        let mut p = plans();
        let b = saved_id(save(&mut p, plan("b", 1, 9_000), now));
        let a: Vec<Uuid> = (10..20)
            .map(|t| saved_id(save(&mut p, plan("a", t, 9_000), now)))
            .collect();
        let d = saved_id(save(&mut p, plan("d", 30, 9_000), now));
        assert!(p.by_id.contains_key(&b) && p.by_id.contains_key(&d));
        assert!(!p.by_id.contains_key(&a[0]), "the biggest holder gave way");
        assert!(
            a[1..].iter().all(|id| p.by_id.contains_key(id)),
            "one plan was enough"
        );

        // Ten clients holding one plan each fill the store: a newcomer would push out
        // one of its equals, and is refused instead, nothing removed.
        let mut p = plans();
        let equals: Vec<Uuid> = (0..10)
            .map(|i| saved_id(save(&mut p, plan(&format!("c{i}"), i, 9_900), now)))
            .collect();
        match save(&mut p, plan("e", 99, 9_900), now) {
            Saved::Full(wait) => assert!(wait >= Duration::from_secs(60), "{wait:?}"),
            other => panic!("{other:?}"),
        }
        assert!(equals.iter().all(|id| p.by_id.contains_key(id)));
        assert!(
            !p.held.contains_key("e") && !p.by_token.contains_key(&plan("e", 99, 0).token_hash)
        );
        // Nor is a plan larger than the whole store taken, nor does it push anyone out.
        match save(&mut p, plan("c0", 100, 200_000), now) {
            Saved::Full(_) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(p.by_id.len(), 10);
    }

    #[test]
    fn a_token_saves_once_and_counts_once() {
        let now = chrono::Utc::now();
        let mut p = plans();
        let quota_one = |client: &str, token| NewPlan {
            quota: 1,
            ..plan(client, token, 100)
        };
        let id = saved_id(save(&mut p, quota_one("a", 1), now));
        // Again, by the same client or another, under another name: the first plan.
        for client in ["a", "b"] {
            let mut again = quota_one(client, 1);
            again.name = Some("renamed".into());
            match save(&mut p, again, now) {
                Saved::Existing(r) => {
                    assert_eq!((r.id, r.name.as_deref()), (id, Some("plan 1")));
                    assert_eq!(r.body, plan("a", 1, 100).body);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(p.by_id.len(), 1);
        // The repeat did not count: b may still save one, a has saved its one.
        saved_id(save(&mut p, quota_one("b", 2), now));
        assert!(matches!(
            save(&mut p, quota_one("a", 3), now),
            Saved::OverQuota(_)
        ));
    }

    #[test]
    fn the_cap_counts_unexpired_plans_and_expired_ones_free_their_tokens() {
        let t0 = chrono::Utc::now();
        let mut p = plans();
        let capped = |token| NewPlan {
            max_stored: 1,
            retention: Duration::from_secs(10),
            ..plan("a", token, 100)
        };
        let first = saved_id(save(&mut p, capped(1), t0));
        match save(&mut p, capped(2), t0 + chrono::Duration::seconds(1)) {
            // The first plan expires in 9 s, purged within the minute after.
            Saved::Full(wait) => assert_eq!(wait, Duration::from_secs(69)),
            other => panic!("{other:?}"),
        }
        // Once the first has expired, it does not count, and its token saves anew.
        let later = t0 + chrono::Duration::seconds(11);
        let second = saved_id(save(&mut p, capped(2), later));
        assert!(!p.by_id.contains_key(&first));
        assert_eq!(p.by_id.len(), 1);
        let later = later + chrono::Duration::seconds(11);
        let again = saved_id(save(&mut p, capped(1), later));
        assert_ne!(again, first);
        assert!(!p.by_id.contains_key(&second));
    }
}
