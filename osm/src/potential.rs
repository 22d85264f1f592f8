//! What a trailhead offers for a loop of a given length, measured once when the
//! network is built so that a request can weigh thousands of trailheads in a drive
//! range without solving from them: for each length band of [`BAND_TARGETS_KM`], what
//! lies within half that length of the trailhead in network distance (a loop of length
//! T never goes farther): trail, road, hiking-route and nature length, the climb
//! available, and how many independent cycles the network there has (no cycle, no
//! loop).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Edge, Node, Trailhead};

/// The loop lengths potentials are measured for, km; a request interpolates between
/// them.
pub const BAND_TARGETS_KM: [f64; 4] = [5.0, 10.0, 20.0, 40.0];

/// What lies within `T / 2` of a trailhead, for one band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BandPotential {
    /// Metres of paths, tracks and other ways that are not roads.
    pub trail_m: f32,
    /// Metres of roads.
    pub road_m: f32,
    /// Metres on hiking routes.
    pub route_m: f32,
    /// Metres in nature.
    pub nature_m: f32,
    /// Highest minus lowest node elevation, metres.
    pub relief_m: f32,
    /// Independent cycles: edges - nodes + 1 of the network there.
    pub cycles: f32,
}

impl BandPotential {
    /// The values as a flat list, in field order (how they are stored).
    pub fn to_array(self) -> [f32; 6] {
        [
            self.trail_m,
            self.road_m,
            self.route_m,
            self.nature_m,
            self.relief_m,
            self.cycles,
        ]
    }

    /// The inverse of [`BandPotential::to_array`].
    pub fn from_array(a: [f32; 6]) -> BandPotential {
        BandPotential {
            trail_m: a[0],
            road_m: a[1],
            route_m: a[2],
            nature_m: a[3],
            relief_m: a[4],
            cycles: a[5],
        }
    }
}

/// Per band of [`BAND_TARGETS_KM`].
pub type Potential = [BandPotential; 4];

/// Flattens a potential for storage: bands in order, fields in order.
pub fn potential_to_vec(p: &Potential) -> Vec<f32> {
    p.iter().flat_map(|b| b.to_array()).collect()
}

/// The inverse of [`potential_to_vec`]; `None` unless it holds 24 values.
pub fn potential_from_slice(v: &[f32]) -> Option<Potential> {
    if v.len() != 24 {
        return None;
    }
    let band = |i: usize| {
        let mut a = [0.0f32; 6];
        a.copy_from_slice(&v[6 * i..6 * i + 6]);
        BandPotential::from_array(a)
    };
    Some([band(0), band(1), band(2), band(3)])
}

/// Measures every trailhead's potential, in parallel.
pub(crate) fn measure(nodes: &[Node], edges: &[Edge], trailheads: &mut [Trailhead]) {
    let n = nodes.len();
    let mut start = vec![0u32; n + 1];
    for e in edges {
        start[e.source as usize + 1] += 1;
        start[e.target as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut adj = vec![(0u32, 0u32); start[n] as usize];
    for (i, e) in edges.iter().enumerate() {
        for (at, to) in [(e.source, e.target), (e.target, e.source)] {
            adj[fill[at as usize] as usize] = (to, i as u32);
            fill[at as usize] += 1;
        }
    }
    let radius = BAND_TARGETS_KM[BAND_TARGETS_KM.len() - 1] * 1000.0 / 2.0;
    trailheads
        .par_iter_mut()
        .for_each_init(Scratch::default, |scratch, t| {
            t.potential = measure_one(nodes, edges, &start, &adj, t.node, radius, scratch);
        });
}

#[derive(Default)]
struct Scratch {
    dist: Vec<f64>,
    reached: Vec<u32>,
}

fn measure_one(
    nodes: &[Node],
    edges: &[Edge],
    start: &[u32],
    adj: &[(u32, u32)],
    from: u32,
    radius: f64,
    s: &mut Scratch,
) -> Potential {
    if s.dist.len() < nodes.len() {
        s.dist = vec![f64::INFINITY; nodes.len()];
    }
    for &v in &s.reached {
        s.dist[v as usize] = f64::INFINITY;
    }
    s.reached.clear();
    let mut heap = BinaryHeap::new();
    s.dist[from as usize] = 0.0;
    s.reached.push(from);
    // Distances in centimetres keep the heap on integers.
    heap.push(Reverse((0u64, from)));
    while let Some(Reverse((d, v))) = heap.pop() {
        let d = d as f64 / 100.0;
        if d > s.dist[v as usize] {
            continue;
        }
        for &(to, e) in &adj[start[v as usize] as usize..start[v as usize + 1] as usize] {
            let nd = d + edges[e as usize].length_m;
            if nd <= radius && nd < s.dist[to as usize] {
                if s.dist[to as usize].is_infinite() {
                    s.reached.push(to);
                }
                s.dist[to as usize] = nd;
                heap.push(Reverse(((nd * 100.0) as u64, to)));
            }
        }
    }
    let mut out: Potential = Default::default();
    let radii = BAND_TARGETS_KM.map(|t| t * 500.0);
    let mut node_count = [0usize; 4];
    let mut low = [f64::INFINITY; 4];
    let mut high = [f64::NEG_INFINITY; 4];
    for &v in &s.reached {
        let d = s.dist[v as usize];
        for b in 0..4 {
            if d <= radii[b] {
                node_count[b] += 1;
                if let Some(z) = nodes[v as usize].elevation_m {
                    low[b] = low[b].min(z);
                    high[b] = high[b].max(z);
                }
            }
        }
        // Each edge once: from its source end.
        for &(to, e) in &adj[start[v as usize] as usize..start[v as usize + 1] as usize] {
            let edge = &edges[e as usize];
            if edge.source != v {
                continue;
            }
            let far = d.max(s.dist[to as usize]);
            for b in 0..4 {
                if far <= radii[b] {
                    let band = &mut out[b];
                    let len = edge.length_m as f32;
                    if edge.highway.is_road() {
                        band.road_m += len;
                    } else {
                        band.trail_m += len;
                    }
                    if !edge.routes.is_empty() {
                        band.route_m += len;
                    }
                    band.nature_m += len * edge.nature.any;
                    band.cycles += 1.0;
                }
            }
        }
    }
    for b in 0..4 {
        // edges - nodes + 1 for the one component reached.
        out[b].cycles = (out[b].cycles - node_count[b] as f32 + 1.0).max(0.0);
        if high[b] >= low[b] {
            out[b].relief_m = (high[b] - low[b]) as f32;
        }
    }
    out
}
