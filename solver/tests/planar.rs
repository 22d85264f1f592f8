//! Loops on generated trail networks that are not Andorra: jittered grids with missing
//! links, diagonals, degree-2 chains and dead-end spurs, edge lengths from geometry.
//! The same properties as the Andorra tests, so the search is not tuned to one region.

mod support;

use std::sync::LazyLock;

use support::judge::haversine_m;

use trailloop_solver::{
    solve, solve_many, EdgeInput, Limits, LoopKind, NodeInput, Query, Solution, TrailGraph,
};

const TARGETS_KM: [f64; 3] = [5.0, 10.0, 20.0];
const NETWORK_SEEDS: [u64; 3] = [1, 2, 3];
const STARTS_PER_NETWORK: usize = 5;

/// SplitMix64, so the networks are the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Network {
    pos: Vec<[f64; 2]>,
    /// (source, target, length, is_road)
    edges: Vec<(usize, usize, f64, bool)>,
    starts: Vec<u64>,
    graph: TrailGraph,
}

impl Network {
    fn add_node(&mut self, p: [f64; 2]) -> usize {
        self.pos.push(p);
        self.pos.len() - 1
    }

    /// A link between two junctions, split into a chain of 1-3 pieces half the time.
    fn link(&mut self, rng: &mut Rng, a: usize, b: usize, road: bool) {
        let pieces = if rng.chance(0.5) { 1 + rng.below(3) } else { 0 };
        let (pa, pb) = (self.pos[a], self.pos[b]);
        let mut at = a;
        for k in 1..=pieces {
            let t = k as f64 / (pieces + 1) as f64;
            let wiggle = (rng.unit() - 0.5) * 0.0008;
            let p = [
                pa[0] + t * (pb[0] - pa[0]) + wiggle,
                pa[1] + t * (pb[1] - pa[1]) - wiggle,
            ];
            let v = self.add_node(p);
            self.push_edge(at, v, road);
            at = v;
        }
        self.push_edge(at, b, road);
    }

    fn push_edge(&mut self, a: usize, b: usize, road: bool) {
        let len = haversine_m(self.pos[a], self.pos[b]);
        self.edges.push((a, b, len, road));
    }
}

/// A 34 x 34 jittered grid, about 12 km across: 70% of the grid links, some diagonals,
/// chains, spurs off 15% of the junctions.
fn network(seed: u64) -> Network {
    let mut rng = Rng(seed);
    let side = 34;
    let spacing = 350.0 / 111_195.0;
    let (lon0, lat0) = (1.0f64, 45.0f64);
    let dlon = spacing / lat0.to_radians().cos();
    let mut net = Network {
        pos: Vec::new(),
        edges: Vec::new(),
        starts: Vec::new(),
        graph: TrailGraph::new(Vec::new(), Vec::new()).expect("an empty graph is valid"),
    };
    for i in 0..side {
        for j in 0..side {
            let jx = (rng.unit() - 0.5) * 0.7;
            let jy = (rng.unit() - 0.5) * 0.7;
            net.add_node([
                lon0 + (i as f64 + jx) * dlon,
                lat0 + (j as f64 + jy) * spacing,
            ]);
        }
    }
    let at = |i: usize, j: usize| i * side + j;
    for i in 0..side {
        for j in 0..side {
            let road = rng.chance(0.1);
            if i + 1 < side && rng.chance(0.7) {
                net.link(&mut rng, at(i, j), at(i + 1, j), road);
            }
            if j + 1 < side && rng.chance(0.7) {
                net.link(&mut rng, at(i, j), at(i, j + 1), road);
            }
            if i + 1 < side && j + 1 < side && rng.chance(0.1) {
                net.link(&mut rng, at(i, j), at(i + 1, j + 1), false);
            }
        }
    }
    let mut spur_ends = Vec::new();
    for v in 0..side * side {
        if rng.chance(0.15) {
            let mut from = v;
            for _ in 0..1 + rng.below(3) {
                let p = net.pos[from];
                let q = net.add_node([
                    p[0] + (rng.unit() - 0.5) * dlon,
                    p[1] + (rng.unit() - 0.5) * spacing,
                ]);
                net.push_edge(from, q, false);
                from = q;
            }
            spur_ends.push(from);
        }
    }
    // Starts in the middle third (room for a 20 km loop all round), and one spur end.
    for _ in 0..STARTS_PER_NETWORK - 1 {
        let i = side / 3 + rng.below(side / 3);
        let j = side / 3 + rng.below(side / 3);
        net.starts.push(at(i, j) as u64);
    }
    let middle = |p: [f64; 2]| {
        let (x, y) = ((p[0] - lon0) / dlon, (p[1] - lat0) / spacing);
        let third = side as f64 / 3.0;
        (third..2.0 * third).contains(&x) && (third..2.0 * third).contains(&y)
    };
    if let Some(&end) = spur_ends.iter().find(|&&e| middle(net.pos[e])) {
        net.starts.push(end as u64);
    }
    let nodes = net
        .pos
        .iter()
        .enumerate()
        .map(|(i, p)| NodeInput {
            id: i as u64,
            lon: p[0],
            lat: p[1],
        })
        .collect();
    let edges = net
        .edges
        .iter()
        .enumerate()
        .map(|(i, &(a, b, len, road))| EdgeInput {
            is_road: road,
            cost_per_m: if road { 0.8 } else { 0.0 },
            geometry: vec![net.pos[a], net.pos[b]],
            ..EdgeInput::trail(i as u64, a as u64, b as u64, len)
        })
        .collect();
    net.graph = TrailGraph::new(nodes, edges).expect("a generated network is a valid graph");
    net
}

static NETWORKS: LazyLock<Vec<Network>> =
    LazyLock::new(|| NETWORK_SEEDS.iter().map(|&s| network(s)).collect());

/// (network, start, target, solution) for every start and target.
static SOLUTIONS: LazyLock<Vec<(usize, u64, f64, Solution)>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for (n, net) in NETWORKS.iter().enumerate() {
        let queries: Vec<Query> = net
            .starts
            .iter()
            .flat_map(|&s| TARGETS_KM.map(|km| Query::new(s, km * 1000.0)))
            .collect();
        for (q, s) in queries
            .iter()
            .zip(solve_many(&net.graph, &queries, &Limits::none()))
        {
            out.push((
                n,
                q.start,
                q.target_m,
                s.expect("a network node is a start"),
            ));
        }
    }
    out
});

fn witness(net: &Network, start: u64, target: f64) -> bool {
    let edges: Vec<(usize, usize, f64)> = net.edges.iter().map(|e| (e.0, e.1, e.2)).collect();
    support::witness_in(net.pos.len(), &edges, start as usize, target, 0.05)
}

#[test]
fn generated_networks_have_chains_spurs_and_a_spur_start() {
    for net in NETWORKS.iter() {
        assert!(net.graph.junction_count() < net.graph.node_count());
        assert_eq!(net.starts.len(), STARTS_PER_NETWORK);
    }
}

#[test]
fn every_loop_follows_the_edges_continuously_and_closes_at_the_start() {
    for (n, start, target, solution) in SOLUTIONS.iter() {
        let graph = &NETWORKS[*n].graph;
        assert!(
            !solution.loops.is_empty(),
            "network {n}, start {start}, T {target}"
        );
        for l in &solution.loops {
            support::assert_walks_from_and_back_to(graph, *start, l);
            let a = l.approach_edges;
            let mut ids: Vec<u64> = l.edges[a..l.edges.len() - a].iter().map(|e| e.id).collect();
            ids.sort_unstable();
            let distinct = ids.windows(2).all(|w| w[0] != w[1]);
            assert_eq!(distinct, l.kind == LoopKind::Loop, "kind matches reuse");
        }
    }
}

#[test]
fn the_best_walk_is_a_true_loop_wherever_a_simple_cycle_within_five_percent_exists() {
    let mut witnessed = 0;
    for (n, start, target, solution) in SOLUTIONS.iter() {
        let best = &solution.loops[0];
        eprintln!(
            "network {n}, start {start}, T {target}: {:?}, e {:.4}, s {:.3}",
            best.kind, best.length_error, best.sharing
        );
        if witness(&NETWORKS[*n], *start, *target) {
            witnessed += 1;
            assert_eq!(
                best.kind,
                LoopKind::Loop,
                "network {n}, start {start}, T {target}"
            );
            assert!(best.length_error <= 0.05);
        }
    }
    assert!(witnessed >= SOLUTIONS.len() / 2, "{witnessed} witnessed");
}

#[test]
fn a_start_at_the_end_of_a_spur_gets_a_lollipop_or_a_loop_by_a_short_approach() {
    for (n, net) in NETWORKS.iter().enumerate() {
        let spur = net.starts[STARTS_PER_NETWORK - 1];
        for (_, _, target, solution) in SOLUTIONS.iter().filter(|s| s.0 == n && s.1 == spur) {
            let best = &solution.loops[0];
            if best.kind == LoopKind::Loop {
                // Reached along the spur, out and back, no longer than an approach.
                let a = best.approach_edges;
                assert!(
                    a > 0,
                    "T {target}: a loop from a spur end needs an approach"
                );
                let approach: f64 = best.edges[..a]
                    .iter()
                    .map(|e| net.graph.edge_length(e.id).unwrap())
                    .sum();
                assert!(approach <= trailloop_solver::default_approach_m(*target) + 1e-9);
                let back: Vec<_> = best.edges[best.edges.len() - a..]
                    .iter()
                    .rev()
                    .map(|e| (e.id, !e.forward))
                    .collect();
                let out: Vec<_> = best.edges[..a].iter().map(|e| (e.id, e.forward)).collect();
                assert_eq!(out, back, "the approach is walked back at the end");
            }
            assert!(
                best.length_error <= 0.05,
                "T {target}: e {}",
                best.length_error
            );
        }
    }
}

#[test]
fn the_same_query_and_seed_give_the_same_loops() {
    for (n, start, target, solution) in SOLUTIONS.iter().step_by(4) {
        let again = solve(
            &NETWORKS[*n].graph,
            &Query::new(*start, *target),
            &Limits::none(),
        )
        .expect("solves");
        assert_eq!(again.loops, solution.loops);
    }
}
