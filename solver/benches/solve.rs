//! Criterion benchmarks on the real Andorra network (`data/`): one solve per busiest
//! trailhead at T = 5, 10, 20, 40 km on one thread, and `solve_many` over every
//! trailhead on one and two threads. Criterion reports means; before measuring, this
//! also prints p50/p95 per trailhead solve from its own timing loop
//! (`examples/report.rs` prints more).

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use trailloop_solver::{solve_many, solve_with, Limits, Query, Scratch};

const TARGETS_KM: [f64; 4] = [5.0, 10.0, 20.0, 40.0];

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

fn bench(c: &mut Criterion) {
    let andorra = support::andorra();
    let graph = &andorra.graph;
    let busiest: Vec<u64> = support::busiest_trailheads(&andorra.network, 5)
        .iter()
        .map(|b| b.0)
        .collect();
    let one = pool(1);

    for km in TARGETS_KM {
        let mut times: Vec<Duration> = Vec::new();
        one.install(|| {
            let mut scratch = Scratch::new();
            for _ in 0..20 {
                for &node in &busiest {
                    let q = Query::new(node, km * 1000.0);
                    let t = Instant::now();
                    black_box(
                        solve_with(graph, &q, &Limits::none(), &mut scratch).expect("solves"),
                    );
                    times.push(t.elapsed());
                }
            }
        });
        times.sort();
        let at =
            |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
        println!(
            "T = {km} km, one thread, per trailhead solve: p50 {:.2} ms, p95 {:.2} ms",
            at(0.5),
            at(0.95)
        );
    }

    let mut group = c.benchmark_group("solve_one_thread");
    group.sample_size(20);
    for km in TARGETS_KM {
        for &node in &busiest {
            let q = Query::new(node, km * 1000.0);
            group.bench_with_input(BenchmarkId::new(format!("{km}km"), node), &q, |b, q| {
                one.install(|| {
                    let mut scratch = Scratch::new();
                    b.iter(|| solve_with(graph, q, &Limits::none(), &mut scratch).expect("solves"));
                })
            });
        }
    }
    group.finish();

    let nodes = support::trailhead_nodes(&andorra.network);
    let queries: Vec<Query> = nodes.iter().map(|&n| Query::new(n, 10_000.0)).collect();
    let mut group = c.benchmark_group("solve_many_all_trailheads_10km");
    group.sample_size(10);
    for threads in [1, 2] {
        let p = pool(threads);
        group.bench_function(BenchmarkId::from_parameter(threads), |b| {
            b.iter(|| p.install(|| solve_many(graph, &queries, &Limits::none())))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
