//! The trail graph a search runs on: one or more [`GraphTile`]s stitched at the nodes
//! they share, behind graph-wide indices.
//!
//! Tiles are built once and shared; a graph over a set of tiles is cheap to make (it
//! offsets indices and merges the junctions that two tiles both hold), so a caller can
//! keep a network in memory by tile and plan on just the tiles a request needs. A
//! junction held by several tiles is one junction here (the first tile's, the
//! *canonical* one) whose adjacency is the union of its twins'.

use std::collections::HashMap;
use std::sync::Arc;

use crate::attrs::{Attrs, TrailStep};
use crate::demands::Demands;
use crate::error::GraphError;
use crate::input::{EdgeInput, NodeInput};
use crate::solution::DirectedEdge;
use crate::tile::{Chain, ChainAdj, EdgeData, GraphTile, Place};
use crate::turns;

/// Where an input edge is: which tile of the graph, and its index in that tile's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeLocation {
    /// Index into the tiles the graph was made from.
    pub tile: usize,
    /// Index of the edge in that tile's input (the order of [`GraphTile::new`]'s edges).
    pub index: usize,
}

/// Per tile, where its indices start in the graph's (one more entry: the totals).
#[derive(Debug, Clone, Default)]
struct Bases {
    node: Vec<u32>,
    junction: Vec<u32>,
    chain: Vec<u32>,
    edge: Vec<u32>,
}

/// An undirected trail network, validated and contracted, ready for many queries.
///
/// Built from one tile with [`TrailGraph::new`], or from shared tiles with
/// [`TrailGraph::from_tiles`]; immutable and `Sync`, so one graph serves every thread of
/// [`solve_many`](crate::solve_many).
#[derive(Debug, Clone)]
pub struct TrailGraph {
    tiles: Vec<Arc<GraphTile>>,
    bases: Bases,
    /// Graph-wide junction of a twin -> the canonical junction of its node.
    twin_of: HashMap<u32, u32>,
    /// Canonical shared junction -> the adjacency of all its twins, in graph indices.
    merged: HashMap<u32, Vec<ChainAdj>>,
}

/// The last index `i` with `bases[i] <= id`: the tile holding graph-wide index `id`.
fn tile_of(bases: &[u32], id: u32) -> usize {
    if bases.len() <= 2 {
        return 0;
    }
    bases.partition_point(|&b| b <= id) - 1
}

impl TrailGraph {
    /// A graph of one tile: validates the input, then contracts chains of degree-2
    /// nodes.
    pub fn new(nodes: Vec<NodeInput>, edges: Vec<EdgeInput>) -> Result<TrailGraph, GraphError> {
        let count = nodes.len().max(1) as f64;
        let (sum_lon, sum_lat) = nodes
            .iter()
            .fold((0.0, 0.0), |(x, y), n| (x + n.lon, y + n.lat));
        let origin = [sum_lon / count, sum_lat / count];
        let tile = GraphTile::build(nodes, edges, &[], &[], origin)?;
        Ok(TrailGraph::from_tiles(vec![Arc::new(tile)]))
    }

    /// A graph of one tile whose nodes `keep` stay junctions (places a multi-day walk
    /// may sleep at: see [`Query::nights`](crate::Query)).
    pub fn keeping(
        nodes: Vec<NodeInput>,
        edges: Vec<EdgeInput>,
        keep: &[u64],
    ) -> Result<TrailGraph, GraphError> {
        let tile = GraphTile::build(nodes, edges, &[], keep, crate::tile::TILE_AREA_ORIGIN)?;
        Ok(TrailGraph::from_tiles(vec![Arc::new(tile)]))
    }

    /// A graph over `tiles`, stitched at the nodes they share (see [`GraphTile::new`]).
    /// Edge ids must be unique across the tiles. Costs time in the number of shared
    /// junctions, not in the size of the tiles.
    pub fn from_tiles(tiles: Vec<Arc<GraphTile>>) -> TrailGraph {
        let mut bases = Bases::default();
        let (mut n, mut j, mut c, mut e) = (0u32, 0u32, 0u32, 0u32);
        for t in &tiles {
            bases.node.push(n);
            bases.junction.push(j);
            bases.chain.push(c);
            bases.edge.push(e);
            n += t.node_ids.len() as u32;
            j += t.junctions.len() as u32;
            c += t.chains.len() as u32;
            e += t.edges.len() as u32;
        }
        bases.node.push(n);
        bases.junction.push(j);
        bases.chain.push(c);
        bases.edge.push(e);
        let mut graph = TrailGraph {
            tiles,
            bases,
            twin_of: HashMap::new(),
            merged: HashMap::new(),
        };
        let mut canonical: HashMap<u64, u32> = HashMap::new();
        for (t, tile) in graph.tiles.iter().enumerate() {
            for &(id, local) in &tile.shared_nodes {
                let g = graph.bases.junction[t] + local;
                match canonical.get(&id) {
                    Some(&c) => {
                        graph.twin_of.insert(g, c);
                    }
                    None => {
                        canonical.insert(id, g);
                    }
                }
            }
        }
        let mut merged: HashMap<u32, Vec<ChainAdj>> = HashMap::new();
        for (t, tile) in graph.tiles.iter().enumerate() {
            for &(_, local) in &tile.shared_nodes {
                let c = graph.canonical(t, local);
                let adjacency = tile
                    .neighbours(local)
                    .iter()
                    .map(|a| graph.global_adj(t, a));
                merged.entry(c).or_default().extend(adjacency);
            }
        }
        graph.merged = merged;
        graph
    }

    /// The tiles, in the order given.
    pub fn tiles(&self) -> &[Arc<GraphTile>] {
        &self.tiles
    }

    /// Number of input nodes (a node shared by two tiles counts twice).
    pub fn node_count(&self) -> usize {
        *self.bases.node.last().unwrap_or(&0) as usize
    }

    /// Number of input edges.
    pub fn edge_count(&self) -> usize {
        *self.bases.edge.last().unwrap_or(&0) as usize
    }

    /// Nodes left after contraction (junctions and trail ends).
    pub fn junction_count(&self) -> usize {
        *self.bases.junction.last().unwrap_or(&0) as usize - self.twin_of.len()
    }

    /// Edges left after contraction (each a chain of input edges).
    pub fn chain_count(&self) -> usize {
        *self.bases.chain.last().unwrap_or(&0) as usize
    }

    /// Whether `id` is a node of the graph.
    pub fn contains_node(&self, id: u64) -> bool {
        self.node_of_id(id).is_some()
    }

    /// `[lon, lat]` of a node.
    pub fn node_position(&self, id: u64) -> Option<[f64; 2]> {
        Some(self.position(self.node_of_id(id)?))
    }

    /// Which tile holds an edge, and where in its input.
    pub fn edge_location(&self, id: u64) -> Option<EdgeLocation> {
        self.tiles.iter().enumerate().find_map(|(tile, t)| {
            t.edge_index.get(&id).map(|&ix| EdgeLocation {
                tile,
                index: ix as usize,
            })
        })
    }

    /// Length in metres of an input edge.
    pub fn edge_length(&self, id: u64) -> Option<f64> {
        Some(self.edge(self.edge_of_id(id)?).attrs.len)
    }

    /// `(ascent, descent)` in metres of an edge walked in the given direction.
    pub fn edge_climb(&self, edge: DirectedEdge) -> Option<(f64, f64)> {
        let a = self
            .edge(self.edge_of_id(edge.id)?)
            .attrs
            .oriented(edge.forward);
        Some((a.ascent, a.descent))
    }

    /// Node ids `(from, to)` of an edge walked in the given direction.
    pub fn edge_ends(&self, edge: DirectedEdge) -> Option<(u64, u64)> {
        let loc = self.edge_location(edge.id)?;
        let tile = &self.tiles[loc.tile];
        let e = &tile.edges[loc.index];
        let (s, t) = (
            tile.node_ids[e.source as usize],
            tile.node_ids[e.target as usize],
        );
        Some(if edge.forward { (s, t) } else { (t, s) })
    }

    /// The `[lon, lat]` polyline of one edge in its walking direction (the straight line
    /// between its nodes when the input had no geometry).
    pub fn edge_polyline(&self, edge: DirectedEdge) -> Option<Vec<[f64; 2]>> {
        let loc = self.edge_location(edge.id)?;
        let tile = &self.tiles[loc.tile];
        let e = &tile.edges[loc.index];
        let mut line = if e.geometry.len() >= 2 {
            e.geometry.clone()
        } else {
            vec![
                tile.positions[e.source as usize],
                tile.positions[e.target as usize],
            ]
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

    /// The edges drawn side by side with an input edge, by edge id, each with the length
    /// of this edge beside it: a sidewalk and its street, say, or a trail mapped twice.
    /// Walking both counts as sharing.
    pub fn edges_side_by_side(&self, id: u64) -> Vec<(u64, f64)> {
        self.edge_of_id(id).map_or(Vec::new(), |e| {
            self.side_by_side(e)
                .map(|(f, len)| (self.edge(f).id, len))
                .collect()
        })
    }

    // --- graph-wide indices, for the search ---------------------------------------

    fn canonical(&self, tile: usize, local_junction: u32) -> u32 {
        let g = self.bases.junction[tile] + local_junction;
        if self.tiles[tile].shared[local_junction as usize] {
            *self.twin_of.get(&g).unwrap_or(&g)
        } else {
            g
        }
    }

    fn global_adj(&self, tile: usize, a: &ChainAdj) -> ChainAdj {
        ChainAdj {
            chain: self.bases.chain[tile] + a.chain,
            to: self.canonical(tile, a.to),
            ..*a
        }
    }

    /// One more than the largest junction index (junction-sized arrays use it).
    pub(crate) fn junction_slots(&self) -> usize {
        *self.bases.junction.last().unwrap_or(&0) as usize
    }

    pub(crate) fn node_of_id(&self, id: u64) -> Option<u32> {
        self.tiles
            .iter()
            .enumerate()
            .find_map(|(t, tile)| tile.node_index.get(&id).map(|&ix| self.bases.node[t] + ix))
    }

    pub(crate) fn edge_of_id(&self, id: u64) -> Option<u32> {
        let loc = self.edge_location(id)?;
        Some(self.bases.edge[loc.tile] + loc.index as u32)
    }

    pub(crate) fn place(&self, node: u32) -> Place {
        let t = tile_of(&self.bases.node, node);
        let local = node - self.bases.node[t];
        match self.tiles[t].places[local as usize] {
            Place::Junction(j) => Place::Junction(self.canonical(t, j)),
            Place::Interior { chain, pos } => Place::Interior {
                chain: self.bases.chain[t] + chain,
                pos,
            },
        }
    }

    /// The input id of a node.
    pub(crate) fn node_id(&self, node: u32) -> u64 {
        let t = tile_of(&self.bases.node, node);
        self.tiles[t].node_ids[(node - self.bases.node[t]) as usize]
    }

    /// The input id of the node a step arrives at.
    pub(crate) fn step_head_id(&self, step: TrailStep) -> u64 {
        let t = tile_of(&self.bases.edge, step.edge);
        let tile = &self.tiles[t];
        let e = &tile.edges[(step.edge - self.bases.edge[t]) as usize];
        tile.node_ids[if step.fwd { e.target } else { e.source } as usize]
    }

    pub(crate) fn position(&self, node: u32) -> [f64; 2] {
        let t = tile_of(&self.bases.node, node);
        self.tiles[t].positions[(node - self.bases.node[t]) as usize]
    }

    /// The input node a junction stands for.
    pub(crate) fn junction_node(&self, junction: u32) -> u32 {
        let t = tile_of(&self.bases.junction, junction);
        let local = junction - self.bases.junction[t];
        self.bases.node[t] + self.tiles[t].junctions[local as usize]
    }

    /// A chain, its ends as canonical junctions.
    pub(crate) fn chain(&self, chain: u32) -> Chain {
        let t = tile_of(&self.bases.chain, chain);
        let c = self.tiles[t].chains[(chain - self.bases.chain[t]) as usize];
        Chain {
            a: self.canonical(t, c.a),
            b: self.canonical(t, c.b),
            ..c
        }
    }

    /// The steps of a chain walked from its `a` end.
    pub(crate) fn chain_steps(
        &self,
        chain: u32,
    ) -> impl DoubleEndedIterator<Item = TrailStep> + ExactSizeIterator + Clone + '_ {
        let t = tile_of(&self.bases.chain, chain);
        let base = self.bases.edge[t];
        self.tiles[t]
            .chain_steps(chain - self.bases.chain[t])
            .iter()
            .map(move |s| TrailStep {
                edge: base + s.edge,
                fwd: s.fwd,
            })
    }

    pub(crate) fn neighbours(&self, junction: u32) -> Neighbours<'_> {
        if self.tiles.len() == 1 && self.merged.is_empty() {
            // One tile, nothing shared: its indices are the graph's.
            return Neighbours::Merged(self.tiles[0].neighbours(junction).iter());
        }
        let t = tile_of(&self.bases.junction, junction);
        let local = junction - self.bases.junction[t];
        let tile = &self.tiles[t];
        if tile.shared[local as usize] {
            if let Some(m) = self.merged.get(&junction) {
                return Neighbours::Merged(m.iter());
            }
        }
        Neighbours::Tile {
            adj: tile.neighbours(local).iter(),
            graph: self,
            tile: t,
        }
    }

    pub(crate) fn edge(&self, edge: u32) -> &EdgeData {
        let t = tile_of(&self.bases.edge, edge);
        &self.tiles[t].edges[(edge - self.bases.edge[t]) as usize]
    }

    /// The edges drawn side by side with `edge`, each with the length of `edge` beside it.
    pub(crate) fn side_by_side(&self, edge: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        let t = tile_of(&self.bases.edge, edge);
        let base = self.bases.edge[t];
        self.tiles[t]
            .side_by_side
            .of(edge - base)
            .iter()
            .map(move |&(f, len)| (base + f, len))
    }

    /// Whether a junction is a decision: three or more ways meet there.
    pub(crate) fn is_decision(&self, junction: u32) -> bool {
        self.neighbours(junction).nth(2).is_some()
    }

    /// The direction a step leaves its first node in (see [`turns`]).
    #[inline]
    pub(crate) fn step_leave(&self, step: TrailStep) -> f32 {
        self.edge(step.edge).leave[usize::from(!step.fwd)]
    }

    /// The direction back along a step from the node it arrives at.
    #[inline]
    pub(crate) fn step_back(&self, step: TrailStep) -> f32 {
        self.edge(step.edge).leave[usize::from(step.fwd)]
    }

    /// Whether walking `into` then `out` turns at a decision (`out` leaves where `into`
    /// arrives).
    pub(crate) fn turns_between(&self, into: TrailStep, out: TrailStep) -> bool {
        let Place::Junction(j) = self.place(self.step_head(into)) else {
            return false;
        };
        turns::is_turn(self.step_back(into), self.step_leave(out)) && self.is_decision(j)
    }

    /// Junction turns of a walk given as steps: at every node between two steps that
    /// is a decision (see [`turns`]). The walk's first and last nodes are not counted.
    pub(crate) fn walk_turns(&self, steps: &[TrailStep]) -> f64 {
        steps
            .windows(2)
            .filter(|w| self.turns_between(w[0], w[1]))
            .count() as f64
    }

    /// The node index a step arrives at.
    fn step_head(&self, step: TrailStep) -> u32 {
        let t = tile_of(&self.bases.edge, step.edge);
        let e = &self.tiles[t].edges[(step.edge - self.bases.edge[t]) as usize];
        self.bases.node[t] + if step.fwd { e.target } else { e.source }
    }

    /// Measures of a run of steps, in walking order, and the most it demands.
    pub(crate) fn steps_attrs(&self, steps: &[TrailStep]) -> (Attrs, Demands) {
        let mut attrs = Attrs::default();
        let mut demands = Demands::default();
        for s in steps {
            let e = self.edge(s.edge);
            attrs.add(&e.attrs.oriented(s.fwd));
            demands = demands.max(e.demands);
        }
        (attrs, demands)
    }
}

/// The chains at a junction, in graph-wide indices.
pub(crate) enum Neighbours<'a> {
    /// Entries already in graph-wide indices.
    Merged(std::slice::Iter<'a, ChainAdj>),
    /// A tile's entries, offset on the way out.
    Tile {
        adj: std::slice::Iter<'a, ChainAdj>,
        graph: &'a TrailGraph,
        tile: usize,
    },
}

impl Iterator for Neighbours<'_> {
    type Item = ChainAdj;

    #[inline]
    fn next(&mut self) -> Option<ChainAdj> {
        match self {
            Neighbours::Merged(it) => it.next().copied(),
            Neighbours::Tile { adj, graph, tile } => adj.next().map(|a| graph.global_adj(*tile, a)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{solve, Limits, LoopKind, Query};

    /// A square 1-2-3-4 of 1 km sides with a 500 m tail 1-5.
    fn square_with_tail() -> (Vec<NodeInput>, Vec<EdgeInput>) {
        let d = 0.009;
        let nodes = vec![
            NodeInput::new(1, 1.5, 42.5),
            NodeInput::new(2, 1.5 + d, 42.5),
            NodeInput::new(3, 1.5 + d, 42.5 + d),
            NodeInput::new(4, 1.5, 42.5 + d),
            NodeInput::new(5, 1.5 - d / 2.0, 42.5),
        ];
        let edges = vec![
            EdgeInput::trail(10, 1, 2, 1000.0),
            EdgeInput::trail(11, 2, 3, 1000.0),
            EdgeInput::trail(12, 3, 4, 1000.0),
            EdgeInput::trail(13, 4, 1, 1000.0),
            EdgeInput::trail(14, 1, 5, 500.0),
        ];
        (nodes, edges)
    }

    /// The square cut into two tiles along the diagonal 2-4, which both tiles hold.
    fn two_tiles() -> Vec<Arc<GraphTile>> {
        let (nodes, edges) = square_with_tail();
        let pick = |ids: &[u64]| -> Vec<NodeInput> {
            nodes
                .iter()
                .filter(|n| ids.contains(&n.id))
                .copied()
                .collect()
        };
        let west: Vec<EdgeInput> = edges
            .iter()
            .filter(|e| [12, 13, 14].contains(&e.id))
            .cloned()
            .collect();
        let east: Vec<EdgeInput> = edges
            .iter()
            .filter(|e| [10, 11].contains(&e.id))
            .cloned()
            .collect();
        vec![
            Arc::new(GraphTile::new(pick(&[1, 3, 4, 5]), west, &[1, 3], &[]).unwrap()),
            Arc::new(GraphTile::new(pick(&[1, 2, 3]), east, &[1, 3], &[]).unwrap()),
        ]
    }

    #[test]
    fn tiles_stitched_at_shared_nodes_give_the_loop_across_them() {
        let graph = TrailGraph::from_tiles(two_tiles());
        assert_eq!(graph.edge_count(), 5);
        // 1 and 3 are held by both tiles but are one junction each; 5 ends the tail.
        assert_eq!(graph.junction_count(), 3);
        for start in [1, 2, 4, 5] {
            // From the tail's end, the square and the tail there and back: 5 km.
            let target = if start == 5 { 5_000.0 } else { 4_000.0 };
            let mut q = Query::new(start, target);
            q.max_results = 1;
            let s = solve(&graph, &q, &Limits::none()).unwrap();
            let best = &s.loops[0];
            if start == 5 {
                assert_eq!(best.kind, LoopKind::Lollipop, "{best:?}");
            } else {
                assert_eq!(best.kind, LoopKind::Loop, "from {start}: {best:?}");
                assert!((best.length_m - 4_000.0).abs() < 1e-9);
                let mut ids: Vec<u64> = best.edges.iter().map(|d| d.id).collect();
                ids.sort_unstable();
                assert_eq!(ids, [10, 11, 12, 13]);
            }
        }
        let whole = {
            let (nodes, edges) = square_with_tail();
            TrailGraph::new(nodes, edges).unwrap()
        };
        let q = Query::new(2, 4_000.0);
        let (a, b) = (
            solve(&graph, &q, &Limits::none()).unwrap(),
            solve(&whole, &q, &Limits::none()).unwrap(),
        );
        assert!((a.loops[0].compactness - b.loops[0].compactness).abs() < 1e-9);
    }

    #[test]
    fn edges_are_found_in_the_tile_that_holds_them() {
        let graph = TrailGraph::from_tiles(two_tiles());
        assert_eq!(
            graph.edge_location(11),
            Some(EdgeLocation { tile: 1, index: 1 })
        );
        assert_eq!(graph.edge_location(14).map(|l| l.tile), Some(0));
        assert_eq!(graph.edge_location(99), None);
        assert_eq!(
            graph.edge_ends(DirectedEdge {
                id: 10,
                forward: false
            }),
            Some((2, 1))
        );
    }
}
