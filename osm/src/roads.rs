//! The roads cars drive, from the same extract as the trails: a directed graph with a
//! length and a travel time on every edge, the drive search over it, and where on it a
//! point (the user's origin, a trailhead's car park) is reached.
//!
//! - **Ways**: `highway` motorway to residential and their links, living_street,
//!   unclassified, road, service, and track only with explicit motor access
//!   (`motorcar`, `motor_vehicle`, `vehicle` or `access` = yes, permissive, designated
//!   or destination). Not `area=yes`; not where the most specific of `motorcar`,
//!   `motor_vehicle`, `vehicle`, `access` says no, private, agricultural, forestry,
//!   emergency or military; not `service=emergency_access`.
//! - **Direction**: `oneway=yes|true|1` forward, `-1|reverse` backward, `no` both;
//!   motorways, motorway links and roundabouts are one-way unless tagged otherwise;
//!   `oneway=reversible|alternating` roads are left out (their direction changes by
//!   the hour).
//! - **Speed**: 80% of `maxspeed` where it is tagged (km/h, mph, `walk`, and the
//!   `XX:urban|rural|motorway|trunk|living_street|zone30` forms), else a default per
//!   class ([`RoadClass::default_kmh`]): nobody drives at the limit the whole way,
//!   and in mountains less so. No turn costs, no traffic.
//! - **Nodes** are way ends and vertices two ways (or one way twice) share; other
//!   vertices are geometry.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::geo::{distance_m, length_m, local_metres};
use crate::pbf::OsmData;
use crate::tags::tag;
use crate::Coord;

/// Share of the tagged `maxspeed` a drive is timed at.
pub const MAXSPEED_SHARE: f64 = 0.8;
/// A trailhead is reached by car when a road passes this near it (its car park, or
/// the sign by the road), metres.
pub const TRAILHEAD_ROAD_RADIUS_M: f64 = 300.0;
/// The origin is snapped to a road at most this far, metres.
pub const ORIGIN_ROAD_RADIUS_M: f64 = 10_000.0;
/// Side of a cell of the snapping grid, degrees (about 1 km).
const CELL_DEGREES: f64 = 0.01;
/// Points are not snapped to roads of a strongly connected piece with fewer nodes than
/// this (or than the largest piece, when every piece is smaller): a car park's aisles,
/// a stretch the mapping left unjoined or a one-way trap lead nowhere.
pub const MIN_PIECE_NODES: usize = 50;

/// The `highway` class of a road.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    /// `motorway`
    Motorway,
    /// `motorway_link`
    MotorwayLink,
    /// `trunk`
    Trunk,
    /// `trunk_link`
    TrunkLink,
    /// `primary`
    Primary,
    /// `primary_link`
    PrimaryLink,
    /// `secondary`
    Secondary,
    /// `secondary_link`
    SecondaryLink,
    /// `tertiary`
    Tertiary,
    /// `tertiary_link`
    TertiaryLink,
    /// `unclassified`
    Unclassified,
    /// `residential`
    Residential,
    /// `living_street`
    LivingStreet,
    /// `road` (unknown class)
    Road,
    /// `service`
    Service,
    /// `track` with explicit motor access
    Track,
}

impl RoadClass {
    /// Every class.
    pub const ALL: [RoadClass; 16] = [
        RoadClass::Motorway,
        RoadClass::MotorwayLink,
        RoadClass::Trunk,
        RoadClass::TrunkLink,
        RoadClass::Primary,
        RoadClass::PrimaryLink,
        RoadClass::Secondary,
        RoadClass::SecondaryLink,
        RoadClass::Tertiary,
        RoadClass::TertiaryLink,
        RoadClass::Unclassified,
        RoadClass::Residential,
        RoadClass::LivingStreet,
        RoadClass::Road,
        RoadClass::Service,
        RoadClass::Track,
    ];

    /// The OSM tag value, also stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RoadClass::Motorway => "motorway",
            RoadClass::MotorwayLink => "motorway_link",
            RoadClass::Trunk => "trunk",
            RoadClass::TrunkLink => "trunk_link",
            RoadClass::Primary => "primary",
            RoadClass::PrimaryLink => "primary_link",
            RoadClass::Secondary => "secondary",
            RoadClass::SecondaryLink => "secondary_link",
            RoadClass::Tertiary => "tertiary",
            RoadClass::TertiaryLink => "tertiary_link",
            RoadClass::Unclassified => "unclassified",
            RoadClass::Residential => "residential",
            RoadClass::LivingStreet => "living_street",
            RoadClass::Road => "road",
            RoadClass::Service => "service",
            RoadClass::Track => "track",
        }
    }

    /// The class of a tag value.
    pub fn parse(value: &str) -> Option<RoadClass> {
        RoadClass::ALL.into_iter().find(|c| c.as_str() == value)
    }

    /// Speed where no `maxspeed` is tagged, km/h: what a car averages on such a road,
    /// bends and villages included.
    pub fn default_kmh(self) -> f64 {
        match self {
            RoadClass::Motorway => 110.0,
            RoadClass::MotorwayLink => 60.0,
            RoadClass::Trunk => 85.0,
            RoadClass::TrunkLink => 50.0,
            RoadClass::Primary => 65.0,
            RoadClass::PrimaryLink => 40.0,
            RoadClass::Secondary => 55.0,
            RoadClass::SecondaryLink => 35.0,
            RoadClass::Tertiary => 45.0,
            RoadClass::TertiaryLink => 30.0,
            RoadClass::Unclassified => 35.0,
            RoadClass::Residential => 25.0,
            RoadClass::LivingStreet => 10.0,
            RoadClass::Road => 25.0,
            RoadClass::Service => 15.0,
            RoadClass::Track => 12.0,
        }
    }

    /// Whether one may stop on it to start a hike, or start a drive from it: not a
    /// motorway.
    pub fn can_stop(self) -> bool {
        !matches!(self, RoadClass::Motorway | RoadClass::MotorwayLink)
    }
}

/// What a drivable way passes on to its edges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RoadAttrs {
    pub class: RoadClass,
    /// Cars may drive from the way's first node towards its last.
    pub forward: bool,
    /// Cars may drive from its last node towards its first.
    pub backward: bool,
    pub kmh: f64,
}

const DENIED: [&str; 6] = [
    "no",
    "private",
    "agricultural",
    "forestry",
    "emergency",
    "military",
];
const GRANTED: [&str; 4] = ["yes", "permissive", "designated", "destination"];

/// The attributes of a way cars may drive, `None` for any other way.
pub(crate) fn drivable(tags: &[(&str, &str)]) -> Option<RoadAttrs> {
    let class = RoadClass::parse(tag(tags, "highway")?)?;
    if tag(tags, "area") == Some("yes") || tag(tags, "service") == Some("emergency_access") {
        return None;
    }
    // The most specific access tag that is present decides.
    let access = ["motorcar", "motor_vehicle", "vehicle", "access"]
        .iter()
        .find_map(|k| tag(tags, k));
    match access {
        Some(v) if DENIED.contains(&v) => return None,
        Some(v) if GRANTED.contains(&v) => {}
        _ if class == RoadClass::Track => return None,
        _ => {}
    }
    let implied_oneway = matches!(class, RoadClass::Motorway | RoadClass::MotorwayLink)
        || matches!(tag(tags, "junction"), Some("roundabout" | "circular"));
    let (forward, backward) = match tag(tags, "oneway") {
        Some("yes" | "true" | "1") => (true, false),
        Some("-1" | "reverse") => (false, true),
        Some("no" | "false" | "0") => (true, true),
        Some("reversible" | "alternating") => return None,
        _ => (true, !implied_oneway),
    };
    let kmh = tag(tags, "maxspeed")
        .and_then(maxspeed_kmh)
        .map_or(class.default_kmh(), |v| (v * MAXSPEED_SHARE).max(5.0));
    Some(RoadAttrs {
        class,
        forward,
        backward,
        kmh,
    })
}

/// A `maxspeed` value in km/h: a number (km/h unless `mph`), `walk`, or an implicit
/// limit such as `FR:rural`; `None` for `none`, `signals` and what does not parse.
pub(crate) fn maxspeed_kmh(value: &str) -> Option<f64> {
    let value = value.split(';').next()?.trim();
    if value == "walk" {
        return Some(7.0);
    }
    if let Some((_, zone)) = value.split_once(':') {
        let zone = zone.trim();
        return match zone {
            "urban" => Some(50.0),
            "rural" => Some(90.0),
            "trunk" => Some(100.0),
            "motorway" => Some(120.0),
            "living_street" => Some(10.0),
            _ => zone
                .trim_start_matches("zone")
                .trim_start_matches(':')
                .parse::<f64>()
                .ok(),
        };
    }
    let digits: String = value
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let number: f64 = digits.parse().ok()?;
    let unit = value[digits.len()..].trim();
    let kmh = match unit {
        "" | "km/h" | "kmh" | "kph" => number,
        "mph" => number * 1.609_344,
        "knots" => number * 1.852,
        _ => return None,
    };
    (kmh > 0.0 && kmh < 400.0).then_some(kmh)
}

/// A road junction or road end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoadNode {
    /// The OSM node.
    pub osm_id: i64,
    /// Where it is.
    pub coord: Coord,
}

/// Index of a node in [`RoadNetwork::nodes`].
pub type RoadNodeIndex = u32;

/// A piece of a road way between two road nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoadEdge {
    /// First node of `geometry`.
    pub source: RoadNodeIndex,
    /// Last node of `geometry`.
    pub target: RoadNodeIndex,
    /// The way it was cut from.
    pub osm_way_id: i64,
    /// Highway class.
    pub class: RoadClass,
    /// Vertices from `source` to `target`.
    pub geometry: Vec<Coord>,
    /// Geodesic length, metres.
    pub length_m: f64,
    /// Time to drive it, seconds.
    pub seconds: f64,
    /// Cars may drive it from `source` to `target`.
    pub forward: bool,
    /// Cars may drive it from `target` to `source`.
    pub backward: bool,
}

/// The road graph of a region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoadNetwork {
    /// Junctions and ends, by OSM id.
    pub nodes: Vec<RoadNode>,
    /// Pieces, by way id and position along the way.
    pub edges: Vec<RoadEdge>,
}

impl RoadNetwork {
    /// Total length, km.
    pub fn length_km(&self) -> f64 {
        self.edges.iter().map(|e| e.length_m).sum::<f64>() / 1000.0
    }
}

/// Nodes and cuts the ways of `data` into the road graph.
pub(crate) fn build(data: &OsmData) -> RoadNetwork {
    let mut uses: HashMap<i64, u32> = HashMap::new();
    for w in &data.road_ways {
        for r in &w.refs {
            *uses.entry(*r).or_default() += 1;
        }
        for end in [w.refs.first(), w.refs.last()].into_iter().flatten() {
            *uses.entry(*end).or_default() += 2;
        }
    }
    let is_node = |id: &i64| uses.get(id).is_some_and(|&n| n >= 2);
    let mut ids: Vec<i64> = uses
        .keys()
        .filter(|id| is_node(id) && data.coords.contains_key(id))
        .copied()
        .collect();
    ids.sort_unstable();
    let index: HashMap<i64, u32> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as u32))
        .collect();
    let nodes = ids
        .iter()
        .map(|id| RoadNode {
            osm_id: *id,
            coord: data.coords[id],
        })
        .collect();
    let mut edges = Vec::new();
    for w in &data.road_ways {
        // A vertex the extract does not locate cuts the way (it left the extract).
        for run in w.refs.split(|r| !data.coords.contains_key(r)) {
            let mut from: Option<(u32, usize)> = None;
            for (i, r) in run.iter().enumerate() {
                let Some(&node) = index.get(r) else { continue };
                if let Some((source, start)) = from {
                    let geometry: Vec<Coord> =
                        run[start..=i].iter().map(|r| data.coords[r]).collect();
                    let length = length_m(&geometry);
                    if length > 0.0 {
                        edges.push(RoadEdge {
                            source,
                            target: node,
                            osm_way_id: w.id,
                            class: w.attrs.class,
                            geometry,
                            length_m: length,
                            seconds: length / (w.attrs.kmh / 3.6),
                            forward: w.attrs.forward,
                            backward: w.attrs.backward,
                        });
                    }
                }
                from = Some((node, i));
            }
        }
    }
    RoadNetwork { nodes, edges }
}

/// Where a point meets the road graph: the nearest point of an edge one may stop on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoadLink {
    /// Index of the edge.
    pub edge: u32,
    /// Metres along it from its source.
    pub along_m: f64,
    /// From the point to the road, metres.
    pub off_m: f64,
}

/// A drive: its length and time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drive {
    /// Metres.
    pub metres: f64,
    /// Seconds.
    pub seconds: f64,
}

/// How far a drive may go; a drive within both is within the limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriveLimit {
    /// Metres (infinite for no limit).
    pub metres: f64,
    /// Seconds (infinite for no limit).
    pub seconds: f64,
}

impl DriveLimit {
    fn admits(&self, d: Drive) -> bool {
        d.metres <= self.metres && d.seconds <= self.seconds
    }
}

#[derive(Debug, Clone, Copy)]
struct Arc {
    head: u32,
    metres: f32,
    seconds: f32,
}

/// The road graph ready for drive searches: arcs by tail node, and a grid of the
/// edges' segments for snapping points to the nearest road.
pub struct DriveGraph {
    edges: Vec<DriveEdge>,
    nodes: usize,
    first_arc: Vec<u32>,
    arcs: Vec<Arc>,
    /// Every edge's vertices, one after another; `DriveEdge::vertices` indexes it.
    vertices: Vec<Coord>,
    /// Grid cells, sorted, with their segments (edge, first vertex) in `segments`.
    cells: Vec<(i64, u32)>,
    segments: Vec<(u32, u32)>,
    /// The grid cells any segment touches lie within these (x, y) corners.
    cell_bounds: Option<((i64, i64), (i64, i64))>,
    scratch: Mutex<Vec<Scratch>>,
}

#[derive(Debug, Clone)]
struct DriveEdge {
    source: u32,
    target: u32,
    metres: f64,
    seconds: f64,
    forward: bool,
    backward: bool,
    /// Not a motorway, and in a piece of the graph large enough to drive anywhere.
    can_stop: bool,
    vertices: std::ops::Range<u32>,
}

/// Per-search arrays, kept between searches and cleared by the nodes they touched.
struct Scratch {
    best: Vec<(f64, f64)>,
    touched: Vec<u32>,
}

impl std::fmt::Debug for DriveGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriveGraph")
            .field("nodes", &self.nodes)
            .field("edges", &self.edges.len())
            .finish()
    }
}

fn cell_of(c: Coord) -> (i64, i64) {
    (
        (c.lon / CELL_DEGREES).floor() as i64,
        (c.lat / CELL_DEGREES).floor() as i64,
    )
}

fn cell_key((x, y): (i64, i64)) -> i64 {
    (y << 32) ^ (x & 0xffff_ffff)
}

impl DriveGraph {
    /// Builds the graph of `roads`.
    pub fn new(roads: &RoadNetwork) -> DriveGraph {
        let n = roads.nodes.len();
        let mut degree = vec![0u32; n + 1];
        for e in &roads.edges {
            if e.forward {
                degree[e.source as usize] += 1;
            }
            if e.backward {
                degree[e.target as usize] += 1;
            }
        }
        let mut first_arc = vec![0u32; n + 1];
        for i in 0..n {
            first_arc[i + 1] = first_arc[i] + degree[i];
        }
        let mut fill = first_arc.clone();
        let mut arcs = vec![
            Arc {
                head: 0,
                metres: 0.0,
                seconds: 0.0
            };
            first_arc[n] as usize
        ];
        let mut push = |tail: u32, head: u32, e: &RoadEdge| {
            let slot = &mut fill[tail as usize];
            arcs[*slot as usize] = Arc {
                head,
                metres: e.length_m as f32,
                seconds: e.seconds as f32,
            };
            *slot += 1;
        };
        for e in &roads.edges {
            if e.forward {
                push(e.source, e.target, e);
            }
            if e.backward {
                push(e.target, e.source, e);
            }
        }
        let piece_nodes = pieces(n, &roads.edges);
        let largest = piece_nodes.iter().copied().max().unwrap_or(0);
        let big = |node: u32| piece_nodes[node as usize] >= MIN_PIECE_NODES.min(largest);
        // An edge is stopped on between its ends: both must be where a car can leave.
        let mut vertices = Vec::new();
        let mut cell_segments: Vec<(i64, u32, u32)> = Vec::new();
        let mut edges = Vec::with_capacity(roads.edges.len());
        for (i, e) in roads.edges.iter().enumerate() {
            let start = vertices.len() as u32;
            vertices.extend_from_slice(&e.geometry);
            for s in 0..e.geometry.len().saturating_sub(1) {
                let (a, b) = (cell_of(e.geometry[s]), cell_of(e.geometry[s + 1]));
                for x in a.0.min(b.0)..=a.0.max(b.0) {
                    for y in a.1.min(b.1)..=a.1.max(b.1) {
                        cell_segments.push((cell_key((x, y)), i as u32, start + s as u32));
                    }
                }
            }
            edges.push(DriveEdge {
                source: e.source,
                target: e.target,
                metres: e.length_m,
                seconds: e.seconds,
                forward: e.forward,
                backward: e.backward,
                can_stop: e.class.can_stop() && big(e.source) && big(e.target),
                vertices: start..vertices.len() as u32,
            });
        }
        let cell_bounds = vertices
            .iter()
            .map(|&c| cell_of(c))
            .fold(None, |b, (x, y)| {
                let ((x0, y0), (x1, y1)) = b.unwrap_or(((x, y), (x, y)));
                Some(((x0.min(x), y0.min(y)), (x1.max(x), y1.max(y))))
            });
        cell_segments.sort_unstable();
        let mut cells: Vec<(i64, u32)> = Vec::new();
        let mut segments = Vec::with_capacity(cell_segments.len());
        for (key, edge, vertex) in cell_segments {
            if cells.last().map(|c| c.0) != Some(key) {
                cells.push((key, segments.len() as u32));
            }
            segments.push((edge, vertex));
        }
        DriveGraph {
            edges,
            nodes: n,
            first_arc,
            arcs,
            vertices,
            cells,
            segments,
            cell_bounds,
            scratch: Mutex::new(Vec::new()),
        }
    }

    /// Whether there are roads at all.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Road edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Bytes held, roughly.
    pub fn bytes(&self) -> usize {
        self.edges.len() * std::mem::size_of::<DriveEdge>()
            + self.arcs.len() * std::mem::size_of::<Arc>()
            + self.first_arc.len() * 4
            + self.vertices.len() * std::mem::size_of::<Coord>()
            + self.cells.len() * 16
            + self.segments.len() * 8
    }

    fn segments_of(&self, cell: (i64, i64)) -> &[(u32, u32)] {
        let key = cell_key(cell);
        match self.cells.binary_search_by_key(&key, |c| c.0) {
            Ok(i) => {
                let start = self.cells[i].1 as usize;
                let end = self
                    .cells
                    .get(i + 1)
                    .map_or(self.segments.len(), |c| c.1 as usize);
                &self.segments[start..end]
            }
            Err(_) => &[],
        }
    }

    /// The nearest point of a road one may stop on within `radius_m` of `p`.
    pub fn snap(&self, p: Coord, radius_m: f64) -> Option<RoadLink> {
        let origin = [p.lon, p.lat];
        let mut best: Option<(f64, u32, u32, f64)> = None; // (off, edge, vertex, t)
        let ((x0, y0), (x1, y1)) = self.cell_bounds?;
        let (cx, cy) = cell_of(p);
        // A cell's narrower side: east-west, which shrinks towards the poles (never to
        // nothing, so that the rings below stay countable).
        let cell_m = CELL_DEGREES
            * crate::geo::METRES_PER_DEGREE
            * p.lat.to_radians().cos().max(CELL_DEGREES);
        // Rings past the grid's last cell hold nothing.
        let to_grid = [cx - x0, x1 - cx, cy - y0, y1 - cy]
            .into_iter()
            .map(i64::abs)
            .max()
            .unwrap_or(0);
        let max_ring = ((radius_m / cell_m).ceil() as i64 + 1).min(to_grid + 1);
        for ring in 0..=max_ring {
            // Everything in ring r is at least (r - 1) cells away.
            if let Some((off, ..)) = best {
                if off < (ring - 1).max(0) as f64 * cell_m {
                    break;
                }
            }
            for x in (cx - ring).max(x0)..=(cx + ring).min(x1) {
                for y in (cy - ring).max(y0)..=(cy + ring).min(y1) {
                    if (x - cx).abs() != ring && (y - cy).abs() != ring {
                        continue;
                    }
                    for &(edge, v) in self.segments_of((x, y)) {
                        if !self.edges[edge as usize].can_stop {
                            continue;
                        }
                        let a = self.vertices[v as usize];
                        let b = self.vertices[v as usize + 1];
                        let (pa, pb) = (
                            local_metres(origin, [a.lon, a.lat]),
                            local_metres(origin, [b.lon, b.lat]),
                        );
                        let d = [pb[0] - pa[0], pb[1] - pa[1]];
                        let len2 = d[0] * d[0] + d[1] * d[1];
                        let t = if len2 > 0.0 {
                            (-(pa[0] * d[0] + pa[1] * d[1]) / len2).clamp(0.0, 1.0)
                        } else {
                            0.0
                        };
                        let off = (pa[0] + t * d[0]).hypot(pa[1] + t * d[1]);
                        if best.is_none_or(|b| off < b.0) {
                            best = Some((off, edge, v, t));
                        }
                    }
                }
            }
        }
        let (_, edge, v, t) = best?;
        let e = &self.edges[edge as usize];
        let (a, b) = (self.vertices[v as usize], self.vertices[v as usize + 1]);
        let at = Coord {
            lon: a.lon + t * (b.lon - a.lon),
            lat: a.lat + t * (b.lat - a.lat),
        };
        let off = distance_m(p, at);
        if off > radius_m {
            return None;
        }
        let before: f64 = self.vertices[e.vertices.start as usize..=v as usize]
            .windows(2)
            .map(|w| distance_m(w[0], w[1]))
            .sum();
        let along = (before + distance_m(a, at)).min(e.metres);
        Some(RoadLink {
            edge,
            along_m: along,
            off_m: off,
        })
    }

    /// The fastest drive from `from` to each of `to` that stays within `limit` (`None`
    /// for a point no such drive reaches). The search goes no further than the limit,
    /// so its cost is that of the roads within it.
    pub fn drives(
        &self,
        from: &RoadLink,
        to: &[RoadLink],
        limit: DriveLimit,
    ) -> Vec<Option<Drive>> {
        let mut scratch = self
            .scratch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .unwrap_or_else(|| Scratch {
                best: vec![(f64::INFINITY, f64::INFINITY); self.nodes],
                touched: Vec::new(),
            });
        self.search(from, limit, &mut scratch);
        let out = to
            .iter()
            .map(|t| self.drive_to(from, t, &scratch.best))
            .map(|d| d.filter(|d| limit.admits(*d)))
            .collect();
        for &n in &scratch.touched {
            scratch.best[n as usize] = (f64::INFINITY, f64::INFINITY);
        }
        scratch.touched.clear();
        self.scratch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(scratch);
        out
    }

    /// Dijkstra by time. A node keeps its fastest drive even when that drive is longer
    /// than the distance limit (so a slower, shorter way never passes for the drive to
    /// it), and the search ends once every drive still to settle is beyond the limit:
    /// drives only grow from there. Drives beyond the time limit are never kept.
    fn search(&self, from: &RoadLink, limit: DriveLimit, scratch: &mut Scratch) {
        let e = &self.edges[from.edge as usize];
        let share = |m: f64| if e.metres > 0.0 { m / e.metres } else { 0.0 };
        let mut heap = BinaryHeap::new();
        // Entries in the heap whose drive is within the distance limit.
        let mut within = 0usize;
        // Keeps `d` when it is the fastest to `node` yet; 1 when it went in within the
        // distance limit.
        let reach = |node: u32, d: Drive, heap: &mut BinaryHeap<_>, s: &mut Scratch| {
            if d.seconds > limit.seconds {
                return 0;
            }
            let slot = &mut s.best[node as usize];
            if d.seconds < slot.0 {
                if slot.0.is_infinite() {
                    s.touched.push(node);
                }
                *slot = (d.seconds, d.metres);
                let inside = d.metres <= limit.metres;
                heap.push(Reverse((d.seconds.to_bits(), node, inside)));
                return usize::from(inside);
            }
            0
        };
        if e.forward {
            let m = e.metres - from.along_m;
            let d = Drive {
                metres: m,
                seconds: e.seconds * share(m),
            };
            within += reach(e.target, d, &mut heap, scratch);
        }
        if e.backward {
            let m = from.along_m;
            let d = Drive {
                metres: m,
                seconds: e.seconds * share(m),
            };
            within += reach(e.source, d, &mut heap, scratch);
        }
        while within > 0 {
            let Some(Reverse((bits, node, inside))) = heap.pop() else {
                break;
            };
            within -= usize::from(inside);
            let (seconds, metres) = scratch.best[node as usize];
            if seconds.to_bits() != bits {
                continue;
            }
            let arcs =
                self.first_arc[node as usize] as usize..self.first_arc[node as usize + 1] as usize;
            for a in &self.arcs[arcs] {
                let d = Drive {
                    metres: metres + a.metres as f64,
                    seconds: seconds + a.seconds as f64,
                };
                within += reach(a.head, d, &mut heap, scratch);
            }
        }
    }

    fn drive_to(&self, from: &RoadLink, to: &RoadLink, best: &[(f64, f64)]) -> Option<Drive> {
        let e = &self.edges[to.edge as usize];
        let share = |m: f64| if e.metres > 0.0 { m / e.metres } else { 0.0 };
        let mut found: Option<Drive> = None;
        let mut offer = |d: Drive| {
            if found.is_none_or(|f| d.seconds < f.seconds) {
                found = Some(d);
            }
        };
        // Along the same edge, without leaving it.
        if from.edge == to.edge {
            let m = to.along_m - from.along_m;
            if (m >= 0.0 && e.forward) || (m <= 0.0 && e.backward) {
                offer(Drive {
                    metres: m.abs(),
                    seconds: e.seconds * share(m.abs()),
                });
            }
        }
        // Entering the edge at its source and driving forward, or at its target and back.
        let (s, t) = (best[e.source as usize], best[e.target as usize]);
        if e.forward && s.0.is_finite() {
            offer(Drive {
                metres: s.1 + to.along_m,
                seconds: s.0 + e.seconds * share(to.along_m),
            });
        }
        if e.backward && t.0.is_finite() {
            let m = e.metres - to.along_m;
            offer(Drive {
                metres: t.1 + m,
                seconds: t.0 + e.seconds * share(m),
            });
        }
        found
    }
}

/// Per node: how many nodes its strongly connected piece of the graph has (the nodes
/// a car can drive to from it and back). One-way roads the extract cut off, or that
/// only lead in, make pieces a car could enter and never leave.
fn pieces(n: usize, edges: &[RoadEdge]) -> Vec<usize> {
    use petgraph::graph::{DiGraph, NodeIndex};
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len() * 2);
    for _ in 0..n {
        g.add_node(());
    }
    for e in edges {
        let (s, t) = (
            NodeIndex::new(e.source as usize),
            NodeIndex::new(e.target as usize),
        );
        if e.forward {
            g.add_edge(s, t, ());
        }
        if e.backward {
            g.add_edge(t, s, ());
        }
    }
    let mut size = vec![0usize; n];
    for piece in petgraph::algo::kosaraju_scc(&g) {
        for node in &piece {
            size[node.index()] = piece.len();
        }
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_and_oneway_tags_decide_where_cars_go() {
        let d = |tags: &[(&str, &str)]| drivable(tags).map(|a| (a.forward, a.backward));
        assert_eq!(d(&[("highway", "primary")]), Some((true, true)));
        assert_eq!(
            d(&[("highway", "primary"), ("oneway", "yes")]),
            Some((true, false))
        );
        assert_eq!(
            d(&[("highway", "primary"), ("oneway", "-1")]),
            Some((false, true))
        );
        assert_eq!(d(&[("highway", "motorway")]), Some((true, false)));
        assert_eq!(
            d(&[("highway", "motorway"), ("oneway", "no")]),
            Some((true, true))
        );
        assert_eq!(
            d(&[("highway", "tertiary"), ("junction", "roundabout")]),
            Some((true, false))
        );
        assert_eq!(d(&[("highway", "service"), ("access", "private")]), None);
        assert_eq!(
            d(&[
                ("highway", "service"),
                ("access", "no"),
                ("motorcar", "yes")
            ]),
            Some((true, true)),
            "the most specific tag decides"
        );
        assert_eq!(
            d(&[("highway", "residential"), ("motor_vehicle", "destination")]),
            Some((true, true))
        );
        assert_eq!(
            d(&[
                ("highway", "unclassified"),
                ("motor_vehicle", "agricultural")
            ]),
            None
        );
        assert_eq!(
            d(&[("highway", "track")]),
            None,
            "a track needs explicit access"
        );
        assert_eq!(
            d(&[("highway", "track"), ("motor_vehicle", "yes")]),
            Some((true, true))
        );
        assert_eq!(d(&[("highway", "path")]), None);
        assert_eq!(d(&[("highway", "primary"), ("oneway", "reversible")]), None);
    }

    #[test]
    fn maxspeed_reads_numbers_units_and_implicit_limits() {
        assert_eq!(maxspeed_kmh("50"), Some(50.0));
        assert_eq!(maxspeed_kmh("50 km/h"), Some(50.0));
        assert!((maxspeed_kmh("30 mph").unwrap() - 48.28).abs() < 0.01);
        assert_eq!(maxspeed_kmh("FR:rural"), Some(90.0));
        assert_eq!(maxspeed_kmh("DE:zone30"), Some(30.0));
        assert_eq!(maxspeed_kmh("walk"), Some(7.0));
        assert_eq!(maxspeed_kmh("none"), None);
        assert_eq!(maxspeed_kmh("signals"), None);
        let a = drivable(&[("highway", "primary"), ("maxspeed", "100")]).unwrap();
        assert_eq!(a.kmh, 80.0);
        let b = drivable(&[("highway", "primary")]).unwrap();
        assert_eq!(b.kmh, RoadClass::Primary.default_kmh());
    }

    fn c(lon: f64, lat: f64) -> Coord {
        Coord { lon, lat }
    }

    /// A-B two-way 1 km at 36 km/h (100 s); B-C one-way towards C; C-A two-way.
    fn triangle() -> RoadNetwork {
        let nodes = vec![
            RoadNode {
                osm_id: 1,
                coord: c(1.0, 42.0),
            },
            RoadNode {
                osm_id: 2,
                coord: c(1.01, 42.0),
            },
            RoadNode {
                osm_id: 3,
                coord: c(1.01, 42.01),
            },
        ];
        let edge = |s: u32, t: u32, forward, backward, kmh: f64| {
            let geometry = vec![nodes[s as usize].coord, nodes[t as usize].coord];
            let length_m = length_m(&geometry);
            RoadEdge {
                source: s,
                target: t,
                osm_way_id: s as i64,
                class: RoadClass::Tertiary,
                geometry,
                length_m,
                seconds: length_m / (kmh / 3.6),
                forward,
                backward,
            }
        };
        let edges = vec![
            edge(0, 1, true, true, 36.0),
            edge(1, 2, true, false, 36.0),
            edge(2, 0, true, true, 36.0),
        ];
        RoadNetwork { nodes, edges }
    }

    #[test]
    fn a_one_way_edge_is_driven_around_when_it_points_the_wrong_way() {
        let roads = triangle();
        let g = DriveGraph::new(&roads);
        let at = |node: usize| g.snap(roads.nodes[node].coord, 10.0).unwrap();
        let none = DriveLimit {
            metres: f64::INFINITY,
            seconds: f64::INFINITY,
        };
        let [ab, bc, ca] = [0, 1, 2].map(|i| roads.edges[i].length_m);
        // B to C: straight along the one-way.
        let d = g.drives(&at(1), &[at(2)], none)[0].unwrap();
        assert!((d.metres - bc).abs() < 1.0, "{d:?}");
        // C to B: the one-way is closed that way, so C-A-B.
        let d = g.drives(&at(2), &[at(1)], none)[0].unwrap();
        assert!((d.metres - (ca + ab)).abs() < 1.0, "{d:?} vs {}", ca + ab);
        // Half way along A-B to half way along B-C.
        let mid = |e: usize| RoadLink {
            edge: e as u32,
            along_m: roads.edges[e].length_m / 2.0,
            off_m: 0.0,
        };
        let d = g.drives(&mid(0), &[mid(1)], none)[0].unwrap();
        assert!((d.metres - (ab / 2.0 + bc / 2.0)).abs() < 1.0);
        assert!(
            (d.seconds - d.metres / 10.0).abs() < 0.1,
            "36 km/h is 10 m/s"
        );
        // A limit shorter than the drive leaves it out.
        let short = DriveLimit {
            metres: ab / 2.0 + bc / 2.0 - 5.0,
            seconds: f64::INFINITY,
        };
        assert_eq!(g.drives(&mid(0), &[mid(1)], short)[0], None);
        let slow = DriveLimit {
            metres: f64::INFINITY,
            seconds: d.seconds - 1.0,
        };
        assert_eq!(g.drives(&mid(0), &[mid(1)], slow)[0], None);
    }

    #[test]
    fn a_point_snaps_to_the_nearest_segment_not_the_nearest_vertex() {
        let roads = triangle();
        let g = DriveGraph::new(&roads);
        // 50 m south of the middle of A-B.
        let p = c(1.005, 42.0 - 50.0 / 111_000.0);
        let link = g.snap(p, 200.0).unwrap();
        assert_eq!(link.edge, 0);
        assert!((link.off_m - 50.0).abs() < 1.0, "{link:?}");
        assert!((link.along_m - roads.edges[0].length_m / 2.0).abs() < 2.0);
        assert_eq!(g.snap(p, 20.0), None, "beyond the radius");
    }
}
