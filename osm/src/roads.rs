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

use std::collections::HashMap;

use crate::geo::length_m;
use crate::pbf::OsmData;
use crate::tags::tag;
use crate::Coord;
use trailloop_drive::{RoadClass, RoadEdge, RoadNetwork, RoadNode};

/// Share of the tagged `maxspeed` a drive is timed at.
pub const MAXSPEED_SHARE: f64 = 0.8;

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
}
