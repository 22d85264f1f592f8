//! The planning network: a region's trails held in memory tile by tile, shared by every
//! request, loaded from the store on first use and bounded in bytes ([`TileCache`]),
//! and the view one request plans on ([`PlanningNetwork`]): the tiles its trailheads
//! can reach, stitched into one solver graph.
//!
//! PostGIS (or, embedded, the OSM extract) stays the source of truth: a tile is a copy
//! of one import's rows, and a new import of the region replaces the copies.

mod cache;
pub mod closures;
pub mod regions;
mod tile;

pub use cache::{CacheError, TileCache};
pub use regions::{RegionCache, RegionIndex};
pub use tile::{EdgeMeta, NetworkTile};

use std::sync::Arc;

use trailloop_solver::TrailGraph;

use crate::domain::PoiRecord;

/// The tiles one request plans on, as one graph.
pub struct PlanningNetwork {
    graph: TrailGraph,
    tiles: Vec<Arc<NetworkTile>>,
}

impl PlanningNetwork {
    /// Stitches `tiles` (all of one region and import) into one graph. Costs time in the
    /// number of nodes the tiles share, not in their size.
    pub fn over(tiles: Vec<Arc<NetworkTile>>) -> PlanningNetwork {
        let graph = TrailGraph::from_tiles(tiles.iter().map(|t| t.graph.clone()).collect());
        PlanningNetwork { graph, tiles }
    }

    /// The solver's graph.
    pub fn graph(&self) -> &TrailGraph {
        &self.graph
    }

    /// What presentation needs of an edge, by id.
    pub fn edge(&self, id: u64) -> Option<&EdgeMeta> {
        let at = self.graph.edge_location(id)?;
        self.tiles[at.tile].edges.get(at.index)
    }

    /// The closure classes its edges are numbered by (its region's import's).
    pub fn closures(&self) -> Option<&closures::ClosureClasses> {
        self.tiles.first().map(|t| &*t.closures)
    }

    /// The points of interest of every tile.
    pub fn pois(&self) -> impl Iterator<Item = &PoiRecord> + '_ {
        self.tiles.iter().flat_map(|t| t.pois.iter())
    }

    /// The highlights of every tile.
    pub fn highlights(&self) -> impl Iterator<Item = &trailloop_osm::Highlight> + '_ {
        self.tiles.iter().flat_map(|t| t.highlights.iter())
    }

    /// Whether loops can start at `node_id`.
    pub fn contains_node(&self, node_id: i64) -> bool {
        self.graph.contains_node(node_id as u64)
    }

    /// Metres of climb per km of its trails, either way (the mean of ascent and
    /// descent): how hilly walking here is.
    pub fn climb_per_km(&self) -> f64 {
        let (climb, length) = self
            .tiles
            .iter()
            .flat_map(|t| t.edges.iter())
            .fold((0.0, 0.0), |(c, l), e| {
                (c + (e.ascent_m + e.descent_m) / 2.0, l + e.length_m)
            });
        if length > 0.0 {
            climb / (length / 1000.0)
        } else {
            0.0
        }
    }

    /// Input edges across the tiles.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Input nodes across the tiles.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }
}
