//! Builds TrailLoop's walking network from OpenStreetMap.
//!
//! [`build_trail_data`] reads an OSM PBF extract and returns a [`TrailData`]: [`Node`]s at
//! junctions and trail ends, [`Edge`]s between them with geometry, geodesic length,
//! OSM attributes and hiking route names, [`Trailhead`]s to start from and [`Poi`]s for
//! multi-day plans. Given a [`Dem`] (SRTM tiles) in [`BuildOptions`], nodes get
//! elevations and edges ascent and descent. Errors are [`OsmError`]s.
//!
//! ```no_run
//! use trailloop_osm::{build_trail_data, BuildOptions, Dem};
//!
//! let dem = Dem::open(&["data/N42E001.hgt.zip"])?;
//! let options = BuildOptions { dem: Some(dem), ..BuildOptions::default() };
//! let network = build_trail_data("data/andorra.osm.pbf".as_ref(), &options)?;
//! println!("{} edges", network.edges.len());
//! # Ok::<(), trailloop_osm::OsmError>(())
//! ```
//!
//! # How the network is built
//!
//! - **Ways.** `highway` path, footway, track, bridleway, steps, cycleway, pedestrian,
//!   and the minor roads that link trails (living_street, residential, service,
//!   unclassified, tertiary); not `area=yes`, not `foot=no|private`, and not
//!   `access=no|private` unless `foot=yes|designated|permissive`.
//! - **Nodes** are way ends, vertices used twice (by two ways or twice by one), and
//!   vertices where a trail-class way meets a road cars drive, even a road outside the
//!   walking network (a trail crossing a trunk road is where a hiker can be dropped
//!   off). A closed piece is cut in the middle so no edge is a self-loop. Other vertices
//!   are only geometry.
//! - **Climb**, with a DEM: see [`Dem::climb`]. Each edge's ascent minus descent is the
//!   elevation difference of its nodes, so climb adds up consistently along any route.
//! - **Trailheads**: `highway=trailhead` and `amenity=parking` (nodes and areas) within
//!   [`TRAILHEAD_SNAP_RADIUS_M`] of a node, snapped to the nearest node on a trail when
//!   there is one; and junctions of a trail (at least 1 km of it) with a car road.
//!   Within [`TRAILHEAD_CLUSTER_RADIUS_M`] only the best is kept (trailhead, named car
//!   park, car park, road junction), taking a name from the ones merged into it.
//! - **POIs**: campsites, huts, shelters, drinking water and springs (nodes and areas)
//!   within [`POI_SNAP_RADIUS_M`] of a node, snapped to the nearest; which tags make
//!   which kind is the list of kinds in `trailloop_places`.
//!
//! The same file always gives the same network: nodes are ordered by OSM id, edges by
//! way id and position along the way, trailheads by node and POIs by OSM element. Map
//! data from OpenStreetMap is © OpenStreetMap contributors, ODbL.
#![warn(missing_docs)]

mod dem;
mod elevation;
mod error;
// Geodesy and the road graph's types are their own crates' (`trailloop_geo`,
// `trailloop_drive`): users import them from there, not through this crate.
use trailloop_drive::{DriveGraph, RoadLink, RoadNetwork, TRAILHEAD_ROAD_RADIUS_M};
use trailloop_geo as geo;
use trailloop_geo::Coord;
pub mod model;
mod nature;
mod noding;
mod pbf;
mod pois;
pub mod potential;
pub mod profile;
mod relations;
pub mod roads;
pub mod sources;
mod spatial;
mod tags;
pub mod tiles;
mod trailheads;

use std::path::Path;
use std::time::Instant;

pub use dem::Dem;
pub use error::OsmError;
pub use model::*;
pub use nature::{HIGHLIGHT_PASS_M, SAMPLE_M as NATURE_SAMPLE_M, WATER_BESIDE_M};
pub use potential::{BandPotential, Potential, BAND_TARGETS_KM};
pub use profile::Profile;
pub use sources::topology::{TopologyReport, SNAP_TOLERANCE_M};
pub use sources::{
    read_file, records_from_rows, SourceLimits, SourceLine, SourceTrailhead, TrailRecords,
};
pub use tiles::{Partition, TileKey, TILE_DEGREES};

/// Default of [`BuildOptions::trailhead_snap_radius_m`], metres.
pub const TRAILHEAD_SNAP_RADIUS_M: f64 = 300.0;
/// Default of [`BuildOptions::trailhead_cluster_radius_m`], metres.
pub const TRAILHEAD_CLUSTER_RADIUS_M: f64 = 200.0;
/// Default of [`BuildOptions::poi_snap_radius_m`], metres.
pub const POI_SNAP_RADIUS_M: f64 = 1_000.0;

/// How to build a network. Build it with struct update syntax from `default()` so new
/// options do not break callers.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Elevation model for node elevations and edge climb; without one they stay
    /// `None` and 0.
    pub dem: Option<Dem>,
    /// Mapped trailheads and car parks farther than this from every node are dropped.
    pub trailhead_snap_radius_m: f64,
    /// Trailheads closer than this to a better one are merged into it.
    pub trailhead_cluster_radius_m: f64,
    /// Points of interest farther than this from every node are dropped.
    pub poi_snap_radius_m: f64,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            dem: None,
            trailhead_snap_radius_m: TRAILHEAD_SNAP_RADIUS_M,
            trailhead_cluster_radius_m: TRAILHEAD_CLUSTER_RADIUS_M,
            poi_snap_radius_m: POI_SNAP_RADIUS_M,
        }
    }
}

/// Reads `pbf` and builds its road graph alone (what [`build_trail_data`] puts in
/// [`TrailData::roads`]), for drive benchmarks on regions too large to build whole.
pub fn build_roads(pbf: &Path) -> Result<RoadNetwork, OsmError> {
    Ok(roads::build(&pbf::read(pbf)?))
}

/// Reads `pbf` and builds its walking network. See the crate docs for what it holds.
pub fn build_trail_data(pbf: &Path, options: &BuildOptions) -> Result<TrailData, OsmError> {
    build(&OsmExtract(pbf.to_path_buf()), options)
}

/// What a source hands the network builder: ways as node ids with the nodes' locations,
/// trailheads and places as features, land cover and roads, all as the OSM reader
/// gives them. The builder knows nothing of where they came from.
pub struct Records {
    data: pbf::OsmData,
    origin: DataOrigin,
    /// The source's nodes are not OSM's: road junctions are found by distance.
    junctions_by_distance: bool,
}

/// The one seam every source of trails implements: records in, the same network out
/// (see [`build`]).
pub trait TrailSource {
    /// What the source is, for logs.
    fn describe(&self) -> String;
    /// Reads the source.
    fn records(&self) -> Result<Records, OsmError>;
}

/// An OSM PBF extract: its ways, trailheads, places, land cover and roads.
#[derive(Debug, Clone)]
pub struct OsmExtract(pub std::path::PathBuf);

impl TrailSource for OsmExtract {
    fn describe(&self) -> String {
        self.0.display().to_string()
    }

    fn records(&self) -> Result<Records, OsmError> {
        Ok(Records {
            data: pbf::read(&self.0)?,
            origin: DataOrigin {
                uses_osm: true,
                ..DataOrigin::default()
            },
            junctions_by_distance: false,
        })
    }
}

/// An operator's own trails (read by [`sources::read_file`], or rows read elsewhere),
/// optionally with an OSM extract around them for roads, nature, places to sleep,
/// place names and, when the source has none, trailheads.
#[derive(Debug, Clone)]
pub struct OwnTrails {
    /// What each source gave.
    pub sources: Vec<TrailRecords>,
    /// An OSM extract of the same area, if any.
    pub extract: Option<std::path::PathBuf>,
    /// Line ends within this of another line are joined to it, metres.
    pub tolerance_m: f64,
}

/// The id of an own vertex or line, negative so it never meets OSM's (positive) ids:
/// vertex `v` is node `-(v + 1)`, line `l` is way `-(l + 1)`.
fn own_id(index: usize) -> i64 {
    -(index as i64) - 1
}

impl TrailSource for OwnTrails {
    fn describe(&self) -> String {
        let files: Vec<&str> = self.sources.iter().map(|s| s.source.as_str()).collect();
        match &self.extract {
            Some(pbf) => format!("{} with {}", files.join(", "), pbf.display()),
            None => files.join(", "),
        }
    }

    fn records(&self) -> Result<Records, OsmError> {
        let mut data = match &self.extract {
            Some(pbf) => pbf::read(pbf)?,
            None => pbf::OsmData::default(),
        };
        // The operator's trails replace OSM's walking ways; everything else of the
        // extract stays.
        data.ways.clear();
        data.routes.clear();
        let lines: Vec<(&str, &SourceLine)> = self
            .sources
            .iter()
            .flat_map(|s| s.lines.iter().map(move |l| (s.source.as_str(), l)))
            .collect();
        let refs: Vec<&SourceLine> = lines.iter().map(|(_, l)| *l).collect();
        let joined = sources::topology::join(&refs, self.tolerance_m);
        tracing::info!(report = ?joined.report, "joined the trail lines");
        data.coords.extend(
            joined
                .coords
                .iter()
                .enumerate()
                .map(|(v, &c)| (own_id(v), c)),
        );
        for (l, ((file, line), vertices)) in lines.iter().zip(&joined.lines).enumerate() {
            if vertices.is_empty() {
                continue;
            }
            let a = &line.attrs;
            let id = own_id(l);
            data.ways.push(pbf::WalkWay {
                id,
                refs: vertices.iter().map(|&v| own_id(v as usize)).collect(),
                attrs: tags::WayAttrs {
                    highway: a.highway.unwrap_or(Highway::Path),
                    name: a.name.clone(),
                    sac_scale: a.sac_scale,
                    surface: a.surface.clone(),
                    trail_visibility: None,
                    access: None,
                    urban_footway: false,
                    conditions: WayConditions::default(),
                },
                source_ref: Some(format!("{file}#{}", line.id)),
            });
            if !a.routes.is_empty() {
                data.routes.insert(id, a.routes.clone());
            }
        }
        data.ways.sort_by_key(|w| w.id);
        let own_heads: Vec<&sources::SourceTrailhead> =
            self.sources.iter().flat_map(|s| &s.trailheads).collect();
        let trailheads_from = if !own_heads.is_empty() {
            // The source's trailheads are the trailheads: OSM's are left out.
            data.features.retain(|f| {
                !matches!(
                    f.kind,
                    tags::FeatureKind::Trailhead | tags::FeatureKind::Parking
                )
            });
            for (i, t) in own_heads.iter().enumerate() {
                data.features.push(pbf::Feature {
                    element: pbf::ElementType::Node,
                    id: own_id(i),
                    kind: tags::FeatureKind::Trailhead,
                    name: t.name.clone(),
                    coord: Some(t.coord),
                    refs: Vec::new(),
                    elevation_m: None,
                    details: None,
                });
            }
            TrailheadsFrom::Source
        } else if self.extract.is_some() {
            TrailheadsFrom::Osm
        } else {
            TrailheadsFrom::Derived
        };
        Ok(Records {
            data,
            origin: DataOrigin {
                own_trails: true,
                uses_osm: self.extract.is_some(),
                files: self.sources.iter().map(|s| s.source.clone()).collect(),
                lines_left_out: self.sources.iter().map(|s| s.lines_left_out).sum(),
                named_trails: self.sources.iter().map(|s| s.named_trails).sum(),
                topology: Some(joined.report),
                trailheads_from,
                attribution: None,
            },
            junctions_by_distance: true,
        })
    }
}

/// How far from a road a node of an operator's own trails may be to count as where the
/// trail meets it, metres.
pub const OWN_JUNCTION_ROAD_M: f64 = 25.0;

/// Builds the walking network of any source. See the crate docs for what it holds.
pub fn build(source: &dyn TrailSource, options: &BuildOptions) -> Result<TrailData, OsmError> {
    let _span = tracing::info_span!("build_trail_data", source = %source.describe()).entered();
    let started = Instant::now();
    let Records {
        data,
        origin,
        junctions_by_distance,
    } = source.records()?;

    let noded = noding::node(&data);
    let (mut nodes, mut edges) = (noded.nodes, noded.edges);
    tracing::info!(
        nodes = nodes.len(),
        edges = edges.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "noded the walking network"
    );

    if let Some(dem) = &options.dem {
        elevation::apply(dem, &mut nodes, &mut edges);
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "added elevations"
        );
    }

    let land = nature::land_areas(&data);
    nature::measure(&data, &land, &mut edges);
    tracing::info!(
        areas = land.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "measured nature along the edges"
    );

    let coords: Vec<Coord> = nodes.iter().map(|n| n.coord).collect();
    let index = spatial::PointIndex::new(&coords);
    let reach = trailheads::trail_reach(nodes.len(), &edges, &noded.urban);
    let roads = roads::build(&data);
    let drive = DriveGraph::new(&roads);
    let extra = match origin.trailheads_from {
        TrailheadsFrom::Derived => trailheads::derived(&nodes, &edges, &reach),
        TrailheadsFrom::Osm if junctions_by_distance => {
            trailheads::near_roads(&nodes, &edges, &reach, |c| {
                drive.snap(c, OWN_JUNCTION_ROAD_M).is_some()
            })
        }
        _ => Vec::new(),
    };
    let mut trailheads = trailheads::find(&data, &nodes, &edges, &reach, &index, options, extra);
    potential::measure(&nodes, &edges, &mut trailheads);
    for t in &mut trailheads {
        t.road = drive.snap(t.coord, TRAILHEAD_ROAD_RADIUS_M);
    }
    tracing::info!(
        road_nodes = roads.nodes.len(),
        road_edges = roads.edges.len(),
        trailheads_by_road = trailheads.iter().filter(|t| t.road.is_some()).count(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "built the road graph"
    );
    let pois = pois::find(&data, &index, options.poi_snap_radius_m);
    let highlights = nature::highlights(&data, &index, &pois);
    trailheads::name_unnamed(&mut trailheads, &data, &nodes, &edges, &highlights);
    let mut settlements: Vec<Settlement> = data
        .features
        .iter()
        .filter_map(|f| match f.kind {
            tags::FeatureKind::Settlement(kind) => Some(Settlement {
                kind,
                name: f.name.clone()?,
                coord: f.coord?,
                osm_id: f.id,
            }),
            _ => None,
        })
        .collect();
    settlements.sort_by(|a, b| (a.kind, &a.name, a.osm_id).cmp(&(b.kind, &b.name, b.osm_id)));
    tracing::info!(
        trailheads = trailheads.len(),
        trailheads_from = origin.trailheads_from.as_str(),
        pois = pois.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "built the network"
    );
    Ok(TrailData {
        nodes,
        edges,
        trailheads,
        pois,
        land,
        highlights,
        roads,
        origin,
        settlements,
    })
}
