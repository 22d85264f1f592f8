//! A judge of hikes that knows nothing of the planner or the solver: it takes a loop's
//! drawn line and the OpenStreetMap network the line should follow (as
//! `trailloop_osm` reads it from the extract: ways cut at junctions, with their tags),
//! and measures what a hiker would notice. Used by the API tests and by
//! `examples/hike_report.rs`, which writes the figures of `docs/benchmarks.md`.
//!
//! - **On the trails**: every consecutive vertex pair is a segment of an OSM way.
//! - **Road share**: length on ways cars drive (`residential`, `service`,
//!   `unclassified`, `tertiary`, `living_street`); **track share**; **route share**:
//!   length on ways that belong to a `route=hiking|foot` relation.
//! - **Junction turns per km**: at every vertex where three or more way segments meet,
//!   the change of heading between the line [`TURN_SPAN_M`] before and after it; a
//!   change of [`TURN_DEGREES`] or more is a turn, a decision the hiker has to make.
//! - **Compactness** `4 pi A / P^2` of the polygon, in local metres.
//! - **Sharing**: the larger of the share drawn twice on the very same segments and the
//!   share walked alongside another part of the line (the solver tests' line judge).
//! - **Nature share**: the share of 20 m samples inside a forest, open land or protected
//!   area polygon, or inside or within 30 m of water (the extract's land cover).
//! - **Hardest SAC grade** of the ways walked.
//! - **Parallel return**: the share of the length with another part of the line, at
//!   least [`PARALLEL_AWAY_M`] further along it, within [`PARALLEL_NEAR_M`] and heading
//!   the other way: walking back within sight of the way out.

// Shared by the API tests and the report, which read different measures.
#![allow(dead_code)]

pub mod elevation;
#[path = "../../solver/tests/support/judge.rs"]
pub mod line;
pub mod places;

use std::collections::HashMap;

use trailloop_geo::Coord;
use trailloop_osm::{Highway, LandKind, SacScale, TrailData};

use line::haversine_m;

/// Span of line before and after a junction whose headings are compared.
pub const TURN_SPAN_M: f64 = 25.0;
/// A change of heading at a junction this large is a turn.
pub const TURN_DEGREES: f64 = 45.0;
/// Parts of the line this close...
pub const PARALLEL_NEAR_M: f64 = 250.0;
/// ...and at least this far apart along it run parallel.
pub const PARALLEL_AWAY_M: f64 = 1_500.0;

type Key = (i64, i64);

/// A vertex to a nanodegree (about 0.1 mm): lines read back from JSON may differ from
/// the extract in the last bit.
fn key(p: [f64; 2]) -> Key {
    ((p[0] * 1e9).round() as i64, (p[1] * 1e9).round() as i64)
}

/// A land-cover ring in local metres with its box.
struct Ring {
    water: bool,
    lo: [f64; 2],
    hi: [f64; 2],
    points: Vec<[f64; 2]>,
    hole: bool,
    area: usize,
}

/// The network lines are judged against.
pub struct Reference<'a> {
    network: &'a TrailData,
    /// Land-cover rings in metres around `origin`, grouped by area.
    rings: Vec<Ring>,
    origin: [f64; 2],
    /// Undirected vertex pair -> the way segment (edge) it belongs to.
    segments: HashMap<(Key, Key), usize>,
    /// Vertex -> number of way segments meeting there.
    degree: HashMap<Key, u32>,
}

impl<'a> Reference<'a> {
    /// Indexes `network`.
    pub fn new(network: &'a TrailData) -> Reference<'a> {
        let mut segments = HashMap::new();
        let mut degree: HashMap<Key, u32> = HashMap::new();
        for (i, e) in network.edges.iter().enumerate() {
            for w in e.geometry.windows(2) {
                let (a, b) = (key([w[0].lon, w[0].lat]), key([w[1].lon, w[1].lat]));
                segments.insert(if a <= b { (a, b) } else { (b, a) }, i);
            }
            for c in [e.geometry[0], e.geometry[e.geometry.len() - 1]] {
                *degree.entry(key([c.lon, c.lat])).or_default() += 1;
            }
        }
        let origin = network
            .nodes
            .first()
            .map_or([0.0, 0.0], |n| [n.coord.lon, n.coord.lat]);
        let m = metres(origin);
        let mut rings = Vec::new();
        for (area, a) in network.land.iter().enumerate() {
            for (ring, hole) in a
                .outer
                .iter()
                .map(|r| (r, false))
                .chain(a.inner.iter().map(|r| (r, true)))
            {
                let points: Vec<[f64; 2]> = ring.iter().map(|&c| m(c)).collect();
                let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
                for p in &points {
                    lo = [lo[0].min(p[0]), lo[1].min(p[1])];
                    hi = [hi[0].max(p[0]), hi[1].max(p[1])];
                }
                rings.push(Ring {
                    water: a.kind == LandKind::Water,
                    lo,
                    hi,
                    points,
                    hole,
                    area,
                });
            }
        }
        Reference {
            network,
            rings,
            origin,
            segments,
            degree,
        }
    }

    /// Whether a point is in nature: inside a land-cover area (not in its holes), or
    /// within 30 m of water.
    fn in_nature(&self, c: Coord) -> bool {
        let p = metres(self.origin)(c);
        let mut inside: HashMap<usize, (bool, bool)> = HashMap::new();
        for r in &self.rings {
            let margin = if r.water { 30.0 } else { 0.0 };
            if p[0] < r.lo[0] - margin
                || p[0] > r.hi[0] + margin
                || p[1] < r.lo[1] - margin
                || p[1] > r.hi[1] + margin
            {
                continue;
            }
            let mut crossing = false;
            for w in r.points.windows(2) {
                let (a, b) = (w[0], w[1]);
                if (a[1] > p[1]) != (b[1] > p[1])
                    && p[0] < a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
                {
                    crossing = !crossing;
                }
                if r.water && !r.hole && segment_distance(p, a, b) <= 30.0 {
                    return true;
                }
            }
            let slot = inside.entry(r.area).or_default();
            if r.hole {
                slot.1 |= crossing;
            } else {
                slot.0 |= crossing;
            }
        }
        inside.values().any(|&(outer, hole)| outer && !hole)
    }
}

fn metres(origin: [f64; 2]) -> impl Fn(Coord) -> [f64; 2] {
    const M: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;
    let scale = origin[1].to_radians().cos();
    move |c| [(c.lon - origin[0]) * scale * M, (c.lat - origin[1]) * M]
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy)
}

/// Metres from `p` to the nearest point of `line` (`[lon, lat]` vertices), in a local
/// projection around `p`.
pub fn to_line_m(p: [f64; 2], line: &[[f64; 2]]) -> f64 {
    let m = metres(p);
    let at = |q: [f64; 2]| {
        m(Coord {
            lon: q[0],
            lat: q[1],
        })
    };
    line.windows(2)
        .map(|w| segment_distance([0.0, 0.0], at(w[0]), at(w[1])))
        .fold(f64::INFINITY, f64::min)
}

impl Reference<'_> {
    fn edge_of(&self, a: [f64; 2], b: [f64; 2]) -> Option<usize> {
        let (a, b) = (key(a), key(b));
        self.segments
            .get(&if a <= b { (a, b) } else { (b, a) })
            .copied()
    }
}

/// What a hiker would notice of one loop.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hike {
    /// Length of the line, metres (haversine).
    pub length_m: f64,
    /// Distance between the first and last vertex.
    pub closing_gap_m: f64,
    /// Length on vertex pairs that are no OSM way segment.
    pub off_network_m: f64,
    /// Share on roads cars drive.
    pub road: f64,
    /// Share on tracks.
    pub track: f64,
    /// Share on ways of hiking routes.
    pub route: f64,
    /// Junctions passed per km.
    pub junctions_per_km: f64,
    /// Turns at junctions per km.
    pub turns_per_km: f64,
    /// `4 pi A / P^2`.
    pub compactness: f64,
    /// Walked twice or alongside itself, as a share of the length.
    pub sharing: f64,
    /// Walked back parallel to the way out, as a share of the length.
    pub parallel: f64,
    /// In or beside nature, as a share of the length.
    pub nature: f64,
    /// The hardest SAC grade of the ways walked.
    pub max_sac: Option<SacScale>,
}

/// Judges a closed line of `[lon, lat]` vertices against `reference`.
pub fn judge(reference: &Reference, line: &[[f64; 2]]) -> Hike {
    let drawn = line::judge(line);
    let length_m = drawn.length_m.max(f64::MIN_POSITIVE);
    let (mut road, mut track, mut route, mut off) = (0.0, 0.0, 0.0, 0.0);
    let mut max_sac = None;
    for w in line.windows(2) {
        let d = haversine_m(w[0], w[1]);
        match reference.edge_of(w[0], w[1]) {
            None => off += d,
            Some(e) => {
                let edge = &reference.network.edges[e];
                match edge.highway {
                    Highway::Residential
                    | Highway::Service
                    | Highway::Unclassified
                    | Highway::Tertiary
                    | Highway::LivingStreet => road += d,
                    Highway::Track => track += d,
                    _ => {}
                }
                if !edge.routes.is_empty() {
                    route += d;
                }
                max_sac = max_sac.max(edge.sac_scale);
            }
        }
    }
    let (junctions, turns) = junction_turns(reference, line);
    let km = length_m / 1000.0;
    Hike {
        length_m: drawn.length_m,
        closing_gap_m: drawn.closing_gap_m,
        off_network_m: off,
        road: road / length_m,
        track: track / length_m,
        route: route / length_m,
        junctions_per_km: junctions as f64 / km,
        turns_per_km: turns as f64 / km,
        compactness: compactness(line, length_m),
        sharing: drawn.retraced.max(drawn.alongside),
        parallel: parallel(line, length_m),
        nature: nature(reference, line),
        max_sac,
    }
}

/// Share of 20 m samples along the line in nature.
fn nature(reference: &Reference, line: &[[f64; 2]]) -> f64 {
    let (mut inside, mut all) = (0usize, 0usize);
    for w in line.windows(2) {
        let n = (haversine_m(w[0], w[1]) / 20.0).ceil().max(1.0) as usize;
        for i in 0..n {
            let t = (i as f64 + 0.5) / n as f64;
            let c = Coord {
                lon: w[0][0] + t * (w[1][0] - w[0][0]),
                lat: w[0][1] + t * (w[1][1] - w[0][1]),
            };
            all += 1;
            inside += usize::from(reference.in_nature(c));
        }
    }
    inside as f64 / all.max(1) as f64
}

/// Local metres around the line's first vertex.
fn projector(line: &[[f64; 2]]) -> impl Fn([f64; 2]) -> [f64; 2] {
    let origin = line[0];
    let scale = origin[1].to_radians().cos();
    const M: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;
    move |p| [(p[0] - origin[0]) * scale * M, (p[1] - origin[1]) * M]
}

fn compactness(line: &[[f64; 2]], length_m: f64) -> f64 {
    let m = projector(line);
    let pts: Vec<[f64; 2]> = line.iter().map(|&p| m(p)).collect();
    let twice_area: f64 = pts
        .windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum();
    (4.0 * std::f64::consts::PI * (twice_area.abs() / 2.0) / (length_m * length_m)).min(1.0)
}

/// The point `span` metres along the line from vertex `i`, forwards or backwards
/// (wrapping round, since the line is closed).
fn along(line: &[[f64; 2]], i: usize, span: f64, forward: bool) -> [f64; 2] {
    let n = line.len() - 1; // the last vertex repeats the first
    let mut at = i;
    let mut left = span;
    for _ in 0..n {
        let next = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        let d = haversine_m(line[at], line[next]);
        if d >= left {
            let t = left / d.max(f64::MIN_POSITIVE);
            return [
                line[at][0] + t * (line[next][0] - line[at][0]),
                line[at][1] + t * (line[next][1] - line[at][1]),
            ];
        }
        left -= d;
        at = next;
    }
    line[at]
}

/// Junction vertices passed, and those of them where the heading turns.
fn junction_turns(reference: &Reference, line: &[[f64; 2]]) -> (usize, usize) {
    if line.len() < 4 {
        return (0, 0);
    }
    let m = projector(line);
    let heading = |a: [f64; 2], b: [f64; 2]| {
        let (p, q) = (m(a), m(b));
        (q[1] - p[1]).atan2(q[0] - p[0])
    };
    let (mut junctions, mut turns) = (0, 0);
    // The start is where the hike begins, not a decision on the way.
    for i in 1..line.len() - 1 {
        if reference.degree.get(&key(line[i])).copied().unwrap_or(0) < 3 {
            continue;
        }
        junctions += 1;
        let before = along(line, i, TURN_SPAN_M, false);
        let after = along(line, i, TURN_SPAN_M, true);
        let mut change = (heading(line[i], after) - heading(before, line[i])).abs();
        if change > std::f64::consts::PI {
            change = 2.0 * std::f64::consts::PI - change;
        }
        if change.to_degrees() >= TURN_DEGREES {
            turns += 1;
        }
    }
    (junctions, turns)
}

/// Share of 50 m samples with a sample at least PARALLEL_AWAY_M further along the line
/// within PARALLEL_NEAR_M, heading the other way (more than 120 degrees apart).
fn parallel(line: &[[f64; 2]], length_m: f64) -> f64 {
    const STEP: f64 = 50.0;
    let m = projector(line);
    // (position along, point, heading)
    let mut samples: Vec<(f64, [f64; 2], f64)> = Vec::new();
    let mut at = 0.0;
    let mut next = 0.0;
    for w in line.windows(2) {
        let (a, b) = (m(w[0]), m(w[1]));
        let d = haversine_m(w[0], w[1]);
        let h = (b[1] - a[1]).atan2(b[0] - a[0]);
        while next <= at + d && d > 0.0 {
            let t = (next - at) / d;
            samples.push((
                next,
                [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])],
                h,
            ));
            next += STEP;
        }
        at += d;
    }
    if samples.is_empty() || length_m < 2.0 * PARALLEL_AWAY_M {
        return 0.0;
    }
    let cell = |p: [f64; 2]| {
        (
            (p[0] / PARALLEL_NEAR_M).floor() as i64,
            (p[1] / PARALLEL_NEAR_M).floor() as i64,
        )
    };
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, s) in samples.iter().enumerate() {
        grid.entry(cell(s.1)).or_default().push(i);
    }
    let hits = samples
        .iter()
        .filter(|&&(pos, p, h)| {
            let (cx, cy) = cell(p);
            (cx - 1..=cx + 1).any(|x| {
                (cy - 1..=cy + 1).any(|y| {
                    grid.get(&(x, y)).is_some_and(|members| {
                        members.iter().any(|&j| {
                            let (other, q, g) = samples[j];
                            let apart = (pos - other).abs();
                            let mut turn = (h - g).abs();
                            if turn > std::f64::consts::PI {
                                turn = 2.0 * std::f64::consts::PI - turn;
                            }
                            apart.min(length_m - apart) >= PARALLEL_AWAY_M
                                && (p[0] - q[0]).hypot(p[1] - q[1]) <= PARALLEL_NEAR_M
                                && turn.to_degrees() > 120.0
                        })
                    })
                })
            })
        })
        .count();
    hits as f64 / samples.len() as f64
}

/// The `p`-quantile (0..1) of `values`, by nearest rank.
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    v[((v.len() - 1) as f64 * p).round() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(side_m: f64) -> Vec<[f64; 2]> {
        let d = side_m / 111_195.0;
        vec![[0.0, 0.0], [d, 0.0], [d, d], [0.0, d], [0.0, 0.0]]
    }

    #[test]
    fn a_square_is_compact_a_thin_rectangle_is_not() {
        let v = compactness(&square(1000.0), 4000.0);
        assert!((v - std::f64::consts::PI / 4.0).abs() < 0.01, "{v}");
        let d = 1000.0 / 111_195.0;
        let thin = [
            [0.0, 0.0],
            [10.0 * d, 0.0],
            [10.0 * d, d / 10.0],
            [0.0, d / 10.0],
            [0.0, 0.0],
        ];
        // 10 km by 100 m: 4 pi 1e6 / 20,200^2 = 0.031.
        assert!((compactness(&thin, 20_200.0) - 0.031).abs() < 0.002);
    }

    #[test]
    fn a_long_thin_loop_returns_parallel_and_a_square_does_not() {
        assert_eq!(parallel(&square(2000.0), 8000.0), 0.0);
        let d = 1000.0 / 111_195.0;
        // 5 km out, back 200 m to the side.
        let thin = [
            [0.0, 0.0],
            [5.0 * d, 0.0],
            [5.0 * d, 0.2 * d],
            [0.0, 0.2 * d],
            [0.0, 0.0],
        ];
        assert!(parallel(&thin, 10_400.0) > 0.6);
    }
}
