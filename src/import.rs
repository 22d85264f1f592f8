//! `trailloop import`: builds a region's network from an OSM extract (and DEM tiles)
//! and replaces that region in PostGIS.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use sha2::{Digest, Sha256};
use trailloop_osm::{BuildOptions, Dem, TrailData};

use crate::db::region_writer::{replace_region, valid_region, ImportRecord, ImportSource};

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// Region name; a new import of the same name replaces the old one.
    pub region: String,
    /// OSM PBF extract.
    pub pbf: PathBuf,
    /// SRTM tiles.
    pub dem: Vec<PathBuf>,
}

/// What an import did, for the closing summary.
#[derive(Debug, Clone)]
pub struct ImportSummary {
    /// The region replaced.
    pub region: String,
    /// Counts written.
    pub record: ImportRecord,
    /// Time reading and building the network.
    pub build: Duration,
    /// Time writing to the database.
    pub write: Duration,
}

/// Builds the network of `pbf` with elevation from `dem` (none when empty).
pub fn build(pbf: &Path, dem: &[PathBuf]) -> anyhow::Result<TrailData> {
    let dem = if dem.is_empty() {
        None
    } else {
        Some(Dem::open(dem).context("reading the elevation tiles")?)
    };
    let options = BuildOptions {
        dem,
        ..BuildOptions::default()
    };
    trailloop_osm::build_trail_data(pbf, &options)
        .with_context(|| format!("building the network from {}", pbf.display()))
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

/// Runs a whole import against `client`.
pub async fn run(
    client: &mut tokio_postgres::Client,
    request: &ImportRequest,
) -> anyhow::Result<ImportSummary> {
    anyhow::ensure!(
        valid_region(&request.region),
        "--region {:?}: use 1-63 lower-case letters, digits, '-' or '_'",
        request.region
    );
    let started_at = chrono::Utc::now();
    let started = Instant::now();
    let (pbf, dem) = (request.pbf.clone(), request.dem.clone());
    tracing::info!(pbf = %pbf.display(), dem = ?dem, "building the network");
    let (network, sha256) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let sha = sha256_hex(&pbf)?;
        Ok((build(&pbf, &dem)?, sha))
    })
    .await??;
    let build = started.elapsed();
    tracing::info!(
        nodes = network.nodes.len(),
        edges = network.edges.len(),
        ms = build.as_millis() as u64,
        "network built; writing"
    );
    let source = ImportSource {
        region: request.region.clone(),
        source: file_name(&request.pbf),
        sha256,
        dem_sources: request.dem.iter().map(|p| file_name(p)).collect(),
        started_at,
    };
    let written = Instant::now();
    let record = replace_region(client, &source, &network).await?;
    Ok(ImportSummary {
        region: request.region.clone(),
        record,
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
        write!(
            f,
            "  seconds     {:>10.2} (build {:.2}, write {:.2})",
            (self.build + self.write).as_secs_f64(),
            self.build.as_secs_f64(),
            self.write.as_secs_f64()
        )
    }
}
