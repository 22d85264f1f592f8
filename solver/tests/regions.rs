//! Loops on real networks from their five busiest trailheads (see `support` for the
//! definition): Andorra's mountain trails at 5, 10, 20 and 40 km, and central
//! Helsinki's footways and streets (dense, flat, nothing tuned on it) at 5, 10 and
//! 20 km. Every loop is also judged from its drawn line alone (`support::judge`).

mod support;

use std::sync::LazyLock;

use support::judge::{haversine_m, judge};
use support::Region;
use trailloop_solver::{solve, solve_many, DirectedEdge, Limits, LoopKind, Query, Solution};

/// A region, its busiest trailheads and every (trailhead, T) answer, solved once.
struct Solved {
    region: Region,
    busiest: Vec<(u64, f64)>,
    solutions: Vec<(u64, f64, Solution)>,
}

fn solved(region: Region, targets_km: &[f64]) -> Solved {
    let busiest = support::busiest_trailheads(&region.network, 5);
    let queries: Vec<Query> = busiest
        .iter()
        .flat_map(|&(node, _)| {
            targets_km
                .iter()
                .map(move |km| Query::new(node, km * 1000.0))
        })
        .collect();
    let solutions = solve_many(&region.graph, &queries, &Limits::none())
        .into_iter()
        .zip(&queries)
        .map(|(s, q)| {
            let s = s.expect("a busy trailhead is a valid start");
            (q.start, q.target_m, s)
        })
        .collect();
    Solved {
        region,
        busiest,
        solutions,
    }
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

fn busiest_are_five_distinct_nodes_with_trails_around(s: &Solved) {
    assert_eq!(s.busiest.len(), 5);
    let mut nodes: Vec<u64> = s.busiest.iter().map(|b| b.0).collect();
    nodes.sort_unstable();
    nodes.dedup();
    assert_eq!(nodes.len(), 5);
    assert!(s.busiest.iter().all(|b| b.1 > 10.0), "{:?}", s.busiest);
}

/// Within tolerance the hike decides and the length weighs little (see the solver's
/// `score`), so the busiest trailheads, whose dense networks offer the most to trade,
/// are held to a median of 2% (the API's answers across trailheads are tested for 1%).
fn median_length_error_is_within_two_percent(s: &Solved, targets_km: &[f64]) {
    for km in targets_km {
        let best = |f: fn(&trailloop_solver::Loop) -> f64| -> Vec<f64> {
            s.solutions
                .iter()
                .filter(|x| x.1 == km * 1000.0)
                .map(|x| x.2.loops.first().map_or(1.0, f))
                .collect()
        };
        let (errors, sharing) = (best(|l| l.length_error), best(|l| l.sharing));
        eprintln!(
            "{} T = {km} km: e = {errors:.4?}, s = {sharing:.3?}",
            s.region.name
        );
        assert!(
            median(errors.clone()) <= 0.02,
            "{} T = {km} km: median e of {errors:?}",
            s.region.name
        );
    }
}

fn best_is_a_true_loop_wherever_a_simple_cycle_within_five_percent_exists(s: &Solved) {
    for (start, target, solution) in &s.solutions {
        if support::simple_cycle_witness(&s.region.network, *start, *target, 0.05) {
            let best = &solution.loops[0];
            assert_eq!(best.kind, LoopKind::Loop, "start {start}, T {target}");
            assert_eq!(best.sharing, 0.0);
            assert!(best.length_error <= 0.05);
        }
    }
}

/// Continuity and closure on the graph, and the drawn line judged alone: closed at the
/// trailhead, as long as reported, and a true loop draws no vertex pair twice.
fn every_loop_follows_the_trails_continuously_and_closes(s: &Solved) {
    let graph = &s.region.graph;
    for (start, target, solution) in &s.solutions {
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
            for pair in lines.windows(2) {
                assert!(
                    close(pair[0][pair[0].len() - 1], pair[1][0]),
                    "consecutive edges join"
                );
            }
            support::assert_walks_from_and_back_to(graph, *start, l);

            // The loop between its approach there and back.
            let a = l.approach_edges;
            let drawn = judge(&graph.walk_polyline(&l.edges[a..l.edges.len() - a]));
            assert!(drawn.closing_gap_m < 0.5, "closes: {drawn:?}");
            assert!(
                (drawn.length_m - l.length_m).abs() <= 0.01 * l.length_m,
                "geometry length {} vs {}",
                drawn.length_m,
                l.length_m
            );
            if l.kind == LoopKind::Loop {
                assert_eq!(drawn.retraced, 0.0, "start {start}, T {target}: {drawn:?}");
                // Nor down the street and back up its sidewalk (a few short stretches
                // beside itself, under the graph's 50 m, can remain).
                assert!(
                    drawn.alongside <= 0.1,
                    "start {start}, T {target}: {drawn:?}"
                );
            } else {
                // Retraces a stick, or walks beside itself (a street and its sidewalk).
                let beside = l
                    .edges
                    .iter()
                    .any(|e| !graph.edges_side_by_side(e.id).is_empty());
                assert!(drawn.retraced > 0.0 || beside, "a {:?} shares", l.kind);
            }
            assert!(((l.length_m - target).abs() / target - l.length_error).abs() < 1e-12);
        }
    }
}

fn alternatives_share_at_most_forty_percent_and_are_ranked(s: &Solved) {
    let graph = &s.region.graph;
    for (_, _, solution) in &s.solutions {
        // The loops between their approaches: a shared approach is no overlap.
        let hike = |l: &trailloop_solver::Loop| -> std::collections::HashSet<u64> {
            let a = l.approach_edges;
            l.edges[a..l.edges.len() - a]
                .iter()
                .map(|e: &DirectedEdge| e.id)
                .collect()
        };
        for (i, a) in solution.loops.iter().enumerate() {
            let ids = hike(a);
            for b in &solution.loops[i + 1..] {
                let theirs = hike(b);
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

fn same_query_and_seed_give_the_same_loops(s: &Solved) {
    let (start, target, solution) = &s.solutions[s.solutions.len() - 1];
    let again = solve(
        &s.region.graph,
        &Query::new(*start, *target),
        &Limits::none(),
    )
    .expect("solves");
    assert_eq!(again.loops, solution.loops);
}

/// The same tests for one region, as a module of sentences.
macro_rules! region_tests {
    ($name:ident, $build:path, $targets:expr) => {
        mod $name {
            use super::*;

            const TARGETS_KM: &[f64] = &$targets;
            static SOLVED: LazyLock<Solved> = LazyLock::new(|| solved($build(), TARGETS_KM));

            #[test]
            fn the_busiest_trailheads_are_five_distinct_nodes_with_trails_around() {
                super::busiest_are_five_distinct_nodes_with_trails_around(&SOLVED);
            }

            #[test]
            fn median_length_error_is_within_two_percent_for_every_target() {
                super::median_length_error_is_within_two_percent(&SOLVED, TARGETS_KM);
            }

            #[test]
            fn the_best_walk_is_a_true_loop_wherever_a_simple_cycle_within_five_percent_exists() {
                super::best_is_a_true_loop_wherever_a_simple_cycle_within_five_percent_exists(
                    &SOLVED,
                );
            }

            #[test]
            fn every_loop_follows_the_trails_continuously_and_closes_at_the_start() {
                super::every_loop_follows_the_trails_continuously_and_closes(&SOLVED);
            }

            #[test]
            fn alternatives_share_at_most_forty_percent_and_are_ranked() {
                super::alternatives_share_at_most_forty_percent_and_are_ranked(&SOLVED);
            }

            #[test]
            fn the_same_query_and_seed_give_the_same_loops() {
                super::same_query_and_seed_give_the_same_loops(&SOLVED);
            }
        }
    };
}

region_tests!(andorra, support::andorra, [5.0, 10.0, 20.0, 40.0]);
region_tests!(helsinki, support::helsinki, [5.0, 10.0, 20.0]);

/// In a dense network the standard budget leaves every seed short of T; the extension
/// rounds are what reach it (and a query without them is allowed to fall short).
#[test]
fn extension_rounds_reach_the_target_where_the_standard_budget_falls_short() {
    let region = support::helsinki();
    let busiest = support::busiest_trailheads(&region.network, 5);
    let queries: Vec<Query> = busiest
        .iter()
        .map(|&(node, _)| Query::new(node, 10_000.0))
        .collect();
    let without: Vec<Query> = queries
        .iter()
        .map(|q| Query {
            extension_budget: 0,
            ..q.clone()
        })
        .collect();
    let within = |qs: &[Query]| {
        solve_many(&region.graph, qs, &Limits::none())
            .into_iter()
            .filter(|s| {
                let s = s.as_ref().expect("solves");
                s.loops.first().is_some_and(|l| l.length_error <= 0.05)
            })
            .count()
    };
    let (extended, standard) = (within(&queries), within(&without));
    assert!(
        extended > standard,
        "within tolerance: {extended} with extension rounds, {standard} without"
    );
    assert_eq!(extended, queries.len());
}

/// The service plans on a network held tile by tile: a graph stitched from Andorra's
/// tiles must find what the whole graph finds, from every trailhead, with loops that
/// cross tile borders walked end to end.
#[test]
fn a_network_cut_into_tiles_plans_as_well_as_the_whole() {
    let region = support::andorra();
    let tiled = support::tiled_graph(&region.network);
    assert!(tiled.tiles().len() >= 4, "{} tiles", tiled.tiles().len());
    assert_eq!(tiled.edge_count(), region.graph.edge_count());
    let starts = support::trailhead_nodes(&region.network);
    for km in [10.0, 20.0] {
        let queries: Vec<Query> = starts.iter().map(|&n| Query::new(n, km * 1000.0)).collect();
        let good = |graph: &trailloop_solver::TrailGraph| -> (usize, Vec<f64>) {
            let solutions = solve_many(graph, &queries, &Limits::none());
            let mut errors = Vec::new();
            let mut loops = 0;
            for (q, s) in queries.iter().zip(solutions) {
                let s = s.expect("solves");
                for l in &s.loops {
                    support::assert_walks_from_and_back_to(graph, q.start, l);
                }
                let best = s.loops.first();
                errors.push(best.map_or(1.0, |l| l.length_error));
                loops += usize::from(
                    best.is_some_and(|l| l.kind == LoopKind::Loop && l.length_error <= 0.05),
                );
            }
            (loops, errors)
        };
        let (whole_loops, whole_errors) = good(&region.graph);
        let (tiled_loops, tiled_errors) = good(&tiled);
        eprintln!("{km} km: true loops within 5%: whole {whole_loops}, tiled {tiled_loops}");
        assert!(
            tiled_loops * 100 >= whole_loops * 97,
            "{km} km: {tiled_loops} true loops on tiles, {whole_loops} on the whole"
        );
        assert!(median(tiled_errors) <= median(whole_errors) + 0.005);
    }
}

/// Multi-day walks sleep at the places given, every night, with days of like walking
/// time; Andorra's huts, camp sites and shelters, from its busiest trailheads.
#[test]
fn multi_day_walks_sleep_at_the_places_given_with_balanced_days() {
    let region = support::andorra();
    let (graph, nights) = support::with_nights(&region);
    let busiest = support::busiest_trailheads(&region.network, 5);
    let hours = |len: f64, up: f64| len / 5000.0 + up / 600.0;
    let mut planned = 0;
    for &(start, _) in &busiest {
        for (days, km) in [(2u32, 30.0), (3, 50.0)] {
            let mut q = Query::new(start, km * 1000.0);
            q.days = days;
            q.nights = nights.clone();
            // A longer walk through required places: more to search.
            q.work_budget *= u64::from(days);
            let s = solve(&graph, &q, &Limits::none()).expect("solves");
            for l in &s.loops {
                assert_eq!(
                    l.nights.len(),
                    days as usize - 1,
                    "{start} {days} days: {l:?}"
                );
                support::assert_walks_from_and_back_to(&graph, start, l);
                // Each night is where the walk arrives at its place's junction, or
                // where a spur to it leaves the loop.
                let mut cuts = vec![l.approach_edges];
                let offs: Vec<f64> = l.nights.iter().map(|n| n.off_m).collect();
                for n in &l.nights {
                    assert!(n.place < nights.len());
                    let (_, at) = graph.edge_ends(l.edges[n.after_edges - 1]).unwrap();
                    assert!(n.off_m > 0.0 || at == nights[n.place].node, "{n:?}");
                    cuts.push(n.after_edges);
                }
                cuts.push(l.edges.len() - l.approach_edges);
                let times: Vec<f64> = cuts
                    .windows(2)
                    .enumerate()
                    .map(|(k, w)| {
                        // To the night's place off the loop and back the next morning.
                        let off = offs.get(k.wrapping_sub(1)).unwrap_or(&0.0)
                            + offs.get(k).unwrap_or(&0.0);
                        let (len, up) = l.edges[w[0]..w[1]].iter().fold((0.0, 0.0), |acc, &e| {
                            let len = graph.edge_length(e.id).unwrap();
                            (acc.0 + len, acc.1 + graph.edge_climb(e).unwrap().0)
                        });
                        hours(len + off, up)
                    })
                    .collect();
                let (lo, hi) = times
                    .iter()
                    .fold((f64::INFINITY, 0.0f64), |(a, b), &t| (a.min(t), b.max(t)));
                eprintln!(
                    "{start} {days} days {km} km: e {:.3}, days {times:.2?}",
                    l.length_error
                );
                if l.score.tier <= 1 {
                    assert!(hi / lo <= 1.5 + 1e-9, "{start}: day lengths {times:?}");
                }
                planned += 1;
            }
        }
    }
    assert!(planned >= 5, "only {planned} multi-day walks");
}
