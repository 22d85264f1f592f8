//! The walking network as the rest of TrailLoop sees it: plain data, indices instead of
//! pointers, lon/lat in WGS 84 degrees. The importer writes it to PostGIS, the embedded
//! mode and the solver's tests build a trail graph from it.

use serde::{Deserialize, Serialize};

use trailloop_geo::Coord;
use trailloop_places::PoiKind;

/// Index of a node in [`TrailData::nodes`].
pub type NodeIndex = u32;

/// A junction or trail end: where edges meet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// The OSM node id this junction came from; negative for a vertex of an operator's
    /// own source.
    pub osm_id: i64,
    /// Location.
    pub coord: Coord,
    /// Elevation in metres from the DEM, `None` without a DEM or over a void.
    pub elevation_m: Option<f64>,
}

/// The OSM `highway` class of an edge. Trails are what people come for; roads are kept
/// only because hikers walk them to link trails, and the solver can avoid them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Highway {
    /// `highway=path`
    Path,
    /// `highway=footway`
    Footway,
    /// `highway=track`
    Track,
    /// `highway=bridleway`
    Bridleway,
    /// `highway=steps`
    Steps,
    /// `highway=cycleway`
    Cycleway,
    /// `highway=pedestrian`
    Pedestrian,
    /// `highway=living_street`
    LivingStreet,
    /// `highway=residential`
    Residential,
    /// `highway=service`
    Service,
    /// `highway=unclassified`
    Unclassified,
    /// `highway=tertiary`
    Tertiary,
}

impl Highway {
    /// Every class, in declaration order.
    pub const ALL: [Highway; 12] = [
        Highway::Path,
        Highway::Footway,
        Highway::Track,
        Highway::Bridleway,
        Highway::Steps,
        Highway::Cycleway,
        Highway::Pedestrian,
        Highway::LivingStreet,
        Highway::Residential,
        Highway::Service,
        Highway::Unclassified,
        Highway::Tertiary,
    ];

    /// Parses the OSM tag value; `None` for classes the walking network does not keep.
    pub fn from_tag(value: &str) -> Option<Highway> {
        Highway::ALL.into_iter().find(|h| h.as_str() == value)
    }

    /// The OSM tag value.
    pub fn as_str(self) -> &'static str {
        match self {
            Highway::Path => "path",
            Highway::Footway => "footway",
            Highway::Track => "track",
            Highway::Bridleway => "bridleway",
            Highway::Steps => "steps",
            Highway::Cycleway => "cycleway",
            Highway::Pedestrian => "pedestrian",
            Highway::LivingStreet => "living_street",
            Highway::Residential => "residential",
            Highway::Service => "service",
            Highway::Unclassified => "unclassified",
            Highway::Tertiary => "tertiary",
        }
    }

    /// Whether this is a road that cars use (hikers may still walk it).
    pub fn is_road(self) -> bool {
        matches!(
            self,
            Highway::LivingStreet
                | Highway::Residential
                | Highway::Service
                | Highway::Unclassified
                | Highway::Tertiary
        )
    }
}

/// The SAC mountain hiking scale, `sac_scale=*`, from T1 (hiking) to T6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SacScale {
    /// T1 `hiking`
    Hiking = 1,
    /// T2 `mountain_hiking`
    MountainHiking = 2,
    /// T3 `demanding_mountain_hiking`
    DemandingMountainHiking = 3,
    /// T4 `alpine_hiking`
    AlpineHiking = 4,
    /// T5 `demanding_alpine_hiking`
    DemandingAlpineHiking = 5,
    /// T6 `difficult_alpine_hiking`
    DifficultAlpineHiking = 6,
}

impl SacScale {
    /// Every grade, easiest first.
    pub const ALL: [SacScale; 6] = [
        SacScale::Hiking,
        SacScale::MountainHiking,
        SacScale::DemandingMountainHiking,
        SacScale::AlpineHiking,
        SacScale::DemandingAlpineHiking,
        SacScale::DifficultAlpineHiking,
    ];

    /// Parses the OSM tag value (unknown values give `None`).
    pub fn from_tag(value: &str) -> Option<SacScale> {
        SacScale::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The OSM tag value.
    pub fn as_str(self) -> &'static str {
        match self {
            SacScale::Hiking => "hiking",
            SacScale::MountainHiking => "mountain_hiking",
            SacScale::DemandingMountainHiking => "demanding_mountain_hiking",
            SacScale::AlpineHiking => "alpine_hiking",
            SacScale::DemandingAlpineHiking => "demanding_alpine_hiking",
            SacScale::DifficultAlpineHiking => "difficult_alpine_hiking",
        }
    }

    /// The grade as a number, 1 (T1) to 6 (T6).
    pub fn grade(self) -> u8 {
        self as u8
    }
}

/// A piece of one OSM way between two junctions (or a junction and a trail end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// Index of the first node of `geometry`.
    pub source: NodeIndex,
    /// Index of the last node of `geometry`.
    pub target: NodeIndex,
    /// The OSM way this piece was cut from; `None` for a line of an operator's own
    /// source.
    pub osm_way_id: Option<i64>,
    /// For a line of an operator's own source: the file (or `sql`) and the feature's own
    /// id, `file#id`.
    #[serde(default)]
    pub source_ref: Option<String>,
    /// How much of it runs through nature.
    pub nature: NatureShare,
    /// Vertices from `source` to `target`, both ends included (at least two).
    pub geometry: Vec<Coord>,
    /// Elevation of each vertex of `geometry`, metres, from the DEM (what elevation
    /// profiles are drawn from); empty without a DEM or where no vertex has one.
    #[serde(default)]
    pub elevations: Vec<f32>,
    /// Geodesic length on the WGS 84 ellipsoid, metres.
    pub length_m: f64,
    /// Climb walking from `source` to `target`, metres (0 without a DEM).
    pub ascent_m: f64,
    /// Descent walking from `source` to `target`, metres (0 without a DEM).
    pub descent_m: f64,
    /// Highway class.
    pub highway: Highway,
    /// `name=*`, else `ref=*` of the way.
    pub name: Option<String>,
    /// `sac_scale=*`.
    pub sac_scale: Option<SacScale>,
    /// `surface=*`.
    pub surface: Option<String>,
    /// `trail_visibility=*`.
    pub trail_visibility: Option<String>,
    /// `access=*` (ways that forbid walkers are never kept).
    pub access: Option<String>,
    /// Names of the `route=hiking` (and `foot`) relations the way belongs to, sorted.
    pub routes: Vec<String>,
    /// What may close the way to walkers on some dates.
    #[serde(default)]
    pub conditions: WayConditions,
}

/// What may close a way to walkers on some dates, as OSM tags it: its conditional
/// restrictions (`value @ (condition); ...`) and its season. Empty for most ways.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WayConditions {
    /// `foot:conditional=*`.
    pub foot_conditional: Option<String>,
    /// `access:conditional=*`, kept only where `foot=*` does not allow walkers
    /// outright (`yes`, `designated`, `permissive` win over `access`).
    pub access_conditional: Option<String>,
    /// `seasonal=*` of the way (`winter`: a winter way, closed or gone in summer).
    pub seasonal: Option<String>,
}

impl WayConditions {
    /// Whether nothing may close the way on some dates.
    pub fn is_empty(&self) -> bool {
        self.foot_conditional.is_none()
            && self.access_conditional.is_none()
            && matches!(self.seasonal.as_deref(), None | Some("no"))
    }
}

/// How a trailhead was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrailheadKind {
    /// `highway=trailhead`
    Trailhead,
    /// `amenity=parking`, node or area, near the network.
    Parking,
    /// Where a trail meets a road cars can drive.
    RoadJunction,
    /// Found in an operator's own trails alone (no trailheads given, no OSM extract):
    /// where a trail ends or a named trail starts.
    TrailEnd,
}

impl TrailheadKind {
    /// Every kind.
    pub const ALL: [TrailheadKind; 4] = [
        TrailheadKind::Trailhead,
        TrailheadKind::Parking,
        TrailheadKind::RoadJunction,
        TrailheadKind::TrailEnd,
    ];

    /// The kind named by [`TrailheadKind::as_str`].
    pub fn parse(name: &str) -> Option<TrailheadKind> {
        TrailheadKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            TrailheadKind::Trailhead => "trailhead",
            TrailheadKind::Parking => "parking",
            TrailheadKind::RoadJunction => "road_junction",
            TrailheadKind::TrailEnd => "trail_end",
        }
    }
}

/// A place to start a hike, snapped to a node of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trailhead {
    /// The network node hikes start from.
    pub node: NodeIndex,
    /// Where the trailhead itself is (the car park, the sign), not the snapped node.
    pub coord: Coord,
    /// Its name: from OSM or the source, else made from what is around it (see
    /// `name_derived`); `None` only before naming.
    pub name: Option<String>,
    /// Whether `name` was made here (from the road it is on, a named feature near it,
    /// the trail it starts, or its place) rather than given by the data.
    #[serde(default)]
    pub name_derived: bool,
    /// How it was found.
    pub kind: TrailheadKind,
    /// The OSM element it came from (`None` for road junctions, which are nodes of ways).
    pub osm_id: Option<i64>,
    /// Distance from `coord` to the snapped node, metres.
    pub snap_distance_m: f64,
    /// What lies within reach of it, per length band.
    pub potential: crate::Potential,
    /// Where a car reaches it: the nearest road within
    /// [`crate::roads::TRAILHEAD_ROAD_RADIUS_M`] of `coord`; `None` when no road does
    /// (it is no place to drive to).
    #[serde(default)]
    pub road: Option<crate::RoadLink>,
}

/// What OSM says of a place beyond its kind, where it says it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoiDetails {
    /// The tag value it was recognised by: `alpine_hut`, `camp_pitch`, `lean_to`, ...
    pub osm_tag: String,
    /// `fee=*`
    pub fee: Option<String>,
    /// `access=*`
    pub access: Option<String>,
    /// `opening_hours=*`
    pub opening_hours: Option<String>,
    /// `capacity=*`
    pub capacity: Option<String>,
    /// `drinking_water=*`
    pub drinking_water: Option<String>,
    /// `website=*` (or `contact:website=*`)
    pub website: Option<String>,
    /// `seasonal=*`: `no` (open all year), `yes` (some season, not said which), or the
    /// season it is open (`summer`, `winter`, `spring`, `autumn`, `dry_season`, ...).
    #[serde(default)]
    pub seasonal: Option<String>,
    /// `winter_room=*`: a hut's room left open when the hut is closed.
    #[serde(default)]
    pub winter_room: Option<String>,
}

impl PoiDetails {
    /// Whether the place gives drinking water: a water source, or `drinking_water=yes`.
    pub fn has_water(&self, kind: PoiKind) -> bool {
        kind.is_water() || self.drinking_water.as_deref() == Some("yes")
    }

    /// Whether OSM says the public may not use it (`access=private|no`).
    pub fn is_private(&self) -> bool {
        matches!(self.access.as_deref(), Some("private" | "no"))
    }
}

/// The kind of OSM element a feature came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OsmType {
    /// A node.
    Node,
    /// A way (an area).
    Way,
    /// A relation (a multipolygon).
    Relation,
}

impl OsmType {
    /// `node`, `way` or `relation`.
    pub fn as_str(self) -> &'static str {
        match self {
            OsmType::Node => "node",
            OsmType::Way => "way",
            OsmType::Relation => "relation",
        }
    }

    /// The type named by [`OsmType::as_str`].
    pub fn parse(name: &str) -> Option<OsmType> {
        [OsmType::Node, OsmType::Way, OsmType::Relation]
            .into_iter()
            .find(|t| t.as_str() == name)
    }
}

/// A point of interest snapped to the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Poi {
    /// What it is.
    pub kind: PoiKind,
    /// Name from OSM, if any.
    pub name: Option<String>,
    /// The OSM element it came from (a node, or a way or relation for areas).
    pub osm_id: i64,
    /// Which kind of element `osm_id` is.
    pub osm_type: OsmType,
    /// Where it is (an area's centroid).
    pub coord: Coord,
    /// The nearest network node.
    pub node: NodeIndex,
    /// Distance from `coord` to that node, metres.
    pub snap_distance_m: f64,
    /// Fee, access, opening hours, capacity, water, website.
    pub details: PoiDetails,
}

/// Kinds of land cover that make a walk a walk in nature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LandKind {
    /// `landuse=forest`, `natural=wood`.
    Forest,
    /// `natural=water|wetland`; waterways count beside them too.
    Water,
    /// Open mountain and moor land: `natural=grassland|heath|scrub|bare_rock|glacier|
    /// scree|fell`, `landuse=meadow`.
    Open,
    /// `leisure=park|nature_reserve`, `boundary=protected_area|national_park`.
    Protected,
}

impl LandKind {
    /// Every kind.
    pub const ALL: [LandKind; 4] = [
        LandKind::Forest,
        LandKind::Water,
        LandKind::Open,
        LandKind::Protected,
    ];

    /// The name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            LandKind::Forest => "forest",
            LandKind::Water => "water",
            LandKind::Open => "open",
            LandKind::Protected => "protected",
        }
    }

    /// The kind named by [`LandKind::as_str`].
    pub fn parse(name: &str) -> Option<LandKind> {
        LandKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A land-cover area: outer rings and holes, `[lon, lat]` closed rings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LandArea {
    /// What it is.
    pub kind: LandKind,
    /// The OSM way or relation.
    pub osm_id: i64,
    /// Outer rings, each closed (first vertex = last).
    pub outer: Vec<Vec<Coord>>,
    /// Holes.
    pub inner: Vec<Vec<Coord>>,
}

impl LandArea {
    /// The area as polygons: each outer ring with the holes whose first vertex lies
    /// inside it.
    pub fn polygons(&self) -> Vec<(Vec<Coord>, Vec<Vec<Coord>>)> {
        let inside = |p: Coord, ring: &[Coord]| {
            let mut hit = false;
            for w in ring.windows(2) {
                let (a, b) = (w[0], w[1]);
                if (a.lat > p.lat) != (b.lat > p.lat)
                    && p.lon < a.lon + (p.lat - a.lat) / (b.lat - a.lat) * (b.lon - a.lon)
                {
                    hit = !hit;
                }
            }
            hit
        };
        let mut out: Vec<(Vec<Coord>, Vec<Vec<Coord>>)> =
            self.outer.iter().map(|o| (o.clone(), Vec::new())).collect();
        for hole in &self.inner {
            if let Some(owner) = out.iter_mut().find(|(o, _)| inside(hole[0], o)) {
                owner.1.push(hole.clone());
            }
        }
        out
    }
}

/// Share of an edge's length in each kind of nature (or beside water).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct NatureShare {
    /// In a forest or wood.
    pub forest: f32,
    /// Within [`WATER_BESIDE_M`](crate::WATER_BESIDE_M) of water or a watercourse.
    pub water: f32,
    /// On open mountain land, meadows and moors.
    pub open: f32,
    /// In a park, nature reserve or protected area.
    pub protected: f32,
    /// In or beside any of these.
    pub any: f32,
}

/// Things a hike is worth passing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HighlightKind {
    /// `natural=peak`
    Peak,
    /// `tourism=viewpoint`
    Viewpoint,
    /// `waterway=waterfall`
    Waterfall,
    /// A named lake, reservoir or pond (`natural=water`).
    Lake,
    /// `tourism=alpine_hut|wilderness_hut`
    Hut,
}

impl HighlightKind {
    /// Every kind.
    pub const ALL: [HighlightKind; 5] = [
        HighlightKind::Peak,
        HighlightKind::Viewpoint,
        HighlightKind::Waterfall,
        HighlightKind::Lake,
        HighlightKind::Hut,
    ];

    /// The name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            HighlightKind::Peak => "peak",
            HighlightKind::Viewpoint => "viewpoint",
            HighlightKind::Waterfall => "waterfall",
            HighlightKind::Lake => "lake",
            HighlightKind::Hut => "hut",
        }
    }

    /// The kind named by [`HighlightKind::as_str`].
    pub fn parse(name: &str) -> Option<HighlightKind> {
        HighlightKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A highlight near the network. A loop passes it when its line comes within
/// [`HIGHLIGHT_PASS_M`](crate::HIGHLIGHT_PASS_M) of one of its points (a lake has
/// points along its shore).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Highlight {
    /// What it is.
    pub kind: HighlightKind,
    /// Name from OSM.
    pub name: Option<String>,
    /// The OSM element.
    pub osm_id: i64,
    /// Where it is: one point, or points along a lake's shore.
    pub points: Vec<Coord>,
    /// `ele=*` of a peak, metres.
    pub elevation_m: Option<f64>,
}

/// What kind of named place people live in a settlement is (`place=*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementKind {
    /// `place=city`
    City,
    /// `place=town`
    Town,
    /// `place=village`
    Village,
    /// `place=hamlet`
    Hamlet,
    /// `place=suburb`
    Suburb,
    /// `place=neighbourhood`
    Neighbourhood,
}

impl SettlementKind {
    /// Every kind, largest first.
    pub const ALL: [SettlementKind; 6] = [
        SettlementKind::City,
        SettlementKind::Town,
        SettlementKind::Village,
        SettlementKind::Hamlet,
        SettlementKind::Suburb,
        SettlementKind::Neighbourhood,
    ];

    /// The `place=*` value, also the name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            SettlementKind::City => "city",
            SettlementKind::Town => "town",
            SettlementKind::Village => "village",
            SettlementKind::Hamlet => "hamlet",
            SettlementKind::Suburb => "suburb",
            SettlementKind::Neighbourhood => "neighbourhood",
        }
    }

    /// The kind of a `place=*` value; `None` for places that are not settlements.
    pub fn from_tag(value: &str) -> Option<SettlementKind> {
        SettlementKind::ALL
            .into_iter()
            .find(|k| k.as_str() == value)
    }
}

/// A named town, village, hamlet or suburb: what a hiker types in a place search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settlement {
    /// What it is.
    pub kind: SettlementKind,
    /// Its name.
    pub name: String,
    /// Where it is (a node, or an area's centroid).
    pub coord: Coord,
    /// The OSM element.
    pub osm_id: i64,
}

/// The whole walking network of one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrailData {
    /// Junctions and trail ends; edges refer to them by index.
    pub nodes: Vec<Node>,
    /// Trail and road pieces between junctions.
    pub edges: Vec<Edge>,
    /// Places to start.
    pub trailheads: Vec<Trailhead>,
    /// Campsites, huts, shelters, water.
    pub pois: Vec<Poi>,
    /// Land cover the nature shares were measured against.
    pub land: Vec<LandArea>,
    /// Peaks, viewpoints, waterfalls, lakes and huts near the network.
    pub highlights: Vec<Highlight>,
    /// The roads cars drive, for the drive to each trailhead.
    #[serde(default)]
    pub roads: crate::RoadNetwork,
    /// Where the data came from: OSM alone, or an operator's own trails (with OSM
    /// around them or not), and what joining them did.
    #[serde(default)]
    pub origin: DataOrigin,
    /// Named towns, villages, hamlets and suburbs, for the place search; sorted by
    /// kind, name and OSM id.
    #[serde(default)]
    pub settlements: Vec<Settlement>,
}

/// Where trailheads came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrailheadsFrom {
    /// Mapped in OSM (`highway=trailhead`, car parks) and trail/road junctions.
    #[default]
    Osm,
    /// The operator's own source (OpenTrails' `trailheads.geojson`, GPX waypoints).
    Source,
    /// Derived from the source's trails alone: trail ends and named trails' starts.
    Derived,
}

impl TrailheadsFrom {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            TrailheadsFrom::Osm => "osm",
            TrailheadsFrom::Source => "source",
            TrailheadsFrom::Derived => "derived",
        }
    }
}

/// Where a region's data came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DataOrigin {
    /// The trails are the operator's own (files or rows), not OSM's ways.
    pub own_trails: bool,
    /// OSM data went into the region: its trails, or around own trails its roads,
    /// nature, places and trailheads.
    pub uses_osm: bool,
    /// The files (or `sql`) the own trails came from.
    pub files: Vec<String>,
    /// Lines of the sources left out (closed to walkers, or degenerate).
    pub lines_left_out: usize,
    /// Named trails read (OpenTrails' `named_trails.csv`).
    pub named_trails: usize,
    /// What joining the own trails' lines did; `None` for OSM.
    pub topology: Option<crate::sources::topology::TopologyReport>,
    /// Where the trailheads came from.
    pub trailheads_from: TrailheadsFrom,
    /// The attribution and licence the operator gave with the data, shown with every
    /// answer that shows it.
    #[serde(default)]
    pub attribution: Option<String>,
}

/// OpenStreetMap's attribution, shown with any answer built from its data (ODbL).
pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors";

impl DataOrigin {
    /// The attribution an answer from this data carries: the operator's, then OSM's
    /// where OSM data went in (`; ` between them).
    pub fn attribution_text(&self) -> String {
        attribution_text(self.attribution.as_deref(), self.uses_osm)
    }
}

/// The attribution of data with the operator's `own` attribution (if any) and OSM's
/// where `uses_osm`.
pub fn attribution_text(own: Option<&str>, uses_osm: bool) -> String {
    let own = own.map(str::trim).filter(|a| !a.is_empty());
    match (own, uses_osm) {
        (Some(a), true) => format!("{a}; {OSM_ATTRIBUTION}"),
        (Some(a), false) => a.to_owned(),
        (None, _) => OSM_ATTRIBUTION.to_owned(),
    }
}
