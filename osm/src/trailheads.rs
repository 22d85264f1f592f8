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
