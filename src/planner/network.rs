//! The planning network: the solver's trail graph plus what presenting a loop needs
//! (edge geometry and names, node elevations, points of interest).

use std::collections::HashMap;

use trailloop_osm::{Coord, Highway, Network, PoiKind, SacScale};
use trailloop_solver::{EdgeInput, NodeInput, TrailGraph};

/// A node as loaded from PostGIS.
#[derive(Debug, Clone, PartialEq)]
pub struct SubgraphNode {
    /// Node id (OSM node id).
    pub id: i64,
    /// Location.
    pub coord: Coord,
    /// Elevation, metres.
    pub elevation_m: Option<f64>,
}

/// An edge as loaded from PostGIS.
#[derive(Debug, Clone, PartialEq)]
pub struct SubgraphEdge {
    /// Edge id.
    pub id: i64,
    /// First node of `geometry`.
    pub source: i64,
    /// Last node of `geometry`.
    pub target: i64,
    /// Vertices from source to target.
    pub geometry: Vec<Coord>,
    /// Metres.
    pub length_m: f64,
    /// Climb source to target, metres.
    pub ascent_m: f64,
    /// Descent source to target, metres.
    pub descent_m: f64,
    /// Highway class.
    pub highway: Highway,
    /// Trail name.
    pub name: Option<String>,
    /// SAC grade.
    pub sac_scale: Option<SacScale>,
    /// Hiking routes it belongs to.
    pub routes: Vec<String>,
}

/// A point of interest as loaded from PostGIS.
#[derive(Debug, Clone, PartialEq)]
pub struct SubgraphPoi {
    /// The node it is snapped to.
    pub node_id: i64,
    /// What it is.
    pub kind: PoiKind,
    /// Name.
    pub name: Option<String>,
    /// Where it is.
    pub coord: Coord,
}

/// The rows of one subgraph query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subgraph {
    /// Nodes that edges refer to.
    pub nodes: Vec<SubgraphNode>,
    /// Edges.
    pub edges: Vec<SubgraphEdge>,
    /// Points of interest on those nodes.
    pub pois: Vec<SubgraphPoi>,
}

/// What presenting a loop needs of an edge (its geometry lives in the solver graph).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EdgeMeta {
    pub source: i64,
    pub target: i64,
    pub length_m: f64,
    pub ascent_m: f64,
    pub descent_m: f64,
    pub highway: Highway,
    pub name: Option<String>,
    pub sac_scale: Option<SacScale>,
}

/// A network ready for planning: the solver's graph and what presentation needs.
pub struct PlanningNetwork {
    pub(crate) graph: TrailGraph,
    pub(crate) edges: HashMap<u64, EdgeMeta>,
    pub(crate) pois: HashMap<i64, Vec<SubgraphPoi>>,
}

fn coord_pair(c: Coord) -> [f64; 2] {
    [c.lon, c.lat]
}

impl PlanningNetwork {
    /// Builds from database rows. Node positions come from the edges' end vertices, so a
    /// subgraph needs no separate node rows.
    pub fn from_subgraph(subgraph: Subgraph) -> anyhow::Result<PlanningNetwork> {
        let mut nodes: HashMap<i64, NodeInput> = HashMap::new();
        let mut edges = HashMap::with_capacity(subgraph.edges.len());
        let mut inputs = Vec::with_capacity(subgraph.edges.len());
        for e in subgraph.edges {
            let (Some(&first), Some(&last)) = (e.geometry.first(), e.geometry.last()) else {
                anyhow::bail!("edge {} has no geometry", e.id);
            };
            for (id, c) in [(e.source, first), (e.target, last)] {
                nodes.entry(id).or_insert(NodeInput {
                    id: id as u64,
                    lon: c.lon,
                    lat: c.lat,
                });
            }
            inputs.push(EdgeInput {
                id: e.id as u64,
                source: e.source as u64,
                target: e.target as u64,
                length_m: e.length_m,
                ascent_m: e.ascent_m,
                descent_m: e.descent_m,
                is_road: e.highway.is_road(),
                sac_grade: e.sac_scale.map_or(0, SacScale::grade),
                geometry: e.geometry.iter().copied().map(coord_pair).collect(),
            });
            edges.insert(
                e.id as u64,
                EdgeMeta {
                    source: e.source,
                    target: e.target,
                    length_m: e.length_m,
                    ascent_m: e.ascent_m,
                    descent_m: e.descent_m,
                    highway: e.highway,
                    name: e.name,
                    sac_scale: e.sac_scale,
                },
            );
        }
        for n in subgraph.nodes {
            nodes.entry(n.id).or_insert(NodeInput {
                id: n.id as u64,
                lon: n.coord.lon,
                lat: n.coord.lat,
            });
        }
        let mut nodes: Vec<NodeInput> = nodes.into_values().collect();
        // HashMap order is random; the graph (and so every answer) must not be.
        nodes.sort_by_key(|n| n.id);
        inputs.sort_by_key(|e| e.id);
        let graph = TrailGraph::new(nodes, inputs)?;
        let mut pois: HashMap<i64, Vec<SubgraphPoi>> = HashMap::new();
        for p in subgraph.pois {
            pois.entry(p.node_id).or_default().push(p);
        }
        Ok(PlanningNetwork { graph, edges, pois })
    }

    /// Builds from a whole in-memory network (embedded mode): node ids are OSM ids, edge
    /// ids are indices in `network.edges`.
    pub fn from_network(network: &Network) -> anyhow::Result<PlanningNetwork> {
        let node_id = |i: u32| network.nodes[i as usize].osm_id;
        let subgraph = Subgraph {
            nodes: network
                .nodes
                .iter()
                .map(|n| SubgraphNode {
                    id: n.osm_id,
                    coord: n.coord,
                    elevation_m: n.elevation_m,
                })
                .collect(),
            edges: network
                .edges
                .iter()
                .enumerate()
                .map(|(i, e)| SubgraphEdge {
                    id: i as i64,
                    source: node_id(e.source),
                    target: node_id(e.target),
                    geometry: e.geometry.clone(),
                    length_m: e.length_m,
                    ascent_m: e.ascent_m,
                    descent_m: e.descent_m,
                    highway: e.highway,
                    name: e.name.clone(),
                    sac_scale: e.sac_scale,
                    routes: e.routes.clone(),
                })
                .collect(),
            pois: network
                .pois
                .iter()
                .map(|p| SubgraphPoi {
                    node_id: node_id(p.node),
                    kind: p.kind,
                    name: p.name.clone(),
                    coord: p.coord,
                })
                .collect(),
        };
        PlanningNetwork::from_subgraph(subgraph)
    }

    /// Nodes in the graph.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Edges in the graph.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Whether loops can start at `node_id`.
    pub fn contains_node(&self, node_id: i64) -> bool {
        self.graph.contains_node(node_id as u64)
    }
}
