//! Edges drawn beside each other: a sidewalk along its street, a trail mapped twice, a
//! track with a path at its edge. On the ground, walking both is walking the same way
//! twice, so a walk that uses both shares that length as surely as one that walks an
//! edge twice, and the local search never joins them into a loop.
//!
//! Found once per graph: every edge is sampled every [`SAMPLE_M`] along its polyline
//! (3D points on the sphere, so nothing depends on a projection); space is cut into
//! tiles of [`TILE_M`], searched one at a time so memory stays that of one tile
//! whatever the network's size; in a tile, samples are sorted into [`NEAR_M`] cells
//! and compared cell by neighbouring cell; edge f is beside edge e by the share of e's samples
//! within [`NEAR_M`] of one of f's, times e's length. Pairs beside each other by less
//! than [`MIN_BESIDE_M`] are left out: two trails crossing, or meeting at a shallow
//! angle, are near each other for a few metres only. Near a node both edges end at,
//! samples do not count (every fork starts with two edges side by side).

use trailloop_geo::{chord_m as dist, to_xyz as xyz};

/// Spacing of the samples along each edge: a point within `NEAR_M - 1` of a line is
/// within `NEAR_M` of one of its samples.
const SAMPLE_M: f64 = 6.0;
/// Two samples this close are the same way on the ground.
pub(crate) const NEAR_M: f64 = 8.0;
/// Least length of e beside f for the pair to count.
pub(crate) const MIN_BESIDE_M: f64 = 50.0;
/// Samples this close to a node both edges end at do not count.
const FORK_GUARD_M: f64 = 3.0 * NEAR_M;

/// What the detection needs of one edge.
pub(crate) struct EdgeLine<'a> {
    pub source: u32,
    pub target: u32,
    /// Stated length: what the shared length is measured in.
    pub length_m: f64,
    /// `[lon, lat]` from source to target (at least two points).
    pub line: &'a [[f64; 2]],
}

/// Per edge, the edges beside it and the length of it beside each, in CSR form.
#[derive(Debug, Clone, Default)]
pub(crate) struct SideBySide {
    start: Vec<u32>,
    pairs: Vec<(u32, f64)>,
}

impl SideBySide {
    /// The edges beside `edge`, each with the length of `edge` beside it.
    pub fn of(&self, edge: u32) -> &[(u32, f64)] {
        let e = edge as usize;
        if e + 1 >= self.start.len() {
            return &[];
        }
        &self.pairs[self.start[e] as usize..self.start[e + 1] as usize]
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.start.capacity() * 4 + self.pairs.capacity() * std::mem::size_of::<(u32, f64)>()
    }

    /// Number of (edge, edge beside it) entries.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn find(edges: &[EdgeLine]) -> SideBySide {
        let mut counts = vec![0u32; edges.len()];
        // Tiles bound the memory: each is searched on its own, over the samples of the
        // edges whose box (grown by NEAR_M) meets it, and owns the samples inside it.
        let mut tiled: Vec<(u64, u32)> = Vec::new();
        let mut keys: Vec<u64> = Vec::new();
        for (i, e) in edges.iter().enumerate() {
            // The tiles its samples are in or within NEAR_M of (not its box: a long
            // diagonal edge's box meets thousands of tiles).
            keys.clear();
            let tile = |v: f64| ((v / TILE_M).floor() as i64 + (1 << 20)) as u64 & 0x1F_FFFF;
            sample(e.line, |p| {
                counts[i] += 1;
                let span = |k: usize| tile(p[k] - NEAR_M)..=tile(p[k] + NEAR_M);
                for x in span(0) {
                    for y in span(1) {
                        for z in span(2) {
                            keys.push((x << 42) | (y << 21) | z);
                        }
                    }
                }
            });
            keys.sort_unstable();
            keys.dedup();
            tiled.extend(keys.iter().map(|&k| (k, i as u32)));
        }
        tiled.sort_unstable();
        // (e, f) once per sample of e near f.
        let mut near: Vec<(u32, u32)> = Vec::new();
        for group in tiled.chunk_by(|a, b| a.0 == b.0) {
            let key = group[0].0;
            let corner = |shift: u32| ((key >> shift) & 0x1F_FFFF) as f64 - f64::from(1 << 20);
            let lo = [corner(42) * TILE_M, corner(21) * TILE_M, corner(0) * TILE_M];
            let members: Vec<u32> = group.iter().map(|g| g.1).collect();
            near_in_tile(edges, &members, lo, &mut near);
        }
        near.sort_unstable();
        let pairs: Vec<(u32, u32, f64)> = near
            .chunk_by(|a, b| a == b)
            .filter_map(|run| {
                let (e, f) = run[0];
                let share = run.len() as f64 / f64::from(counts[e as usize].max(1));
                let len = share * edges[e as usize].length_m;
                (len >= MIN_BESIDE_M).then_some((e, f, len))
            })
            .collect();
        let mut start = Vec::with_capacity(edges.len() + 1);
        let mut at = 0;
        for e in 0..edges.len() as u32 {
            start.push(at as u32);
            while at < pairs.len() && pairs[at].0 == e {
                at += 1;
            }
        }
        start.push(pairs.len() as u32);
        SideBySide {
            start,
            pairs: pairs.into_iter().map(|(_, f, len)| (f, len)).collect(),
        }
    }
}

/// Side of the tiles the search is split into.
const TILE_M: f64 = 1024.0;

/// Appends `(e, f)` for every sample of an edge of `members` inside the tile whose low
/// corner is `lo` that lies within [`NEAR_M`] of a sample of another edge f, except at
/// their forks.
fn near_in_tile(edges: &[EdgeLine], members: &[u32], lo: [f64; 3], near: &mut Vec<(u32, u32)>) {
    let inside = |p: [f64; 3], margin: f64| {
        (0..3).all(|k| p[k] >= lo[k] - margin && p[k] < lo[k] + TILE_M + margin)
    };
    // (edge, point, owned by this tile)
    let mut samples: Vec<(u32, [f64; 3], bool)> = Vec::new();
    for &e in members {
        sample(edges[e as usize].line, |p| {
            if inside(p, NEAR_M) {
                samples.push((e, p, inside(p, 0.0)));
            }
        });
    }
    // Cells packed 21 bits an axis (a tile spans 128 cells of 8 m a side).
    let cell = |p: [f64; 3]| {
        let c = |v: f64| ((v / NEAR_M).floor() as i64 + (1 << 20)) as u64 & 0x1F_FFFF;
        (c(p[0]) << 42) | (c(p[1]) << 21) | c(p[2])
    };
    let mut order: Vec<(u64, u32)> = samples
        .iter()
        .enumerate()
        .map(|(s, &(_, p, _))| (cell(p), s as u32))
        .collect();
    order.sort_unstable();
    // Occupied cells in key order, each with its range of `order`.
    let mut cells: Vec<(u64, u32, u32)> = Vec::new();
    let mut at = 0;
    for run in order.chunk_by(|a, b| a.0 == b.0) {
        cells.push((run[0].0, at as u32, (at + run.len()) as u32));
        at += run.len();
    }
    let members_of = |c: &(u64, u32, u32)| &order[c.1 as usize..c.2 as usize];
    // Every pair of cells that touch, once: the cell itself and the 13 neighbours after
    // it in key order, whose keys are the cell's plus a positive constant, so one
    // merge-like pass per neighbour finds them all. Compared sample by sample:
    // (sample, edge it is near), for the samples this tile owns.
    let deltas = (0..27u64)
        .map(|i| [i / 9, i / 3 % 3, i % 3])
        .filter(|d| (d[0], d[1], d[2]) >= (1, 1, 1))
        .map(|d| ((d[0] << 42) | (d[1] << 21) | d[2]) - ((1 << 42) | (1 << 21) | 1));
    let mut hits: Vec<(u32, u32)> = Vec::new();
    for delta in deltas {
        let mut j = 0;
        for here in &cells {
            let want = here.0 + delta;
            while j < cells.len() && cells[j].0 < want {
                j += 1;
            }
            if j == cells.len() {
                break;
            }
            if cells[j].0 != want {
                continue;
            }
            for &(_, s) in members_of(here) {
                let (e, p, own_s) = samples[s as usize];
                for &(_, t) in members_of(&cells[j]) {
                    let (f, q, own_t) = samples[t as usize];
                    if e != f && dist(p, q) <= NEAR_M {
                        if own_s {
                            hits.push((s, f));
                        }
                        if own_t {
                            hits.push((t, e));
                        }
                    }
                }
            }
        }
    }
    hits.sort_unstable();
    hits.dedup();
    for (s, f) in hits {
        let (e, p, _) = samples[s as usize];
        let (a, b) = (&edges[e as usize], &edges[f as usize]);
        let at_fork = [(a.source, 0), (a.target, a.line.len() - 1)]
            .iter()
            .any(|&(node, end)| {
                (node == b.source || node == b.target) && dist(p, xyz(a.line[end])) <= FORK_GUARD_M
            });
        if !at_fork {
            near.push((e, f));
        }
    }
}

/// Calls `out` with points every [`SAMPLE_M`] (at most) along the polyline, its first
/// vertex included and its last excluded.
fn sample(line: &[[f64; 2]], mut out: impl FnMut([f64; 3])) {
    for w in line.windows(2) {
        let (a, b) = (xyz(w[0]), xyz(w[1]));
        let n = (dist(a, b) / SAMPLE_M).ceil().max(1.0) as usize;
        for i in 0..n {
            let t = i as f64 / n as f64;
            out([
                a[0] + t * (b[0] - a[0]),
                a[1] + t * (b[1] - a[1]),
                a[2] + t * (b[2] - a[2]),
            ]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Degrees of latitude for `m` metres.
    fn deg(m: f64) -> f64 {
        m / trailloop_geo::METRES_PER_DEGREE
    }

    fn line(source: u32, target: u32, points: &[[f64; 2]]) -> (u32, u32, Vec<[f64; 2]>) {
        (source, target, points.to_vec())
    }

    fn find(lines: &[(u32, u32, Vec<[f64; 2]>)]) -> SideBySide {
        let edges: Vec<EdgeLine> = lines
            .iter()
            .map(|(s, t, l)| EdgeLine {
                source: *s,
                target: *t,
                length_m: l.windows(2).map(|w| dist(xyz(w[0]), xyz(w[1]))).sum(),
                line: l,
            })
            .collect();
        SideBySide::find(&edges)
    }

    #[test]
    fn a_sidewalk_five_metres_from_its_street_is_beside_it_along_its_length() {
        let (lat, d) = (42.5, deg(300.0));
        let street = line(0, 1, &[[1.5, lat], [1.5 + d, lat]]);
        let sidewalk = line(2, 3, &[[1.5, lat + deg(5.0)], [1.5 + d, lat + deg(5.0)]]);
        let beside = find(&[street, sidewalk]);
        assert_eq!(beside.of(0).len(), 1);
        let (other, len) = beside.of(0)[0];
        assert_eq!(other, 1);
        // Longitude degrees are shorter than latitude ones at 42.5°N: the street is
        // 300 m * cos(42.5°) long, all of it beside the sidewalk.
        assert!(len > 200.0, "{len}");
        assert_eq!(beside.of(1)[0].0, 0);
    }

    #[test]
    fn long_ways_across_many_tiles_are_beside_each_other_once_along_their_length() {
        // 7 km north-east, 5 m apart: samples fall in dozens of tiles, each owning its
        // own, so the shared length is the whole length and no more.
        let (lat, d) = (42.5, deg(5_000.0));
        let a = line(0, 1, &[[1.5, lat], [1.5 + d, lat + d]]);
        let b = line(
            2,
            3,
            &[[1.5, lat + deg(5.0)], [1.5 + d, lat + d + deg(5.0)]],
        );
        let beside = find(&[a, b]);
        let length: f64 = {
            let l = [[1.5, lat], [1.5 + d, lat + d]];
            dist(xyz(l[0]), xyz(l[1]))
        };
        let (other, len) = beside.of(0)[0];
        assert_eq!(other, 1);
        assert!(
            len <= length + 1e-6 && len > 0.97 * length,
            "{len} of {length}"
        );
    }

    #[test]
    fn ways_twenty_metres_apart_crossings_and_forks_are_not_beside() {
        let (lat, d) = (42.5, deg(300.0));
        let a = line(0, 1, &[[1.5, lat], [1.5 + d, lat]]);
        let apart = line(2, 3, &[[1.5, lat - deg(20.0)], [1.5 + d, lat - deg(20.0)]]);
        let crossing = line(4, 5, &[[1.5 + d / 2.0, lat - d], [1.5 + d / 2.0, lat + d]]);
        // Leaves node 0 at about 10 degrees to `a`: near it for the first tens of metres.
        let fork = line(0, 6, &[[1.5, lat], [1.5 + d, lat + deg(70.0)]]);
        let beside = find(&[a, apart, crossing, fork]);
        assert_eq!(beside.len(), 0, "{beside:?}");
    }
}
