//! The front door's contract on small fixed graphs: contraction, starts in chains and on
//! spurs, out-and-backs, parallel edges, bad input, cancellation, SAC limits, deadlines.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::*;

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
