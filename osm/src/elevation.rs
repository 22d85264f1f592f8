//! Node elevations and edge climb from a [`Dem`].
//!
//! Climb is measured on a profile, not at the OSM vertices: the edge is resampled at
//! evenly spaced points a third of a DEM cell apart (about 30 m for SRTM3), so long
//! straight segments are not skipped over and densely drawn ones are not over-counted.
//! The interior of the profile is then smoothed with a triangular window one DEM cell
//! wide on each side, because SRTM's noise of a few metres per cell would otherwise add
//! up to phantom climb on every contour-following path. Both ends stay pinned to the
//! node elevations, so along any route `ascent - descent` telescopes to the difference
//! of the end elevations. The procedure is symmetric: walking an edge backwards swaps
//! ascent and descent.

use rayon::prelude::*;

use crate::{Coord, Dem, Edge, Node};

/// Sets every node's elevation and every edge's ascent, descent and vertex elevations.
pub(crate) fn apply(dem: &Dem, nodes: &mut [Node], edges: &mut [Edge]) {
    nodes
        .par_iter_mut()
        .for_each(|n| n.elevation_m = dem.elevation(n.coord));
    edges.par_iter_mut().for_each(|e| {
        (e.ascent_m, e.descent_m) = dem.climb(&e.geometry);
        e.elevations = vertex_elevations(dem, &e.geometry);
    });
}

/// The DEM's elevation at each vertex of `line`; a vertex over a void takes the
/// nearest vertex's before it, else after it. Empty when no vertex has one.
fn vertex_elevations(dem: &Dem, line: &[Coord]) -> Vec<f32> {
    let raw: Vec<Option<f32>> = line
        .iter()
        .map(|&c| dem.elevation(c).map(|z| z as f32))
        .collect();
    let Some(first) = raw.iter().flatten().next().copied() else {
        return Vec::new();
    };
    let mut last = first;
    raw.into_iter()
        .map(|z| {
            last = z.unwrap_or(last);
            last
        })
        .collect()
}

/// Ascent and descent in metres walking `line` from its first to its last vertex.
pub(crate) fn climb(dem: &Dem, line: &[Coord], spacing_m: f64, window_m: f64) -> (f64, f64) {
    let profile = profile(dem, line, spacing_m);
    if profile.len() < 2 {
        return (0.0, 0.0);
    }
    let smooth = smooth(&profile, window_m);
    let (mut up, mut down) = (0.0, 0.0);
    for w in smooth.windows(2) {
        let d = w[1] - w[0];
        if d > 0.0 {
            up += d;
        } else {
            down -= d;
        }
    }
    (up, down)
}

/// (distance along the line in metres, elevation) at evenly spaced points, both ends
/// included; points over DEM voids with nothing valid nearby are left out.
fn profile(dem: &Dem, line: &[Coord], spacing_m: f64) -> Vec<(f64, f64)> {
    if line.len() < 2 {
        return Vec::new();
    }
    // Spacing only needs to be roughly right, so a local flat-earth length will do; it
    // is symmetric, which keeps forward and backward samples at the same places.
    let seg: Vec<f64> = line
        .windows(2)
        .map(|w| flat_distance_m(w[0], w[1]))
        .collect();
    let total: f64 = seg.iter().sum();
    let n = ((total / spacing_m).ceil() as usize).max(1);
    let step = total / n as f64;
    let mut out = Vec::with_capacity(n + 1);
    let (mut i, mut seg_start) = (0, 0.0);
    for k in 0..=n {
        let at = if k == n { total } else { k as f64 * step };
        while i + 1 < seg.len() && seg_start + seg[i] < at {
            seg_start += seg[i];
            i += 1;
        }
        let t = if seg[i] > 0.0 {
            ((at - seg_start) / seg[i]).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let c = if k == 0 {
            line[0]
        } else if k == n {
            line[line.len() - 1]
        } else {
            Coord {
                lon: line[i].lon + t * (line[i + 1].lon - line[i].lon),
                lat: line[i].lat + t * (line[i + 1].lat - line[i].lat),
            }
        };
        if let Some(z) = dem.elevation(c) {
            out.push((at, z));
        }
    }
    out
}

/// Triangular moving average over `window_m` on each side; the ends are kept as they are.
fn smooth(profile: &[(f64, f64)], window_m: f64) -> Vec<f64> {
    let last = profile.len() - 1;
    (0..=last)
        .map(|i| {
            if i == 0 || i == last {
                return profile[i].1;
            }
            let x = profile[i].0;
            let (mut sum, mut weight) = (0.0, 0.0);
            let mut add = |j: usize| {
                let w = 1.0 - (profile[j].0 - x).abs() / window_m;
                if w > 0.0 {
                    sum += w * profile[j].1;
                    weight += w;
                }
                w > 0.0
            };
            add(i);
            for j in (0..i).rev() {
                if !add(j) {
                    break;
                }
            }
            for j in i + 1..=last {
                if !add(j) {
                    break;
                }
            }
            sum / weight
        })
        .collect()
}

fn flat_distance_m(a: Coord, b: Coord) -> f64 {
    let mid = [(a.lon + b.lon) / 2.0, (a.lat + b.lat) / 2.0];
    let (p, q) = (
        crate::geo::local_metres(mid, [a.lon, a.lat]),
        crate::geo::local_metres(mid, [b.lon, b.lat]),
    );
    (q[0] - p[0]).hypot(q[1] - p[1])
}
