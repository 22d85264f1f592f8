//! Cuts walkable ways into edges that meet only at junctions.
//!
//! A vertex becomes a network node when it ends a way, is used twice (by two ways or
//! twice by one), or is where a trail-class way meets a road cars drive even if that
//! road is not walkable (a trail crossing a trunk road is still where a car can drop a
//! hiker off). Closed pieces are cut once more in the middle so no edge is a self-loop.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::geo::length_m;
use crate::pbf::OsmData;
use crate::tags::is_trail_class;
use crate::{Edge, Node, NodeIndex};

/// The noded network, before elevation, trailheads and POIs.
pub(crate) struct Noded {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Per edge: cut from a sidewalk or crossing.
    pub urban: Vec<bool>,
}

/// A run of a way's vertices, all with known locations.
struct Chain {
    way: usize,
    refs: Vec<i64>,
}

pub(crate) fn node(data: &OsmData) -> Noded {
    let chains = chains(data);

    let mut uses: HashMap<i64, u32> = HashMap::new();
    for chain in &chains {
        for &id in &chain.refs {
            *uses.entry(id).or_default() += 1;
        }
    }
    let is_junction = |chain: &Chain, i: usize| {
        let id = chain.refs[i];
        i == 0
            || i + 1 == chain.refs.len()
            || uses[&id] >= 2
            || (is_trail_class(data.ways[chain.way].attrs.highway)
                && data.car_nodes.binary_search(&id).is_ok())
    };

    let pieces: Vec<(usize, Vec<i64>)> = chains
        .par_iter()
        .flat_map_iter(|chain| {
            let mut out = Vec::new();
            let mut start = 0;
            for i in 1..chain.refs.len() {
                if is_junction(chain, i) {
                    push_piece(&mut out, chain.way, &chain.refs[start..=i]);
                    start = i;
                }
            }
            out
        })
        .collect();

    let mut node_ids: Vec<i64> = pieces
        .iter()
        .flat_map(|(_, refs)| [refs[0], refs[refs.len() - 1]])
        .collect();
    node_ids.sort_unstable();
    node_ids.dedup();
    let index_of =
        |id: i64| node_ids.binary_search(&id).expect("piece ends are nodes") as NodeIndex;

    let nodes = node_ids
        .iter()
        .map(|&id| Node {
            osm_id: id,
            coord: data.coords[&id],
            elevation_m: None,
        })
        .collect();
    let (edges, urban) = pieces
        .par_iter()
        .map(|(way, refs)| {
            let way = &data.ways[*way];
            let geometry: Vec<_> = refs.iter().map(|id| data.coords[id]).collect();
            let a = &way.attrs;
            let edge = Edge {
                source: index_of(refs[0]),
                target: index_of(refs[refs.len() - 1]),
                osm_way_id: (way.id > 0).then_some(way.id),
                source_ref: way.source_ref.clone(),
                nature: crate::NatureShare::default(),
                length_m: length_m(&geometry),
                geometry,
                elevations: Vec::new(),
                ascent_m: 0.0,
                descent_m: 0.0,
                highway: a.highway,
                name: a.name.clone(),
                sac_scale: a.sac_scale,
                surface: a.surface.clone(),
                trail_visibility: a.trail_visibility.clone(),
                access: a.access.clone(),
                conditions: a.conditions.clone(),
                routes: data.routes.get(&way.id).cloned().unwrap_or_default(),
            };
            (edge, a.urban_footway)
        })
        .unzip();
    Noded {
        nodes,
        edges,
        urban,
    }
}

/// Splits each way into runs of consecutive, distinct, located vertices. A vertex
/// missing from the extract ends a run: the way is cut there rather than bridged.
fn chains(data: &OsmData) -> Vec<Chain> {
    let mut chains = Vec::new();
    for (way, w) in data.ways.iter().enumerate() {
        let mut refs: Vec<i64> = Vec::with_capacity(w.refs.len());
        for &id in &w.refs {
            if !data.coords.contains_key(&id) {
                if refs.len() >= 2 {
                    chains.push(Chain { way, refs });
                }
                refs = Vec::new();
            } else if refs.last() != Some(&id) {
                refs.push(id);
            }
        }
        if refs.len() >= 2 {
            chains.push(Chain { way, refs });
        }
    }
    chains
}

/// Adds one piece between junctions, cut in two when it would be a self-loop.
fn push_piece(out: &mut Vec<(usize, Vec<i64>)>, way: usize, refs: &[i64]) {
    if refs[0] == refs[refs.len() - 1] {
        // Consecutive vertices are distinct, so a closed piece has at least one interior
        // vertex to cut at.
        let mid = refs.len() / 2;
        out.push((way, refs[..=mid].to_vec()));
        out.push((way, refs[mid..].to_vec()));
    } else {
        out.push((way, refs.to_vec()));
    }
}
