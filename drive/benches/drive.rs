//! Criterion benchmarks of the drive search on the real Andorra road graph (`data/`):
//! from five town centres to every trailhead a car reaches, within 10, 20 and 40 km and
//! within 30 minutes, as one loop request does it. `examples/drive_report.rs` measures
//! any extract, large generated regions included.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use trailloop_drive::{DriveGraph, DriveLimit, RoadLink, ORIGIN_ROAD_RADIUS_M};
use trailloop_geo::Coord;
use trailloop_osm::{build_trail_data, BuildOptions};

const ORIGINS: [(f64, f64); 5] = [
    (42.5078, 1.5211),
    (42.5344, 1.5810),
    (42.4637, 1.4913),
    (42.5562, 1.5331),
    (42.5766, 1.6676),
];

fn bench(c: &mut Criterion) {
    let pbf = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/andorra.osm.pbf");
    let network = build_trail_data(&pbf, &BuildOptions::default()).expect("Andorra builds");
    let graph = DriveGraph::new(&network.roads);
    let targets: Vec<RoadLink> = network.trailheads.iter().filter_map(|t| t.road).collect();
    let origins: Vec<RoadLink> = ORIGINS
        .iter()
        .map(|&(lat, lon)| {
            graph
                .snap(Coord { lon, lat }, ORIGIN_ROAD_RADIUS_M)
                .expect("a road near each town")
        })
        .collect();
    let mut group = c.benchmark_group("drive");
    let limits = [
        (
            "10km",
            DriveLimit {
                metres: 10_000.0,
                seconds: f64::INFINITY,
            },
        ),
        (
            "20km",
            DriveLimit {
                metres: 20_000.0,
                seconds: f64::INFINITY,
            },
        ),
        (
            "40km",
            DriveLimit {
                metres: 40_000.0,
                seconds: f64::INFINITY,
            },
        ),
        (
            "30min",
            DriveLimit {
                metres: f64::INFINITY,
                seconds: 1_800.0,
            },
        ),
    ];
    for (name, limit) in limits {
        group.bench_with_input(
            BenchmarkId::new("five_origins", name),
            &limit,
            |b, limit| {
                b.iter(|| {
                    for o in &origins {
                        black_box(graph.drives(o, &targets, *limit));
                    }
                })
            },
        );
    }
    group.bench_function("snap_origin", |b| {
        b.iter(|| {
            for &(lat, lon) in &ORIGINS {
                black_box(graph.snap(Coord { lon, lat }, ORIGIN_ROAD_RADIUS_M));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
