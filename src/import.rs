//! `trailloop import`: builds a region's network from an OSM extract, an operator's own
//! trails (files, or a query over the database) or both, with DEM tiles, and replaces
//! that region in PostGIS.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use sha2::{Digest, Sha256};
use trailloop_osm::{
    BuildOptions, DataOrigin, Dem, OwnTrails, SourceLimits, TrailData, TrailRecords,
    SNAP_TOLERANCE_M,
};

use crate::db::region_writer::{replace_region, valid_region, ImportRecord, ImportSource};

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// Region name; a new import of the same name replaces the old one.
    pub region: String,
    /// OSM PBF extract: the whole network, or around own trails their roads, nature,
    /// places and (when the trails have none) trailheads.
    pub pbf: Option<PathBuf>,
    /// An operator's own trail files (`.geojson`, `.json`, `.gpx`, `.shp`, `.zip`).
    pub trails: Vec<PathBuf>,
    /// A query over the service's own database giving own trails: a `geom` column (any
    /// SRID) and optionally `id`, `name`, `foot`, `surface`, `highway`, `sac_scale`.
    pub trails_sql: Option<String>,
    /// SRTM tiles.
    pub dem: Vec<PathBuf>,
    /// The attribution and licence of the operator's data.
    pub attribution: Option<String>,
    /// Own trails' line ends within this of another line are joined to it, metres.
    pub snap_tolerance_m: f64,
}

impl ImportRequest {
    /// An import of an OSM extract alone.
    pub fn osm(region: &str, pbf: PathBuf, dem: Vec<PathBuf>) -> ImportRequest {
        ImportRequest {
            region: region.to_owned(),
            pbf: Some(pbf),
            trails: Vec::new(),
            trails_sql: None,
            dem,
            attribution: None,
            snap_tolerance_m: SNAP_TOLERANCE_M,
        }
    }

    fn own_trails(&self) -> bool {
        !self.trails.is_empty() || self.trails_sql.is_some()
    }
}

/// What the network is built from.
#[derive(Debug, Clone)]
pub struct BuildSources {
    /// OSM extract.
    pub pbf: Option<PathBuf>,
    /// Own trails already read (files, rows).
    pub own: Vec<TrailRecords>,
    /// Whether there are own trails (else `pbf` is the whole network).
    pub own_trails: bool,
    /// SRTM tiles.
    pub dem: Vec<PathBuf>,
    /// The operator's attribution.
    pub attribution: Option<String>,
    /// Snapping tolerance, metres.
    pub snap_tolerance_m: f64,
}

/// Reads own trail files (none: empty).
pub fn read_trail_files(files: &[PathBuf]) -> anyhow::Result<Vec<TrailRecords>> {
    let limits = SourceLimits::default();
    files
        .iter()
        .map(|f| trailloop_osm::read_file(f, &limits).map_err(anyhow::Error::from))
        .collect()
}

/// Builds the network of `sources` (seconds for a small country: call it off the async
/// runtime).
pub fn build_sources(sources: BuildSources) -> anyhow::Result<TrailData> {
    let dem = if sources.dem.is_empty() {
        None
    } else {
        Some(Dem::open(&sources.dem).context("reading the elevation tiles")?)
    };
    let options = BuildOptions {
        dem,
        ..BuildOptions::default()
    };
    let mut data = if sources.own_trails {
        anyhow::ensure!(
            sources.snap_tolerance_m.is_finite()
                && (0.0..=100.0).contains(&sources.snap_tolerance_m),
            "--snap-tolerance-m must be between 0 and 100 metres, got {}",
            sources.snap_tolerance_m
        );
        let own = OwnTrails {
            sources: sources.own,
            extract: sources.pbf,
            tolerance_m: sources.snap_tolerance_m,
        };
        trailloop_osm::build(&own, &options).context("building the network from own trails")?
    } else {
        let pbf = sources.pbf.ok_or_else(|| {
            anyhow::anyhow!("give an OSM extract (--pbf) or own trails (--trails, --trails-sql)")
        })?;
        trailloop_osm::build_trail_data(&pbf, &options)
            .with_context(|| format!("building the network from {}", pbf.display()))?
    };
    data.origin.attribution = sources.attribution.filter(|a| !a.trim().is_empty());
    if let Some(t) = &data.origin.topology {
        tracing::info!(
            lines = t.lines,
            ends_joined = t.ends_joined,
            ends_touching = t.ends_touching,
            ends_snapped = t.ends_snapped,
            ends_loose = t.ends_loose,
            split_points = t.split_points,
            lines_split = t.lines_split,
            pieces = t.pieces,
            largest_shares = ?t.largest_shares,
            length_km = t.length_km,
            trailheads_from = data.origin.trailheads_from.as_str(),
            "joined own trails"
        );
    }
    Ok(data)
}

/// Builds the network of `pbf` with elevation from `dem` (none when empty).
pub fn build(pbf: &Path, dem: &[PathBuf]) -> anyhow::Result<TrailData> {
    build_sources(BuildSources {
        pbf: Some(pbf.to_path_buf()),
        own: Vec::new(),
        own_trails: false,
        dem: dem.to_vec(),
        attribution: None,
        snap_tolerance_m: SNAP_TOLERANCE_M,
    })
}

/// Reads own trails from the service's database: `sql` is run read-only as a subquery;
/// its `geom` is transformed to WGS 84 from whatever SRID it has.
pub async fn read_trails_sql(
    client: &mut tokio_postgres::Client,
    sql: &str,
) -> anyhow::Result<TrailRecords> {
    let sql = sql.trim().trim_end_matches(';');
    anyhow::ensure!(!sql.is_empty(), "--trails-sql is empty");
    let tx = client
        .build_transaction()
        .read_only(true)
        .start()
        .await
        .context("starting a read-only transaction for --trails-sql")?;
    let query = format!(
        "SELECT CASE WHEN ST_SRID(q.geom) = 0 THEN NULL
                     ELSE ST_AsGeoJSON(ST_Transform(ST_Force2D(q.geom::geometry), 4326), 9) END,
                to_jsonb(q) - 'geom', ST_SRID(q.geom)
         FROM ({sql}) AS q"
    );
    let rows = tx.query(&query, &[]).await.map_err(|e| {
        anyhow::anyhow!(
            "--trails-sql: {}: the query must give a geometry column named geom",
            e.as_db_error()
                .map(|d| d.message().to_owned())
                .unwrap_or_else(|| e.to_string())
        )
    })?;
    tx.commit().await?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let geometry: Option<String> = r.get(0);
        let Some(geometry) = geometry else {
            let srid: Option<i32> = r.get(2);
            anyhow::bail!(
                "--trails-sql: row {}: {}",
                i + 1,
                if srid == Some(0) {
                    "its geom has no SRID, so it cannot be transformed to WGS 84 (set one with ST_SetSRID)"
                } else {
                    "its geom is NULL"
                }
            );
        };
        let props: serde_json::Value = r.get(1);
        let serde_json::Value::Object(props) = props else {
            anyhow::bail!("--trails-sql: row {} is not a record", i + 1);
        };
        out.push((geometry, props));
    }
    Ok(trailloop_osm::records_from_rows("sql", out)?)
}

/// What an import did, for the closing summary.
#[derive(Debug, Clone)]
pub struct ImportSummary {
    /// The region replaced.
    pub region: String,
    /// Counts written.
    pub record: ImportRecord,
    /// Where the data came from and what joining own trails did.
    pub origin: DataOrigin,
    /// Time reading and building the network.
    pub build: Duration,
    /// Time writing to the database.
    pub write: Duration,
}

fn sha256_hex(path: &Path) -> anyhow::Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(format!("{:x}", hasher.finalize()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Runs a whole import against `client`. Nothing is written unless every source reads
/// and the network builds; the region is then replaced in one transaction.
pub async fn run(
    client: &mut tokio_postgres::Client,
    request: &ImportRequest,
) -> anyhow::Result<ImportSummary> {
    anyhow::ensure!(
        valid_region(&request.region),
        "--region {:?}: use 1-63 lower-case letters, digits, '-' or '_'",
        request.region
    );
    anyhow::ensure!(
        request.pbf.is_some() || request.own_trails(),
        "give an OSM extract (--pbf) or own trails (--trails, --trails-sql)"
    );
    let started_at = chrono::Utc::now();
    let started = Instant::now();
    let mut own = Vec::new();
    if let Some(sql) = &request.trails_sql {
        own.push(read_trails_sql(client, sql).await?);
    }
    let request_owned = request.clone();
    tracing::info!(pbf = ?request.pbf, trails = ?request.trails, dem = ?request.dem, "building the network");
    let (network, source, sha256) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let r = request_owned;
        // One source: its own digest; several: the digest of their digests (and of the
        // query), so a change to any of them shows.
        let mut names = Vec::new();
        let mut digests = Vec::new();
        for path in r.pbf.iter().chain(&r.trails) {
            digests.push(sha256_hex(path)?);
            names.push(file_name(path));
        }
        if let Some(sql) = &r.trails_sql {
            digests.push(format!("{:x}", Sha256::digest(sql.as_bytes())));
            names.push("sql".into());
        }
        own.extend(read_trail_files(&r.trails)?);
        let network = build_sources(BuildSources {
            pbf: r.pbf.clone(),
            own,
            own_trails: r.own_trails(),
            dem: r.dem.clone(),
            attribution: r.attribution.clone(),
            snap_tolerance_m: r.snap_tolerance_m,
        })?;
        let sha = match digests.as_slice() {
            [one] => one.clone(),
            many => format!("{:x}", Sha256::digest(many.concat().as_bytes())),
        };
        Ok((network, names.join(" + "), sha))
    })
    .await??;
    let build = started.elapsed();
    tracing::info!(
        nodes = network.nodes.len(),
        edges = network.edges.len(),
        ms = build.as_millis() as u64,
        "network built; writing"
    );
    anyhow::ensure!(
        !network.edges.is_empty(),
        "the sources hold no trail walkers may use; region {:?} left as it was",
        request.region
    );
    let source = ImportSource {
        region: request.region.clone(),
        source,
        sha256,
        dem_sources: request.dem.iter().map(|p| file_name(p)).collect(),
        started_at,
    };
    let written = Instant::now();
    let record = replace_region(client, &source, &network).await?;
    Ok(ImportSummary {
        region: request.region.clone(),
        record,
        origin: network.origin.clone(),
        build,
        write: written.elapsed(),
    })
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.record;
        writeln!(
            f,
            "Imported region {:?} (import #{})",
            self.region, r.import_id
        )?;
        writeln!(f, "  nodes       {:>10}", r.nodes)?;
        writeln!(f, "  edges       {:>10}", r.edges)?;
        writeln!(f, "  trailheads  {:>10}", r.trailheads)?;
        writeln!(f, "  POIs        {:>10}", r.pois)?;
        writeln!(f, "  km by highway class:")?;
        for (class, km) in &r.km_by_highway {
            writeln!(f, "    {class:<14} {km:>9.1}")?;
        }
        writeln!(f, "    {:<14} {:>9.1}", "total", r.total_km())?;
        let o = &self.origin;
        if let Some(t) = &o.topology {
            writeln!(f, "  own trails  {}", o.files.join(", "))?;
            writeln!(
                f,
                "    lines {} (left out {}), ends: joined {}, touching {}, snapped {} (within {} m), loose {}",
                t.lines, o.lines_left_out, t.ends_joined, t.ends_touching, t.ends_snapped, t.tolerance_m, t.ends_loose
            )?;
            writeln!(
                f,
                "    split at {} points on {} lines; {} connected pieces, largest shares {:?}",
                t.split_points, t.lines_split, t.pieces, t.largest_shares
            )?;
        }
        writeln!(f, "  trailheads from {}", o.trailheads_from.as_str())?;
        writeln!(f, "  attribution {}", o.attribution_text())?;
        write!(
            f,
            "  seconds     {:>10.2} (build {:.2}, write {:.2})",
            (self.build + self.write).as_secs_f64(),
            self.build.as_secs_f64(),
            self.write.as_secs_f64()
        )
    }
}
