//! The trail graph: validated input, the original topology (a petgraph `UnGraph`), and
//! its degree-2 chain contraction with the mapping back to original edges.
//!
//! Contraction happens once, here. A query whose start lies inside a chain splits that
//! chain on the fly (see `ball`), so no node ever needs to be kept as a junction just in
//! case it becomes a start.

use std::collections::HashMap;

use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;

use crate::beside::{Beside, EdgeLine};
use crate::error::GraphError;
use crate::solution::DirectedEdge;

/// A node of the input graph: a junction, a trail end or a point along a trail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeInput {
    /// Caller's id, unique among nodes.
    pub id: u64,
    /// Longitude, WGS 84 degrees.
    pub lon: f64,
    /// Latitude, WGS 84 degrees.
    pub lat: f64,
}

/// An undirected trail segment of the input graph.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeInput {
    /// Caller's id, unique among edges; results refer to edges by it.
    pub id: u64,
    /// Node id where `geometry` starts.
    pub source: u64,
    /// Node id where `geometry` ends.
    pub target: u64,
    /// Length in metres (finite, not negative).
    pub length_m: f64,
    /// Climb walking from `source` to `target`, metres.
    pub ascent_m: f64,
    /// Descent walking from `source` to `target`, metres.
    pub descent_m: f64,
    /// A road cars use; penalised when the query avoids roads.
    pub is_road: bool,
    /// SAC hiking scale, 1 (T1) to 6 (T6); 0 when unknown.
    pub sac_grade: u8,
    /// `[lon, lat]` vertices from `source` to `target`; may be empty (a straight line).
    pub geometry: Vec<[f64; 2]>,
}

/// Sentinel for "no index".
pub(crate) const NONE: u32 = u32::MAX;

/// One original edge walked in a direction: the unit every path is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Step {
    pub edge: u32,
    pub fwd: bool,
}

/// Additive attributes of a walk piece in its forward direction.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Attrs {
    pub len: f64,
    pub road: f64,
    pub ascent: f64,
    pub descent: f64,
    /// Shoelace sum (degrees², relative to the graph's reference point), see `score`.
    pub area: f64,
}

impl Attrs {
    pub fn add(&mut self, other: &Attrs) {
        self.len += other.len;
        self.road += other.road;
        self.ascent += other.ascent;
        self.descent += other.descent;
        self.area += other.area;
    }

    pub fn sub(&mut self, other: &Attrs) {
        self.len -= other.len;
        self.road -= other.road;
        self.ascent -= other.ascent;
        self.descent -= other.descent;
        self.area -= other.area;
    }

    /// The same piece walked the other way.
    pub fn reversed(&self) -> Attrs {
        Attrs {
            ascent: self.descent,
            descent: self.ascent,
            area: -self.area,
            ..*self
        }
    }

    pub fn oriented(&self, fwd: bool) -> Attrs {
        if fwd {
            *self
        } else {
            self.reversed()
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct EdgeData {
    pub id: u64,
    pub source: u32,
    pub target: u32,
    pub attrs: Attrs,
    pub sac: u8,
    pub geometry: Vec<[f64; 2]>,
}

/// A maximal path through degree-2 nodes between two junctions (equal for a ring).
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub a: u32,
    pub b: u32,
    /// Range into `TrailGraph::chain_steps`, walked from `a` to `b`.
    pub steps: (u32, u32),
    pub attrs: Attrs,
    pub max_sac: u8,
}

/// Where an original node sits in the contraction.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Place {
    Junction(u32),
    /// Inside a chain, after `pos` of its steps.
    Interior {
        chain: u32,
        pos: u32,
    },
}

/// Adjacency entry of the contracted graph.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChainAdj {
    pub chain: u32,
    pub to: u32,
    /// Whether this end is the chain's `a`.
    pub from_a: bool,
    /// The chain's hardest SAC grade.
    pub max_sac: u8,
    /// The chain's length: the ball's Dijkstra reads these three for every entry and
    /// does not need the chain itself.
    pub len: f64,
}

/// An undirected trail network, validated and contracted, ready for many queries.
///
/// Built once with [`TrailGraph::new`]; immutable and `Sync`, so one graph serves every
/// thread of [`solve_many`](crate::solve_many).
#[derive(Debug, Clone)]
pub struct TrailGraph {
    /// Original topology; node weight = position, edge weight = index into `edges`.
    pub(crate) topo: UnGraph<[f64; 2], u32>,
    pub(crate) node_ids: Vec<u64>,
    pub(crate) node_index: HashMap<u64, u32>,
    pub(crate) edges: Vec<EdgeData>,
    pub(crate) edge_index: HashMap<u64, u32>,
    pub(crate) places: Vec<Place>,
    /// Original node index of each junction.
    pub(crate) junctions: Vec<u32>,
    pub(crate) chains: Vec<Chain>,
    pub(crate) chain_steps: Vec<Step>,
    /// CSR adjacency of junctions over chains (a self-loop chain appears once).
    pub(crate) adj_start: Vec<u32>,
    pub(crate) adj: Vec<ChainAdj>,
    /// Which edges are drawn beside which (see `beside`).
    pub(crate) beside: Beside,
}

fn valid_lon_lat(p: [f64; 2]) -> bool {
    p[0].is_finite() && p[1].is_finite() && p[0].abs() <= 180.0 && p[1].abs() <= 90.0
}

impl TrailGraph {
    /// Validates the input, then contracts chains of degree-2 nodes.
    ///
    /// Parallel edges and self-loops are kept as they are (both can be part of a loop).
    pub fn new(nodes: Vec<NodeInput>, edges: Vec<EdgeInput>) -> Result<TrailGraph, GraphError> {
        if nodes.len() >= NONE as usize || edges.len() >= NONE as usize {
            return Err(GraphError::TooLarge);
        }
        let mut topo = UnGraph::with_capacity(nodes.len(), edges.len());
        let mut node_index = HashMap::with_capacity(nodes.len());
        let mut node_ids = Vec::with_capacity(nodes.len());
        let (mut sum_lon, mut sum_lat) = (0.0, 0.0);
        for n in &nodes {
            if !valid_lon_lat([n.lon, n.lat]) {
                return Err(GraphError::InvalidCoordinate { node: n.id });
            }
            let ix = topo.add_node([n.lon, n.lat]).index() as u32;
            if node_index.insert(n.id, ix).is_some() {
                return Err(GraphError::DuplicateNode(n.id));
            }
            node_ids.push(n.id);
            sum_lon += n.lon;
            sum_lat += n.lat;
        }
        // Shoelace sums are taken relative to the mean position to keep them well
        // conditioned; a closed walk's sum does not depend on the choice.
        let count = nodes.len().max(1) as f64;
        let reference = [sum_lon / count, sum_lat / count];

        let mut edge_index = HashMap::with_capacity(edges.len());
        let mut data = Vec::with_capacity(edges.len());
        for e in edges {
            let data_ix = data.len() as u32;
            let edge = validate_edge(e, &node_index, &topo, reference)?;
            if edge_index.insert(edge.id, data_ix).is_some() {
                return Err(GraphError::DuplicateEdge(edge.id));
            }
            topo.add_edge(
                NodeIndex::new(edge.source as usize),
                NodeIndex::new(edge.target as usize),
                data_ix,
            );
            data.push(edge);
        }

        let mut graph = TrailGraph {
            topo,
            node_ids,
            node_index,
            edges: data,
            edge_index,
            places: Vec::new(),
            junctions: Vec::new(),
            chains: Vec::new(),
            chain_steps: Vec::new(),
            adj_start: Vec::new(),
            adj: Vec::new(),
            beside: Beside::default(),
        };
        graph.contract();
        graph.beside = graph.find_beside();
        Ok(graph)
    }

    /// Number of input nodes.
    pub fn node_count(&self) -> usize {
        self.node_ids.len()
    }

    /// Number of input edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Nodes left after contraction (junctions and trail ends).
    pub fn junction_count(&self) -> usize {
        self.junctions.len()
    }

    /// Edges left after contraction (each a chain of input edges).
    pub fn chain_count(&self) -> usize {
        self.chains.len()
    }

    /// Whether `id` is a node of the graph.
    pub fn contains_node(&self, id: u64) -> bool {
        self.node_index.contains_key(&id)
    }

    /// `[lon, lat]` of a node.
    pub fn node_position(&self, id: u64) -> Option<[f64; 2]> {
        let ix = *self.node_index.get(&id)?;
        Some(self.topo[NodeIndex::new(ix as usize)])
    }

    /// Length in metres of an input edge.
    pub fn edge_length(&self, id: u64) -> Option<f64> {
        Some(self.edges[*self.edge_index.get(&id)? as usize].attrs.len)
    }

    /// Node ids `(from, to)` of an edge walked in the given direction.
    pub fn edge_ends(&self, edge: DirectedEdge) -> Option<(u64, u64)> {
        let e = &self.edges[*self.edge_index.get(&edge.id)? as usize];
        let (s, t) = (
            self.node_ids[e.source as usize],
            self.node_ids[e.target as usize],
        );
        Some(if edge.forward { (s, t) } else { (t, s) })
    }

    /// The `[lon, lat]` polyline of one edge in its walking direction (the straight line
    /// between its nodes when the input had no geometry).
    pub fn edge_polyline(&self, edge: DirectedEdge) -> Option<Vec<[f64; 2]>> {
        let e = &self.edges[*self.edge_index.get(&edge.id)? as usize];
        let mut line = if e.geometry.len() >= 2 {
            e.geometry.clone()
        } else {
            vec![self.position(e.source), self.position(e.target)]
        };
        if !edge.forward {
            line.reverse();
        }
        Some(line)
    }

    /// The polyline of a walk: edge polylines in order, each shared joint written once.
    /// Unknown edge ids are skipped.
    pub fn walk_polyline(&self, edges: &[DirectedEdge]) -> Vec<[f64; 2]> {
        let mut out: Vec<[f64; 2]> = Vec::new();
        for line in edges.iter().filter_map(|&e| self.edge_polyline(e)) {
            let skip = usize::from(out.last() == line.first());
            out.extend_from_slice(&line[skip..]);
        }
        out
    }

    /// Length of an input edge beside each edge beside it, by edge id: a sidewalk and
    /// its street, say, or a trail mapped twice. Walking both counts as sharing.
    pub fn edges_beside(&self, id: u64) -> Vec<(u64, f64)> {
        self.edge_index.get(&id).map_or(Vec::new(), |&e| {
            self.beside
                .of(e)
                .iter()
                .map(|&(f, len)| (self.edges[f as usize].id, len))
                .collect()
        })
    }

    fn find_beside(&self) -> Beside {
        let ends: Vec<[[f64; 2]; 2]> = self
            .edges
            .iter()
            .map(|e| [self.position(e.source), self.position(e.target)])
            .collect();
        let lines: Vec<EdgeLine> = self
            .edges
            .iter()
            .zip(&ends)
            .map(|(e, ends)| EdgeLine {
                source: e.source,
                target: e.target,
                length_m: e.attrs.len,
                line: if e.geometry.len() >= 2 {
                    &e.geometry
                } else {
                    ends
                },
            })
            .collect();
        Beside::find(&lines)
    }

    pub(crate) fn position(&self, ix: u32) -> [f64; 2] {
        self.topo[NodeIndex::new(ix as usize)]
    }

    pub(crate) fn chain_steps(&self, chain: u32) -> &[Step] {
        let (lo, hi) = self.chains[chain as usize].steps;
        &self.chain_steps[lo as usize..hi as usize]
    }

    pub(crate) fn neighbours(&self, junction: u32) -> &[ChainAdj] {
        let lo = self.adj_start[junction as usize] as usize;
        let hi = self.adj_start[junction as usize + 1] as usize;
        &self.adj[lo..hi]
    }

    /// Attributes of a run of steps, in walking order.
    pub(crate) fn steps_attrs(&self, steps: &[Step]) -> (Attrs, u8) {
        let mut attrs = Attrs::default();
        let mut sac = 0;
        for s in steps {
            let e = &self.edges[s.edge as usize];
            attrs.add(&e.attrs.oriented(s.fwd));
            sac = sac.max(e.sac);
        }
        (attrs, sac)
    }

    fn degree(&self, node: u32) -> usize {
        // petgraph reports a self-loop once; it adds two to the degree.
        self.topo
            .edges(NodeIndex::new(node as usize))
            .map(|e| if e.source() == e.target() { 2 } else { 1 })
            .sum()
    }

    fn contract(&mut self) {
        let n = self.node_ids.len();
        let mut places = vec![Place::Junction(NONE); n];
        for v in 0..n as u32 {
            if self.degree(v) != 2 {
                places[v as usize] = Place::Junction(self.junctions.len() as u32);
                self.junctions.push(v);
            }
        }
        let mut used = vec![false; self.edges.len()];
        let mut next_junction = 0;
        loop {
            // Walk every chain out of every junction; whatever stays unused afterwards is
            // a ring of degree-2 nodes, which gets one of its nodes promoted to junction.
            while next_junction < self.junctions.len() {
                let u = self.junctions[next_junction];
                let starts: Vec<u32> = self
                    .topo
                    .edges(NodeIndex::new(u as usize))
                    .map(|e| *e.weight())
                    .collect();
                for e in starts {
                    if !used[e as usize] {
                        self.walk_chain(u, e, &mut used, &mut places);
                    }
                }
                next_junction += 1;
            }
            match used.iter().position(|&u| !u) {
                Some(e) => {
                    let v = self.edges[e].source;
                    places[v as usize] = Place::Junction(self.junctions.len() as u32);
                    self.junctions.push(v);
                }
                None => break,
            }
        }
        self.places = places;
        self.build_adjacency();
    }

    fn walk_chain(&mut self, from: u32, first: u32, used: &mut [bool], places: &mut [Place]) {
        let chain_ix = self.chains.len() as u32;
        let lo = self.chain_steps.len() as u32;
        let (mut node, mut edge) = (from, first);
        let mut attrs = Attrs::default();
        let mut max_sac = 0;
        loop {
            used[edge as usize] = true;
            let e = &self.edges[edge as usize];
            let fwd = e.source == node;
            let next = if fwd { e.target } else { e.source };
            attrs.add(&e.attrs.oriented(fwd));
            max_sac = max_sac.max(e.sac);
            self.chain_steps.push(Step { edge, fwd });
            if let Place::Junction(j) = places[next as usize] {
                if j != NONE {
                    let a = match places[from as usize] {
                        Place::Junction(a) => a,
                        Place::Interior { .. } => unreachable!("chains start at junctions"),
                    };
                    let hi = self.chain_steps.len() as u32;
                    self.chains.push(Chain {
                        a,
                        b: j,
                        steps: (lo, hi),
                        attrs,
                        max_sac,
                    });
                    return;
                }
            }
            let pos = self.chain_steps.len() as u32 - lo;
            places[next as usize] = Place::Interior {
                chain: chain_ix,
                pos,
            };
            node = next;
            edge = self
                .topo
                .edges(NodeIndex::new(node as usize))
                .map(|r| *r.weight())
                .find(|&w| w != edge)
                .expect("an interior node has a second edge");
        }
    }

    fn build_adjacency(&mut self) {
        let mut degree = vec![0u32; self.junctions.len() + 1];
        for c in &self.chains {
            degree[c.a as usize] += 1;
            if c.b != c.a {
                degree[c.b as usize] += 1;
            }
        }
        let mut start = vec![0u32; self.junctions.len() + 1];
        for j in 0..self.junctions.len() {
            start[j + 1] = start[j] + degree[j];
        }
        let mut fill = start.clone();
        let mut adj = vec![
            ChainAdj {
                chain: NONE,
                to: NONE,
                from_a: true,
                max_sac: 0,
                len: 0.0,
            };
            start[self.junctions.len()] as usize
        ];
        for (ix, c) in self.chains.iter().enumerate() {
            adj[fill[c.a as usize] as usize] = ChainAdj {
                chain: ix as u32,
                to: c.b,
                from_a: true,
                max_sac: c.max_sac,
                len: c.attrs.len,
            };
            fill[c.a as usize] += 1;
            if c.b != c.a {
                adj[fill[c.b as usize] as usize] = ChainAdj {
                    chain: ix as u32,
                    to: c.a,
                    from_a: false,
                    max_sac: c.max_sac,
                    len: c.attrs.len,
                };
                fill[c.b as usize] += 1;
            }
        }
        self.adj_start = start;
        self.adj = adj;
    }
}

fn validate_edge(
    e: EdgeInput,
    node_index: &HashMap<u64, u32>,
    topo: &UnGraph<[f64; 2], u32>,
    reference: [f64; 2],
) -> Result<EdgeData, GraphError> {
    let lookup = |node: u64| {
        node_index
            .get(&node)
            .copied()
            .ok_or(GraphError::UnknownNode { edge: e.id, node })
    };
    let (source, target) = (lookup(e.source)?, lookup(e.target)?);
    let attribute_ok = |v: f64| v.is_finite() && v >= 0.0;
    for (name, value) in [
        ("length_m", e.length_m),
        ("ascent_m", e.ascent_m),
        ("descent_m", e.descent_m),
    ] {
        if !attribute_ok(value) {
            return Err(GraphError::InvalidAttribute {
                edge: e.id,
                name,
                value,
            });
        }
    }
    if e.sac_grade > 6 {
        return Err(GraphError::InvalidAttribute {
            edge: e.id,
            name: "sac_grade",
            value: f64::from(e.sac_grade),
        });
    }
    if !e.geometry.iter().all(|&p| valid_lon_lat(p)) {
        return Err(GraphError::InvalidGeometry { edge: e.id });
    }
    let pos = |ix: u32| topo[NodeIndex::new(ix as usize)];
    // The shoelace terms use the node positions at both ends, so a closed walk gives a
    // closed polygon even if the geometry's end vertices are a little off the nodes.
    let mut points = vec![pos(source)];
    if e.geometry.len() > 2 {
        points.extend_from_slice(&e.geometry[1..e.geometry.len() - 1]);
    }
    points.push(pos(target));
    let area = points
        .windows(2)
        .map(|w| {
            let (x0, y0) = (w[0][0] - reference[0], w[0][1] - reference[1]);
            let (x1, y1) = (w[1][0] - reference[0], w[1][1] - reference[1]);
            x0 * y1 - x1 * y0
        })
        .sum();
    Ok(EdgeData {
        id: e.id,
        source,
        target,
        attrs: Attrs {
            len: e.length_m,
            road: if e.is_road { e.length_m } else { 0.0 },
            ascent: e.ascent_m,
            descent: e.descent_m,
            area,
        },
        sac: e.sac_grade,
        geometry: e.geometry,
    })
}
