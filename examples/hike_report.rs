//! The hikes the planner picks, judged from their lines and the OSM data alone
//! (`tests/judge`): the figures of `docs/benchmarks.md`, "Hike report".
//!
//! `cargo run --release --example hike_report` plans, in process and embedded, from
//! each origin of the region, for every target and drive limit, k = 3, and prints the
//! judge's figures over all answers and the planning time per request.
//! `REGION=helsinki` judges central Helsinki (no targets are set for it);
//! `DUMP=<file>` writes one line per answer; `PREFERENCES='{"scenery": 1}'` sets the
//! requests' preferences.

#[path = "../tests/judge/mod.rs"]
mod judge;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trailloop::domain::{LoopRequest, LoopRequestBody};
use trailloop::plan::Services;
use trailloop::settings::Settings;
use trailloop::solver_pool::SolverPool;
use trailloop::store::{EmbeddedStore, Store};

use judge::{quantile, Reference};

struct Region {
    name: &'static str,
    pbf: &'static str,
    dem: Option<&'static str>,
    origins: Vec<(&'static str, f64, f64)>,
    targets: Vec<f64>,
    drives: Vec<f64>,
}

fn region() -> Region {
    match std::env::var("REGION").as_deref() {
        Ok("helsinki") => Region {
            name: "helsinki",
            pbf: "helsinki.osm.pbf",
            dem: None,
            origins: vec![
                ("Kamppi", 60.1685, 24.9316),
                ("Kallio", 60.1841, 24.9497),
                ("Ullanlinna", 60.1578, 24.9500),
            ],
            targets: vec![5.0, 10.0, 15.0],
            drives: vec![5.0],
        },
        _ => Region {
            name: "andorra",
            pbf: "andorra.osm.pbf",
            dem: Some("N42E001.hgt.zip"),
            origins: vec![
                ("Andorra la Vella", 42.5078, 1.5211),
                ("Encamp", 42.5344, 1.5810),
                ("Sant Julia de Loria", 42.4637, 1.4913),
                ("Ordino", 42.5562, 1.5331),
                ("Arinsal", 42.5720, 1.4848),
                ("Soldeu", 42.5766, 1.6676),
            ],
            targets: vec![5.0, 10.0, 15.0, 20.0, 30.0, 40.0],
            drives: vec![15.0, 30.0],
        },
    }
}

fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let region = region();
    let dem: Vec<PathBuf> = region.dem.iter().map(|d| data(d)).collect();
    let store = Arc::new(EmbeddedStore::load(&data(region.pbf), &dem)?);
    let reference = Reference::new(store.network());
    let settings = Settings::load_from(None, std::iter::empty::<(String, String)>())?;
    let metrics = trailloop::metrics::Metrics::new()?;
    let pool = SolverPool::new(&settings.solver, metrics.clone())?;
    let planner = Services::new(
        Store::Embedded(store.clone()),
        pool,
        settings.planner.clone(),
        settings.network.cache_bytes(),
        Arc::new(settings.planner.load_profile()?),
        metrics,
    )
    .planner;
    planner.preload().await?;

    let preferences: serde_json::Value = match std::env::var("PREFERENCES") {
        Ok(p) => serde_json::from_str(&p)?,
        Err(_) => serde_json::json!({}),
    };
    let mut dump = String::new();
    let mut hikes = Vec::new();
    let mut errors = Vec::new();
    let mut api_sharing_zero = 0;
    let mut outside = 0;
    let mut empty = 0;
    let mut times = Vec::new();
    let mut climbs = Vec::new();
    for &(name, lat, lon) in &region.origins {
        for &drive in &region.drives {
            for &target in &region.targets {
                let body: LoopRequestBody = serde_json::from_value(serde_json::json!({
                    "origin": {"lat": lat, "lon": lon}, "max_drive_km": drive,
                    "target_km": target, "max_results": 3, "preferences": preferences
                }))?;
                let request = LoopRequest::try_from(body)
                    .map_err(|e| anyhow::anyhow!("invalid request: {e:?}"))?;
                let started = Instant::now();
                let answer = planner.loops(&request, None).await?;
                times.push(started.elapsed());
                if answer.loops.is_empty() {
                    empty += 1;
                }
                for l in &answer.loops {
                    let line: Vec<[f64; 2]> = l.geometry.iter().map(|c| [c.lon, c.lat]).collect();
                    let h = judge::judge(&reference, &line);
                    anyhow::ensure!(h.closing_gap_m < 0.5, "{name} {target} km: open line");
                    let e = (h.length_m / 1000.0 - target).abs() / target;
                    errors.push(e);
                    climbs.push(l.ascent_m / (l.distance_m / 1000.0));
                    outside += usize::from(e > 0.05 + 1e-3);
                    api_sharing_zero += usize::from(l.sharing == 0.0);
                    use std::fmt::Write;
                    let _ = writeln!(
                        dump,
                        "{name} drive={drive} T={target} th={} {:?} L={:.0} e={e:.4} road={:.3} track={:.3} route={:.3} turns/km={:.2} junctions/km={:.2} c={:.3} s={:.3} parallel={:.3} off={:.0}",
                        l.trailhead.trailhead.id,
                        l.kind,
                        h.length_m,
                        h.road,
                        h.track,
                        h.route,
                        h.turns_per_km,
                        h.junctions_per_km,
                        h.compactness,
                        h.sharing,
                        h.parallel,
                        h.off_network_m
                    );
                    hikes.push(h);
                }
            }
        }
    }
    let requests = times.len();
    times.sort();
    let field = |f: fn(&judge::Hike) -> f64| hikes.iter().map(f).collect::<Vec<f64>>();
    let (road, turns, compact) = (
        field(|h| h.road),
        field(|h| h.turns_per_km),
        field(|h| h.compactness),
    );
    let sharing_free = hikes.iter().filter(|h| h.sharing < 0.05).count();
    println!(
        "{}: {requests} requests ({} origins x {} targets x drives {:?}), k = 3: {} answers, {empty} requests without any",
        region.name,
        region.origins.len(),
        region.targets.len(),
        region.drives,
        hikes.len()
    );
    println!(
        "road share: median {:.3}, p90 {:.3} | track share median {:.3} | route share median {:.3}",
        quantile(&road, 0.5),
        quantile(&road, 0.9),
        quantile(&field(|h| h.track), 0.5),
        quantile(&field(|h| h.route), 0.5),
    );
    println!(
        "junction turns/km: median {:.2}, p90 {:.2} | junctions/km median {:.2}",
        quantile(&turns, 0.5),
        quantile(&turns, 0.9),
        quantile(&field(|h| h.junctions_per_km), 0.5),
    );
    println!(
        "compactness: median {:.3}, p10 {:.3} | parallel return median {:.3}, p90 {:.3}",
        quantile(&compact, 0.5),
        quantile(&compact, 0.1),
        quantile(&field(|h| h.parallel), 0.5),
        quantile(&field(|h| h.parallel), 0.9),
    );
    println!(
        "nature share: median {:.3} | climb per km: median {:.1} m | hardest SAC: {:?}",
        quantile(&field(|h| h.nature), 0.5),
        quantile(&climbs, 0.5),
        hikes.iter().filter_map(|h| h.max_sac).max()
    );
    println!(
        "no sharing (judge: under 5% retraced or alongside): {sharing_free} of {} ({:.0}%); API sharing 0: {api_sharing_zero}",
        hikes.len(),
        100.0 * sharing_free as f64 / hikes.len().max(1) as f64
    );
    println!(
        "length error: median {:.4}, max {:.4}, {outside} answers outside 5% | off the OSM ways: {:.0} m in all",
        quantile(&errors, 0.5),
        quantile(&errors, 1.0),
        hikes.iter().map(|h| h.off_network_m).sum::<f64>()
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "planning per request (in process, 2 solver threads): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(times[requests / 2]),
        ms(times[((requests - 1) as f64 * 0.95).round() as usize]),
        ms(times[requests - 1])
    );
    if let Ok(path) = std::env::var("DUMP") {
        std::fs::write(path, dump)?;
    }
    Ok(())
}
