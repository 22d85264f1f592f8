//! PostGIS-backed store: parameterised, prepared (and cached) statements, and a bounded
//! in-memory cache of the planning networks built from subgraph queries.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use deadpool_postgres::{Object, Pool, PoolError};
use trailloop_osm::{Coord, Highway, PoiKind, SacScale};
use uuid::Uuid;

use super::{PlanRecord, StoreError, TrailheadRow};
use crate::db::wkb::{LineString, Point};
use crate::planner::{PlanningNetwork, Subgraph, SubgraphEdge, SubgraphPoi};

/// Planning networks kept per task. Each is the trail network within reach of a few
/// trailheads (a few MB for a mountain region); the bound keeps memory flat.
const CACHE_ENTRIES: usize = 16;

/// Metres per degree of latitude (a lower bound of it: boxes err on the large side).
const M_PER_DEG_LAT: f64 = 110_574.0;
/// Metres per degree of longitude at the equator.
const M_PER_DEG_LON: f64 = 111_320.0;

/// The PostGIS store: a connection pool and a bounded cache of planning networks.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    cache: Arc<NetworkCache>,
}

/// Networks by (data version, trailheads, reach). The version is the sum of the live
/// import ids, read with every trailhead query: an import anywhere changes it, and the
/// stale entries are never hit again.
#[derive(Default)]
struct NetworkCache {
    version: AtomicI64,
    entries: Mutex<VecDeque<(CacheKey, Arc<PlanningNetwork>)>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CacheKey {
    version: i64,
    trailheads: Vec<i64>,
    reach_km: u32,
}

impl NetworkCache {
    fn get(&self, key: &CacheKey) -> Option<Arc<PlanningNetwork>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, n)| n.clone())
    }

    fn put(&self, key: CacheKey, network: Arc<PlanningNetwork>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|(k, _)| k.version == key.version && *k != key);
        if entries.len() >= CACHE_ENTRIES {
            entries.pop_front();
        }
        entries.push_back((key, network));
    }
}

impl From<PoolError> for StoreError {
    fn from(e: PoolError) -> StoreError {
        match e {
            PoolError::Backend(e) => e.into(),
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        // No SQLSTATE means the connection itself failed, not the statement.
        if e.is_closed() || e.code().is_none() {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Other(e.into())
        }
    }
}

fn box_degrees(lat: f64, reach_m: f64) -> (f64, f64) {
    let cos = lat.to_radians().cos().max(0.01);
    (reach_m / (M_PER_DEG_LON * cos), reach_m / M_PER_DEG_LAT)
}

const TRAILHEAD_COLUMNS: &str = "t.id, t.region, t.node_id, t.name, t.kind, t.geom,
    ST_Distance(t.geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography),
    (SELECT coalesce(sum(import_id), 0)::int8 FROM regions)";

impl PgStore {
    /// A store over `pool`.
    pub fn new(pool: Pool) -> PgStore {
        PgStore {
            pool,
            cache: Arc::default(),
        }
    }

    /// The pool, for its usage metrics.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    async fn client(&self) -> Result<Object, StoreError> {
        Ok(self.pool.get().await?)
    }

    fn trailhead_row(&self, row: &tokio_postgres::Row) -> TrailheadRow {
        self.cache.version.store(row.get(7), Ordering::Relaxed);
        TrailheadRow {
            id: row.get(0),
            region: row.get(1),
            node_id: row.get(2),
            name: row.get(3),
            kind: row.get(4),
            coord: row.get::<_, Point>(5).0,
            distance_m: row.get(6),
        }
    }

    pub(super) async fn trailheads_within(
        &self,
        origin: Coord,
        radius_m: f64,
        limit: usize,
    ) -> Result<Vec<TrailheadRow>, StoreError> {
        let client = self.client().await?;
        // The box lets the GiST index find candidates; the geography test is exact.
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {TRAILHEAD_COLUMNS} FROM trailheads t
                 WHERE t.geom && ST_Expand(ST_SetSRID(ST_MakePoint($1, $2), 4326), $3, $4)
                   AND ST_DWithin(t.geom::geography,
                                  ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $5)
                 ORDER BY 7, t.id LIMIT $6"
            ))
            .await?;
        let (dx, dy) = box_degrees(origin.lat, radius_m);
        let rows = client
            .query(
                &stmt,
                &[
                    &origin.lon,
                    &origin.lat,
                    &dx,
                    &dy,
                    &radius_m,
                    &(limit as i64),
                ],
            )
            .await?;
        Ok(rows.iter().map(|r| self.trailhead_row(r)).collect())
    }

    pub(super) async fn trailhead(
        &self,
        id: i64,
        origin: Coord,
    ) -> Result<Option<TrailheadRow>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {TRAILHEAD_COLUMNS} FROM trailheads t WHERE t.id = $3"
            ))
            .await?;
        let row = client
            .query_opt(&stmt, &[&origin.lon, &origin.lat, &id])
            .await?;
        Ok(row.map(|r| self.trailhead_row(&r)))
    }

    pub(super) async fn network_around(
        &self,
        trailheads: &[TrailheadRow],
        reach_m: f64,
    ) -> Result<Arc<PlanningNetwork>, StoreError> {
        // Whole kilometres, rounded up, so nearby requests share cache entries.
        let reach_km = (reach_m / 1000.0).ceil().max(1.0) as u32;
        let mut ids: Vec<i64> = trailheads.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        let key = CacheKey {
            version: self.cache.version.load(Ordering::Relaxed),
            trailheads: ids,
            reach_km,
        };
        if let Some(network) = self.cache.get(&key) {
            return Ok(network);
        }
        let subgraph = self
            .subgraph(trailheads, f64::from(reach_km) * 1000.0)
            .await?;
        let network = tokio::task::spawn_blocking(move || PlanningNetwork::from_subgraph(subgraph))
            .await
            .map_err(|e| StoreError::Other(e.into()))??;
        let network = Arc::new(network);
        self.cache.put(key, network.clone());
        Ok(network)
    }

    /// Edges and POIs within `reach_m` (box test) of any trailhead: two statements
    /// pipelined on one connection, so one round trip.
    async fn subgraph(
        &self,
        trailheads: &[TrailheadRow],
        reach_m: f64,
    ) -> Result<Subgraph, StoreError> {
        let lons: Vec<f64> = trailheads.iter().map(|t| t.coord.lon).collect();
        let lats: Vec<f64> = trailheads.iter().map(|t| t.coord.lat).collect();
        let max_lat = lats.iter().fold(0.0f64, |m, l| m.max(l.abs()));
        let (dx, dy) = box_degrees(max_lat, reach_m);
        let client = self.client().await?;
        let edges_stmt = client
            .prepare_cached(
                "SELECT DISTINCT ON (e.id) e.id, e.source, e.target, e.geom, e.length_m,
                        e.ascent_m, e.descent_m, e.highway, e.name, e.sac_scale, e.routes
                 FROM unnest($1::float8[], $2::float8[]) AS c(x, y)
                 JOIN edges e ON e.geom && ST_Expand(ST_SetSRID(ST_MakePoint(c.x, c.y), 4326), $3, $4)
                 ORDER BY e.id",
            )
            .await?;
        let pois_stmt = client
            .prepare_cached(
                "SELECT DISTINCT ON (p.id) p.node_id, p.kind, p.name, p.geom
                 FROM unnest($1::float8[], $2::float8[]) AS c(x, y)
                 JOIN pois p ON p.geom && ST_Expand(ST_SetSRID(ST_MakePoint(c.x, c.y), 4326), $3, $4)
                 ORDER BY p.id",
            )
            .await?;
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] = [&lons, &lats, &dx, &dy];
        let (edges, pois) = tokio::try_join!(
            client.query(&edges_stmt, &params),
            client.query(&pois_stmt, &params)
        )?;
        let edges = edges
            .iter()
            .map(|r| {
                let highway: String = r.get(7);
                let sac: Option<String> = r.get(9);
                Ok(SubgraphEdge {
                    id: r.get(0),
                    source: r.get(1),
                    target: r.get(2),
                    geometry: r.get::<_, LineString>(3).0,
                    length_m: r.get(4),
                    ascent_m: f64::from(r.get::<_, f32>(5)),
                    descent_m: f64::from(r.get::<_, f32>(6)),
                    highway: Highway::from_tag(&highway)
                        .ok_or_else(|| anyhow::anyhow!("edge with unknown highway {highway:?}"))?,
                    name: r.get(8),
                    sac_scale: sac.as_deref().and_then(SacScale::from_tag),
                    routes: r.get(10),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let pois = pois
            .iter()
            .filter_map(|r| {
                let kind: String = r.get(1);
                Some(SubgraphPoi {
                    node_id: r.get(0),
                    kind: poi_kind(&kind)?,
                    name: r.get(2),
                    coord: r.get::<_, Point>(3).0,
                })
            })
            .collect();
        Ok(Subgraph {
            nodes: Vec::new(),
            edges,
            pois,
        })
    }

    pub(super) async fn save_plan(
        &self,
        name: Option<String>,
        body: serde_json::Value,
    ) -> Result<PlanRecord, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "INSERT INTO plans (id, name, body) VALUES ($1, $2, $3) RETURNING created_at",
            )
            .await?;
        let id = Uuid::new_v4();
        let row = client.query_one(&stmt, &[&id, &name, &body]).await?;
        Ok(PlanRecord {
            id,
            created_at: row.get(0),
            name,
            body,
        })
    }

    pub(super) async fn plan(&self, id: Uuid) -> Result<Option<PlanRecord>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT created_at, name, body FROM plans WHERE id = $1")
            .await?;
        let row = client.query_opt(&stmt, &[&id]).await?;
        Ok(row.map(|r| PlanRecord {
            id,
            created_at: r.get(0),
            name: r.get(1),
            body: r.get(2),
        }))
    }

    /// Ready when the database answers and holds at least one imported region.
    pub(super) async fn ready(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM regions)")
            .await?;
        let has_data: bool = client.query_one(&stmt, &[]).await?.get(0);
        if has_data {
            Ok(())
        } else {
            Err(StoreError::Unavailable(
                "no region has been imported".into(),
            ))
        }
    }
}

fn poi_kind(kind: &str) -> Option<PoiKind> {
    [
        PoiKind::Campsite,
        PoiKind::Hut,
        PoiKind::Shelter,
        PoiKind::DrinkingWater,
        PoiKind::Spring,
    ]
    .into_iter()
    .find(|k| k.as_str() == kind)
}
