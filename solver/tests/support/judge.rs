//! Judges a loop from its drawn line alone, as someone who never saw the graph would:
//! does it close, how long is it, and how much of it is walked twice, whether on the very
//! same vertices or on a line drawn alongside (two ways mapped a few metres apart are
//! one trail on the ground). Nothing here reads edge ids or the solver's own measures.

use std::collections::HashMap;

/// Mean Earth radius (m), as the haversine below uses it.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Spacing of the points a line is sampled at for [`Verdict::alongside`].
const SAMPLE_M: f64 = 5.0;
/// A sample within this distance of another part of the line is walked alongside it.
pub const NEAR_M: f64 = 4.0;
/// Parts of the line closer than this along it are neighbours, not a second pass
/// (a hairpin bend, or the two sides of a junction).
const AWAY_M: f64 = 60.0;

/// What the line alone says about a closed walk.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    /// Geodesic (haversine) length of the line.
    pub length_m: f64,
    /// Distance between the first and the last vertex.
    pub closing_gap_m: f64,
    /// Share of the length on segments (vertex pairs, either way round) drawn twice.
    pub retraced: f64,
    /// Share of the length within [`NEAR_M`] of a part of the line at least
    /// [`AWAY_M`] away along it: retracing, including along a parallel way.
    pub alongside: f64,
}

/// Haversine distance between two `[lon, lat]` points.
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((b[0] - a[0]).to_radians() / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// Judges a closed line of `[lon, lat]` vertices.
pub fn judge(line: &[[f64; 2]]) -> Verdict {
    let length_m: f64 = line.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
    let closing_gap_m = match (line.first(), line.last()) {
        (Some(&a), Some(&b)) => haversine_m(a, b),
        _ => f64::INFINITY,
    };
    Verdict {
        length_m,
        closing_gap_m,
        retraced: retraced(line) / length_m.max(f64::MIN_POSITIVE),
        alongside: alongside(line, length_m),
    }
}

/// Length on vertex pairs that the line draws more than once (every drawing counted).
fn retraced(line: &[[f64; 2]]) -> f64 {
    let key = |p: [f64; 2]| (p[0].to_bits(), p[1].to_bits());
    let mut seen: HashMap<_, usize> = HashMap::new();
    for w in line.windows(2) {
        let (a, b) = (key(w[0]), key(w[1]));
        *seen
            .entry(if a <= b { (a, b) } else { (b, a) })
            .or_default() += 1;
    }
    line.windows(2)
        .filter(|w| {
            let (a, b) = (key(w[0]), key(w[1]));
            seen[&if a <= b { (a, b) } else { (b, a) }] > 1
        })
        .map(|w| haversine_m(w[0], w[1]))
        .sum()
}

/// Share of [`SAMPLE_M`]-spaced samples that have a sample of another part of the line
/// within [`NEAR_M`]; distances along the line wrap round, since it is closed.
fn alongside(line: &[[f64; 2]], length_m: f64) -> f64 {
    if line.len() < 2 || length_m <= 0.0 {
        return 0.0;
    }
    // Local equirectangular metres around the first vertex: plenty for 4 m at 40 km.
    let origin = line[0];
    let scale = origin[1].to_radians().cos();
    let metres = |p: [f64; 2]| {
        [
            (p[0] - origin[0]).to_radians() * scale * EARTH_RADIUS_M,
            (p[1] - origin[1]).to_radians() * EARTH_RADIUS_M,
        ]
    };
    // Samples: (position along the line, point in metres).
    let mut samples: Vec<(f64, [f64; 2])> = Vec::new();
    let mut at = 0.0;
    for w in line.windows(2) {
        let (a, b) = (metres(w[0]), metres(w[1]));
        let seg = haversine_m(w[0], w[1]);
        let n = (seg / SAMPLE_M).ceil().max(1.0) as usize;
        for i in 0..n {
            let t = i as f64 / n as f64;
            samples.push((
                at + t * seg,
                [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])],
            ));
        }
        at += seg;
    }
    let cell = |p: [f64; 2]| {
        (
            (p[0] / NEAR_M).floor() as i64,
            (p[1] / NEAR_M).floor() as i64,
        )
    };
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, s) in samples.iter().enumerate() {
        grid.entry(cell(s.1)).or_default().push(i);
    }
    let near = samples
        .iter()
        .filter(|&&(pos, p)| {
            let (cx, cy) = cell(p);
            (cx - 1..=cx + 1).any(|x| {
                (cy - 1..=cy + 1).any(|y| {
                    grid.get(&(x, y)).is_some_and(|members| {
                        members.iter().any(|&j| {
                            let (other, q) = samples[j];
                            let along = (pos - other).abs();
                            along.min(length_m - along) >= AWAY_M
                                && (p[0] - q[0]).hypot(p[1] - q[1]) <= NEAR_M
                        })
                    })
                })
            })
        })
        .count();
    near as f64 / samples.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square of side `side_m` metres near the equator, as `[lon, lat]`, closed.
    fn square(side_m: f64) -> Vec<[f64; 2]> {
        let d = (side_m / EARTH_RADIUS_M).to_degrees();
        vec![[0.0, 0.0], [d, 0.0], [d, d], [0.0, d], [0.0, 0.0]]
    }

    #[test]
    fn a_square_closes_and_is_walked_once() {
        let v = judge(&square(1000.0));
        assert!((v.length_m - 4000.0).abs() < 1.0, "{v:?}");
        assert!(v.closing_gap_m < 1e-6);
        assert_eq!(v.retraced, 0.0);
        assert_eq!(v.alongside, 0.0);
    }

    #[test]
    fn an_out_and_back_is_all_retraced_and_all_alongside_but_its_turn() {
        let d = (1000.0 / EARTH_RADIUS_M).to_degrees();
        let v = judge(&[[0.0, 0.0], [d, 0.0], [0.0, 0.0]]);
        assert!((v.retraced - 1.0).abs() < 1e-9, "{v:?}");
        // Within AWAY_M / 2 of the turn the two passes count as neighbours.
        assert!(v.alongside > 0.9 && v.alongside < 1.0, "{v:?}");
    }

    #[test]
    fn a_parallel_way_three_metres_off_counts_as_alongside_not_retraced() {
        let d = (1000.0 / EARTH_RADIUS_M).to_degrees();
        let off = (3.0 / EARTH_RADIUS_M).to_degrees();
        let v = judge(&[[0.0, 0.0], [d, 0.0], [d, off], [0.0, off], [0.0, 0.0]]);
        assert_eq!(v.retraced, 0.0);
        assert!(v.alongside > 0.9, "{v:?}");
        // Ten metres apart they are two trails.
        let off = (10.0 / EARTH_RADIUS_M).to_degrees();
        let v = judge(&[[0.0, 0.0], [d, 0.0], [d, off], [0.0, off], [0.0, 0.0]]);
        assert_eq!(v.alongside, 0.0, "{v:?}");
    }

    #[test]
    fn an_open_line_has_a_closing_gap() {
        let mut line = square(1000.0);
        line.pop();
        assert!((judge(&line).closing_gap_m - 1000.0).abs() < 1.0);
    }
}
