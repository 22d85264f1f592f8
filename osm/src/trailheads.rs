//! Trailheads: mapped trailheads, car parks near the network, and junctions where a
//! trail meets a road cars drive, clustered so one car park yields one trailhead.

use crate::geo::METRES_PER_DEGREE;
use crate::pbf::{Feature, OsmData};
use crate::spatial::PointIndex;
use crate::tags::{is_trail_class, FeatureKind};
use crate::{BuildOptions, Coord, Edge, Node, NodeIndex, Trailhead, TrailheadKind};

/// A road junction is only a trailhead when this much trail (metres) can be walked from
/// it without touching a road; shorter trail bits are town footpaths between streets.
const MIN_JUNCTION_TRAIL_M: f64 = 1_000.0;

/// Per node: metres of trail in its trail-only component, counting trail-class edges
/// except sidewalks and crossings; 0 for nodes no trail touches.
pub(crate) fn trail_reach(node_count: usize, edges: &[Edge], urban: &[bool]) -> Vec<f64> {
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let trails = || {
        edges
            .iter()
            .zip(urban)
            .filter(|(e, &urban)| is_trail_class(e.highway) && !urban)
            .map(|(e, _)| e)
    };
    let mut parent: Vec<usize> = (0..node_count).collect();
    for e in trails() {
        let a = root(&mut parent, e.source as usize);
        let b = root(&mut parent, e.target as usize);
        parent[a.max(b)] = a.min(b);
    }
    let mut length = vec![0.0; node_count];
    for e in trails() {
        length[root(&mut parent, e.source as usize)] += e.length_m;
    }
    (0..node_count)
        .map(|n| length[root(&mut parent, n)])
        .collect()
}

pub(crate) fn find(
    data: &OsmData,
    nodes: &[Node],
    edges: &[Edge],
    reach: &[f64],
    index: &PointIndex,
    options: &BuildOptions,
    extra: Vec<Trailhead>,
) -> Vec<Trailhead> {
    let mut candidates: Vec<Trailhead> = data
        .features
        .iter()
        .filter_map(|f| mapped(f, reach, index, options.trailhead_snap_radius_m))
        .collect();
    candidates.extend(road_junctions(data, nodes, edges, reach));
    candidates.extend(extra);
    cluster(candidates, options.trailhead_cluster_radius_m)
}

/// Each node's label: the name (else first route) of a trail-class edge at it.
fn labels<'a>(nodes: &[Node], edges: &'a [Edge]) -> Vec<Option<&'a str>> {
    let mut label: Vec<Option<&str>> = vec![None; nodes.len()];
    for e in edges.iter().filter(|e| is_trail_class(e.highway)) {
        let name = e.name.as_deref().or(e.routes.first().map(String::as_str));
        for n in [e.source, e.target] {
            let slot = &mut label[n as usize];
            if slot.is_none() {
                *slot = name;
            }
        }
    }
    label
}

fn at_node(nodes: &[Node], label: &[Option<&str>], i: usize, kind: TrailheadKind) -> Trailhead {
    Trailhead {
        node: i as NodeIndex,
        coord: nodes[i].coord,
        name: label[i].map(str::to_owned),
        // Named after its trail for now (the clustering prefers named candidates);
        // `name_unnamed` gives it its full name.
        name_derived: label[i].is_some(),
        kind,
        osm_id: None,
        snap_distance_m: 0.0,
        potential: Default::default(),
        road: None,
    }
}

/// For an operator's own trails beside an OSM extract, whose vertices are not OSM's:
/// nodes (with at least [`MIN_JUNCTION_TRAIL_M`] of trail) within `radius_m` of a road
/// cars drive, as road junctions.
pub(crate) fn near_roads(
    nodes: &[Node],
    edges: &[Edge],
    reach: &[f64],
    near_road: impl Fn(Coord) -> bool,
) -> Vec<Trailhead> {
    let label = labels(nodes, edges);
    (0..nodes.len())
        .filter(|&i| reach[i] >= MIN_JUNCTION_TRAIL_M && near_road(nodes[i].coord))
        .map(|i| at_node(nodes, &label, i, TrailheadKind::RoadJunction))
        .collect()
}

/// For an operator's own trails alone: trail ends (nodes of one edge) and the ends of
/// each named trail (a route, or the edges of one name), where at least
/// [`MIN_JUNCTION_TRAIL_M`] of trail is within reach.
pub(crate) fn derived(nodes: &[Node], edges: &[Edge], reach: &[f64]) -> Vec<Trailhead> {
    let label = labels(nodes, edges);
    let mut degree = vec![0u32; nodes.len()];
    let mut route_ends: std::collections::BTreeMap<&str, std::collections::BTreeMap<u32, u32>> =
        Default::default();
    for e in edges {
        degree[e.source as usize] += 1;
        degree[e.target as usize] += 1;
        for r in e.routes.iter().chain(&e.name) {
            let ends = route_ends.entry(r.as_str()).or_default();
            *ends.entry(e.source).or_default() += 1;
            *ends.entry(e.target).or_default() += 1;
        }
    }
    let mut picked: Vec<usize> = (0..nodes.len()).filter(|&i| degree[i] == 1).collect();
    for ends in route_ends.values() {
        // The first node (by index) that ends the named trail: a node its edges
        // touch once.
        if let Some((&n, _)) = ends.iter().find(|&(_, &c)| c == 1) {
            picked.push(n as usize);
        }
    }
    picked.sort_unstable();
    picked.dedup();
    picked
        .into_iter()
        .filter(|&i| reach[i] >= MIN_JUNCTION_TRAIL_M)
        .map(|i| at_node(nodes, &label, i, TrailheadKind::TrailEnd))
        .collect()
}

/// A `highway=trailhead` or `amenity=parking`, snapped to the nearest node within
/// `radius_m`, preferring one on a trail.
fn mapped(f: &Feature, reach: &[f64], index: &PointIndex, radius_m: f64) -> Option<Trailhead> {
    let kind = match f.kind {
        FeatureKind::Trailhead => TrailheadKind::Trailhead,
        FeatureKind::Parking => TrailheadKind::Parking,
        FeatureKind::Poi(_) | FeatureKind::Highlight(_) | FeatureKind::Settlement(_) => {
            return None
        }
    };
    let coord = f.coord?;
    let mut near = index.within(coord, radius_m);
    near.retain(|&(_, d)| d < radius_m);
    let (node, snap) = near
        .iter()
        .find(|(n, _)| reach[*n as usize] > 0.0)
        .or(near.first())
        .copied()?;
    Some(Trailhead {
        node,
        coord,
        name: f.name.clone(),
        name_derived: false,
        kind,
        osm_id: Some(f.id),
        snap_distance_m: snap,
        potential: Default::default(),
        road: None,
    })
}

/// Nodes where a trail (at least [`MIN_JUNCTION_TRAIL_M`] of it) meets a road cars
/// drive, labelled with the trail's name.
fn road_junctions<'a>(
    data: &'a OsmData,
    nodes: &'a [Node],
    edges: &'a [Edge],
    reach: &'a [f64],
) -> impl Iterator<Item = Trailhead> + 'a {
    let label = labels(nodes, edges);
    nodes
        .iter()
        .enumerate()
        .filter(move |&(i, n)| {
            reach[i] >= MIN_JUNCTION_TRAIL_M && data.car_nodes.binary_search(&n.osm_id).is_ok()
        })
        .map(move |(i, _)| at_node(nodes, &label, i, TrailheadKind::RoadJunction))
}

fn rank(t: &Trailhead) -> (u8, bool, i64, NodeIndex) {
    let kind = match t.kind {
        TrailheadKind::Trailhead => 0,
        TrailheadKind::Parking => 1,
        TrailheadKind::RoadJunction => 2,
        TrailheadKind::TrailEnd => 3,
    };
    (kind, t.name.is_none(), t.osm_id.unwrap_or(i64::MAX), t.node)
}

/// Keeps the best trailhead of each neighbourhood: candidates are taken best first
/// (trailhead, named car park, car park, road junction) and one within
/// `radius_m` of, or on the same node as, a kept one is merged into it,
/// lending its name if the kept one has none.
fn cluster(mut candidates: Vec<Trailhead>, radius_m: f64) -> Vec<Trailhead> {
    candidates.sort_by_key(rank);
    let mut kept: Vec<Trailhead> = Vec::new();
    // Kept trailheads are few, so a grid keyed by ~200 m cells is all the index needed
    // while the set grows.
    let mut grid: std::collections::HashMap<(i64, i64), Vec<usize>> = Default::default();
    let mut by_node: std::collections::HashMap<NodeIndex, usize> = Default::default();
    let cell = |c: Coord| {
        let lat_m = c.lat * METRES_PER_DEGREE;
        let lon_m = c.lon * METRES_PER_DEGREE * c.lat.to_radians().cos();
        (
            (lon_m / radius_m).floor() as i64,
            (lat_m / radius_m).floor() as i64,
        )
    };
    for cand in candidates {
        let (cx, cy) = cell(cand.coord);
        let mut nearest: Option<(f64, usize)> = by_node.get(&cand.node).map(|&k| (0.0, k));
        for dx in -2..=2 {
            for dy in -2..=2 {
                for &k in grid.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                    let d = crate::geo::distance_m(cand.coord, kept[k].coord);
                    if d < radius_m && nearest.is_none_or(|(bd, bk)| (d, k) < (bd, bk)) {
                        nearest = Some((d, k));
                    }
                }
            }
        }
        match nearest {
            Some((_, k)) => {
                if kept[k].name.is_none() {
                    kept[k].name = cand.name;
                    kept[k].name_derived = cand.name_derived;
                }
            }
            None => {
                grid.entry((cx, cy)).or_default().push(kept.len());
                by_node.insert(cand.node, kept.len());
                kept.push(cand);
            }
        }
    }
    kept.sort_by_key(|t| (t.node, rank(t)));
    kept
}

/// How far from a car park a road may be to lend it its name, metres.
const NAMING_ROAD_M: f64 = 50.0;
/// How far a named feature may be to lend a trailhead its name ("parking near ..."),
/// metres.
const NAMING_FEATURE_M: f64 = 1_000.0;
/// Spacing of the points a named road is indexed by, metres.
const ROAD_SAMPLE_M: f64 = 20.0;

/// What a trailhead of `kind` is called after a road, a feature or a trail.
fn noun(kind: TrailheadKind) -> &'static str {
    match kind {
        TrailheadKind::Parking => "parking",
        TrailheadKind::Trailhead => "trailhead",
        TrailheadKind::RoadJunction => "trail access",
        TrailheadKind::TrailEnd => "trail end",
    }
}

/// Names every trailhead the data left unnamed, and marks the name derived: after the
/// road or track it is on ("Brush Ridge Road parking"); else the nearest named
/// feature within [`NAMING_FEATURE_M`] ("parking near Greenwood Lake"); else the trail
/// at its node ("Ridge Trail trail access"); else where it is ("parking at 40.1234,
/// -77.1234"). A hiker reads every start by a name, never by a number.
pub(crate) fn name_unnamed(
    trailheads: &mut [Trailhead],
    data: &OsmData,
    nodes: &[Node],
    edges: &[Edge],
    highlights: &[crate::Highlight],
) {
    if trailheads
        .iter()
        .all(|t| t.name.is_some() && !t.name_derived)
    {
        return;
    }
    // Named roads cars drive, as points every ROAD_SAMPLE_M along them.
    let mut road_points: Vec<Coord> = Vec::new();
    let mut road_names: Vec<&str> = Vec::new();
    for w in &data.road_ways {
        let Some(name) = w.name.as_deref() else {
            continue;
        };
        let coords: Vec<Coord> = w
            .refs
            .iter()
            .filter_map(|r| data.coords.get(r).copied())
            .collect();
        for pair in coords.windows(2) {
            let steps = (crate::geo::distance_m(pair[0], pair[1]) / ROAD_SAMPLE_M).ceil() as usize;
            for k in 0..steps.max(1) {
                let f = k as f64 / steps.max(1) as f64;
                road_points.push(Coord {
                    lat: pair[0].lat + (pair[1].lat - pair[0].lat) * f,
                    lon: pair[0].lon + (pair[1].lon - pair[0].lon) * f,
                });
                road_names.push(name);
            }
        }
        if let Some(&last) = coords.last() {
            road_points.push(last);
            road_names.push(name);
        }
    }
    let roads = PointIndex::new(&road_points);
    // Named features a hiker knows the place by: peaks, huts, villages, ... (not other
    // car parks and trailheads), and the highlights (a lake by its shore).
    let features: Vec<(&str, Coord)> = data
        .features
        .iter()
        .filter(|f| !matches!(f.kind, FeatureKind::Trailhead | FeatureKind::Parking))
        .filter_map(|f| Some((f.name.as_deref()?, f.coord?)))
        .chain(
            highlights
                .iter()
                .filter_map(|h| {
                    let name = h.name.as_deref()?;
                    Some(h.points.iter().map(move |&p| (name, p)))
                })
                .flatten(),
        )
        .collect();
    let feature_index = PointIndex::new(&features.iter().map(|f| f.1).collect::<Vec<_>>());
    // Named roads and tracks of the walking network at each node.
    let mut way_at: std::collections::HashMap<NodeIndex, &str> = Default::default();
    let road_or_track =
        |e: &&Edge| e.highway == crate::Highway::Track || !is_trail_class(e.highway);
    for e in edges.iter().filter(road_or_track) {
        if let Some(name) = e.name.as_deref() {
            for n in [e.source, e.target] {
                way_at.entry(n).or_insert(name);
            }
        }
    }
    let label = labels(nodes, edges);
    // Those without a name of the data's own: unnamed, or named after a trail so far.
    for t in trailheads
        .iter_mut()
        .filter(|t| t.name.is_none() || t.name_derived)
    {
        let noun = noun(t.kind);
        let on_road = roads
            .nearest(t.coord, NAMING_ROAD_M)
            .map(|(i, _)| road_names[i as usize])
            .or_else(|| way_at.get(&t.node).copied());
        let trail = label[t.node as usize];
        let name = if let (TrailheadKind::RoadJunction, Some(trail), Some(road)) =
            (t.kind, trail, on_road)
        {
            format!("{trail} at {road}")
        } else if let (TrailheadKind::TrailEnd, Some(trail)) = (t.kind, trail) {
            format!("{trail} trailhead")
        } else if let Some(road) = on_road {
            format!("{road} {noun}")
        } else if let Some((i, _)) = feature_index.nearest(t.coord, NAMING_FEATURE_M) {
            format!("{noun} near {}", features[i as usize].0)
        } else if let Some(trail) = trail {
            format!("{trail} {noun}")
        } else {
            format!("{noun} at {:.4}, {:.4}", t.coord.lat, t.coord.lon)
        };
        t.name = Some(capitalised(&name));
        t.name_derived = true;
    }
}

/// `name` with its first letter upper case ("parking near X" → "Parking near X").
fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
