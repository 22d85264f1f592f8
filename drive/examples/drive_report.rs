//! The drive search's cost on any extract: `cargo run --release -p trailloop-drive
//! --example drive_report -- <pbf> [searches] [limit_km]` builds the road graph alone,
//! then runs `searches` drive searches (default 200) from road points spread over the
//! region, each to 2,000 points on its roads, within `limit_km` (default 30), and
//! prints the graph's size and the searches' p50 / p95 / max.
//!
//! `STITCH=1` is for the scale grid (`scripts/scale/make_grid.py`: shifted copies of
//! one extract, whose node ids are `id + copy * 10^11`): copies share no road, so each
//! pair of neighbouring copies is joined by straight roads at 50 km/h between its 10
//! closest pairs of road nodes, making one connected region of them.

use std::path::PathBuf;
use std::time::Instant;

use std::collections::HashMap;

use trailloop_drive::{DriveGraph, DriveLimit, RoadClass, RoadEdge, RoadLink, RoadNetwork};
use trailloop_geo::haversine_m;
use trailloop_osm::build_roads;

/// A road to add: its length and its two nodes.
type Join = (f64, u32, u32);

/// Joins each pair of neighbouring grid copies by straight roads at 50 km/h between
/// their 10 closest pairs of road nodes (within 50 km).
fn stitch(roads: &mut RoadNetwork) -> usize {
    const CELL: f64 = 0.5;
    let copy = |id: i64| id / 100_000_000_000;
    let cell =
        |c: trailloop_geo::Coord| ((c.lon / CELL).floor() as i64, (c.lat / CELL).floor() as i64);
    let mut cells: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
    for (i, n) in roads.nodes.iter().enumerate() {
        cells.entry(cell(n.coord)).or_default().push(i as u32);
    }
    // Per pair of copies: the closest node pairs.
    let mut pairs: HashMap<(i64, i64), Vec<Join>> = HashMap::new();
    for (i, n) in roads.nodes.iter().enumerate() {
        let (cx, cy) = cell(n.coord);
        let mut best: HashMap<i64, (f64, u32)> = HashMap::new();
        for x in cx - 1..=cx + 1 {
            for y in cy - 1..=cy + 1 {
                for &j in cells.get(&(x, y)).into_iter().flatten() {
                    let m = &roads.nodes[j as usize];
                    let other = copy(m.osm_id);
                    if other <= copy(n.osm_id) {
                        continue;
                    }
                    let d = haversine_m([n.coord.lon, n.coord.lat], [m.coord.lon, m.coord.lat]);
                    if d < 50_000.0 && best.get(&other).is_none_or(|b| d < b.0) {
                        best.insert(other, (d, j));
                    }
                }
            }
        }
        for (other, (d, j)) in best {
            pairs
                .entry((copy(n.osm_id), other))
                .or_default()
                .push((d, i as u32, j));
        }
    }
    let mut added = 0;
    for (_, mut list) in pairs {
        list.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (d, i, j) in list.into_iter().take(10) {
            let length_m = d.max(1.0);
            roads.edges.push(RoadEdge {
                source: i,
                target: j,
                osm_way_id: 0,
                class: RoadClass::Unclassified,
                geometry: vec![roads.nodes[i as usize].coord, roads.nodes[j as usize].coord],
                length_m,
                seconds: length_m / (50.0 / 3.6),
                forward: true,
                backward: true,
            });
            added += 1;
        }
    }
    added
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pbf = PathBuf::from(
        args.next()
            .expect("usage: drive_report <pbf> [searches] [limit_km]"),
    );
    let searches: usize = args.next().map_or(200, |a| a.parse().expect("searches"));
    let limit_km: f64 = args.next().map_or(30.0, |a| a.parse().expect("limit_km"));
    let started = Instant::now();
    let mut roads = build_roads(&pbf).expect("the extract reads");
    let read_s = started.elapsed().as_secs_f64();
    if std::env::var_os("STITCH").is_some() {
        println!("stitched the copies with {} roads", stitch(&mut roads));
    }
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
