//! The roads cars drive and the drive search over them, used at request time: the
//! road graph's records ([`RoadNetwork`], as the importer builds them from OSM and the
//! stores load them), and [`DriveGraph`], a directed graph with a length and a travel
//! time on every edge, a bounded Dijkstra from a point (the drives' times and lengths,
//! or their ways as polylines), and where on it a point (the user's origin, a
//! trailhead's car park) is reached. Which OSM ways are roads, their
//! direction and speed, are the importer's rules (`trailloop_osm`'s `roads` module).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod graph;

use serde::{Deserialize, Serialize};

pub use graph::DriveGraph;
pub use trailloop_geo::Coord;

/// A trailhead is reached by car when a road passes this near it (its car park, or
/// the sign by the road), metres.
pub const TRAILHEAD_ROAD_RADIUS_M: f64 = 300.0;
/// The origin is snapped to a road at most this far, metres.
pub const ORIGIN_ROAD_RADIUS_M: f64 = 10_000.0;
/// Side of a cell of the snapping grid, degrees (about 1 km).
pub(crate) const CELL_DEGREES: f64 = 0.01;
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

/// A drive by road: its length and time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoadDrive {
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
    /// Whether a drive keeps both limits.
    pub fn admits(&self, d: RoadDrive) -> bool {
        d.metres <= self.metres && d.seconds <= self.seconds
    }

    /// How far along the limit a drive of `metres` and `seconds` is, 0..=1: the larger
    /// of its two shares (a limit not given takes no share; a limit under 1 km or a
    /// minute counts as that).
    pub fn share(&self, metres: f64, seconds: f64) -> f64 {
        let part = |value: f64, limit: f64, least: f64| {
            if limit.is_finite() {
                value / limit.max(least)
            } else {
                0.0
            }
        };
        part(metres, self.metres, 1_000.0)
            .max(part(seconds, self.seconds, 60.0))
            .min(1.0)
    }

    /// The limit in words, for messages: "25 km", "40 minutes", "25 km and 40 minutes".
    pub fn describe(&self) -> String {
        let km = self.metres.is_finite().then(|| self.metres / 1000.0);
        let minutes = self.seconds.is_finite().then(|| self.seconds / 60.0);
        match (km, minutes) {
            (Some(k), Some(m)) => format!("{k} km and {m} minutes"),
            (Some(k), None) => format!("{k} km"),
            (None, Some(m)) => format!("{m} minutes"),
            (None, None) => "any distance".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailloop_geo::length_m;

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
