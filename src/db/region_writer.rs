//! Writes one region's network to PostGIS with binary COPY, inside a single transaction
//! that first removes the region's previous rows: readers see the old network until the
//! commit and the new one after it, never a mix, and a failed or killed import leaves
//! the previous data as it was.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures_util::pin_mut;
use postgres_types::{ToSql, Type};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::{Client, Transaction};
use trailloop_osm::potential::potential_to_vec;
use trailloop_osm::{Partition, SacScale, TileKey, TrailData};

use super::wkb::Geometry;

/// Where an import's data came from.
#[derive(Debug, Clone)]
pub struct ImportSource {
    /// Region name, the unit that an import replaces.
    pub region: String,
    /// The PBF file's name.
    pub source: String,
    /// SHA-256 of the PBF file, hex.
    pub sha256: String,
    /// Names of the DEM tiles used.
    pub dem_sources: Vec<String>,
    /// When reading the source began.
    pub started_at: DateTime<Utc>,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRecord {
    /// Row id in `imports`.
    pub import_id: i64,
    /// Nodes written.
    pub nodes: usize,
    /// Edges written.
    pub edges: usize,
    /// Trailheads written.
    pub trailheads: usize,
    /// Points of interest written.
    pub pois: usize,
    /// Road edges written (the drive graph).
    pub road_edges: usize,
    /// Edge length by highway class, km.
    pub km_by_highway: BTreeMap<&'static str, f64>,
}

impl ImportRecord {
    /// Total edge length, km.
    pub fn total_km(&self) -> f64 {
        self.km_by_highway.values().sum()
    }
}

/// Checks a region name: lower-case letters, digits, `-` and `_`, at most 63 characters.
pub fn valid_region(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'_')
}

/// Replaces `source.region` with `network` atomically.
pub async fn replace_region(
    client: &mut Client,
    source: &ImportSource,
    network: &TrailData,
) -> anyhow::Result<ImportRecord> {
    anyhow::ensure!(
        valid_region(&source.region),
        "region {:?} must be 1-63 lower-case letters, digits, '-' or '_'",
        source.region
    );
    let tx = client.transaction().await?;
    // The service's statement timeout guards requests; an import is one long job.
    tx.batch_execute("SET LOCAL statement_timeout = 0").await?;
    // Two imports of one region would otherwise interleave their deletes and COPYs.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('trailloop-import:' || $1))",
        &[&source.region],
    )
    .await?;
    let region = source.region.as_str();
    for table in [
        "settlements",
        "road_edges",
        "highlights",
        "landcover",
        "pois",
        "trailheads",
        "edges",
        "nodes",
    ] {
        let started = Instant::now();
        let n = tx
            .execute(
                &format!("DELETE FROM {table} WHERE region = $1"),
                &[&region],
            )
            .await?;
        tracing::info!(
            table,
            rows = n,
            ms = started.elapsed().as_millis() as u64,
            "removed previous rows"
        );
    }
    let geometry = tx.prepare("SELECT $1::geometry").await?.params()[0].clone();

    let partition = Partition::of(network);
    copy_nodes(&tx, region, network, &geometry).await?;
    copy_edges(&tx, region, network, &partition, &geometry).await?;
    copy_trailheads(&tx, region, network, &geometry).await?;
    copy_pois(&tx, region, network, &partition, &geometry).await?;
    copy_landcover(&tx, region, network, &geometry).await?;
    copy_highlights(&tx, region, network, &geometry).await?;
    copy_road_edges(&tx, region, network, &geometry).await?;
    copy_settlements(&tx, region, network, &geometry).await?;

    let record = record(network);
    let (min, max) = bbox(network);
    let import_id: i64 = tx
        .query_one(
            "INSERT INTO imports (region, source, source_sha256, dem_sources, started_at,
                node_count, edge_count, trailhead_count, poi_count, length_km, bbox,
                road_edge_count, attribution, uses_osm, report)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                ST_MakeEnvelope($11, $12, $13, $14, 4326), $15, $16, $17, $18)
             RETURNING id",
            &[
                &region,
                &source.source,
                &source.sha256,
                &source.dem_sources,
                &source.started_at,
                &(record.nodes as i32),
                &(record.edges as i32),
                &(record.trailheads as i32),
                &(record.pois as i32),
                &record.total_km(),
                &min.0,
                &min.1,
                &max.0,
                &max.1,
                &(record.road_edges as i32),
                &network.origin.attribution,
                &network.origin.uses_osm,
                &serde_json::to_value(&network.origin)?,
            ],
        )
        .await?
        .get(0);
    tx.execute(
        "INSERT INTO regions (name, import_id) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET import_id = EXCLUDED.import_id, updated_at = now()",
        &[&region, &import_id],
    )
    .await?;
    tx.commit().await?;
    Ok(ImportRecord {
        import_id,
        ..record
    })
}

fn record(network: &TrailData) -> ImportRecord {
    let mut km_by_highway = BTreeMap::new();
    for edge in &network.edges {
        *km_by_highway.entry(edge.highway.as_str()).or_insert(0.0) += edge.length_m / 1000.0;
    }
    ImportRecord {
        import_id: 0,
        nodes: network.nodes.len(),
        edges: network.edges.len(),
        trailheads: network.trailheads.len(),
        pois: network.pois.len(),
        road_edges: network.roads.edges.len(),
        km_by_highway,
    }
}

fn bbox(network: &TrailData) -> ((f64, f64), (f64, f64)) {
    let mut min = (f64::INFINITY, f64::INFINITY);
    let mut max = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for n in &network.nodes {
        min = (min.0.min(n.coord.lon), min.1.min(n.coord.lat));
        max = (max.0.max(n.coord.lon), max.1.max(n.coord.lat));
    }
    if network.nodes.is_empty() {
        return ((0.0, 0.0), (0.0, 0.0));
    }
    (min, max)
}

/// Streams `rows` into `COPY table (columns) FROM STDIN (FORMAT binary)`.
async fn copy<'a>(
    tx: &Transaction<'_>,
    table: &str,
    columns: &[(&str, Type)],
    rows: impl IntoIterator<Item = Row<'a>>,
) -> anyhow::Result<u64> {
    let started = Instant::now();
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let types: Vec<Type> = columns.iter().map(|(_, t)| t.clone()).collect();
    let sink = tx
        .copy_in(&format!(
            "COPY {table} ({}) FROM STDIN (FORMAT binary)",
            names.join(", ")
        ))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    for row in rows {
        let values: Vec<&(dyn ToSql + Sync)> = row
            .iter()
            .map(|v| v.as_ref() as &(dyn ToSql + Sync))
            .collect();
        writer.as_mut().write(&values).await?;
    }
    let n = writer.finish().await?;
    tracing::info!(
        table,
        rows = n,
        ms = started.elapsed().as_millis() as u64,
        "copied"
    );
    Ok(n)
}

type Row<'a> = Vec<Box<dyn ToSql + Sync + Send + 'a>>;

async fn copy_nodes(
    tx: &Transaction<'_>,
    region: &str,
    net: &TrailData,
    geom: &Type,
) -> anyhow::Result<u64> {
    let columns = [
        ("region", Type::TEXT),
        ("id", Type::INT8),
        ("geom", geom.clone()),
        ("elevation_m", Type::FLOAT4),
    ];
    let rows = net.nodes.iter().map(|n| -> Row<'_> {
        vec![
            Box::new(region),
            Box::new(n.osm_id),
            Box::new(Geometry::Point(n.coord)),
            Box::new(n.elevation_m.map(|e| e as f32)),
        ]
    });
    copy(tx, "nodes", &columns, rows).await
}

async fn copy_edges(
    tx: &Transaction<'_>,
    region: &str,
    net: &TrailData,
    partition: &Partition,
    geom: &Type,
) -> anyhow::Result<u64> {
    let columns = [
        ("region", Type::TEXT),
        ("source", Type::INT8),
        ("target", Type::INT8),
        ("osm_way_id", Type::INT8),
        ("geom", geom.clone()),
        ("length_m", Type::FLOAT8),
        ("ascent_m", Type::FLOAT4),
        ("descent_m", Type::FLOAT4),
        ("highway", Type::TEXT),
        ("name", Type::TEXT),
        ("sac_scale", Type::TEXT),
        ("surface", Type::TEXT),
        ("trail_visibility", Type::TEXT),
        ("access", Type::TEXT),
        ("routes", Type::TEXT_ARRAY),
        ("tile", Type::INT8),
        ("source_shared", Type::BOOL),
        ("target_shared", Type::BOOL),
        ("nature_forest", Type::FLOAT4),
        ("nature_water", Type::FLOAT4),
        ("nature_open", Type::FLOAT4),
        ("nature_protected", Type::FLOAT4),
        ("nature_any", Type::FLOAT4),
        ("elevations", Type::FLOAT4_ARRAY),
        ("foot_conditional", Type::TEXT),
        ("access_conditional", Type::TEXT),
        ("seasonal", Type::TEXT),
        ("source_ref", Type::TEXT),
    ];
    let rows = net.edges.iter().enumerate().map(|(i, e)| -> Row<'_> {
        vec![
            Box::new(region),
            Box::new(net.nodes[e.source as usize].osm_id),
            Box::new(net.nodes[e.target as usize].osm_id),
            Box::new(e.osm_way_id),
            Box::new(Geometry::LineString(&e.geometry)),
            Box::new(e.length_m),
            Box::new(e.ascent_m as f32),
            Box::new(e.descent_m as f32),
            Box::new(e.highway.as_str()),
            Box::new(e.name.as_deref()),
            Box::new(e.sac_scale.map(SacScale::as_str)),
            Box::new(e.surface.as_deref()),
            Box::new(e.trail_visibility.as_deref()),
            Box::new(e.access.as_deref()),
            Box::new(&e.routes),
            Box::new(partition.edge_tile[i].id()),
            Box::new(partition.shared[e.source as usize]),
            Box::new(partition.shared[e.target as usize]),
            Box::new(e.nature.forest),
            Box::new(e.nature.water),
            Box::new(e.nature.open),
            Box::new(e.nature.protected),
            Box::new(e.nature.any),
            Box::new((!e.elevations.is_empty()).then_some(e.elevations.as_slice())),
            Box::new(e.conditions.foot_conditional.as_deref()),
            Box::new(e.conditions.access_conditional.as_deref()),
            Box::new(e.conditions.seasonal.as_deref()),
            Box::new(e.source_ref.as_deref()),
        ]
    });
    copy(tx, "edges", &columns, rows).await
}

async fn copy_trailheads(
    tx: &Transaction<'_>,
    region: &str,
    net: &TrailData,
    geom: &Type,
) -> anyhow::Result<u64> {
    let columns = [
        ("region", Type::TEXT),
        ("node_id", Type::INT8),
        ("kind", Type::TEXT),
        ("name", Type::TEXT),
        ("name_derived", Type::BOOL),
        ("osm_id", Type::INT8),
        ("geom", geom.clone()),
        ("snap_distance_m", Type::FLOAT4),
        ("potential", Type::FLOAT4_ARRAY),
        ("road_seq", Type::INT4),
        ("road_along_m", Type::FLOAT4),
        ("road_off_m", Type::FLOAT4),
    ];
    let rows = net.trailheads.iter().map(|t| -> Row<'_> {
        vec![
            Box::new(region),
            Box::new(net.nodes[t.node as usize].osm_id),
            Box::new(t.kind.as_str()),
            Box::new(t.name.as_deref()),
            Box::new(t.name_derived),
            Box::new(t.osm_id),
            Box::new(Geometry::Point(t.coord)),
            Box::new(t.snap_distance_m as f32),
            Box::new(potential_to_vec(&t.potential)),
            Box::new(t.road.map(|r| r.edge as i32)),
            Box::new(t.road.map(|r| r.along_m as f32)),
            Box::new(t.road.map(|r| r.off_m as f32)),
        ]
    });
    copy(tx, "trailheads", &columns, rows).await
}

async fn copy_road_edges(
    tx: &Transaction<'_>,
    region: &str,
    net: &TrailData,
    geom: &Type,
) -> anyhow::Result<u64> {
    let columns = [
        ("region", Type::TEXT),
        ("seq", Type::INT4),
        ("source", Type::INT8),
        ("target", Type::INT8),
        ("osm_way_id", Type::INT8),
        ("highway", Type::TEXT),
        ("length_m", Type::FLOAT8),
        ("seconds", Type::FLOAT8),
        ("forward", Type::BOOL),
        ("backward", Type::BOOL),
        ("geom", geom.clone()),
    ];
    let roads = &net.roads;
    let rows = roads.edges.iter().enumerate().map(|(i, e)| -> Row<'_> {
        vec![
            Box::new(region),
            Box::new(i as i32),
            Box::new(roads.nodes[e.source as usize].osm_id),
            Box::new(roads.nodes[e.target as usize].osm_id),
            Box::new(e.osm_way_id),
            Box::new(e.class.as_str()),
            Box::new(e.length_m),
            Box::new(e.seconds),
            Box::new(e.forward),
            Box::new(e.backward),
            Box::new(Geometry::LineString(&e.geometry)),
        ]
    });
    copy(tx, "road_edges", &columns, rows).await
}

async fn copy_pois(
    tx: &Transaction<'_>,
    region: &str,
    net: &TrailData,
    partition: &Partition,
    geom: &Type,
) -> anyhow::Result<u64> {
    let columns = [
        ("region", Type::TEXT),
        ("node_id", Type::INT8),
        ("kind", Type::TEXT),
        ("name", Type::TEXT),
        ("osm_id", Type::INT8),
        ("geom", geom.clone()),
        ("snap_distance_m", Type::FLOAT4),
        ("tile", Type::INT8),
        ("osm_type", Type::TEXT),
        ("osm_tag", Type::TEXT),
        ("fee", Type::TEXT),
        ("access", Type::TEXT),
        ("opening_hours", Type::TEXT),
        ("capacity", Type::TEXT),
        ("drinking_water", Type::TEXT),
        ("website", Type::TEXT),
        ("seasonal", Type::TEXT),
        ("winter_room", Type::TEXT),
    ];
    let rows = net.pois.iter().map(|p| -> Row<'_> {
        let node = &net.nodes[p.node as usize];
        let d = &p.details;
        vec![
            Box::new(region),
            Box::new(node.osm_id),
            Box::new(p.kind.as_str()),
            Box::new(p.name.as_deref()),
            Box::new(p.osm_id),
            Box::new(Geometry::Point(p.coord)),
            Box::new(p.snap_distance_m as f32),
            // With a tile that holds the node it is snapped to.
            Box::new(
                partition.node_tile[p.node as usize]
                    .unwrap_or_else(|| TileKey::of(node.coord))
                    .id(),
            ),
            Box::new(p.osm_type.as_str()),
            Box::new(d.osm_tag.as_str()),
            Box::new(d.fee.as_deref()),
            Box::new(d.access.as_deref()),
            Box::new(d.opening_hours.as_deref()),
            Box::new(d.capacity.as_deref()),
            Box::new(d.drinking_water.as_deref()),
            Box::new(d.website.as_deref()),
            Box::new(d.seasonal.as_deref()),
            Box::new(d.winter_room.as_deref()),
        ]
    });
    copy(tx, "pois", &columns, rows).await
}

async fn copy_landcover(
    tx: &Transaction<'_>,
    region: &str,
    net: &TrailData,
    geom: &Type,
) -> anyhow::Result<u64> {
    let columns = [
        ("region", Type::TEXT),
        ("kind", Type::TEXT),
        ("osm_id", Type::INT8),
        ("geom", geom.clone()),
    ];
    let polygons: Vec<_> = net.land.iter().map(|a| a.polygons()).collect();
    let rows = net.land.iter().zip(&polygons).map(|(a, p)| -> Row<'_> {
        vec![
            Box::new(region),
            Box::new(a.kind.as_str()),
            Box::new(a.osm_id),
            Box::new(Geometry::MultiPolygon(p)),
        ]
    });
    copy(tx, "landcover", &columns, rows).await
}

async fn copy_highlights(
    tx: &Transaction<'_>,
    region: &str,
    net: &TrailData,
    geom: &Type,
) -> anyhow::Result<u64> {
    let columns = [
        ("region", Type::TEXT),
        ("kind", Type::TEXT),
        ("name", Type::TEXT),
        ("osm_id", Type::INT8),
        ("geom", geom.clone()),
        ("elevation_m", Type::FLOAT4),
        ("tile", Type::INT8),
    ];
    let rows = net.highlights.iter().map(|h| -> Row<'_> {
        vec![
            Box::new(region),
            Box::new(h.kind.as_str()),
            Box::new(h.name.as_deref()),
            Box::new(h.osm_id),
            Box::new(Geometry::MultiPoint(&h.points)),
            Box::new(h.elevation_m.map(|e| e as f32)),
            Box::new(TileKey::of(h.points[0]).id()),
        ]
    });
    copy(tx, "highlights", &columns, rows).await
}

async fn copy_settlements(
    tx: &Transaction<'_>,
    region: &str,
    net: &TrailData,
    geom: &Type,
) -> anyhow::Result<u64> {
    let columns = [
        ("region", Type::TEXT),
        ("kind", Type::TEXT),
        ("name", Type::TEXT),
        ("osm_id", Type::INT8),
        ("geom", geom.clone()),
    ];
    let rows = net.settlements.iter().map(|s| -> Row<'_> {
        vec![
            Box::new(region),
            Box::new(s.kind.as_str()),
            Box::new(s.name.as_str()),
            Box::new(s.osm_id),
            Box::new(Geometry::Point(s.coord)),
        ]
    });
    copy(tx, "settlements", &columns, rows).await
}

#[cfg(test)]
mod tests {
    use super::valid_region;

    #[test]
    fn region_names_are_checked() {
        for ok in ["andorra", "pyrenees-east", "a", "region_2"] {
            assert!(valid_region(ok), "{ok}");
        }
        for bad in ["", "Andorra", "-x", "a b", "x;drop", &"a".repeat(64)] {
            assert!(!valid_region(bad), "{bad}");
        }
    }
}
