//! The PostGIS store: small parameterised statements, prepared and cached per
//! connection. It answers in domain records and keeps no state of its own: what is held
//! in memory between requests is the planning network's business (`network`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Object, Pool, PoolError};
use tokio_postgres::IsolationLevel;
use trailloop_drive::{RoadClass, RoadEdge, RoadLink, RoadNetwork, RoadNode};
use trailloop_geo::Coord;
use trailloop_osm::potential::potential_from_slice;
use trailloop_osm::{
    Highlight, HighlightKind, Highway, NatureShare, OsmType, PoiDetails, SacScale, TileKey,
    TrailheadKind, WayConditions,
};
use trailloop_places::PoiKind;
use uuid::Uuid;

use super::{
    ImportOrigin, NamedPlace, NewPlan, PlanRecord, RegionData, RegionInfo, Saved, StoreError,
    QUOTA_WINDOW,
};
use crate::db::wkb::{LineString, MultiPoint, Point};
use crate::domain::{EdgeRecord, PoiRecord, RegionVersion, TileRecords, TrailheadRecord};

/// The PostGIS store over a connection pool.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// One save at a time per client in this process, before it takes a connection:
    /// the database serialises a client's saves anyway (its advisory lock), and saves
    /// waiting there would each hold a pooled connection, so that one client sending
    /// many at once could take the pool from everyone.
    save_gates: Arc<SaveGates>,
}

/// A lock per client with a save in flight or waiting, and how many there are; a
/// client's entry goes with its last save.
#[derive(Default)]
struct SaveGates(std::sync::Mutex<HashMap<String, Gate>>);

/// A client's lock, and the saves holding or waiting for it.
type Gate = (Arc<tokio::sync::Mutex<()>>, usize);

/// A client's place at its gate, held or waited for; given up when dropped (also when
/// the wait is cancelled: the client went away).
struct SaveGate {
    gates: Arc<SaveGates>,
    client: String,
    held: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl SaveGates {
    async fn enter(self: &Arc<SaveGates>, client: &str) -> SaveGate {
        let gate = {
            let mut gates = self.0.lock().unwrap_or_else(|p| p.into_inner());
            let entry = gates.entry(client.to_string()).or_default();
            entry.1 += 1;
            entry.0.clone()
        };
        let mut entered = SaveGate {
            gates: self.clone(),
            client: client.to_string(),
            held: None,
        };
        entered.held = Some(gate.lock_owned().await);
        entered
    }

    #[cfg(test)]
    fn clients(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Drop for SaveGate {
    fn drop(&mut self) {
        self.held.take();
        let mut gates = self.gates.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = gates.get_mut(&self.client) {
            entry.1 -= 1;
            if entry.1 == 0 {
                gates.remove(&self.client);
            }
        }
    }
}

/// What one attempt at saving a plan came to.
enum Attempt {
    Done(Saved),
    /// Over `plans.max_stored`, expired plans still counted.
    Full,
    /// The token's plan was in the way of the insert and gone before it could be
    /// read (deleted as expired meanwhile): try again.
    Raced,
}

const PLAN_COLUMNS: &str = "id, created_at, name, body, expires_at";

fn plan_record(r: &tokio_postgres::Row) -> PlanRecord {
    PlanRecord {
        id: r.get(0),
        created_at: r.get(1),
        name: r.get(2),
        body: r.get(3),
        expires_at: r.get(4),
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

/// Whether a database error means the database cannot serve now (shutting down,
/// starting up, out of connections or resources, failed over, too slow), not that the
/// statement is wrong: the client is told to retry (503), not that the service broke.
fn unavailable(code: &tokio_postgres::error::SqlState) -> bool {
    use tokio_postgres::error::SqlState as S;
    let code = code.code();
    // Class 08: connection exceptions; class 53: insufficient resources.
    code.starts_with("08")
        || code.starts_with("53")
        || [
            S::ADMIN_SHUTDOWN,
            S::CRASH_SHUTDOWN,
            S::CANNOT_CONNECT_NOW,
            S::READ_ONLY_SQL_TRANSACTION,
            S::QUERY_CANCELED,
        ]
        .iter()
        .any(|s| s.code() == code)
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        // No SQLSTATE means the connection itself failed, not the statement.
        if e.is_closed() || e.code().is_none_or(unavailable) {
            // With its causes: "error performing TLS handshake" alone does not say why.
            StoreError::Unavailable(crate::db::tls::describe(&e))
        } else {
            StoreError::Other(e.into())
        }
    }
}

fn trailhead_record(
    version: &RegionVersion,
    row: &tokio_postgres::Row,
) -> Result<TrailheadRecord, StoreError> {
    let kind: String = row.get(3);
    Ok(TrailheadRecord {
        id: row.get(0),
        version: version.clone(),
        node_id: row.get(1),
        name: row.get(2),
        name_derived: row.get(10),
        kind: TrailheadKind::parse(&kind)
            .ok_or_else(|| anyhow::anyhow!("trailhead with unknown kind {kind:?}"))?,
        coord: row.get::<_, Point>(4).0,
        distance_m: 0.0,
        snap_distance_m: f64::from(row.get::<_, f32>(5)),
        potential: potential_from_slice(&row.get::<_, Vec<f32>>(6)).unwrap_or_default(),
        road: match (
            row.get::<_, Option<i32>>(7),
            row.get::<_, Option<f32>>(8),
            row.get::<_, Option<f32>>(9),
        ) {
            (Some(edge), Some(along), Some(off)) => Some(RoadLink {
                edge: u32::try_from(edge).map_err(anyhow::Error::from)?,
                along_m: f64::from(along),
                off_m: f64::from(off),
            }),
            _ => None,
        },
    })
}

/// The road graph from its rows, in `seq` order: nodes are the edges' OSM node ids,
/// located by the edges' end points.
fn road_network(rows: &[tokio_postgres::Row]) -> Result<RoadNetwork, StoreError> {
    let mut nodes: BTreeMap<i64, Coord> = BTreeMap::new();
    let mut edges = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let seq: i32 = r.get(0);
        if seq as usize != i {
            return Err(anyhow::anyhow!("road edge {seq} out of sequence at {i}").into());
        }
        let class: String = r.get(4);
        let geometry = r.get::<_, LineString>(9).0;
        let (Some(first), Some(last)) = (geometry.first(), geometry.last()) else {
            return Err(anyhow::anyhow!("road edge {seq} has no geometry").into());
        };
        let (source, target): (i64, i64) = (r.get(1), r.get(2));
        nodes.entry(source).or_insert(*first);
        nodes.entry(target).or_insert(*last);
        edges.push((source, target, r, class, geometry));
    }
    let index: HashMap<i64, u32> = nodes
        .keys()
        .enumerate()
        .map(|(i, id)| (*id, i as u32))
        .collect();
    let edges = edges
        .into_iter()
        .map(|(source, target, r, class, geometry)| {
            Ok(RoadEdge {
                source: index[&source],
                target: index[&target],
                osm_way_id: r.get(3),
                class: RoadClass::parse(&class)
                    .ok_or_else(|| anyhow::anyhow!("road edge with unknown class {class:?}"))?,
                geometry,
                length_m: r.get(5),
                seconds: r.get(6),
                forward: r.get(7),
                backward: r.get(8),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(RoadNetwork {
        nodes: nodes
            .into_iter()
            .map(|(osm_id, coord)| RoadNode { osm_id, coord })
            .collect(),
        edges,
    })
}

impl PgStore {
    /// A store over `pool`.
    pub fn new(pool: Pool) -> PgStore {
        PgStore {
            pool,
            save_gates: Arc::default(),
        }
    }

    /// The pool, for its usage metrics.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    async fn client(&self) -> Result<Object, StoreError> {
        Ok(self.pool.get().await?)
    }

    /// Every region's live import and the box its network lies in.
    pub(super) async fn region_versions(&self) -> Result<Vec<RegionInfo>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT r.name, r.import_id, ST_XMin(i.bbox), ST_YMin(i.bbox),
                        ST_XMax(i.bbox), ST_YMax(i.bbox)
                 FROM regions r JOIN imports i ON i.id = r.import_id ORDER BY r.name",
            )
            .await?;
        let rows = client.query(&stmt, &[]).await?;
        Ok(rows
            .iter()
            .map(|r| RegionInfo {
                version: RegionVersion {
                    region: r.get(0),
                    import_id: r.get(1),
                },
                south_west: Coord {
                    lon: r.get(2),
                    lat: r.get(3),
                },
                north_east: Coord {
                    lon: r.get(4),
                    lat: r.get(5),
                },
            })
            .collect())
    }

    /// Every trailhead of a region, read in one snapshot with the import they belong to.
    pub(super) async fn region_data(&self, region: &str) -> Result<RegionData, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let version_stmt = tx
            .prepare_cached(
                "SELECT r.import_id, i.attribution, i.uses_osm, i.report
                 FROM regions r JOIN imports i ON i.id = r.import_id WHERE r.name = $1",
            )
            .await?;
        let rows_stmt = tx
            .prepare_cached(
                "SELECT id, node_id, name, kind, geom, snap_distance_m, potential,
                        road_seq, road_along_m, road_off_m, name_derived
                 FROM trailheads WHERE region = $1 ORDER BY id",
            )
            .await?;
        let roads_stmt = tx
            .prepare_cached(
                "SELECT seq, source, target, osm_way_id, highway, length_m, seconds,
                        forward, backward, geom
                 FROM road_edges WHERE region = $1 ORDER BY seq",
            )
            .await?;
        let places_stmt = tx
            .prepare_cached(
                "SELECT name, kind, ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom))
                 FROM highlights WHERE region = $1 AND name IS NOT NULL
                 UNION ALL
                 SELECT name, kind, ST_X(geom), ST_Y(geom)
                 FROM pois WHERE region = $1 AND name IS NOT NULL AND kind = ANY($2)
                 UNION ALL
                 SELECT name, kind, ST_X(geom), ST_Y(geom)
                 FROM settlements WHERE region = $1
                 ORDER BY 1, 2, 3, 4",
            )
            .await?;
        let by_region: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&region];
        // The places one sleeps at, by the list of kinds.
        let nights: Vec<&str> = PoiKind::nights().map(PoiKind::as_str).collect();
        let places_of: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&region, &nights];
        let (version, rows, road_rows, place_rows) = tokio::try_join!(
            tx.query_opt(&version_stmt, &by_region),
            tx.query(&rows_stmt, &by_region),
            tx.query(&roads_stmt, &by_region),
            tx.query(&places_stmt, &places_of),
        )?;
        tx.commit().await?;
        let Some(version) = version else {
            return Err(StoreError::Stale(format!("region {region} is gone")));
        };
        let origin = ImportOrigin {
            attribution: version.get(1),
            uses_osm: version.get(2),
            report: version.get(3),
        };
        let version = RegionVersion {
            region: region.to_string(),
            import_id: version.get(0),
        };
        let trailheads = rows
            .iter()
            .map(|r| trailhead_record(&version, r))
            .collect::<Result<Vec<_>, _>>()?;
        let roads = road_network(&road_rows)?;
        let places = place_rows
            .iter()
            .map(|r| NamedPlace {
                name: r.get(0),
                kind: r.get(1),
                coord: Coord {
                    lon: r.get(2),
                    lat: r.get(3),
                },
            })
            .collect();
        Ok(RegionData {
            version,
            trailheads,
            roads,
            places,
            origin,
        })
    }

    /// One tile of a region, read in one snapshot together with the import it belongs
    /// to, so that a tile never mixes two imports.
    pub(super) async fn tile(
        &self,
        region: &str,
        tile: TileKey,
    ) -> Result<TileRecords, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let version_stmt = tx
            .prepare_cached("SELECT import_id FROM regions WHERE name = $1")
            .await?;
        let edges_stmt = tx
            .prepare_cached(
                "SELECT id, source, target, source_shared, target_shared, geom, length_m,
                        ascent_m, descent_m, highway, name, sac_scale, routes, surface,
                        trail_visibility, nature_forest, nature_water, nature_open,
                        nature_protected, nature_any, elevations, foot_conditional,
                        access_conditional, seasonal
                 FROM edges WHERE region = $1 AND tile = $2 ORDER BY id",
            )
            .await?;
        let pois_stmt = tx
            .prepare_cached(
                "SELECT node_id, kind, name, geom, osm_id, osm_type, snap_distance_m, osm_tag,
                        fee, access, opening_hours, capacity, drinking_water, website,
                        seasonal, winter_room
                 FROM pois WHERE region = $1 AND tile = $2 ORDER BY id",
            )
            .await?;
        let highlights_stmt = tx
            .prepare_cached(
                "SELECT kind, name, osm_id, geom, elevation_m FROM highlights
                 WHERE region = $1 AND tile = $2 ORDER BY id",
            )
            .await?;
        let id = tile.id();
        let by_region: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&region];
        let by_tile: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&region, &id];
        let (version, edges, pois, highlights) = tokio::try_join!(
            tx.query_opt(&version_stmt, &by_region),
            tx.query(&edges_stmt, &by_tile),
            tx.query(&pois_stmt, &by_tile),
            tx.query(&highlights_stmt, &by_tile),
        )?;
        tx.commit().await?;
        let Some(version) = version else {
            return Err(StoreError::Stale(format!("region {region} is gone")));
        };
        let edges = edges
            .iter()
            .map(|r| {
                let highway: String = r.get(9);
                let sac: Option<String> = r.get(11);
                Ok(EdgeRecord {
                    id: r.get(0),
                    source: r.get(1),
                    target: r.get(2),
                    source_shared: r.get(3),
                    target_shared: r.get(4),
                    geometry: r.get::<_, LineString>(5).0,
                    elevations: r.get::<_, Option<Vec<f32>>>(20).unwrap_or_default(),
                    length_m: r.get(6),
                    ascent_m: f64::from(r.get::<_, f32>(7)),
                    descent_m: f64::from(r.get::<_, f32>(8)),
                    highway: Highway::from_tag(&highway)
                        .ok_or_else(|| anyhow::anyhow!("edge with unknown highway {highway:?}"))?,
                    name: r.get(10),
                    sac_scale: sac.as_deref().and_then(SacScale::from_tag),
                    routes: r.get(12),
                    surface: r.get(13),
                    trail_visibility: r.get(14),
                    nature: NatureShare {
                        forest: r.get(15),
                        water: r.get(16),
                        open: r.get(17),
                        protected: r.get(18),
                        any: r.get(19),
                    },
                    conditions: WayConditions {
                        foot_conditional: r.get(21),
                        access_conditional: r.get(22),
                        seasonal: r.get(23),
                    },
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let pois = pois
            .iter()
            .filter_map(|r| {
                let kind: String = r.get(1);
                let osm_type: String = r.get(5);
                Some(PoiRecord {
                    node_id: r.get(0),
                    kind: PoiKind::parse(&kind)?,
                    name: r.get(2),
                    coord: r.get::<_, Point>(3).0,
                    osm_id: r.get(4),
                    osm_type: OsmType::parse(&osm_type)?,
                    snap_distance_m: f64::from(r.get::<_, f32>(6)),
                    details: PoiDetails {
                        osm_tag: r.get(7),
                        fee: r.get(8),
                        access: r.get(9),
                        opening_hours: r.get(10),
                        capacity: r.get(11),
                        drinking_water: r.get(12),
                        website: r.get(13),
                        seasonal: r.get(14),
                        winter_room: r.get(15),
                    },
                })
            })
            .collect();
        let highlights = highlights
            .iter()
            .filter_map(|r| {
                let kind: String = r.get(0);
                Some(Highlight {
                    kind: HighlightKind::parse(&kind)?,
                    name: r.get(1),
                    osm_id: r.get(2),
                    points: r.get::<_, MultiPoint>(3).0,
                    elevation_m: r.get::<_, Option<f32>>(4).map(f64::from),
                })
            })
            .collect();
        Ok(TileRecords {
            version: RegionVersion {
                region: region.to_string(),
                import_id: version.get(0),
            },
            tile,
            edges,
            pois,
            highlights,
        })
    }

    /// Every region with its live import and the tiles its network covers.
    pub(super) async fn regions(&self) -> Result<Vec<(RegionVersion, Vec<TileKey>)>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT r.name, r.import_id,
                        ARRAY(SELECT DISTINCT e.tile FROM edges e WHERE e.region = r.name ORDER BY 1)
                 FROM regions r ORDER BY r.name",
            )
            .await?;
        let rows = client.query(&stmt, &[]).await?;
        Ok(rows
            .iter()
            .map(|r| {
                let tiles: Vec<i64> = r.get(2);
                (
                    RegionVersion {
                        region: r.get(0),
                        import_id: r.get(1),
                    },
                    tiles.into_iter().map(TileKey::from_id).collect(),
                )
            })
            .collect())
    }

    /// Saves a plan in one transaction (READ COMMITTED) under its client's advisory
    /// lock, so that the client's saves run one after another even across tasks: a
    /// plan of its token already saved is answered as it is; else the client's plans
    /// of the quota window are counted and the new one inserted only below the quota;
    /// and the insert stands only while the plans stored stay within `max_stored`.
    pub(super) async fn save_plan(&self, plan: NewPlan) -> Result<Saved, StoreError> {
        let _gate = self.save_gates.enter(&plan.client).await;
        let mut client = self.client().await?;
        let mut purged = false;
        for _ in 0..3 {
            match save_attempt(&mut client, &plan).await? {
                Attempt::Done(saved) => return Ok(saved),
                Attempt::Raced => continue,
                Attempt::Full => {
                    // Expired plans do not count: delete them and look again, once.
                    if !purged && purge_expired(&client).await? > 0 {
                        purged = true;
                        continue;
                    }
                    let stmt = client
                        .prepare_cached(
                            "SELECT extract(epoch FROM min(expires_at) - now())::float8
                             FROM plans WHERE expires_at > now()",
                        )
                        .await?;
                    let soonest: Option<f64> = client.query_one(&stmt, &[]).await?.get(0);
                    return Ok(Saved::Full(super::full_retry(
                        soonest.map(|s| Duration::from_secs_f64(s.max(0.0))),
                    )));
                }
            }
        }
        Err(StoreError::Unavailable(
            "a plan's token kept changing hands while it was saved".into(),
        ))
    }

    pub(super) async fn purge_expired_plans(&self) -> Result<u64, StoreError> {
        purge_expired(&self.client().await?).await
    }

    pub(super) async fn plan(&self, id: Uuid) -> Result<Option<PlanRecord>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT created_at, name, body, expires_at FROM plans
                 WHERE id = $1 AND expires_at > now()",
            )
            .await?;
        let row = client.query_opt(&stmt, &[&id]).await?;
        Ok(row.map(|r| PlanRecord {
            id,
            created_at: r.get(0),
            name: r.get(1),
            body: r.get(2),
            expires_at: r.get(3),
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

/// Deletes the plans past their expiry; how many.
async fn purge_expired(client: &Object) -> Result<u64, StoreError> {
    let stmt = client
        .prepare_cached("DELETE FROM plans WHERE expires_at <= now()")
        .await?;
    Ok(client.execute(&stmt, &[]).await?)
}

/// One transaction of [`PgStore::save_plan`].
async fn save_attempt(client: &mut Object, plan: &NewPlan) -> Result<Attempt, StoreError> {
    let token: &[u8] = &plan.token_hash;
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .start()
        .await?;
    // Held to the end of the transaction. Every statement after it takes a new
    // snapshot, which holds the client's saves committed before it was granted.
    let lock = tx
        .prepare_cached(
            "SELECT pg_advisory_xact_lock(hashtextextended('trailloop-plans:' || $1, 0))",
        )
        .await?;
    tx.execute(&lock, &[&plan.client]).await?;
    // An expired plan does not hold its token (it is hidden already, and would be
    // deleted within the minute).
    let stmt = tx
        .prepare_cached("DELETE FROM plans WHERE token_hash = $1 AND expires_at <= now()")
        .await?;
    tx.execute(&stmt, &[&token]).await?;
    let by_token = tx
        .prepare_cached(&format!(
            "SELECT {PLAN_COLUMNS} FROM plans WHERE token_hash = $1"
        ))
        .await?;
    if let Some(row) = tx.query_opt(&by_token, &[&token]).await? {
        tx.commit().await?;
        return Ok(Attempt::Done(Saved::Existing(plan_record(&row))));
    }
    let window = QUOTA_WINDOW.as_secs_f64();
    let stmt = tx
        .prepare_cached(
            "SELECT count(*),
                    extract(epoch FROM min(created_at) + make_interval(secs => $2) - now())::float8
             FROM plans WHERE client = $1 AND created_at > now() - make_interval(secs => $2)",
        )
        .await?;
    let row = tx.query_one(&stmt, &[&plan.client, &window]).await?;
    let (saved, frees): (i64, Option<f64>) = (row.get(0), row.get(1));
    if saved >= i64::from(plan.quota) {
        tx.rollback().await?;
        // The next slot frees when the oldest plan of the window leaves it.
        return Ok(Attempt::Done(Saved::OverQuota(Duration::from_secs_f64(
            frees.unwrap_or(window).clamp(1.0, window),
        ))));
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO plans (id, name, body, client, token_hash, expires_at)
             VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
             ON CONFLICT (token_hash) DO NOTHING
             RETURNING created_at, expires_at",
        )
        .await?;
    let id = Uuid::new_v4();
    let retention = plan.retention.as_secs_f64();
    let inserted = tx
        .query_opt(
            &stmt,
            &[
                &id,
                &plan.name,
                &plan.body,
                &plan.client,
                &token,
                &retention,
            ],
        )
        .await?;
    let Some(row) = inserted else {
        // Another client saved the same token at the same moment: the insert waited
        // for it to commit, and this statement's snapshot holds its plan.
        let existing = tx.query_opt(&by_token, &[&token]).await?;
        tx.commit().await?;
        return Ok(existing.map_or(Attempt::Raced, |row| {
            Attempt::Done(Saved::Existing(plan_record(&row)))
        }));
    };
    // The insert's trigger counted the plan and holds the count's row until this
    // transaction ends: the next save reads the count with this plan in it.
    let stmt = tx.prepare_cached("SELECT stored FROM plan_totals").await?;
    let stored: i64 = tx.query_one(&stmt, &[]).await?.get(0);
    if stored > i64::try_from(plan.max_stored).unwrap_or(i64::MAX) {
        tx.rollback().await?;
        return Ok(Attempt::Full);
    }
    tx.commit().await?;
    Ok(Attempt::Done(Saved::Plan(PlanRecord {
        id,
        created_at: row.get(0),
        name: plan.name.clone(),
        body: plan.body.clone(),
        expires_at: row.get(1),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_postgres::error::SqlState;

    #[tokio::test]
    async fn a_clients_saves_pass_its_gate_one_at_a_time_and_leave_nothing_behind() {
        let gates = Arc::new(SaveGates::default());
        let first = gates.enter("a").await;
        // Another client passes; the same client waits.
        let other = gates.enter("b").await;
        let wait = Duration::from_millis(50);
        assert!(tokio::time::timeout(wait, gates.enter("a")).await.is_err());
        // The cancelled wait gave its place up; the first still holds the gate.
        assert_eq!(gates.clients(), 2);
        let waiting = tokio::spawn({
            let gates = gates.clone();
            async move { gates.enter("a").await }
        });
        tokio::time::sleep(wait).await;
        assert!(!waiting.is_finished());
        drop(first);
        let second = waiting.await.unwrap();
        drop((second, other));
        assert_eq!(gates.clients(), 0, "no entry outlives its saves");
    }

    #[test]
    fn a_database_going_away_is_unavailable_and_a_bad_statement_is_not() {
        for code in [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::CRASH_SHUTDOWN,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::CONNECTION_FAILURE,
            SqlState::READ_ONLY_SQL_TRANSACTION,
            SqlState::QUERY_CANCELED,
        ] {
            assert!(unavailable(&code), "{}", code.code());
        }
        for code in [
            SqlState::SYNTAX_ERROR,
            SqlState::UNDEFINED_TABLE,
            SqlState::INSUFFICIENT_PRIVILEGE,
            SqlState::UNIQUE_VIOLATION,
        ] {
            assert!(!unavailable(&code), "{}", code.code());
        }
    }
}
