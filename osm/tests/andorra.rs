//! The network of the real Andorra extract, with its SRTM3 tile. Independent figures to
//! compare with are in `data/SOURCE.md`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::LazyLock;

use trailloop_geo::Coord;
use trailloop_osm::{
    build_trail_data, BuildOptions, Dem, Edge, Highway, TrailData, TrailheadKind,
    TRAILHEAD_CLUSTER_RADIUS_M, TRAILHEAD_SNAP_RADIUS_M,
};

fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data")
        .join(file)
}

static DEM: LazyLock<Dem> =
    LazyLock::new(|| Dem::open(&[data("N42E001.hgt.zip")]).expect("the SRTM tile opens"));

fn build(with_dem: bool) -> TrailData {
    let options = BuildOptions {
        dem: with_dem.then(|| DEM.clone()),
        ..BuildOptions::default()
    };
    build_trail_data(&data("andorra.osm.pbf"), &options).expect("Andorra builds")
}

static NETWORK: LazyLock<TrailData> = LazyLock::new(|| build(true));

fn is_trail(h: Highway) -> bool {
    matches!(
        h,
        Highway::Path
            | Highway::Footway
            | Highway::Track
            | Highway::Bridleway
            | Highway::Steps
            | Highway::Cycleway
    )
}

/// Great-circle distance on a sphere: an independent check on the geodesic lengths.
fn haversine_m(a: Coord, b: Coord) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

fn trail_km(edges: &[Edge]) -> f64 {
    edges
        .iter()
        .filter(|e| is_trail(e.highway))
        .map(|e| e.length_m)
        .sum::<f64>()
        / 1000.0
}

#[test]
fn trail_classes_hold_the_independently_measured_length() {
    let km = trail_km(&NETWORK.edges);
    assert!(
        (1500.0..1560.0).contains(&km),
        "trail km {km:.1}, expected about 1524"
    );
    // Roads that link trails are there too, but are not most of the network.
    let road_km: f64 = NETWORK
        .edges
        .iter()
        .filter(|e| e.highway.is_road())
        .map(|e| e.length_m / 1000.0)
        .sum();
    assert!(road_km > 50.0 && road_km < km, "road km {road_km:.1}");
}

#[test]
fn hiking_routes_are_named_on_their_edges() {
    let on_gr11 = NETWORK
        .edges
        .iter()
        .filter(|e| e.routes.iter().any(|r| r.starts_with("GR 11")))
        .map(|e| e.length_m / 1000.0)
        .sum::<f64>();
    // GR 11 crosses Andorra over several tens of kilometres.
    assert!(on_gr11 > 20.0, "GR 11 over {on_gr11:.1} km");
    for e in &NETWORK.edges {
        let mut sorted = e.routes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            sorted, e.routes,
            "routes sorted and unique on way {:?}",
            e.osm_way_id
        );
    }
}

#[test]
fn edges_join_valid_nodes_with_consistent_geometry() {
    let n = &*NETWORK;
    assert!(n.nodes.len() > 1000 && n.edges.len() > 1000);
    for (i, e) in n.edges.iter().enumerate() {
        let (s, t) = (e.source as usize, e.target as usize);
        assert!(s < n.nodes.len() && t < n.nodes.len(), "edge {i} ends");
        assert_ne!(s, t, "edge {i} of way {:?} is a self-loop", e.osm_way_id);
        assert!(e.geometry.len() >= 2);
        assert_eq!(
            e.geometry[0], n.nodes[s].coord,
            "edge {i} starts at its source"
        );
        assert_eq!(
            *e.geometry.last().unwrap(),
            n.nodes[t].coord,
            "edge {i} ends at its target"
        );
        assert!(e.length_m > 0.0, "edge {i} has length {}", e.length_m);
        let sphere: f64 = e.geometry.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
        assert!(
            (e.length_m - sphere).abs() <= 0.006 * sphere + 0.01,
            "edge {i}: geodesic {} vs spherical {sphere}",
            e.length_m
        );
    }
}

#[test]
fn nodes_are_unique_junctions_or_ends() {
    let n = &*NETWORK;
    let mut degree = vec![0u32; n.nodes.len()];
    for e in &n.edges {
        degree[e.source as usize] += 1;
        degree[e.target as usize] += 1;
    }
    assert!(degree.iter().all(|&d| d > 0), "every node is on an edge");
    assert!(
        n.nodes.windows(2).all(|w| w[0].osm_id < w[1].osm_id),
        "sorted by OSM id, unique"
    );
    // Intermediate vertices are geometry, not nodes: no vertex inside an edge is a node.
    let node_ids: HashSet<(u64, u64)> = n
        .nodes
        .iter()
        .map(|n| (n.coord.lon.to_bits(), n.coord.lat.to_bits()))
        .collect();
    let inner_nodes = n
        .edges
        .iter()
        .flat_map(|e| &e.geometry[1..e.geometry.len() - 1])
        .filter(|c| node_ids.contains(&(c.lon.to_bits(), c.lat.to_bits())))
        .count();
    // Overlapping ways may share vertices without sharing OSM nodes; that is rare.
    assert!(
        inner_nodes < 20,
        "{inner_nodes} interior vertices sit on nodes"
    );
    // Most junctions join three or more edges; degree-2 nodes come only from way ends
    // meeting, car-road crossings and split loops.
    let junctions = degree.iter().filter(|&&d| d >= 3).count();
    assert!(
        junctions > n.nodes.len() / 3,
        "{junctions} of {} nodes",
        n.nodes.len()
    );
}

#[test]
fn the_largest_component_holds_most_of_the_trails() {
    let n = &*NETWORK;
    let mut parent: Vec<usize> = (0..n.nodes.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for e in &n.edges {
        let (a, b) = (
            find(&mut parent, e.source as usize),
            find(&mut parent, e.target as usize),
        );
        parent[a] = b;
    }
    let mut km_by_root = std::collections::HashMap::<usize, f64>::new();
    for e in n.edges.iter().filter(|e| is_trail(e.highway)) {
        *km_by_root
            .entry(find(&mut parent, e.source as usize))
            .or_default() += e.length_m;
    }
    let largest = km_by_root.values().cloned().fold(0.0, f64::max);
    let share = largest / (trail_km(&n.edges) * 1000.0);
    assert!(
        share > 0.85,
        "largest component holds {:.1}% of trail length",
        share * 100.0
    );
}

#[test]
fn trailheads_are_snapped_and_spread_out() {
    let n = &*NETWORK;
    assert!(n.trailheads.len() > 50, "{} trailheads", n.trailheads.len());
    for kind in [
        TrailheadKind::Parking,
        TrailheadKind::RoadJunction,
        TrailheadKind::Trailhead,
    ] {
        assert!(n.trailheads.iter().any(|t| t.kind == kind), "some {kind:?}");
    }
    let mut nodes = HashSet::new();
    for t in &n.trailheads {
        let node = &n.nodes[t.node as usize];
        assert!(t.snap_distance_m < TRAILHEAD_SNAP_RADIUS_M, "{t:?}");
        assert!(
            (haversine_m(t.coord, node.coord) - t.snap_distance_m).abs()
                < 1.0 + 0.006 * t.snap_distance_m
        );
        assert!(n
            .edges
            .iter()
            .any(|e| e.source == t.node || e.target == t.node));
        assert!(nodes.insert(t.node), "two trailheads on node {}", t.node);
        if t.kind == TrailheadKind::RoadJunction {
            assert_eq!(t.snap_distance_m, 0.0);
            assert!(t.osm_id.is_none());
        } else {
            assert!(t.osm_id.is_some());
        }
    }
    for (i, a) in n.trailheads.iter().enumerate() {
        for b in &n.trailheads[i + 1..] {
            let d = haversine_m(a.coord, b.coord);
            // The spherical distance may differ from the geodesic by under 0.6%.
            assert!(
                d >= TRAILHEAD_CLUSTER_RADIUS_M * 0.99,
                "{a:?} and {b:?} are {d:.0} m apart"
            );
        }
    }
    let named = n.trailheads.iter().filter(|t| t.name.is_some()).count();
    // Car parks often carry a name, many trails do not.
    assert!(
        named * 4 > n.trailheads.len(),
        "{named} of {} named",
        n.trailheads.len()
    );
}

#[test]
fn trails_crossing_roads_outside_the_walking_network_are_trailheads() {
    // A road-junction trailhead whose node touches no walkable road can only come from
    // a car road that is not walkable (trunk, primary, secondary...): the crossing was
    // made a node because of it.
    let n = &*NETWORK;
    let crossings = n
        .trailheads
        .iter()
        .filter(|t| t.kind == TrailheadKind::RoadJunction)
        .filter(|t| {
            n.edges
                .iter()
                .filter(|e| e.source == t.node || e.target == t.node)
                .all(|e| !e.highway.is_road())
        })
        .count();
    assert!(crossings > 0);
}

#[test]
fn pois_are_snapped_to_nearby_nodes() {
    let n = &*NETWORK;
    let kinds: HashSet<&str> = n.pois.iter().map(|p| p.kind.as_str()).collect();
    for kind in [
        "hut",
        "shelter",
        "camp_site",
        "lodging",
        "drinking_water",
        "spring",
    ] {
        assert!(kinds.contains(kind), "some {kind}");
    }
    // Places to sleep say which OSM element and tag they are.
    for p in n.pois.iter().filter(|p| p.kind.is_overnight()) {
        assert!(!p.details.osm_tag.is_empty(), "{p:?}");
    }
    assert!(n
        .pois
        .iter()
        .any(|p| p.kind == trailloop_places::PoiKind::Hut && p.details.fee.is_some()));
    for p in &n.pois {
        let node = &n.nodes[p.node as usize];
        assert!(
            p.snap_distance_m <= trailloop_osm::POI_SNAP_RADIUS_M,
            "{p:?}"
        );
        let d = haversine_m(p.coord, node.coord);
        assert!((d - p.snap_distance_m).abs() < 1.0 + 0.006 * d, "{p:?}");
        // Nearest: no node is clearly closer (checked by brute force).
        let best = n
            .nodes
            .iter()
            .map(|m| haversine_m(p.coord, m.coord))
            .fold(f64::MAX, f64::min);
        assert!(
            d <= best * 1.006 + 0.5,
            "{p:?} snapped {d:.1} m, nearest {best:.1} m"
        );
    }
}

#[test]
fn elevations_fit_andorra_and_climb_telescopes() {
    let n = &*NETWORK;
    for node in &n.nodes {
        let z = node.elevation_m.expect("the tile covers every node");
        assert!(
            (800.0..3000.0).contains(&z),
            "node {} at {z} m",
            node.osm_id
        );
    }
    for e in &n.edges {
        assert!(e.ascent_m >= 0.0 && e.descent_m >= 0.0);
        let rise = n.nodes[e.target as usize].elevation_m.unwrap()
            - n.nodes[e.source as usize].elevation_m.unwrap();
        assert!(
            (e.ascent_m - e.descent_m - rise).abs() < 1e-6,
            "way {:?}",
            e.osm_way_id
        );
        // Mountain trails are steep, and SRTM3 over a cliff steeper still, but no edge
        // climbs much more than it is long.
        assert!(
            e.ascent_m + e.descent_m <= 1.2 * e.length_m + 5.0,
            "way {:?}: {} m long, {} up {} down, {:?}",
            e.osm_way_id,
            e.length_m,
            e.ascent_m,
            e.descent_m,
            e.highway
        );
    }
    let climb: f64 = n.edges.iter().map(|e| e.ascent_m + e.descent_m).sum();
    let km: f64 = n.edges.iter().map(|e| e.length_m).sum::<f64>() / 1000.0;
    // Hiking both ways over all of Andorra's network: tens of metres per kilometre
    // each way, not hundreds (noise) and not a few (a flat or missing DEM).
    let per_km = climb / 2.0 / km;
    assert!(
        (30.0..200.0).contains(&per_km),
        "{per_km:.1} m climb per km"
    );
}

#[test]
fn walking_an_edge_backwards_swaps_ascent_and_descent() {
    for e in NETWORK.edges.iter().step_by(7) {
        let reversed: Vec<Coord> = e.geometry.iter().rev().copied().collect();
        let (up, down) = DEM.climb(&reversed);
        assert!(
            (up - e.descent_m).abs() < 1e-6 && (down - e.ascent_m).abs() < 1e-6,
            "way {:?}",
            e.osm_way_id
        );
    }
}

#[test]
fn the_same_file_builds_the_same_network() {
    assert!(build(true) == *NETWORK);
}

#[test]
fn without_a_dem_the_network_is_the_same_but_flat() {
    let flat = build(false);
    assert_eq!(flat.nodes.len(), NETWORK.nodes.len());
    // The same trailheads, with no relief to offer.
    assert_eq!(flat.trailheads.len(), NETWORK.trailheads.len());
    for (a, b) in flat.trailheads.iter().zip(&NETWORK.trailheads) {
        assert_eq!((a.node, a.coord, a.kind), (b.node, b.coord, b.kind));
        for (fa, fb) in a.potential.iter().zip(&b.potential) {
            assert_eq!(fa.trail_m, fb.trail_m);
            assert_eq!(fa.relief_m, 0.0);
        }
    }
    assert_eq!(flat.pois, NETWORK.pois);
    for (a, b) in flat.edges.iter().zip(&NETWORK.edges) {
        assert_eq!(
            (a.source, a.target, &a.geometry),
            (b.source, b.target, &b.geometry)
        );
        assert_eq!((a.ascent_m, a.descent_m), (0.0, 0.0));
    }
    assert!(flat.nodes.iter().all(|n| n.elevation_m.is_none()));
}

#[test]
fn tighter_radii_keep_fewer_but_closer_trailheads_and_pois() {
    let options = BuildOptions {
        trailhead_snap_radius_m: 50.0,
        trailhead_cluster_radius_m: 500.0,
        poi_snap_radius_m: 100.0,
        ..BuildOptions::default()
    };
    let tight = build_trail_data(&data("andorra.osm.pbf"), &options).unwrap();
    assert!(tight.pois.len() < NETWORK.pois.len());
    assert!(tight.pois.iter().all(|p| p.snap_distance_m <= 100.0));
    assert!(tight.trailheads.len() < NETWORK.trailheads.len());
    assert!(tight.trailheads.iter().all(|t| t.snap_distance_m < 50.0));
    for (i, a) in tight.trailheads.iter().enumerate() {
        for b in &tight.trailheads[i + 1..] {
            assert!(haversine_m(a.coord, b.coord) >= 500.0 * 0.99);
        }
    }
}

#[test]
fn mountain_trails_run_through_nature_and_town_streets_do_not() {
    let net = &*NETWORK;
    let share = |keep: &dyn Fn(&Edge) -> bool| -> f64 {
        let (mut inside, mut total) = (0.0, 0.0);
        for e in net.edges.iter().filter(|e| keep(e)) {
            inside += e.length_m * f64::from(e.nature.any);
            total += e.length_m;
        }
        inside / total
    };
    for e in &net.edges {
        let n = e.nature;
        for part in [n.forest, n.water, n.open, n.protected] {
            assert!((0.0..=1.0).contains(&part) && part <= n.any + 1e-6, "{n:?}");
        }
    }
    let gr11 = share(&|e: &Edge| e.routes.iter().any(|r| r.contains("GR 11")));
    let streets = share(&|e: &Edge| e.highway == Highway::Residential);
    assert!(gr11 > 0.7, "GR 11 in nature: {gr11:.2}");
    assert!(streets < 0.4, "residential streets in nature: {streets:.2}");
    assert!(net.land.len() > 1000);
}

#[test]
fn peaks_lakes_and_viewpoints_near_the_trails_are_highlights() {
    use trailloop_osm::HighlightKind;
    let net = &*NETWORK;
    let comapedrosa = net
        .highlights
        .iter()
        .find(|h| h.kind == HighlightKind::Peak && h.name.as_deref() == Some("Pic de Comapedrosa"))
        .expect("Andorra's highest peak");
    assert!((comapedrosa.elevation_m.unwrap() - 2942.0).abs() < 5.0);
    let lakes: Vec<_> = net
        .highlights
        .iter()
        .filter(|h| h.kind == HighlightKind::Lake)
        .collect();
    assert!(lakes.len() > 20);
    assert!(lakes
        .iter()
        .all(|l| l.name.is_some() && !l.points.is_empty()));
    assert!(net
        .highlights
        .iter()
        .any(|h| h.kind == HighlightKind::Viewpoint));
}

#[test]
fn trailhead_potentials_grow_with_the_band_and_tell_mountains_from_dead_ends() {
    let net = &*NETWORK;
    for t in &net.trailheads {
        for w in t.potential.windows(2) {
            assert!(w[1].trail_m >= w[0].trail_m && w[1].road_m >= w[0].road_m);
            assert!(w[1].relief_m >= w[0].relief_m);
        }
    }
    // At 20 km some trailheads reach hundreds of km of trail with dozens of cycles,
    // and some (at the end of a valley road) almost nothing.
    let band = 2;
    let most = net
        .trailheads
        .iter()
        .map(|t| t.potential[band].trail_m)
        .fold(0.0f32, f32::max);
    assert!(most > 200_000.0, "{most}");
    let with_cycles = net
        .trailheads
        .iter()
        .filter(|t| t.potential[band].cycles >= 10.0)
        .count();
    assert!(with_cycles > net.trailheads.len() / 2, "{with_cycles}");
    let flat = trailloop_osm::potential::potential_to_vec(&net.trailheads[0].potential);
    assert_eq!(
        trailloop_osm::potential::potential_from_slice(&flat),
        Some(net.trailheads[0].potential)
    );
}

#[test]
fn the_road_graph_reaches_nearly_every_trailhead_from_the_capital() {
    use trailloop_drive::{DriveGraph, DriveLimit};
    let roads = &NETWORK.roads;
    let km = roads.length_km();
    // The CG-1..CG-6 and their side roads: several hundred km of road in 468 km².
    assert!((300.0..3_000.0).contains(&km), "{km} km of road");
    assert!(
        roads.edges.iter().any(|e| e.forward != e.backward),
        "one-way streets"
    );
    let graph = DriveGraph::new(roads);
    let linked: Vec<_> = NETWORK
        .trailheads
        .iter()
        .filter_map(|t| t.road.map(|r| (t, r)))
        .collect();
    for (t, r) in &linked {
        if t.kind == TrailheadKind::RoadJunction {
            assert!(r.off_m < 30.0, "a road junction lies on its road: {r:?}");
        }
    }
    assert!(
        linked.len() * 10 >= NETWORK.trailheads.len() * 8,
        "{} of {}",
        linked.len(),
        NETWORK.trailheads.len()
    );
    let origin = graph
        .snap(
            Coord {
                lon: 1.5211,
                lat: 42.5078,
            },
            1_000.0,
        )
        .expect("Andorra la Vella is on a road");
    let to: Vec<_> = linked.iter().map(|(_, r)| *r).collect();
    let unlimited = DriveLimit {
        metres: f64::INFINITY,
        seconds: f64::INFINITY,
    };
    let drives = graph.drives(&origin, &to, unlimited);
    let reached = drives.iter().flatten().count();
    assert!(reached * 10 >= to.len() * 9, "{reached} of {}", to.len());
    for ((t, _), d) in linked.iter().zip(&drives) {
        if let Some(d) = d {
            let line = trailloop_geo::distance_m(
                Coord {
                    lon: 1.5211,
                    lat: 42.5078,
                },
                t.coord,
            );
            assert!(
                d.metres + 1_000.0 >= line,
                "no drive is shorter than the straight line"
            );
            assert!(d.seconds > 0.0 && d.metres / d.seconds < 40.0, "{d:?}");
        }
    }
}

#[test]
fn the_towns_and_villages_are_kept_for_the_place_search() {
    // Read with pyosmium from the same extract: nodes tagged place=town are these seven;
    // Soldeu is a village; localities and isolated dwellings are not settlements.
    let towns: HashSet<&str> = NETWORK
        .settlements
        .iter()
        .filter(|s| s.kind == trailloop_osm::SettlementKind::Town)
        .map(|s| s.name.as_str())
        .collect();
    for name in [
        "Andorra la Vella",
        "Ordino",
        "Canillo",
        "Sant Julià de Lòria",
        "La Massana",
        "Encamp",
        "les Escaldes",
    ] {
        assert!(towns.contains(name), "{name} missing from {towns:?}");
    }
    assert!(NETWORK
        .settlements
        .iter()
        .any(|s| s.name == "Soldeu" && s.kind == trailloop_osm::SettlementKind::Village));
    assert!(!NETWORK
        .settlements
        .iter()
        .any(|s| s.name == "Obac de Soldeu"));
    let villages = NETWORK
        .settlements
        .iter()
        .filter(|s| s.kind == trailloop_osm::SettlementKind::Village)
        .count();
    assert!(
        (34..=40).contains(&villages),
        "{villages} villages (34 nodes)"
    );
}

#[test]
fn every_trailhead_is_named_and_a_made_name_says_where_it_is() {
    let n = &*NETWORK;
    // Every named or numbered highway of the extract and every named route's ways,
    // read here on their own: each vertex with the name.
    let mut refs_of: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    let mut names: Vec<(String, i64)> = Vec::new();
    let mut coords: std::collections::HashMap<i64, Coord> = Default::default();
    osmpbf::ElementReader::from_path(data("andorra.osm.pbf"))
        .unwrap()
        .for_each(|el| match el {
            osmpbf::Element::Way(w) => {
                if w.tags().any(|t| t.0 == "highway") {
                    refs_of.insert(w.id(), w.refs().collect());
                    for (k, v) in w.tags() {
                        if k == "name" || k == "ref" {
                            names.push((v.to_owned(), w.id()));
                        }
                    }
                }
            }
            osmpbf::Element::Relation(r) => {
                if let Some((_, name)) = r.tags().find(|t| t.0 == "name") {
                    for m in r.members() {
                        if m.member_type == osmpbf::RelMemberType::Way {
                            names.push((name.to_owned(), m.member_id));
                        }
                    }
                }
            }
            osmpbf::Element::Node(nd) => {
                coords.insert(
                    nd.id(),
                    Coord {
                        lat: nd.lat(),
                        lon: nd.lon(),
                    },
                );
            }
            osmpbf::Element::DenseNode(nd) => {
                coords.insert(
                    nd.id(),
                    Coord {
                        lat: nd.lat(),
                        lon: nd.lon(),
                    },
                );
            }
        })
        .unwrap();
    let coords = &coords;
    let named_ways: Vec<(&str, Coord)> = names
        .iter()
        .filter_map(|(name, way)| Some((name.as_str(), refs_of.get(way)?)))
        .flat_map(|(name, refs)| {
            refs.iter()
                .filter_map(move |r| Some((name, *coords.get(r)?)))
        })
        // Routes of routes (E7 holds GR 11's relations): their names as the network's
        // edges carry them.
        .chain(n.edges.iter().flat_map(|e| {
            e.routes
                .iter()
                .flat_map(|r| e.geometry.iter().map(move |c| (r.as_str(), *c)))
        }))
        .collect();
    let features: Vec<(&str, Coord)> = n
        .highlights
        .iter()
        .filter_map(|h| Some((h.name.as_deref()?, *h.points.first()?)))
        .chain(
            n.pois
                .iter()
                .filter_map(|p| Some((p.name.as_deref()?, p.coord))),
        )
        .chain(n.settlements.iter().map(|s| (s.name.as_str(), s.coord)))
        .collect();
    let (mut by_road, mut near, mut by_trail, mut given, mut by_place) = (0, 0, 0, 0, 0);
    for t in &n.trailheads {
        let name = t
            .name
            .as_deref()
            .unwrap_or_else(|| panic!("{t:?} has no name"));
        if !t.name_derived {
            given += 1;
            continue;
        }
        if let Some(feature) = name
            .strip_prefix("Parking near ")
            .or(name.strip_prefix("Trailhead near "))
            .or(name.strip_prefix("Trail access near "))
        {
            near += 1;
            // Named after a feature within 1 km (those near the network are kept;
            // a farther one is not a place near it).
            let d = features
                .iter()
                .filter(|f| f.0 == feature)
                .map(|f| haversine_m(f.1, t.coord))
                .fold(f64::INFINITY, f64::min);
            assert!(d.is_infinite() || d <= 1_050.0, "{name}: {d:.0} m");
            continue;
        }
        let near_way = |way: &str| {
            named_ways
                .iter()
                .filter(|w| w.0 == way)
                .map(|w| haversine_m(w.1, t.coord))
                .fold(f64::INFINITY, f64::min)
        };
        if let Some((trail, road)) = name.split_once(" at ") {
            if road.split(", ").all(|x| x.parse::<f64>().is_ok()) {
                // "Parking at 42.5, 1.5": no way or feature named it.
                by_place += 1;
                continue;
            }
            // A trail meeting a road: both pass within 100 m.
            assert!(t.kind == TrailheadKind::RoadJunction, "{name}");
            assert!(near_way(trail) <= 100.0, "{name}: {trail}");
            assert!(near_way(road) <= 100.0, "{name}: {road}");
            by_road += 1;
            continue;
        }
        let stem = ["parking", "trailhead", "trail access", "trail end"]
            .iter()
            .find_map(|noun| name.strip_suffix(&format!(" {noun}")))
            .unwrap_or_else(|| panic!("{name}: not a made name"));
        // After a way at it: a named way passes within 100 m.
        if near_way(stem) <= 100.0 {
            by_road += 1;
        } else {
            by_trail += 1;
        }
    }
    eprintln!(
        "given {given}, by way {by_road}, near a feature {near}, by trail {by_trail}, \
         by place {by_place}"
    );
    assert!(given > 0 && by_road > 0, "given {given}, by way {by_road}");
    // A place is the last resort: the extract names nearly every start's surroundings.
    assert!(by_place * 20 <= n.trailheads.len(), "{by_place} by place");
}
