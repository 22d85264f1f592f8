//! The drive search's cost on any extract: `cargo run --release -p trailloop-osm
//! --example drive_report -- <pbf> [searches] [limit_km]` builds the road graph alone,
//! then runs `searches` drive searches (default 200) from road points spread over the
//! region, each to 2,000 points on its roads, within `limit_km` (default 30), and
//! prints the graph's size and the searches' p50 / p95 / max.

use std::path::PathBuf;
use std::time::Instant;

use trailloop_osm::{build_roads, DriveGraph, DriveLimit, RoadLink};

fn main() {
    let mut args = std::env::args().skip(1);
    let pbf = PathBuf::from(
        args.next()
            .expect("usage: drive_report <pbf> [searches] [limit_km]"),
    );
    let searches: usize = args.next().map_or(200, |a| a.parse().expect("searches"));
    let limit_km: f64 = args.next().map_or(30.0, |a| a.parse().expect("limit_km"));
    let started = Instant::now();
    let roads = build_roads(&pbf).expect("the extract reads");
    let read_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let graph = DriveGraph::new(&roads);
    let build_s = started.elapsed().as_secs_f64();
    println!(
        "{}: {} road nodes, {} road edges, {:.0} km; read {read_s:.1} s, graph built in {build_s:.2} s, {:.1} MB",
        pbf.display(),
        roads.nodes.len(),
        roads.edges.len(),
        roads.length_km(),
        graph.bytes() as f64 / 1e6
    );
    // Points every n-th edge, half way along: origins and targets spread evenly.
    let at = |i: usize| RoadLink {
        edge: i as u32,
        along_m: roads.edges[i].length_m / 2.0,
        off_m: 0.0,
    };
    let n = roads.edges.len();
    let targets: Vec<RoadLink> = (0..2_000).map(|k| at(k * n / 2_000)).collect();
    let limit = DriveLimit {
        metres: limit_km * 1000.0,
        seconds: f64::INFINITY,
    };
    let mut times = Vec::with_capacity(searches);
    let mut reached = 0usize;
    for k in 0..searches {
        let origin = at((k * 7919 + 13) % n);
        let t = Instant::now();
        let drives = graph.drives(&origin, &targets, limit);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        reached += drives.iter().flatten().count();
    }
    times.sort_by(f64::total_cmp);
    let q = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{searches} searches within {limit_km} km: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms; {:.0} of 2000 targets reached on average",
        q(0.5),
        q(0.95),
        times[times.len() - 1],
        reached as f64 / searches as f64
    );
}
