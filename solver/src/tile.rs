//! One piece of a trail network, built once: validated input, degree-2 chains
//! contracted (with the mapping back to the input edges), and the edges drawn side by
//! side. A [`TrailGraph`](crate::TrailGraph) is one or more tiles stitched at the nodes
//! they share.
//!
//! Contraction happens here, once. A query whose start lies inside a chain splits that
//! chain on the fly (see `neighbourhood`), so no node ever needs to be kept as a
//! junction just in case it becomes a start. Nodes shared with other tiles always stay
//! junctions: that is where a walk crosses from one tile into the next.

use std::collections::HashMap;

use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;

use crate::attrs::{Attrs, TrailStep};
use crate::demands::Demands;
use crate::error::GraphError;
use crate::input::{valid_lon_lat, validate_edge};
use crate::input::{EdgeInput, NodeInput};
use crate::side_by_side::{EdgeLine, SideBySide};

/// Sentinel for "no index".
pub(crate) const NONE: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub(crate) struct EdgeData {
    pub id: u64,
    /// Tile-local node indices.
    pub source: u32,
    pub target: u32,
    pub attrs: Attrs,
    pub demands: Demands,
    pub geometry: Vec<[f64; 2]>,
    /// The direction it leaves its source in and the one it leaves its target in (see
    /// `turns`).
    pub leave: [f32; 2],
}

/// A maximal path through degree-2 nodes between two junctions (equal for a ring).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chain {
    pub a: u32,
    pub b: u32,
    /// Range into the tile's chain steps, walked from `a` to `b`.
    pub steps: (u32, u32),
    pub attrs: Attrs,
    /// The most any of its edges demands.
    pub demands: Demands,
}

impl Chain {
    /// Input edges in the chain.
    pub fn step_count(&self) -> usize {
        (self.steps.1 - self.steps.0) as usize
    }
}

/// Where an input node sits in the contraction.
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
    /// The most any of the chain's edges demands.
    pub demands: Demands,
    /// The chain's length: the neighbourhood's Dijkstra reads these three for every
    /// entry and does not need the chain itself.
    pub len: f64,
}

/// Where a tile's shoelace sums are taken from. Every tile of one graph must use the
/// same origin, so that the pieces of a walk across tiles add up to its area.
pub(crate) const TILE_AREA_ORIGIN: [f64; 2] = [0.0, 0.0];

/// A piece of a trail network with its contraction, built once and shared (behind an
/// `Arc`) by every graph that includes it.
///
/// Indices inside a tile are its own; [`TrailGraph`](crate::TrailGraph) offsets them.
#[derive(Debug, Clone)]
pub struct GraphTile {
    pub(crate) positions: Vec<[f64; 2]>,
    pub(crate) node_ids: Vec<u64>,
    pub(crate) node_index: HashMap<u64, u32>,
    pub(crate) edges: Vec<EdgeData>,
    pub(crate) edge_index: HashMap<u64, u32>,
    pub(crate) places: Vec<Place>,
    /// Input node index of each junction.
    pub(crate) junctions: Vec<u32>,
    /// Per junction: whether other tiles hold edges at this node too.
    pub(crate) shared: Vec<bool>,
    /// `(node id, junction)` of the shared junctions.
    pub(crate) shared_nodes: Vec<(u64, u32)>,
    pub(crate) chains: Vec<Chain>,
    pub(crate) chain_steps: Vec<TrailStep>,
    /// CSR adjacency of junctions over chains (a self-loop chain appears once).
    pub(crate) adj_start: Vec<u32>,
    pub(crate) adj: Vec<ChainAdj>,
    /// Which edges are drawn side by side.
    pub(crate) side_by_side: SideBySide,
}

impl GraphTile {
    /// Validates the input, contracts chains of degree-2 nodes and finds the edges drawn
    /// side by side. Nodes in `shared` (other tiles hold edges there too: graphs over
    /// several tiles are stitched at them) and in `keep` (places a walk may have to
    /// visit, such as huts for multi-day walks) stay junctions. Ids that are not nodes
    /// of this tile are ignored.
    ///
    /// Parallel edges and self-loops are kept as they are (both can be part of a loop).
    pub fn new(
        nodes: Vec<NodeInput>,
        edges: Vec<EdgeInput>,
        shared: &[u64],
        keep: &[u64],
    ) -> Result<GraphTile, GraphError> {
        GraphTile::build(nodes, edges, shared, keep, TILE_AREA_ORIGIN)
    }

    pub(crate) fn build(
        nodes: Vec<NodeInput>,
        edges: Vec<EdgeInput>,
        shared: &[u64],
        keep: &[u64],
        area_origin: [f64; 2],
    ) -> Result<GraphTile, GraphError> {
        if nodes.len() >= NONE as usize || edges.len() >= NONE as usize {
            return Err(GraphError::TooLarge);
        }
        let mut topo: UnGraph<(), u32> = UnGraph::with_capacity(nodes.len(), edges.len());
        let mut node_index = HashMap::with_capacity(nodes.len());
        let mut node_ids = Vec::with_capacity(nodes.len());
        let mut positions = Vec::with_capacity(nodes.len());
        for n in &nodes {
            if !valid_lon_lat([n.lon, n.lat]) {
                return Err(GraphError::InvalidCoordinate { node: n.id });
            }
            let ix = topo.add_node(()).index() as u32;
            if node_index.insert(n.id, ix).is_some() {
                return Err(GraphError::DuplicateNode(n.id));
            }
            node_ids.push(n.id);
            positions.push([n.lon, n.lat]);
        }

        let mut edge_index = HashMap::with_capacity(edges.len());
        let mut data = Vec::with_capacity(edges.len());
        for e in edges {
            let data_ix = data.len() as u32;
            let edge = validate_edge(e, &node_index, &positions, area_origin)?;
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
        // Half a junction pass at each end that is a junction of three or more ways.
        for e in &mut data {
            let decision = |n: u32| Self::degree(&topo, n) >= 3;
            e.attrs.junctions = 0.5 * f64::from(u8::from(decision(e.source)))
                + 0.5 * f64::from(u8::from(decision(e.target)));
        }
        let flags = |ids: &[u64]| {
            let mut out = vec![false; node_ids.len()];
            for id in ids {
                if let Some(&ix) = node_index.get(id) {
                    out[ix as usize] = true;
                }
            }
            out
        };
        let (is_shared, kept) = (flags(shared), flags(keep));
        let forced: Vec<bool> = is_shared.iter().zip(&kept).map(|(a, b)| *a || *b).collect();

        let mut tile = GraphTile {
            positions,
            node_ids,
            node_index,
            edges: data,
            edge_index,
            places: Vec::new(),
            junctions: Vec::new(),
            shared: Vec::new(),
            shared_nodes: Vec::new(),
            chains: Vec::new(),
            chain_steps: Vec::new(),
            adj_start: Vec::new(),
            adj: Vec::new(),
            side_by_side: SideBySide::default(),
        };
        tile.contract(&topo, &forced, &is_shared);
        tile.side_by_side = tile.find_side_by_side();
        Ok(tile)
    }

    /// Input nodes.
    pub fn node_count(&self) -> usize {
        self.node_ids.len()
    }

    /// Input edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The `index`-th input edge's id and `[lon, lat]` vertices from source to target
    /// (its two nodes when it was given no geometry).
    pub fn edge_line(&self, index: usize) -> Option<(u64, Vec<[f64; 2]>)> {
        let e = self.edges.get(index)?;
        let line = if e.geometry.len() >= 2 {
            e.geometry.clone()
        } else {
            vec![
                self.positions[e.source as usize],
                self.positions[e.target as usize],
            ]
        };
        Some((e.id, line))
    }

    /// Bytes held on the heap, approximately (for cache accounting).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let map = |entries: usize, entry: usize| entries * (entry + 1) * 8 / 7;
        let geometry: usize = self
            .edges
            .iter()
            .map(|e| e.geometry.capacity() * size_of::<[f64; 2]>())
            .sum();
        self.positions.capacity() * size_of::<[f64; 2]>()
            + self.node_ids.capacity() * size_of::<u64>()
            + map(self.node_index.capacity(), 12)
            + self.edges.capacity() * size_of::<EdgeData>()
            + geometry
            + map(self.edge_index.capacity(), 12)
            + self.places.capacity() * size_of::<Place>()
            + self.junctions.capacity() * 4
            + self.shared.capacity()
            + self.shared_nodes.capacity() * size_of::<(u64, u32)>()
            + self.chains.capacity() * size_of::<Chain>()
            + self.chain_steps.capacity() * size_of::<TrailStep>()
            + self.adj_start.capacity() * 4
            + self.adj.capacity() * size_of::<ChainAdj>()
            + self.side_by_side.heap_bytes()
    }

    fn degree(topo: &UnGraph<(), u32>, node: u32) -> usize {
        // petgraph reports a self-loop once; it adds two to the degree.
        topo.edges(NodeIndex::new(node as usize))
            .map(|e| if e.source() == e.target() { 2 } else { 1 })
            .sum()
    }

    fn contract(&mut self, topo: &UnGraph<(), u32>, forced: &[bool], shared: &[bool]) {
        let n = self.node_ids.len();
        let mut places = vec![Place::Junction(NONE); n];
        for v in 0..n as u32 {
            if forced[v as usize] || Self::degree(topo, v) != 2 {
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
                let starts: Vec<u32> = topo
                    .edges(NodeIndex::new(u as usize))
                    .map(|e| *e.weight())
                    .collect();
                for e in starts {
                    if !used[e as usize] {
                        self.walk_chain(topo, u, e, &mut used, &mut places);
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
        self.shared = self.junctions.iter().map(|&v| shared[v as usize]).collect();
        self.shared_nodes = self
            .junctions
            .iter()
            .enumerate()
            .filter(|&(_, &v)| shared[v as usize])
            .map(|(j, &v)| (self.node_ids[v as usize], j as u32))
            .collect();
        self.build_adjacency();
    }

    fn walk_chain(
        &mut self,
        topo: &UnGraph<(), u32>,
        from: u32,
        first: u32,
        used: &mut [bool],
        places: &mut [Place],
    ) {
        let chain_ix = self.chains.len() as u32;
        let lo = self.chain_steps.len() as u32;
        let (mut node, mut edge) = (from, first);
        let mut attrs = Attrs::default();
        let mut demands = Demands::default();
        loop {
            used[edge as usize] = true;
            let e = &self.edges[edge as usize];
            let fwd = e.source == node;
            let next = if fwd { e.target } else { e.source };
            attrs.add(&e.attrs.oriented(fwd));
            demands = demands.max(e.demands);
            self.chain_steps.push(TrailStep { edge, fwd });
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
                        demands,
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
            edge = topo
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
                demands: Demands::default(),
                len: 0.0,
            };
            start[self.junctions.len()] as usize
        ];
        for (ix, c) in self.chains.iter().enumerate() {
            adj[fill[c.a as usize] as usize] = ChainAdj {
                chain: ix as u32,
                to: c.b,
                from_a: true,
                demands: c.demands,
                len: c.attrs.len,
            };
            fill[c.a as usize] += 1;
            if c.b != c.a {
                adj[fill[c.b as usize] as usize] = ChainAdj {
                    chain: ix as u32,
                    to: c.a,
                    from_a: false,
                    demands: c.demands,
                    len: c.attrs.len,
                };
                fill[c.b as usize] += 1;
            }
        }
        self.adj_start = start;
        self.adj = adj;
    }

    pub(crate) fn neighbours(&self, junction: u32) -> &[ChainAdj] {
        let lo = self.adj_start[junction as usize] as usize;
        let hi = self.adj_start[junction as usize + 1] as usize;
        &self.adj[lo..hi]
    }

    pub(crate) fn chain_steps(&self, chain: u32) -> &[TrailStep] {
        let (lo, hi) = self.chains[chain as usize].steps;
        &self.chain_steps[lo as usize..hi as usize]
    }

    fn find_side_by_side(&self) -> SideBySide {
        let ends: Vec<[[f64; 2]; 2]> = self
            .edges
            .iter()
            .map(|e| {
                [
                    self.positions[e.source as usize],
                    self.positions[e.target as usize],
                ]
            })
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
        SideBySide::find(&lines)
    }
}
