//! Quality and speed on a real network, for `docs/benchmarks.md` and for tuning: per
//! (trailhead, T) the best loop's e and s, p50/p95 single-threaded solve times, what the
//! drawn lines alone say (`support::judge`), and the speed-up of `solve_many` on two
//! threads over one.
//!
//! `cargo run --release -p trailloop-solver --example report [all] [quick]`
//! (`all` also times every trailhead, not only the five busiest; `quick` skips the
//! `solve_many` timing). `REGION=helsinki` picks central Helsinki instead of Andorra.
//! `loop<=5%` counts best answers that are true loops within tolerance, `witness` the
//! starts where the test support proves one exists (finding no witness proves
//! nothing), `alongside>5%` the true loops (of all answers) whose line runs within 4 m
//! of itself for over 5% of its length (a sidewalk beside its street, say).
//! `REPEATS`, `WORK_BUDGET` and `EXTENSION_BUDGET` override the defaults, `TARGETS`
//! (comma-separated km) picks the targets, and `DUMP=<file>` writes every answer (node,
//! T, work, and each loop's kind, length and e) to compare runs exactly.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use trailloop_solver::{solve_many, solve_with, Limits, Query, Scratch};

const TARGETS_KM: [f64; 4] = [5.0, 10.0, 20.0, 40.0];
const REPEATS: usize = 20;

fn repeats() -> usize {
    std::env::var("REPEATS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(REPEATS)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

fn main() {
    let built = Instant::now();
    let region = support::region_from_env();
    let graph = &region.graph;
    println!(
        "{}: {} nodes, {} edges -> {} junctions, {} chains ({:.1} s to build)",
        region.name,
        graph.node_count(),
        graph.edge_count(),
        graph.junction_count(),
        graph.chain_count(),
        built.elapsed().as_secs_f64()
    );
    let beside = (0..graph.edge_count() as u64)
        .filter(|&id| !graph.edges_side_by_side(id).is_empty())
        .count();
    let rebuilt = Instant::now();
    let (nodes, edges) = support::to_solver_input(&region.network);
    let _ = trailloop_solver::TrailGraph::new(nodes, edges).expect("valid");
    println!(
        "{beside} edges have an edge beside them; TrailGraph::new takes {:.0} ms",
        rebuilt.elapsed().as_secs_f64() * 1e3
    );
    let busiest = support::busiest_trailheads(&region.network, 5);
    println!("busiest trailheads (node, trail km within 5 km): {busiest:.1?}");
    let budget = std::env::var("WORK_BUDGET")
        .ok()
        .and_then(|b| b.parse().ok());
    let extension = std::env::var("EXTENSION_BUDGET")
        .ok()
        .and_then(|b| b.parse().ok());
    let query = |node: u64, km: f64| {
        let mut q = Query::new(node, km * 1000.0);
        if let Some(b) = budget {
            q.work_budget = b;
        }
        if let Some(b) = extension {
            q.extension_budget = b;
        }
        q
    };
    let mut starts: Vec<u64> = busiest.iter().map(|b| b.0).collect();
    let everyone = std::env::args().any(|a| a == "all");
    if everyone {
        starts = support::trailhead_nodes(&region.network);
    }

    let targets: Vec<f64> = std::env::var("TARGETS").map_or(TARGETS_KM.to_vec(), |t| {
        t.split(',')
            .map(|k| k.trim().parse().expect("km"))
            .collect()
    });
    let mut dump = String::new();
    let one = pool(1);
    println!(
        "\nsingle thread, {} trailheads x {} runs",
        starts.len(),
        repeats()
    );
    println!(
        "T km | p50 ms | p95 ms | max ms | median e | max e  | s=0 | loop<=5% | witness | alongside>5% | max | kinds of best"
    );
    for &km in &targets {
        let mut times = Vec::new();
        let mut errors = Vec::new();
        let mut loops = 0;
        let mut within = 0;
        let mut witnessed = 0;
        let mut kinds = std::collections::BTreeMap::new();
        // From the drawn line alone: true loops with over 5% walked alongside itself.
        let (mut drawn_loops, mut doubled, mut worst_alongside) = (0, 0, 0.0f64);
        one.install(|| {
            let mut scratch = Scratch::new();
            for &node in &starts {
                let q = query(node, km);
                let mut solution = None;
                for _ in 0..repeats() {
                    let t = Instant::now();
                    let s = solve_with(graph, &q, &Limits::none(), &mut scratch).expect("solves");
                    times.push(t.elapsed());
                    solution = Some(s);
                }
                if let Some(s) = &solution {
                    use std::fmt::Write;
                    let _ = write!(dump, "{node} {km} work={}", s.stats.work);
                    for l in &s.loops {
                        let _ = write!(
                            dump,
                            " {:?}:{:.3}:{:.6}:{}",
                            l.kind,
                            l.length_m,
                            l.length_error,
                            l.edges.len()
                        );
                    }
                    dump.push('\n');
                }
                for l in solution.iter().flat_map(|s| &s.loops) {
                    if l.kind == trailloop_solver::LoopKind::Loop {
                        let v = support::judge::judge(&graph.walk_polyline(&l.edges));
                        drawn_loops += 1;
                        doubled += usize::from(v.alongside > 0.05);
                        worst_alongside = worst_alongside.max(v.alongside);
                    }
                }
                let best = solution.and_then(|s| s.loops.into_iter().next());
                errors.push(best.as_ref().map_or(1.0, |l| l.length_error));
                loops += usize::from(best.as_ref().is_some_and(|l| l.sharing == 0.0));
                within += usize::from(
                    best.as_ref()
                        .is_some_and(|l| l.sharing == 0.0 && l.length_error <= q.tolerance),
                );
                witnessed += usize::from(support::simple_cycle_witness(
                    &region.network,
                    node,
                    q.target_m,
                    q.tolerance,
                ));
                *kinds
                    .entry(format!("{:?}", best.map(|l| l.kind)))
                    .or_insert(0) += 1;
            }
        });
        times.sort();
        errors.sort_by(f64::total_cmp);
        println!(
            "{km:4} | {:6.2} | {:6.2} | {:6.2} | {:8.4} | {:.4} | {loops:>3} | {within:>8} | {witnessed:>7} | {doubled:>4} of {drawn_loops:<4} | {worst_alongside:.2} | {kinds:?}",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            errors[(errors.len() - 1) / 2],
            errors[errors.len() - 1],
        );
    }

    if let Ok(path) = std::env::var("DUMP") {
        std::fs::write(path, &dump).expect("writes the dump");
    }
    if std::env::args().any(|a| a == "quick") {
        return;
    }
    let all: Vec<Query> = {
        let nodes = support::trailhead_nodes(&region.network);
        nodes
            .iter()
            .flat_map(|&n| TARGETS_KM.map(|km| query(n, km)))
            .collect()
    };
    let mut wall = Vec::new();
    for threads in [1, 2] {
        let p = pool(threads);
        let mut best = Duration::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            let results = p.install(|| solve_many(graph, &all, &Limits::none()));
            best = best.min(t.elapsed());
            assert!(results.iter().all(Result::is_ok));
        }
        wall.push(best);
        println!(
            "\nsolve_many, {} queries, {threads} thread(s): {:.1} ms",
            all.len(),
            best.as_secs_f64() * 1e3
        );
    }
    println!(
        "speed-up 2 threads over 1: {:.2}x",
        wall[0].as_secs_f64() / wall[1].as_secs_f64()
    );
}
