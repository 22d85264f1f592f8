//! The solve checked against a brute-force reference on random small graphs
//! (determinism and the exact search's pool check too); the front door's contract on
//! fixed graphs is in `fixed_tests`.
//!
//! The reference enumerates every simple cycle through the start on the input graph (no
//! contraction, no pruning), measures each from the input edges and polylines, and
//! scores it with the same [`Scorer`]: the ranking rule is shared, the search is not.

use proptest::prelude::*;

use crate::alternatives::MAX_SHARED;
use crate::attrs::Attrs;
use crate::score::{Score, Scorer};
use crate::*;

#[derive(Debug, Clone)]
struct Case {
    nodes: Vec<NodeInput>,
    edges: Vec<EdgeInput>,
    query: Query,
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (3usize..9, 2usize..15)
        .prop_flat_map(|(n, m)| {
            let nodes = proptest::collection::vec((0.0..0.03f64, 0.0..0.03f64), n);
            let edges = proptest::collection::vec(
                (
                    0..n as u64,
                    0..n as u64,
                    100.0..3000.0f64,
                    0.0..200.0f64,
                    0.0..200.0f64,
                    any::<bool>(),
                    0u8..7,
                    any::<bool>(),
                ),
                m,
            );
            let query = (
                0..n as u64,
                500.0..9000.0f64,
                0.01..0.5f64,
                any::<bool>(),
                prop::option::of(1u8..7),
                prop::option::of(0.0..400.0f64),
                1usize..4,
                prop::option::of(5.0..40.0f64),
            );
            (Just(n), nodes, edges, query)
        })
        .prop_map(
            |(
                _,
                nodes,
                edges,
                (start, target, tol, avoid_roads, max_sac, max_ascent, k, max_grade),
            )| {
                let nodes: Vec<NodeInput> = nodes
                    .into_iter()
                    .enumerate()
                    .map(|(i, (x, y))| NodeInput::new(i as u64 * 10, 1.5 + x, 42.5 + y))
                    .collect();
                let edges = edges
                    .into_iter()
                    .enumerate()
                    .map(|(i, (a, b, len, up, down, road, sac, bent))| {
                        let (pa, pb) = (&nodes[a as usize], &nodes[b as usize]);
                        let geometry = if bent {
                            let mid = [
                                (pa.lon + pb.lon) / 2.0 + 0.002,
                                (pa.lat + pb.lat) / 2.0 - 0.001,
                            ];
                            vec![[pa.lon, pa.lat], mid, [pb.lon, pb.lat]]
                        } else {
                            Vec::new()
                        };
                        // The other measures vary with the edge's index.
                        EdgeInput {
                            id: 1000 + i as u64,
                            source: a * 10,
                            target: b * 10,
                            length_m: len,
                            ascent_m: up,
                            descent_m: down,
                            is_road: road,
                            cost_per_m: if road { 0.8 } else { (i % 3) as f64 * 0.1 },
                            nature: ((i * 7) % 10) as f64 / 10.0,
                            on_route: i % 2 == 0,
                            sac_grade: sac,
                            grade_pct: ((i * 13) % 40) as f64,
                            // Every fourth edge may close on some dates (classes 1 and 2).
                            closure_class: if i % 4 == 3 { 1 + (i / 4 % 2) as u8 } else { 0 },
                            geometry,
                        }
                    })
                    .collect();
                let mut query = Query::new(start * 10, target);
                query.tolerance = tol;
                query.max_results = k;
                query.preferences = Preferences {
                    avoid_roads: if avoid_roads { 1.0 } else { 0.0 },
                    scenery: if avoid_roads { 0.5 } else { 0.9 },
                    hills: (start % 3) as f64 - 1.0,
                    max_sac_grade: max_sac,
                    max_grade_pct: max_grade,
                    max_ascent_m: max_ascent,
                };
                // Some cases close class 1 or 2, or both.
                query.closed_classes = start % 4;
                query.work_budget = 50_000_000;
                // The reference enumerates simple cycles through the start; walks that
                // reach their loop by an approach are tested on their own.
                query.approach_max_m = 0.0;
                Case {
                    nodes,
                    edges,
                    query,
                }
            },
        )
}

/// Measures a closed walk from the input alone: attributes and the shoelace sum of its
/// polyline (taken around the start, so independent of the solver's reference point).
fn measure(case: &Case, walk: &[DirectedEdge]) -> (Attrs, f64) {
    let graph = TrailGraph::new(case.nodes.clone(), case.edges.clone()).expect("valid");
    let origin = graph.node_position(case.query.start).expect("start");
    let mut attrs = Attrs::default();
    let mut count = std::collections::HashMap::new();
    for d in walk {
        *count.entry(d.id).or_insert(0) += 1;
    }
    let mut shared = 0.0;
    for d in walk {
        let e = case
            .edges
            .iter()
            .find(|e| e.id == d.id)
            .expect("known edge");
        let (up, down) = if d.forward {
            (e.ascent_m, e.descent_m)
        } else {
            (e.descent_m, e.ascent_m)
        };
        attrs.len += e.length_m;
        attrs.ascent += up;
        attrs.descent += down;
        let cost = e.cost_per_m * e.length_m;
        if e.is_road {
            attrs.road += cost;
        } else {
            attrs.trail += cost;
        }
        attrs.nature += e.nature * e.length_m;
        attrs.route += if e.on_route { e.length_m } else { 0.0 };
        // Every node passed is arrived at and left: half a pass each way at junctions
        // of three or more edges.
        let degree = |n: u64| -> usize {
            case.edges
                .iter()
                .map(|x| usize::from(x.source == n) + usize::from(x.target == n))
                .sum()
        };
        for n in [e.source, e.target] {
            if degree(n) >= 3 {
                attrs.junctions += 0.5;
            }
        }
        if count[&d.id] > 1 {
            shared += e.length_m;
        } else {
            // Walked once, but drawn beside edges of the same walk (as the graph finds
            // them): walked twice on the ground for that length.
            let beside: f64 = graph
                .edges_side_by_side(d.id)
                .iter()
                .filter(|(other, _)| count.contains_key(other))
                .map(|(_, len)| len)
                .sum();
            shared += beside.min(e.length_m);
        }
    }
    // Junction turns: between consecutive edges, at nodes of three or more edges,
    // from the edges' own polylines.
    for w in walk.windows(2) {
        let (_, at) = graph.edge_ends(w[0]).expect("known edge");
        let degree: usize = case
            .edges
            .iter()
            .map(|x| usize::from(x.source == at) + usize::from(x.target == at))
            .sum();
        let mut back = graph.edge_polyline(w[0]).expect("known edge");
        back.reverse();
        let out = graph.edge_polyline(w[1]).expect("known edge");
        if degree >= 3
            && crate::turns::is_turn(crate::turns::leaving(back), crate::turns::leaving(out))
        {
            attrs.turns += 1.0;
        }
    }
    let line = graph.walk_polyline(walk);
    attrs.area = line
        .windows(2)
        .map(|w| {
            (w[0][0] - origin[0]) * (w[1][1] - origin[1])
                - (w[1][0] - origin[0]) * (w[0][1] - origin[1])
        })
        .sum();
    (attrs, shared)
}

fn key_of(case: &Case, walk: &[DirectedEdge]) -> Score {
    let lat = TrailGraph::new(case.nodes.clone(), case.edges.clone())
        .expect("valid")
        .node_position(case.query.start)
        .expect("start")[1];
    let (attrs, shared) = measure(case, walk);
    Scorer::new(&case.query, lat).quality(&attrs, shared).key
}

/// Every simple cycle through the start (both directions), on the input graph.
fn all_cycles(case: &Case) -> Vec<Vec<DirectedEdge>> {
    let p = &case.query.preferences;
    let max_sac = p.max_sac_grade.unwrap_or(u8::MAX);
    let max_grade = p.max_grade_pct.unwrap_or(f64::INFINITY);
    let usable: Vec<&EdgeInput> = case
        .edges
        .iter()
        .filter(|e| {
            e.sac_grade <= max_sac
                && e.grade_pct <= max_grade
                && crate::closure_bit(e.closure_class) & case.query.closed_classes == 0
        })
        .collect();
    let mut out = Vec::new();
    let mut path = Vec::new();
    let mut visited = vec![case.query.start];
    fn go(
        at: u64,
        usable: &[&EdgeInput],
        start: u64,
        path: &mut Vec<DirectedEdge>,
        visited: &mut Vec<u64>,
        out: &mut Vec<Vec<DirectedEdge>>,
    ) {
        for e in usable {
            for (from, to, forward) in [(e.source, e.target, true), (e.target, e.source, false)] {
                if from != at {
                    continue;
                }
                let step = DirectedEdge { id: e.id, forward };
                if to == start {
                    let same_edge_back = path.len() == 1 && path[0].id == e.id;
                    if !same_edge_back {
                        let mut cycle = path.clone();
                        cycle.push(step);
                        out.push(cycle);
                    }
                } else if !visited.contains(&to) {
                    path.push(step);
                    visited.push(to);
                    go(to, usable, start, path, visited, out);
                    visited.pop();
                    path.pop();
                }
            }
        }
    }
    go(
        case.query.start,
        &usable,
        case.query.start,
        &mut path,
        &mut visited,
        &mut out,
    );
    out
}

fn assert_closed_walk(case: &Case, graph: &TrailGraph, l: &Loop) {
    assert!(!l.edges.is_empty());
    let mut at = case.query.start;
    for &d in &l.edges {
        let (from, to) = graph.edge_ends(d).expect("known edge");
        assert_eq!(from, at, "walk is continuous");
        at = to;
    }
    assert_eq!(at, case.query.start, "walk is closed");
    assert_eq!(l.approach_edges, 0, "approaches are off in these cases");
    let (attrs, shared) = measure(case, &l.edges);
    assert!((attrs.len - l.length_m).abs() < 1e-6 * attrs.len.max(1.0));
    assert!((shared / attrs.len - l.sharing).abs() < 1e-9);
    assert!(
        (((attrs.len - case.query.target_m).abs() / case.query.target_m) - l.length_error).abs()
            < 1e-9
    );
    // Out and back: every edge walked twice, or (nearly) all of it beside itself.
    let every_edge_twice = l
        .edges
        .iter()
        .all(|d| l.edges.iter().filter(|o| o.id == d.id).count() > 1);
    let expected = if shared == 0.0 {
        LoopKind::Loop
    } else if every_edge_twice || l.sharing >= 0.99 {
        LoopKind::OutAndBack
    } else {
        LoopKind::Lollipop
    };
    assert_eq!(l.kind, expected);
}

fn shared_len(a: &Loop, b: &Loop, graph: &TrailGraph) -> f64 {
    let ids: std::collections::BTreeSet<u64> = a.edges.iter().map(|d| d.id).collect();
    let other: std::collections::BTreeSet<u64> = b.edges.iter().map(|d| d.id).collect();
    ids.intersection(&other)
        .map(|&id| graph.edge_length(id).expect("known"))
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn exact_mode_matches_exhaustive_enumeration(case in case_strategy()) {
        let graph = TrailGraph::new(case.nodes.clone(), case.edges.clone()).expect("valid graph");
        let solution = solve(&graph, &case.query, &Limits::none()).expect("solves");
        prop_assert!(solution.stats.exhausted, "small graphs are searched exhaustively");

        let best = all_cycles(&case).iter().map(|c| key_of(&case, c)).min_by(|a, b| a.cmp(b));
        match best {
            Some(best) if best.tier == 0 => {
                let first = &solution.loops[0];
                prop_assert_eq!(first.kind, LoopKind::Loop);
                prop_assert!(first.proven_optimal);
                let found = key_of(&case, &first.edges);
                prop_assert_eq!(found.tier, 0);
                prop_assert!((found.cost - best.cost).abs() < 1e-9, "solver {:?} vs brute force {:?}", found, best);
            }
            _ => {
                let tol = case.query.tolerance;
                prop_assert!(solution.loops.iter().all(|l| l.kind != LoopKind::Loop || l.length_error > tol));
            }
        }
        for l in &solution.loops {
            assert_closed_walk(&case, &graph, l);
        }
        for (i, a) in solution.loops.iter().enumerate() {
            for b in &solution.loops[i + 1..] {
                prop_assert!(shared_len(a, b, &graph) <= MAX_SHARED * a.length_m.min(b.length_m) + 1e-6);
            }
        }
        let keys: Vec<Score> = solution.loops.iter().map(|l| key_of(&case, &l.edges)).collect();
        prop_assert!(keys.windows(2).all(|w| !w[1].better_than(&w[0])), "ranked best first");
    }

    #[test]
    fn the_exact_search_pool_check_changes_no_answer(case in case_strategy()) {
        let graph = TrailGraph::new(case.nodes.clone(), case.edges.clone()).expect("valid graph");
        let (checked, unchecked, _) = with_and_without_pool_check(&graph, &case.query);
        prop_assert_eq!(checked.loops, unchecked.loops);
        prop_assert_eq!(checked.stats.work, unchecked.stats.work);
    }

    #[test]
    fn same_query_and_seed_give_the_same_answer(case in case_strategy(), seed in any::<u64>()) {
        let graph = TrailGraph::new(case.nodes.clone(), case.edges.clone()).expect("valid graph");
        let mut query = case.query.clone();
        query.seed = seed;
        query.work_budget = 2_000;
        let a = solve(&graph, &query, &Limits::none()).expect("solves");
        let b = solve_many(&graph, &[query.clone(), query], &Limits::none());
        for other in b {
            prop_assert_eq!(&a.loops, &other.expect("solves").loops);
        }
    }
}

/// Solves `query` with the exact search's pool check from the first offer and with it
/// off: both answers (loops and work) and how many cycles the check turned away.
fn with_and_without_pool_check(graph: &TrailGraph, query: &Query) -> (Solution, Solution, u64) {
    use crate::exact::{CHECK_AFTER_IN_TESTS, REJECTED_IN_TESTS};
    let run = |after: u64| {
        CHECK_AFTER_IN_TESTS.with(|c| c.set(Some(after)));
        REJECTED_IN_TESTS.with(|r| r.set(0));
        let solution = solve(graph, query, &Limits::none()).expect("solves");
        CHECK_AFTER_IN_TESTS.with(|c| c.set(None));
        (solution, REJECTED_IN_TESTS.with(std::cell::Cell::get))
    };
    let (checked, rejected) = run(0);
    let (unchecked, none) = run(u64::MAX);
    assert_eq!(none, 0, "a check that is off turns nothing away");
    (checked, unchecked, rejected)
}

/// A grid of `side` x `side` junctions 400-800 m apart, every street a trail: dense in
/// cycles, like a town's paths.
fn grid(side: u64) -> (Vec<NodeInput>, Vec<EdgeInput>) {
    let id = |x: u64, y: u64| y * side + x;
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for y in 0..side {
        for x in 0..side {
            nodes.push(NodeInput::new(
                id(x, y),
                1.5 + 0.006 * x as f64,
                42.5 + 0.005 * y as f64,
            ));
            // Lengths vary so that cycles do not tie.
            let len = |k: u64| 400.0 + ((id(x, y) * 7919 + k * 104_729) % 400) as f64;
            if x + 1 < side {
                edges.push(EdgeInput::trail(
                    2 * id(x, y),
                    id(x, y),
                    id(x + 1, y),
                    len(1),
                ));
            }
            if y + 1 < side {
                edges.push(EdgeInput::trail(
                    2 * id(x, y) + 1,
                    id(x, y),
                    id(x, y + 1),
                    len(2),
                ));
            }
        }
    }
    (nodes, edges)
}

#[test]
fn the_pool_check_turns_away_near_copies_on_a_dense_grid_and_changes_no_answer() {
    let (nodes, edges) = grid(7);
    let graph = TrailGraph::new(nodes, edges).expect("valid graph");
    let mut rejected = 0;
    for (start, target) in [(0, 6_000.0), (24, 5_000.0), (24, 9_000.0), (10, 12_000.0)] {
        let mut query = Query::new(start, target);
        query.work_budget = 300_000;
        let (checked, unchecked, turned_away) = with_and_without_pool_check(&graph, &query);
        assert_eq!(checked.loops, unchecked.loops, "start {start}, T {target}");
        assert_eq!(checked.stats.work, unchecked.stats.work);
        assert!(!checked.loops.is_empty());
        rejected += turned_away;
    }
    assert!(
        rejected > 100,
        "the check had near-copies to turn away: {rejected}"
    );
}
