//! Joins a source's lines where the trails meet. Digitised trail data rarely shares
//! vertices exactly: an end stops a few metres short of the line it meets, or meets it
//! between two of its vertices. Here:
//!
//! - vertices within a centimetre (1e-7 degrees) are one;
//! - a line end that shares no vertex with another line, but lies within the tolerance
//!   of one, is moved to the nearest point of that line, which gains a vertex there
//!   (the line is split there when the network is noded) unless a vertex of it lies
//!   within [`ON_VERTEX_M`] of that point;
//! - lines that cross without a shared vertex stay apart (a bridge, a tunnel).
//!
//! The [`TopologyReport`] says what was done and how connected the result is.

use std::collections::HashMap;

use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;
use serde::{Deserialize, Serialize};
use trailloop_geo::{distance_m, length_m, to_xyz, Coord};

use super::SourceLine;

/// Default snapping tolerance, metres.
pub const SNAP_TOLERANCE_M: f64 = 15.0;
/// An end snapped to a point of a line this close to one of its vertices goes to the
/// vertex instead (no new vertex for a few decimetres).
pub const ON_VERTEX_M: f64 = 0.5;
/// An end closer than this to another line already touches it.
const TOUCH_M: f64 = 0.001;
/// How many of the largest connected pieces the report lists.
const PIECES_LISTED: usize = 5;

/// What joining the lines did, and how connected they are now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopologyReport {
    /// The tolerance used, metres.
    pub tolerance_m: f64,
    /// Lines read.
    pub lines: usize,
    /// Line ends that already shared a vertex with another line.
    pub ends_joined: usize,
    /// Line ends that lay on another line (within a millimetre) between its vertices.
    pub ends_touching: usize,
    /// Line ends moved onto another line within the tolerance.
    pub ends_snapped: usize,
    /// Line ends with no other line within the tolerance (trail ends, or gaps wider
    /// than it).
    pub ends_loose: usize,
    /// Points where a line gained a vertex for an end to meet it (where the network
    /// splits it).
    pub split_points: usize,
    /// Lines that gained at least one such vertex.
    pub lines_split: usize,
    /// Connected pieces of the joined lines.
    pub pieces: usize,
    /// Total length, km.
    pub length_km: f64,
    /// The largest pieces' shares of the length, largest first (at most five).
    pub largest_shares: Vec<f64>,
}

/// The joined lines: each line as vertex ids into `coords`.
#[derive(Debug, Clone, Default)]
pub struct Joined {
    /// Location of each vertex id.
    pub coords: Vec<Coord>,
    /// For each input line, in order, its vertex ids (consecutive repeats removed);
    /// empty for a line that collapsed to a point.
    pub lines: Vec<Vec<u32>>,
    /// What was done.
    pub report: TopologyReport,
}

/// A segment of a line on the sphere (metres), with its (line, segment index).
type Segment = GeomWithData<Line<[f64; 3]>, (u32, u32)>;

struct UnionFind(Vec<u32>);

impl UnionFind {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let up = self.0[self.0[x as usize] as usize];
            self.0[x as usize] = up;
            x = up;
        }
        x
    }

    /// Joins `x`'s set into `into`'s: the root of `into` stays the root.
    fn join(&mut self, x: u32, into: u32) {
        let (rx, ri) = (self.find(x), self.find(into));
        if rx != ri {
            self.0[rx as usize] = ri;
        }
    }

    fn add(&mut self) -> u32 {
        let id = self.0.len() as u32;
        self.0.push(id);
        id
    }
}

fn key(c: Coord) -> (i64, i64) {
    ((c.lon * 1e7).round() as i64, (c.lat * 1e7).round() as i64)
}

/// Joins `lines` with ends snapped within `tolerance_m`.
pub fn join(lines: &[&SourceLine], tolerance_m: f64) -> Joined {
    let mut ids: HashMap<(i64, i64), u32> = HashMap::new();
    let mut coords: Vec<Coord> = Vec::new();
    let mut vertex_lines: Vec<Vec<u32>> = lines
        .iter()
        .map(|l| {
            let mut out: Vec<u32> = Vec::with_capacity(l.coords.len());
            for &c in &l.coords {
                let id = *ids.entry(key(c)).or_insert_with(|| {
                    coords.push(c);
                    coords.len() as u32 - 1
                });
                if out.last() != Some(&id) {
                    out.push(id);
                }
            }
            out
        })
        .collect();
    // Which lines use each vertex (a line once, however often it passes).
    let mut users: Vec<Vec<u32>> = vec![Vec::new(); coords.len()];
    for (l, vs) in vertex_lines.iter().enumerate() {
        for &v in vs {
            let u = &mut users[v as usize];
            if u.last() != Some(&(l as u32)) && !u.contains(&(l as u32)) {
                u.push(l as u32);
            }
        }
    }
    let xyz: Vec<[f64; 3]> = coords.iter().map(|c| to_xyz([c.lon, c.lat])).collect();
    let segments: Vec<Segment> = vertex_lines
        .iter()
        .enumerate()
        .flat_map(|(l, vs)| {
            let xyz = &xyz;
            vs.windows(2).enumerate().map(move |(s, w)| {
                GeomWithData::new(
                    Line::new(xyz[w[0] as usize], xyz[w[1] as usize]),
                    (l as u32, s as u32),
                )
            })
        })
        .collect();
    let tree = RTree::bulk_load(segments);

    let mut report = TopologyReport {
        tolerance_m,
        lines: lines.len(),
        ..TopologyReport::default()
    };
    let mut uf = UnionFind((0..coords.len() as u32).collect());
    // (line, segment, t, new vertex)
    let mut inserts: Vec<(u32, u32, f64, u32)> = Vec::new();
    // The sphere's chord is within a part in a million of the metres at these scales;
    // a little slack, and the geodesic distance decides.
    let reach2 = (tolerance_m * 1.01).powi(2);
    for (l, vs) in vertex_lines.iter().enumerate() {
        if vs.len() < 2 {
            continue;
        }
        for end in [vs[0], vs[vs.len() - 1]] {
            if users[end as usize].len() >= 2 {
                report.ends_joined += 1;
                continue;
            }
            let at = xyz[end as usize];
            let nearest = tree
                .nearest_neighbor_iter_with_distance_2(&at)
                .take_while(|(_, d2)| *d2 <= reach2)
                .find(|(seg, _)| seg.data.0 != l as u32);
            let Some((seg, _)) = nearest else {
                report.ends_loose += 1;
                continue;
            };
            let (line, s) = seg.data;
            let (a, b) = {
                let vs = &vertex_lines[line as usize];
                (vs[s as usize], vs[s as usize + 1])
            };
            let t = projection(at, xyz[a as usize], xyz[b as usize]);
            let (ca, cb) = (coords[a as usize], coords[b as usize]);
            let p = Coord {
                lon: ca.lon + t * (cb.lon - ca.lon),
                lat: ca.lat + t * (cb.lat - ca.lat),
            };
            let gap = distance_m(coords[end as usize], p);
            if gap > tolerance_m {
                report.ends_loose += 1;
                continue;
            }
            let target = if distance_m(p, ca) <= ON_VERTEX_M {
                a
            } else if distance_m(p, cb) <= ON_VERTEX_M {
                b
            } else {
                let v = uf.add();
                coords.push(p);
                inserts.push((line, s, t, v));
                v
            };
            if gap <= TOUCH_M {
                report.ends_touching += 1;
            } else {
                report.ends_snapped += 1;
            }
            uf.join(end, target);
        }
    }
    report.split_points = inserts.len();

    // Insert the new vertices, in order along each segment.
    inserts.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(x.2.total_cmp(&y.2)));
    let mut split_lines = 0;
    let mut i = 0;
    while i < inserts.len() {
        let line = inserts[i].0;
        let mut j = i;
        while j < inserts.len() && inserts[j].0 == line {
            j += 1;
        }
        split_lines += 1;
        let old = std::mem::take(&mut vertex_lines[line as usize]);
        let mut new = Vec::with_capacity(old.len() + j - i);
        let mut k = i;
        for (s, &v) in old.iter().enumerate() {
            new.push(v);
            while k < j && inserts[k].1 as usize == s {
                new.push(inserts[k].3);
                k += 1;
            }
        }
        vertex_lines[line as usize] = new;
        i = j;
    }
    report.lines_split = split_lines;

    // Every vertex as its set's root; the root keeps its place.
    let mut out_lines: Vec<Vec<u32>> = Vec::with_capacity(vertex_lines.len());
    for vs in &vertex_lines {
        let mut out: Vec<u32> = Vec::with_capacity(vs.len());
        for &v in vs {
            let r = uf.find(v);
            if out.last() != Some(&r) {
                out.push(r);
            }
        }
        if out.len() < 2 {
            out.clear();
        }
        out_lines.push(out);
    }

    // Connected pieces and their length.
    let mut pieces = UnionFind((0..coords.len() as u32).collect());
    for vs in &out_lines {
        for w in vs.windows(2) {
            pieces.join(w[1], w[0]);
        }
    }
    let mut length: HashMap<u32, f64> = HashMap::new();
    let mut total = 0.0;
    for vs in out_lines.iter().filter(|vs| !vs.is_empty()) {
        let geometry: Vec<Coord> = vs.iter().map(|&v| coords[v as usize]).collect();
        let m = length_m(&geometry);
        total += m;
        *length.entry(pieces.find(vs[0])).or_default() += m;
    }
    let mut shares: Vec<f64> = length.values().map(|m| m / total.max(1e-9)).collect();
    shares.sort_by(|a, b| b.total_cmp(a));
    report.pieces = shares.len();
    report.length_km = total / 1000.0;
    report.largest_shares = shares
        .into_iter()
        .take(PIECES_LISTED)
        .map(|s| (s * 1e4).round() / 1e4)
        .collect();
    Joined {
        coords,
        lines: out_lines,
        report,
    }
}

/// Where the point nearest `p` lies on the segment `a`-`b`, 0 at `a` to 1 at `b`.
fn projection(p: [f64; 3], a: [f64; 3], b: [f64; 3]) -> f64 {
    let ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let ap = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
    let len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
    if len2 <= 0.0 {
        return 0.0;
    }
    ((ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / len2).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::LineAttrs;

    /// A point `east_m` east and `north_m` north of (10 E, 45 N).
    fn at(east_m: f64, north_m: f64) -> Coord {
        let m_per_deg_lat = 111_132.0;
        let m_per_deg_lon = m_per_deg_lat * 45f64.to_radians().cos();
        Coord {
            lon: 10.0 + east_m / m_per_deg_lon,
            lat: 45.0 + north_m / m_per_deg_lat,
        }
    }

    fn line(id: &str, pts: &[(f64, f64)]) -> SourceLine {
        SourceLine {
            id: id.into(),
            coords: pts.iter().map(|&(e, n)| at(e, n)).collect(),
            attrs: LineAttrs::default(),
        }
    }

    #[test]
    fn ends_short_of_a_line_and_on_it_between_vertices_are_joined() {
        // A long east-west trail with vertices only at its ends; one trail ends 6 m
        // short of it, another ends exactly on it between its vertices, a third shares
        // its west end.
        let lines = [
            line("main", &[(0.0, 0.0), (1000.0, 0.0)]),
            line("short", &[(300.0, 6.0), (300.0, 400.0)]),
            line("on", &[(600.0, 0.0), (600.0, -300.0)]),
            line("shared", &[(0.0, 0.0), (-200.0, 0.0)]),
        ];
        let refs: Vec<&SourceLine> = lines.iter().collect();
        let joined = join(&refs, SNAP_TOLERANCE_M);
        let r = &joined.report;
        assert_eq!(r.pieces, 1, "{r:?}");
        assert_eq!(r.ends_snapped, 1, "{r:?}");
        assert_eq!(r.ends_touching, 1, "{r:?}");
        assert_eq!(r.ends_joined, 2, "{r:?}");
        assert_eq!(r.split_points, 2, "{r:?}");
        assert_eq!(r.lines_split, 1, "{r:?}");
        // The main line now runs through both new vertices, in order.
        assert_eq!(joined.lines[0].len(), 4);
        let short_end = joined.lines[1][0];
        assert!(joined.lines[0].contains(&short_end));
        let p = joined.coords[short_end as usize];
        assert!(distance_m(p, at(300.0, 0.0)) < 0.05, "{p:?}");
        assert!((r.largest_shares[0] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn gaps_wider_than_the_tolerance_and_crossings_stay_apart() {
        let lines = [
            line("a", &[(0.0, 0.0), (1000.0, 0.0)]),
            // 20 m short: wider than 15 m.
            line("b", &[(300.0, 20.0), (300.0, 400.0)]),
            // Crosses "a" with no shared vertex: a bridge.
            line("c", &[(700.0, -100.0), (700.0, 100.0)]),
        ];
        let refs: Vec<&SourceLine> = lines.iter().collect();
        let joined = join(&refs, SNAP_TOLERANCE_M);
        assert_eq!(joined.report.pieces, 3, "{:?}", joined.report);
        assert_eq!(joined.report.ends_snapped, 0);
        assert_eq!(joined.report.split_points, 0);
        // With a wider tolerance the gap closes; the crossing still does not.
        let joined = join(&refs, 25.0);
        assert_eq!(joined.report.pieces, 2, "{:?}", joined.report);
    }

    #[test]
    fn two_loose_ends_facing_each_other_meet_once() {
        let lines = [
            line("west", &[(-500.0, 0.0), (0.0, 0.0)]),
            line("east", &[(4.0, 0.0), (500.0, 0.0)]),
        ];
        let refs: Vec<&SourceLine> = lines.iter().collect();
        let joined = join(&refs, SNAP_TOLERANCE_M);
        assert_eq!(joined.report.pieces, 1, "{:?}", joined.report);
        assert_eq!(joined.lines[0][1], joined.lines[1][0]);
    }

    #[test]
    fn an_end_near_a_vertex_goes_to_the_vertex() {
        let lines = [
            line("a", &[(0.0, 0.0), (300.0, 0.0), (600.0, 0.0)]),
            line("b", &[(300.2, 5.0), (300.0, 400.0)]),
        ];
        let refs: Vec<&SourceLine> = lines.iter().collect();
        let joined = join(&refs, SNAP_TOLERANCE_M);
        assert_eq!(joined.report.split_points, 0);
        assert_eq!(joined.report.ends_snapped, 1);
        assert_eq!(joined.lines[1][0], joined.lines[0][1]);
    }
}
