//! Real data for the region tests, the bench and the report, in one place: builds a
//! network from `data/` (Andorra with elevations; central Helsinki, flat and urban, as a
//! second region nothing was tuned on), converts it to solver input, and picks the
//! busiest trailheads. [`judge`] scores loops from their drawn line alone.
//!
//! "Busiest" is defined without the solver: the trailheads (distinct snapped nodes) with
//! the most trail length (non-road edges) whose both ends lie within
//! [`BUSY_RADIUS_M`] network distance, computed with petgraph's own Dijkstra on the
//! uncontracted network. Ties go to the lower node index.
#![allow(dead_code)]

use std::path::PathBuf;

use petgraph::algo::dijkstra;
use petgraph::graph::{NodeIndex, UnGraph};
use std::collections::BTreeMap;
use std::sync::Arc;
use trailloop_osm::{build_trail_data, BuildOptions, Dem, TrailData};

use trailloop_osm::{Partition, TileKey};
use trailloop_places::PoiKind;
use trailloop_solver::{EdgeInput, GraphTile, Loop, NodeInput, TrailGraph};

pub mod judge;

/// Radius of the trail length that makes a trailhead busy.
pub const BUSY_RADIUS_M: f64 = 5_000.0;

/// A real network and its solver graph. Node ids are network node indices, edge ids
/// network edge indices.
pub struct Region {
    pub name: &'static str,
    pub network: TrailData,
    pub graph: TrailGraph,
}

fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data")
        .join(file)
}

/// Builds a region's network from `data/` (a second or so; build it once per binary).
pub fn region(name: &'static str, pbf: &str, dem: Option<&str>) -> Region {
    let options = BuildOptions {
        dem: dem.map(|tile| Dem::open(&[data(tile)]).expect("the SRTM tile opens")),
        ..BuildOptions::default()
    };
    let network = build_trail_data(&data(pbf), &options).expect("the extract builds");
    let (nodes, edges) = to_solver_input(&network);
    let graph = TrailGraph::new(nodes, edges).expect("the network is a valid trail graph");
    Region {
        name,
        network,
        graph,
    }
}

/// The network's places to sleep that a multi-day walk may use (huts, camp sites and
/// shelters), as night places (their node ids), and a graph that keeps them.
pub fn with_nights(region: &Region) -> (TrailGraph, Vec<trailloop_solver::NightPlace>) {
    let mut nodes: Vec<u64> = region
        .network
        .pois
        .iter()
        .filter(|p| p.kind.is_overnight() && p.kind != PoiKind::Lodging)
        .map(|p| u64::from(p.node))
        .collect();
    nodes.sort_unstable();
    nodes.dedup();
    let (n, e) = to_solver_input(&region.network);
    let graph = TrailGraph::keeping(n, e, &nodes).expect("valid");
    let nights = nodes
        .into_iter()
        // Each as wanted as the next: a hut on its node costs nothing.
        .map(|node| trailloop_solver::NightPlace {
            node,
            kind: PoiKind::Hut,
            snap_m: 0.0,
        })
        .collect();
    (graph, nights)
}

/// Andorra: 1,800 km of mountain trails and tracks, with SRTM elevations.
pub fn andorra() -> Region {
    region("andorra", "andorra.osm.pbf", Some("N42E001.hgt.zip"))
}

/// Central Helsinki: 80 km of footways, sidewalks, cycleways and streets, no elevations.
pub fn helsinki() -> Region {
    region("helsinki", "helsinki.osm.pbf", None)
}

/// The region `REGION` names (`andorra`, the default, or `helsinki`).
pub fn region_from_env() -> Region {
    match std::env::var("REGION").as_deref() {
        Ok("helsinki") => helsinki(),
        Ok("andorra") | Err(_) => andorra(),
        Ok(other) => panic!("REGION={other}: expected andorra or helsinki"),
    }
}

/// The solver's view of a network, costed by the shipped hiking profile.
pub fn to_solver_input(network: &TrailData) -> (Vec<NodeInput>, Vec<EdgeInput>) {
    let profile = trailloop_osm::Profile::hiking();
    let nodes = network
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| NodeInput {
            id: i as u64,
            lon: n.coord.lon,
            lat: n.coord.lat,
        })
        .collect();
    let edges = network
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| EdgeInput {
            id: i as u64,
            source: u64::from(e.source),
            target: u64::from(e.target),
            length_m: e.length_m,
            ascent_m: e.ascent_m,
            descent_m: e.descent_m,
            is_road: e.highway.is_road(),
            cost_per_m: profile.cost_per_m(
                e.highway,
                e.surface.as_deref(),
                e.trail_visibility.as_deref(),
                e.sac_scale,
            ),
            nature: f64::from(e.nature.any),
            on_route: !e.routes.is_empty(),
            sac_grade: e.sac_scale.map_or(0, |s| s.grade()),
            grade_pct: trailloop_solver::sustained_grade_pct(
                &e.geometry
                    .iter()
                    .map(|c| [c.lon, c.lat])
                    .collect::<Vec<_>>(),
                &e.elevations,
            ),
            closure_class: 0,
            geometry: e.geometry.iter().map(|c| [c.lon, c.lat]).collect(),
        })
        .collect();
    (nodes, edges)
}

/// The network cut into tiles as the service holds it (see `trailloop_osm::tiles`), and
/// the graph over all of them. Ids are as in [`to_solver_input`].
pub fn tiled_graph(network: &TrailData) -> TrailGraph {
    let (nodes, edges) = to_solver_input(network);
    let partition = Partition::of(network);
    let mut by_tile: BTreeMap<TileKey, Vec<EdgeInput>> = BTreeMap::new();
    for (e, tile) in edges.into_iter().zip(&partition.edge_tile) {
        by_tile.entry(*tile).or_default().push(e);
    }
    let tiles = by_tile
        .into_values()
        .map(|edges| {
            let mut ids: Vec<u64> = edges.iter().flat_map(|e| [e.source, e.target]).collect();
            ids.sort_unstable();
            ids.dedup();
            let shared: Vec<u64> = ids
                .iter()
                .copied()
                .filter(|&n| partition.shared[n as usize])
                .collect();
            let nodes = ids.iter().map(|&n| nodes[n as usize]).collect();
            Arc::new(GraphTile::new(nodes, edges, &shared, &[]).expect("a valid tile"))
        })
        .collect();
    TrailGraph::from_tiles(tiles)
}

/// Every trailhead's node, once each, in index order.
pub fn trailhead_nodes(network: &TrailData) -> Vec<u64> {
    let mut nodes: Vec<u64> = network
        .trailheads
        .iter()
        .map(|t| u64::from(t.node))
        .collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes
}

/// The `count` busiest trailhead nodes with their trail km within [`BUSY_RADIUS_M`].
pub fn busiest_trailheads(network: &TrailData, count: usize) -> Vec<(u64, f64)> {
    let mut g: UnGraph<(), f64> = UnGraph::with_capacity(network.nodes.len(), network.edges.len());
    for _ in &network.nodes {
        g.add_node(());
    }
    for e in &network.edges {
        g.add_edge(
            NodeIndex::new(e.source as usize),
            NodeIndex::new(e.target as usize),
            e.length_m,
        );
    }
    let mut starts: Vec<u32> = network.trailheads.iter().map(|t| t.node).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut ranked: Vec<(u64, f64)> = starts
        .into_iter()
        .map(|s| {
            let dist = dijkstra(&g, NodeIndex::new(s as usize), None, |e| *e.weight());
            let within = |n: u32| {
                dist.get(&NodeIndex::new(n as usize))
                    .is_some_and(|&d| d <= BUSY_RADIUS_M)
            };
            let km: f64 = network
                .edges
                .iter()
                .filter(|e| !e.highway.is_road() && within(e.source) && within(e.target))
                .map(|e| e.length_m)
                .sum::<f64>()
                / 1000.0;
            (u64::from(s), km)
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(count);
    ranked
}

/// Whether the uncontracted network has a simple cycle through `start` with length
/// error at most `tolerance`, as witnessed by a fundamental cycle of the shortest-path
/// tree: an edge whose ends hang below different first edges out of the start closes
/// the simple cycle `d(u) + w + d(v)`. Independent of the solver; finding no witness
/// proves nothing.
pub fn simple_cycle_witness(network: &TrailData, start: u64, target: f64, tolerance: f64) -> bool {
    let edges: Vec<(usize, usize, f64)> = network
        .edges
        .iter()
        .map(|e| (e.source as usize, e.target as usize, e.length_m))
        .collect();
    witness_in(
        network.nodes.len(),
        &edges,
        start as usize,
        target,
        tolerance,
    )
}

/// [`simple_cycle_witness`] on any undirected graph given as `(source, target, length)`
/// edges over nodes `0..n`.
pub fn witness_in(
    n: usize,
    edges: &[(usize, usize, f64)],
    start: usize,
    target: f64,
    tolerance: f64,
) -> bool {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (i, &(a, b, _)) in edges.iter().enumerate() {
        adj[a].push((i, b));
        adj[b].push((i, a));
    }
    let mut dist = vec![f64::INFINITY; n];
    let mut tree_edge = vec![usize::MAX; n];
    let mut branch = vec![usize::MAX; n];
    let mut heap = BinaryHeap::new();
    dist[start] = 0.0;
    branch[start] = start;
    // Distances in millimetres keep the heap on integers.
    heap.push(Reverse((0u64, start)));
    while let Some(Reverse((_, v))) = heap.pop() {
        for &(e, w) in &adj[v] {
            let nd = dist[v] + edges[e].2;
            if nd < dist[w] && nd <= target {
                dist[w] = nd;
                tree_edge[w] = e;
                branch[w] = if v == start { w } else { branch[v] };
                heap.push(Reverse(((nd * 1000.0) as u64, w)));
            }
        }
    }
    edges.iter().enumerate().any(|(i, &(u, v, w))| {
        let tree = tree_edge[u] == i || tree_edge[v] == i;
        let len = dist[u] + w + dist[v];
        let separate = u != v && (branch[u] != branch[v] || u == start || v == start);
        !tree && separate && len.is_finite() && (len - target).abs() <= tolerance * target
    })
}

/// A loop's edges join end to end from `start` back to `start`, and its length is the
/// sum of those between its approach there and back.
pub fn assert_walks_from_and_back_to(graph: &TrailGraph, start: u64, l: &Loop) {
    let mut at = start;
    for &e in &l.edges {
        let (from, to) = graph.edge_ends(e).expect("known edge");
        assert_eq!(from, at, "consecutive edges join");
        at = to;
    }
    assert_eq!(at, start, "closes at the start");
    let a = l.approach_edges;
    let summed: f64 = l.edges[a..l.edges.len() - a]
        .iter()
        .map(|e| graph.edge_length(e.id).expect("known"))
        .sum();
    assert!((summed - l.length_m).abs() < 1e-6 * summed);
}
