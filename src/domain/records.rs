//! The network as the stores hand it over: plain records of one region's trail edges,
//! points of interest and trailheads, with the import they belong to. The stores know
//! nothing of how they are planned on; `network` builds the planning tiles from these.

use trailloop_geo::Coord;
use trailloop_osm::{
    Highlight, Highway, NatureShare, OsmType, PoiDetails, Potential, SacScale, TileKey,
    TrailheadKind,
};
use trailloop_places::PoiKind;

/// Which import of which region a record comes from. Records of one request must all
/// share one version: an import replaces a region at once, and ids change with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionVersion {
    /// Region name.
    pub region: String,
    /// The live import of that region when the record was read.
    pub import_id: i64,
}

/// A trail or road edge, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeRecord {
    /// Edge id, unique within the region and its import.
    pub id: i64,
    /// OSM node id of the first vertex.
    pub source: i64,
    /// OSM node id of the last vertex.
    pub target: i64,
    /// Whether other tiles hold edges at `source`.
    pub source_shared: bool,
    /// Whether other tiles hold edges at `target`.
    pub target_shared: bool,
    /// Vertices from source to target (at least two).
    pub geometry: Vec<Coord>,
    /// Elevation of each vertex, metres; empty when unknown.
    pub elevations: Vec<f32>,
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
    /// `surface=*`.
    pub surface: Option<String>,
    /// `trail_visibility=*`.
    pub trail_visibility: Option<String>,
    /// Names of the hiking routes it belongs to.
    pub routes: Vec<String>,
    /// Its share in nature.
    pub nature: NatureShare,
    /// What may close it to walkers on some dates.
    pub conditions: trailloop_osm::WayConditions,
}

/// A point of interest snapped to a node.
#[derive(Debug, Clone, PartialEq)]
pub struct PoiRecord {
    /// The node it is snapped to.
    pub node_id: i64,
    /// What it is.
    pub kind: PoiKind,
    /// Name.
    pub name: Option<String>,
    /// Where it is.
    pub coord: Coord,
    /// The OSM element it came from.
    pub osm_id: i64,
    /// Which kind of element.
    pub osm_type: OsmType,
    /// From the place to its node, metres.
    pub snap_distance_m: f64,
    /// Fee, access, opening hours, capacity, water, website.
    pub details: PoiDetails,
}

/// Everything of one tile of one region's network.
#[derive(Debug, Clone, PartialEq)]
pub struct TileRecords {
    /// The import these rows belong to.
    pub version: RegionVersion,
    /// Which tile.
    pub tile: TileKey,
    /// Edges whose first vertex lies in the tile.
    pub edges: Vec<EdgeRecord>,
    /// Points of interest snapped to nodes in the tile.
    pub pois: Vec<PoiRecord>,
    /// Highlights whose first point lies in the tile.
    pub highlights: Vec<Highlight>,
}

/// A place to start, with its straight-line distance from the point searched from.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailheadRecord {
    /// Id (stable for the life of an import).
    pub id: i64,
    /// Region and import it belongs to.
    pub version: RegionVersion,
    /// The network node loops start from.
    pub node_id: i64,
    /// Its name: the data's, else made from what is around it (`name_derived`);
    /// `None` only in regions imported before trailheads were all named.
    pub name: Option<String>,
    /// Whether `name` was made at import (from the road it is on, a feature near it,
    /// the trail it starts, or its place) rather than given by the data.
    pub name_derived: bool,
    /// How it was found.
    pub kind: TrailheadKind,
    /// Where the trailhead is.
    pub coord: Coord,
    /// Straight-line distance from the search point, metres.
    pub distance_m: f64,
    /// From the trailhead to the node loops start at, metres.
    pub snap_distance_m: f64,
    /// What lies within reach of it, per length band (zeros before it was measured).
    pub potential: Potential,
    /// Where a car reaches it on its region's road graph; `None` when no road does.
    pub road: Option<trailloop_drive::RoadLink>,
}
