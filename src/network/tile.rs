//! One tile of a region's network, ready to plan on: the solver's [`GraphTile`]
//! (contraction and side-by-side pairs, built once when the tile is loaded) and what
//! presenting a loop needs of each edge, with names interned so that a trail's name is
//! held once however many edges carry it.

use super::closures::ClosureClasses;
use std::collections::HashMap;
use std::mem::size_of;
use std::sync::Arc;

use trailloop_osm::{Highlight, Highway, NatureShare, Profile, SacScale, TileKey};
use trailloop_solver::{sustained_grade_pct, EdgeInput, GraphError, GraphTile, NodeInput};

use crate::domain::{PoiRecord, RegionVersion, TileRecords};

/// What presenting a loop needs of an edge (its geometry lives in the graph tile).
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeMeta {
    /// OSM node id of the first vertex.
    pub source: i64,
    /// OSM node id of the last vertex.
    pub target: i64,
    /// Metres.
    pub length_m: f64,
    /// Climb source to target, metres.
    pub ascent_m: f64,
    /// Descent source to target, metres.
    pub descent_m: f64,
    /// Highway class.
    pub highway: Highway,
    /// Trail name.
    pub name: Option<Arc<str>>,
    /// SAC grade.
    pub sac_scale: Option<SacScale>,
    /// Hiking routes it belongs to.
    pub routes: Arc<[Arc<str>]>,
    /// Its share in nature.
    pub nature: NatureShare,
    /// Elevation of each vertex of its line, source to target, metres; empty when
    /// unknown.
    pub elevations: Box<[f32]>,
}

/// A loaded tile.
#[derive(Debug)]
pub struct NetworkTile {
    /// The import it was read from.
    pub version: RegionVersion,
    /// Which tile.
    pub key: TileKey,
    /// The solver's part of it.
    pub graph: Arc<GraphTile>,
    /// Per edge of `graph`, in its input order.
    pub edges: Vec<EdgeMeta>,
    /// Points of interest snapped to its nodes.
    pub pois: Vec<PoiRecord>,
    /// Highlights whose first point lies in it.
    pub highlights: Vec<Highlight>,
    /// Heap bytes held, approximately (what the cache counts).
    pub bytes: usize,
    /// The closure classes of its region's import, which its edges are numbered by.
    pub closures: Arc<ClosureClasses>,
}

/// Hands out one shared copy of each distinct string, and counts the bytes they hold.
#[derive(Default)]
struct Interner {
    names: HashMap<String, Arc<str>>,
    routes: HashMap<Vec<String>, Arc<[Arc<str>]>>,
    bytes: usize,
}

impl Interner {
    fn name(&mut self, s: String) -> Arc<str> {
        if let Some(a) = self.names.get(&s) {
            return a.clone();
        }
        self.bytes += s.len() + 2 * size_of::<usize>();
        let a: Arc<str> = Arc::from(s.as_str());
        self.names.insert(s, a.clone());
        a
    }

    fn routes(&mut self, r: Vec<String>) -> Arc<[Arc<str>]> {
        if let Some(a) = self.routes.get(&r) {
            return a.clone();
        }
        let a: Arc<[Arc<str>]> = r.iter().map(|s| self.name(s.clone())).collect();
        self.bytes += r.len() * size_of::<Arc<str>>() + 2 * size_of::<usize>();
        self.routes.insert(r, a.clone());
        a
    }
}

impl NetworkTile {
    /// Builds the tile from its records: the CPU-heavy part of a load (contraction and
    /// side-by-side detection), so run it off the async workers.
    /// Its edges' closure classes are those of `closures`, its region's import's.
    pub fn build(
        records: TileRecords,
        profile: &Profile,
        closures: Arc<ClosureClasses>,
    ) -> Result<NetworkTile, GraphError> {
        let TileRecords {
            version,
            tile,
            edges,
            pois,
            highlights,
        } = records;
        let mut nodes: HashMap<i64, NodeInput> = HashMap::with_capacity(edges.len() + 1);
        let mut shared = Vec::new();
        let mut inputs = Vec::with_capacity(edges.len());
        let mut metas = Vec::with_capacity(edges.len());
        let mut strings = Interner::default();
        for e in edges {
            let (Some(&first), Some(&last)) = (e.geometry.first(), e.geometry.last()) else {
                return Err(GraphError::InvalidGeometry { edge: e.id as u64 });
            };
            for (id, c, is_shared) in [
                (e.source, first, e.source_shared),
                (e.target, last, e.target_shared),
            ] {
                nodes.entry(id).or_insert(NodeInput {
                    id: id as u64,
                    lon: c.lon,
                    lat: c.lat,
                });
                if is_shared {
                    shared.push(id as u64);
                }
            }
            let line: Vec<[f64; 2]> = e.geometry.iter().map(|c| [c.lon, c.lat]).collect();
            inputs.push(EdgeInput {
                id: e.id as u64,
                source: e.source as u64,
                target: e.target as u64,
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
                nature: f64::from(e.nature.any).clamp(0.0, 1.0),
                on_route: !e.routes.is_empty(),
                sac_grade: e.sac_scale.map_or(0, SacScale::grade),
                grade_pct: sustained_grade_pct(&line, &e.elevations),
                closure_class: closures.class_of(&e.conditions),
                geometry: line,
            });
            metas.push(EdgeMeta {
                source: e.source,
                target: e.target,
                length_m: e.length_m,
                ascent_m: e.ascent_m,
                descent_m: e.descent_m,
                highway: e.highway,
                name: e.name.map(|n| strings.name(n)),
                sac_scale: e.sac_scale,
                routes: strings.routes(e.routes),
                nature: e.nature,
                elevations: e.elevations.into_boxed_slice(),
            });
        }
        let mut nodes: Vec<NodeInput> = nodes.into_values().collect();
        // HashMap order is random; the graph (and so every answer) must not be.
        nodes.sort_by_key(|n| n.id);
        shared.sort_unstable();
        shared.dedup();
        // Nights may be planned at the places one can sleep at: the solver needs their
        // nodes as junctions.
        let mut overnight: Vec<u64> = pois
            .iter()
            .filter(|p| p.kind.is_overnight())
            .map(|p| p.node_id as u64)
            .collect();
        overnight.sort_unstable();
        overnight.dedup();
        let graph = GraphTile::new(nodes, inputs, &shared, &overnight)?;
        let poi_bytes: usize = pois
            .iter()
            .map(|p| size_of::<PoiRecord>() + p.name.as_ref().map_or(0, String::capacity))
            .sum();
        let highlight_bytes: usize = highlights
            .iter()
            .map(|h| {
                size_of::<Highlight>() + h.points.capacity() * size_of::<trailloop_geo::Coord>()
            })
            .sum();
        let elevation_bytes: usize = metas.iter().map(|m| m.elevations.len() * 4).sum();
        let bytes = graph.heap_bytes()
            + metas.capacity() * size_of::<EdgeMeta>()
            + elevation_bytes
            + strings.bytes
            + poi_bytes
            + highlight_bytes
            + size_of::<NetworkTile>();
        Ok(NetworkTile {
            version,
            key: tile,
            graph: Arc::new(graph),
            edges: metas,
            pois,
            highlights,
            bytes,
            closures,
        })
    }
}
