//! Loops on the real Andorra network from its five busiest trailheads (see
//! `support` for the definition) at 5, 10, 20 and 40 km.

mod support;

use std::sync::LazyLock;

use support::Andorra;
use trailloop_solver::{solve, solve_many, DirectedEdge, Limits, LoopKind, Query, Solution};

static ANDORRA: LazyLock<Andorra> = LazyLock::new(support::andorra);
static BUSIEST: LazyLock<Vec<(u64, f64)>> =
    LazyLock::new(|| support::busiest_trailheads(&ANDORRA.network, 5));
const TARGETS_KM: [f64; 4] = [5.0, 10.0, 20.0, 40.0];

/// Every (trailhead, T) pair, solved once per test binary.
static SOLUTIONS: LazyLock<Vec<(u64, f64, Solution)>> = LazyLock::new(|| {
    let queries: Vec<Query> = BUSIEST
        .iter()
        .flat_map(|&(node, _)| TARGETS_KM.map(|km| Query::new(node, km * 1000.0)))
        .collect();
    solve_many(&ANDORRA.graph, &queries, &Limits::none())
        .into_iter()
        .zip(&queries)
        .map(|(s, q)| {
            (
                q.start,
                q.target_m,
                s.expect("a busy trailhead is a valid start"),
            )
        })
        .collect()
});

fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((b[0] - a[0]).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[test]
fn the_busiest_trailheads_are_five_distinct_nodes_with_trails_around() {
    assert_eq!(BUSIEST.len(), 5);
    let mut nodes: Vec<u64> = BUSIEST.iter().map(|b| b.0).collect();
    nodes.dedup();
    assert_eq!(nodes.len(), 5);
    assert!(BUSIEST.iter().all(|b| b.1 > 10.0), "{:?}", *BUSIEST);
}

#[test]
fn median_length_error_is_within_one_percent_for_every_target() {
    for km in TARGETS_KM {
        let errors: Vec<f64> = SOLUTIONS
            .iter()
            .filter(|s| s.1 == km * 1000.0)
            .map(|s| s.2.loops.first().map_or(1.0, |l| l.length_error))
            .collect();
        let sharing: Vec<f64> = SOLUTIONS
            .iter()
            .filter(|s| s.1 == km * 1000.0)
            .map(|s| s.2.loops.first().map_or(1.0, |l| l.sharing))
            .collect();
        eprintln!("T = {km} km: e = {errors:.4?}, s = {sharing:.3?}");
        assert!(
            median(errors.clone()) <= 0.01,
            "T = {km} km: median e of {errors:?}"
        );
    }
}

#[test]
fn the_best_walk_is_a_true_loop_wherever_a_simple_cycle_within_five_percent_exists() {
    for (start, target, solution) in SOLUTIONS.iter() {
        if support::simple_cycle_witness(&ANDORRA.network, *start, *target, 0.05) {
            let best = &solution.loops[0];
            assert_eq!(best.kind, LoopKind::Loop, "start {start}, T {target}");
            assert_eq!(best.sharing, 0.0);
            assert!(best.length_error <= 0.05);
        }
    }
}

#[test]
fn every_loop_follows_the_trails_continuously_and_closes_at_the_start() {
    let graph = &ANDORRA.graph;
    for (start, target, solution) in SOLUTIONS.iter() {
        assert!(!solution.loops.is_empty(), "start {start}, T {target}");
        let home = graph.node_position(*start).expect("start exists");
        for l in &solution.loops {
            let lines: Vec<Vec<[f64; 2]>> = l
                .edges
                .iter()
                .map(|&e| graph.edge_polyline(e).expect("known edge"))
                .collect();
            let close = |a: [f64; 2], b: [f64; 2]| haversine_m(a, b) < 0.5;
            assert!(close(lines[0][0], home), "starts at the trailhead");
            assert!(
                close(
                    lines[lines.len() - 1][lines[lines.len() - 1].len() - 1],
                    home
                ),
                "ends at the trailhead"
            );
            for pair in lines.windows(2) {
                assert!(
                    close(pair[0][pair[0].len() - 1], pair[1][0]),
                    "consecutive edges join"
                );
            }
            let mut at = *start;
            for &e in &l.edges {
                let (from, to) = graph.edge_ends(e).expect("known edge");
                assert_eq!(from, at);
                at = to;
            }
            assert_eq!(at, *start);
            let drawn: f64 = graph
                .walk_polyline(&l.edges)
                .windows(2)
                .map(|w| haversine_m(w[0], w[1]))
                .sum();
            assert!(
                (drawn - l.length_m).abs() <= 0.01 * l.length_m,
                "geometry length {drawn} vs {}",
                l.length_m
            );
            let summed: f64 = l
                .edges
                .iter()
                .map(|e| graph.edge_length(e.id).expect("known"))
                .sum();
            assert!((summed - l.length_m).abs() < 1e-6 * summed);
            assert!(((l.length_m - target).abs() / target - l.length_error).abs() < 1e-12);
        }
    }
}

#[test]
fn alternatives_share_at_most_forty_percent_and_are_ranked() {
    let graph = &ANDORRA.graph;
    for (_, _, solution) in SOLUTIONS.iter() {
        for (i, a) in solution.loops.iter().enumerate() {
            let ids: std::collections::HashSet<u64> =
                a.edges.iter().map(|e: &DirectedEdge| e.id).collect();
            for b in &solution.loops[i + 1..] {
                let theirs: std::collections::HashSet<u64> = b.edges.iter().map(|e| e.id).collect();
                let shared: f64 = ids
                    .intersection(&theirs)
                    .map(|&id| graph.edge_length(id).expect("known"))
                    .sum();
                assert!(shared <= 0.4 * a.length_m.min(b.length_m) + 1e-6);
            }
        }
        let loops_first = solution
            .loops
            .iter()
            .skip_while(|l| l.kind == LoopKind::Loop)
            .all(|l| l.kind != LoopKind::Loop || l.length_error > 0.05);
        assert!(loops_first, "true loops within tolerance rank first");
    }
}

#[test]
fn the_same_query_and_seed_give_the_same_loops() {
    let (start, target, solution) = &SOLUTIONS[SOLUTIONS.len() - 1];
    let again = solve(
        &ANDORRA.graph,
        &Query::new(*start, *target),
        &Limits::none(),
    )
    .expect("solves");
    assert_eq!(again.loops, solution.loops);
}
