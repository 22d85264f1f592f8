//! The road graph on a fixture written for it (`fixtures/roads.osm`, as PBF): a 1 km
//! square of streets with one side one-way, a private drive across it, a track without
//! motor access and one with it, and a trailhead by the road.

use std::path::PathBuf;

use trailloop_drive::{DriveGraph, DriveLimit, RoadLink};
use trailloop_geo::{distance_m, Coord};
use trailloop_osm::{build_trail_data, BuildOptions, TrailData};

fn fixture() -> TrailData {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roads.osm.pbf");
    build_trail_data(&path, &BuildOptions::default()).expect("the fixture builds")
}

/// The node of the fixture with this OSM id.
fn at(net: &TrailData, osm_id: i64) -> Coord {
    net.roads
        .nodes
        .iter()
        .find(|n| n.osm_id == osm_id)
        .unwrap_or_else(|| panic!("road node {osm_id}"))
        .coord
}

const ANY: DriveLimit = DriveLimit {
    metres: f64::INFINITY,
    seconds: f64::INFINITY,
};

fn drive_m(graph: &DriveGraph, from: RoadLink, to: RoadLink) -> Option<f64> {
    graph.drives(&from, &[to], ANY)[0].map(|d| d.metres)
}

#[test]
fn the_private_drive_and_the_closed_track_are_no_roads() {
    let net = fixture();
    let ways: Vec<i64> = net.roads.edges.iter().map(|e| e.osm_way_id).collect();
    assert!(!ways.contains(&14), "access=private");
    assert!(!ways.contains(&15), "a track without motor access");
    assert!(ways.contains(&16), "a track with motor_vehicle=yes");
    assert!(!ways.contains(&20), "a path");
    let one_way = net.roads.edges.iter().find(|e| e.osm_way_id == 11).unwrap();
    assert!(one_way.forward && !one_way.backward);
}

#[test]
fn the_one_way_side_is_driven_northward_only_and_the_private_drive_never() {
    let net = fixture();
    let graph = DriveGraph::new(&net.roads);
    let snap = |id| graph.snap(at(&net, id), 5.0).expect("on a road");
    let side = |a, b| distance_m(at(&net, a), at(&net, b));
    // 1 -> 3: along the south street and up the one-way (2 km), not the private
    // diagonal (1.4 km).
    let d = drive_m(&graph, snap(1), snap(3)).unwrap();
    assert!((d - (side(1, 2) + side(2, 3))).abs() < 2.0, "{d}");
    // 3 -> 2: the one-way is closed southward, so round by 4 and 1 (3 km).
    let d = drive_m(&graph, snap(3), snap(2)).unwrap();
    let around = side(3, 4) + side(4, 1) + side(1, 2);
    assert!((d - around).abs() < 2.0, "{d} vs {around}");
    // The open track lies beyond the closed one: no car gets there, so nothing is
    // snapped to it (a car could not leave it again).
    assert_eq!(graph.snap(at(&net, 10), 5.0), None);
    assert_eq!(graph.snap(at(&net, 9), 5.0), None);
}

#[test]
fn snapping_from_the_poles_or_far_away_ends_with_the_grid() {
    // Found by fuzzing the API: at a pole a grid cell is no metres wide, and the search
    // for the nearest road went round empty rings without end.
    let net = fixture();
    let graph = DriveGraph::new(&net.roads);
    for lat in [-90.0, 90.0] {
        let pole = Coord { lon: -180.0, lat };
        assert_eq!(graph.snap(pole, 1e-300), None);
        assert_eq!(graph.snap(pole, 300_000.0), None);
    }
    // From 50 km off with a radius that reaches the roads: the nearest one, found.
    let near = at(&net, 1);
    let far = Coord {
        lon: near.lon,
        lat: near.lat + 0.45,
    };
    let link = graph.snap(far, 60_000.0).expect("roads within 60 km");
    assert!(link.off_m > 45_000.0, "{}", link.off_m);
}

#[test]
fn the_trailhead_is_reached_on_the_street_beside_it_and_the_limit_is_kept() {
    let net = fixture();
    let graph = DriveGraph::new(&net.roads);
    let th = net
        .trailheads
        .iter()
        .find(|t| t.name.as_deref() == Some("Hill Trailhead"))
        .expect("the mapped trailhead");
    let link = th.road.expect("a road passes 50 m from it");
    assert!((40.0..70.0).contains(&link.off_m), "{link:?}");
    let origin = graph.snap(at(&net, 1), 5.0).unwrap();
    let full = graph.drives(&origin, &[link], ANY)[0].unwrap();
    let short = DriveLimit {
        metres: full.metres - 10.0,
        seconds: f64::INFINITY,
    };
    assert_eq!(graph.drives(&origin, &[link], short)[0], None);
    let quick = DriveLimit {
        metres: f64::INFINITY,
        seconds: full.seconds - 1.0,
    };
    assert_eq!(graph.drives(&origin, &[link], quick)[0], None);
}
