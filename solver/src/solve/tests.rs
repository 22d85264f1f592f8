//! The solve checked against a brute-force reference on random small graphs, plus the
//! contract of the front door (errors, determinism, cancellation, contraction).
//!
//! The reference enumerates every simple cycle through the start on the input graph (no
//! contraction, no pruning), measures each from the input edges and polylines, and
//! scores it with the same [`Scorer`]: the ranking rule is shared, the search is not.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

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
            );
            (Just(n), nodes, edges, query)
        })
        .prop_map(
            |(_, nodes, edges, (start, target, tol, avoid_roads, max_sac, max_ascent, k))| {
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
                    max_ascent_m: max_ascent,
                };
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
    let max = case.query.preferences.max_sac_grade.unwrap_or(u8::MAX);
    let usable: Vec<&EdgeInput> = case.edges.iter().filter(|e| e.sac_grade <= max).collect();
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

/// A square 0-1-2-3 with a tail 0-4-5 and a pendant 2-6: every interior node has
/// degree 2, so the square's sides 1 and 3 and the tail's node 4 contract away.
fn square_with_tail() -> (Vec<NodeInput>, Vec<EdgeInput>) {
    let nodes = vec![
        NodeInput::new(0, 1.50, 42.50),
        NodeInput::new(1, 1.51, 42.50),
        NodeInput::new(2, 1.51, 42.51),
        NodeInput::new(3, 1.50, 42.51),
        NodeInput::new(4, 1.49, 42.50),
        NodeInput::new(5, 1.48, 42.50),
        NodeInput::new(6, 1.52, 42.52),
    ];
    let edges = vec![
        EdgeInput::trail(10, 0, 1, 1000.0),
        EdgeInput::trail(11, 2, 1, 1000.0),
        EdgeInput::trail(12, 2, 3, 1000.0),
        EdgeInput::trail(13, 3, 0, 1000.0),
        EdgeInput::trail(14, 0, 4, 500.0),
        EdgeInput::trail(15, 4, 5, 500.0),
        EdgeInput::trail(16, 2, 6, 700.0),
    ];
    (nodes, edges)
}

#[test]
fn contraction_keeps_junctions_and_maps_back_to_input_edges() {
    let (nodes, edges) = square_with_tail();
    let graph = TrailGraph::new(nodes, edges).expect("valid");
    // Junctions: 0 (degree 3), 2 (degree 3), 5 and 6 (ends).
    assert_eq!(graph.junction_count(), 4);
    assert_eq!(graph.chain_count(), 4);
    let total: usize = (0..graph.chain_count() as u32)
        .map(|c| graph.chain_steps(c).len())
        .sum();
    assert_eq!(total, graph.edge_count());
}

#[test]
fn a_start_inside_a_chain_finds_the_loop_through_it() {
    let (nodes, edges) = square_with_tail();
    let graph = TrailGraph::new(nodes, edges).expect("valid");
    let solution = solve(&graph, &Query::new(1, 4000.0), &Limits::none()).expect("solves");
    let best = &solution.loops[0];
    assert_eq!(best.kind, LoopKind::Loop);
    assert!(best.length_error < 1e-9);
    assert!(best.proven_optimal);
    assert!(
        best.compactness > 0.7,
        "a square is compact: {}",
        best.compactness
    );
}

#[test]
fn a_start_on_a_spur_gives_a_flagged_lollipop() {
    let (nodes, edges) = square_with_tail();
    let graph = TrailGraph::new(nodes, edges).expect("valid");
    let solution = solve(&graph, &Query::new(5, 6000.0), &Limits::none()).expect("solves");
    let best = &solution.loops[0];
    assert_eq!(best.kind, LoopKind::Lollipop);
    assert!((best.length_m - 6000.0).abs() < 1e-6);
    assert!((best.sharing - 2000.0 / 6000.0).abs() < 1e-9);
}

#[test]
fn without_any_cycle_the_answer_is_an_out_and_back() {
    let nodes = vec![
        NodeInput::new(1, 1.5, 42.5),
        NodeInput::new(2, 1.51, 42.5),
        NodeInput::new(3, 1.52, 42.5),
    ];
    let edges = vec![
        EdgeInput::trail(1, 1, 2, 1000.0),
        EdgeInput::trail(2, 2, 3, 1000.0),
    ];
    let graph = TrailGraph::new(nodes, edges).expect("valid");
    let solution = solve(&graph, &Query::new(1, 2100.0), &Limits::none()).expect("solves");
    let best = &solution.loops[0];
    assert_eq!(best.kind, LoopKind::OutAndBack);
    assert_eq!(best.edges.len(), 2, "turns at the nearest node: 2 km");
    assert_eq!(best.sharing, 1.0);
}

#[test]
fn parallel_edges_and_self_loops_are_loops() {
    let nodes = vec![NodeInput::new(1, 1.5, 42.5), NodeInput::new(2, 1.51, 42.5)];
    // Two trails between the same junctions, one bowed 200 m north of the other.
    let mut bowed = EdgeInput::trail(2, 2, 1, 1200.0);
    bowed.geometry = vec![[1.51, 42.5], [1.505, 42.5018], [1.5, 42.5]];
    let edges = vec![
        EdgeInput::trail(1, 1, 2, 1000.0),
        bowed,
        EdgeInput::trail(3, 1, 1, 3000.0),
    ];
    let graph = TrailGraph::new(nodes.clone(), edges).expect("valid");
    let two = solve(&graph, &Query::new(1, 2200.0), &Limits::none()).expect("solves");
    assert_eq!(two.loops[0].kind, LoopKind::Loop);
    assert_eq!(two.loops[0].edges.len(), 2);

    // Drawn on the same line, the two are one trail on the ground: there and back.
    let same = vec![
        EdgeInput::trail(1, 1, 2, 1000.0),
        EdgeInput::trail(2, 2, 1, 1200.0),
    ];
    let on_one_line = TrailGraph::new(nodes.clone(), same).expect("valid");
    let there_and_back =
        solve(&on_one_line, &Query::new(1, 2200.0), &Limits::none()).expect("solves");
    // All but the last metres at both ends, where every fork has its two ways side by
    // side, counts as shared.
    assert_ne!(there_and_back.loops[0].kind, LoopKind::Loop);
    assert!(there_and_back.loops[0].sharing > 0.9, "{there_and_back:?}");
    let one = solve(&graph, &Query::new(1, 3000.0), &Limits::none()).expect("solves");
    assert_eq!(
        one.loops[0].edges,
        vec![DirectedEdge {
            id: 3,
            forward: one.loops[0].edges[0].forward
        }]
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let (nodes, edges) = square_with_tail();
    let mut dup = nodes.clone();
    dup.push(NodeInput::new(0, 1.0, 42.0));
    assert_eq!(
        TrailGraph::new(dup, edges.clone()).unwrap_err(),
        GraphError::DuplicateNode(0)
    );
    let mut dangling = edges.clone();
    dangling.push(EdgeInput::trail(99, 0, 77, 10.0));
    assert_eq!(
        TrailGraph::new(nodes.clone(), dangling).unwrap_err(),
        GraphError::UnknownNode { edge: 99, node: 77 }
    );
    let mut negative = edges.clone();
    negative[0].length_m = -1.0;
    assert!(matches!(
        TrailGraph::new(nodes.clone(), negative),
        Err(GraphError::InvalidAttribute { edge: 10, .. })
    ));
    let mut off_earth = nodes.clone();
    off_earth[0].lat = 91.0;
    assert!(matches!(
        TrailGraph::new(off_earth, edges.clone()),
        Err(GraphError::InvalidCoordinate { node: 0 })
    ));

    let graph = TrailGraph::new(nodes, edges).expect("valid");
    let limits = Limits::none();
    assert_eq!(
        solve(&graph, &Query::new(42, 1000.0), &limits),
        Err(SolveError::UnknownStart(42))
    );
    for target in [0.0, -5.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            solve(&graph, &Query::new(0, target), &limits),
            Err(SolveError::InvalidTarget(_))
        ));
    }
    let mut q = Query::new(0, 1000.0);
    q.tolerance = 0.0;
    assert!(matches!(
        solve(&graph, &q, &limits),
        Err(SolveError::InvalidTolerance(_))
    ));
    let mut q = Query::new(0, 1000.0);
    q.max_results = 0;
    assert_eq!(
        solve(&graph, &q, &limits),
        Err(SolveError::InvalidMaxResults(0))
    );
    let mut q = Query::new(0, 1000.0);
    q.preferences.max_sac_grade = Some(9);
    assert!(matches!(
        solve(&graph, &q, &limits),
        Err(SolveError::InvalidPreference { .. })
    ));
}

#[test]
fn a_raised_cancel_flag_cancels() {
    let (nodes, edges) = square_with_tail();
    let graph = TrailGraph::new(nodes, edges).expect("valid");
    let limits = Limits {
        deadline: None,
        cancel: Some(Arc::new(AtomicBool::new(true))),
    };
    assert_eq!(
        solve(&graph, &Query::new(0, 4000.0), &limits),
        Err(SolveError::Cancelled)
    );
}

#[test]
fn the_sac_limit_closes_hard_edges() {
    let (nodes, mut edges) = square_with_tail();
    edges[1].sac_grade = 5;
    let graph = TrailGraph::new(nodes, edges).expect("valid");
    let mut q = Query::new(0, 4000.0);
    q.preferences.max_sac_grade = Some(3);
    let solution = solve(&graph, &q, &Limits::none()).expect("solves");
    assert!(solution
        .loops
        .iter()
        .all(|l| l.edges.iter().all(|d| d.id != 11)));
    assert!(solution.loops.iter().all(|l| l.kind != LoopKind::Loop));
}

#[test]
fn a_passed_deadline_stops_the_search_and_says_so() {
    let (nodes, edges) = square_with_tail();
    let graph = TrailGraph::new(nodes, edges).expect("valid");
    let limits = Limits {
        deadline: Some(std::time::Instant::now()),
        cancel: None,
    };
    let solution =
        solve(&graph, &Query::new(0, 4000.0), &limits).expect("a deadline is not an error");
    assert!(solution.stats.hit_deadline);
    assert!(!solution.stats.exhausted);
    assert!(solution.loops.iter().all(|l| !l.proven_optimal));
}
