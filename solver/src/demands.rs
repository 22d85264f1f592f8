//! What walking an edge demands of a hiker, and the most a hiker accepts: the SAC grade
//! of its terrain and its steepest sustained grade. An edge that demands more than the
//! hiker accepts is not walked at all (a constraint, not a cost). Chains of edges demand
//! the most any of their edges does, so the search can rule a whole chain out at once.

use trailloop_geo::haversine_m;

/// A grade counts as sustained over at least this many metres: shorter rises are within
/// the noise of a 90 m elevation model.
pub const SUSTAINED_M: f64 = 100.0;

/// An edge shorter than this has no grade of its own (its ends' elevations are one
/// cell of the model apart at most).
const MIN_GRADED_M: f64 = 25.0;

/// The steepest grade, percent, up or down, held over [`SUSTAINED_M`] along a line of
/// `[lon, lat]` vertices with their `elevations` (metres; NaN where unknown), or over
/// the first or last half of that at either end (where a stretch across a junction
/// would hold it over most of its length); over the whole line when it is shorter. 0
/// when fewer than two vertices have an elevation.
pub fn sustained_grade_pct(line: &[[f64; 2]], elevations: &[f32]) -> f64 {
    let mut at = 0.0;
    let mut known: Vec<(f64, f64)> = Vec::with_capacity(line.len());
    for (i, (p, z)) in line.iter().zip(elevations).enumerate() {
        if i > 0 {
            at += haversine_m(line[i - 1], *p);
        }
        if z.is_finite() {
            known.push((at, f64::from(*z)));
        }
    }
    let (Some(first), Some(last)) = (known.first(), known.last()) else {
        return 0.0;
    };
    let whole = last.0 - first.0;
    if whole < MIN_GRADED_M {
        return 0.0;
    }
    if whole <= SUSTAINED_M {
        return 100.0 * (last.1 - first.1).abs() / whole;
    }
    let mut steepest: f64 = 0.0;
    let mut j = 0;
    for i in 0..known.len() {
        // The first vertex at least SUSTAINED_M on from vertex i.
        j = j.max(i + 1);
        // (A millimetre short counts: distances are sums of floating-point steps.)
        while j < known.len() && known[j].0 - known[i].0 < SUSTAINED_M - 1e-3 {
            j += 1;
        }
        let Some(&(dj, zj)) = known.get(j) else {
            break;
        };
        let (di, zi) = known[i];
        steepest = steepest.max((zj - zi).abs() / (dj - di));
    }
    // A way goes on beyond its ends: a 100 m stretch across a junction holds the end's
    // grade over at least half of it. Each end's first stretch of half that counts too.
    let half = SUSTAINED_M / 2.0 - 1e-3;
    if let Some(&(dj, zj)) = known.iter().find(|k| k.0 - first.0 >= half) {
        steepest = steepest.max((zj - first.1).abs() / (dj - first.0));
    }
    if let Some(&(di, zi)) = known.iter().rev().find(|k| last.0 - k.0 >= half) {
        steepest = steepest.max((last.1 - zi).abs() / (last.0 - di));
    }
    100.0 * steepest
}

/// What an edge (or a chain of edges) demands; also, as a limit, the most a hiker
/// accepts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Demands {
    /// SAC grade, 0 (none or unknown) to 6.
    pub sac: u8,
    /// Steepest sustained grade, percent, up or down.
    pub grade_pct: f64,
    /// The closure classes of its edges, one bit each (see
    /// [`EdgeInput::closure_class`](crate::EdgeInput)); as a limit, the classes closed.
    pub closures: u64,
}

impl Demands {
    /// The larger of each demand: what walking both asks.
    pub fn max(self, other: Demands) -> Demands {
        Demands {
            sac: self.sac.max(other.sac),
            grade_pct: self.grade_pct.max(other.grade_pct),
            closures: self.closures | other.closures,
        }
    }

    /// Whether a hiker accepting `limit` walks it.
    pub fn within(&self, limit: &Demands) -> bool {
        self.sac <= limit.sac
            && self.grade_pct <= limit.grade_pct
            && self.closures & limit.closures == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `[lon, lat]` points `step_m` apart going north from 42° N.
    fn north(n: usize, step_m: f64) -> Vec<[f64; 2]> {
        let deg = step_m / trailloop_geo::METRES_PER_DEGREE;
        (0..n).map(|i| [1.5, 42.0 + i as f64 * deg]).collect()
    }

    #[test]
    fn the_grade_is_the_steepest_held_over_the_sustained_length() {
        // 50 m steps: a 30 m rise over 100 m (30 %) between flat stretches.
        let line = north(8, 50.0);
        let z = [
            1000.0, 1000.0, 1000.0, 1015.0, 1030.0, 1030.0, 1030.0, 1030.0,
        ];
        let g = sustained_grade_pct(&line, &z);
        assert!((g - 30.0).abs() < 0.1, "{g}");
        // A single 10 m jump between two vertices 50 m apart is held over 100 m: 10 %.
        let z = [
            1000.0, 1000.0, 1010.0, 1010.0, 1010.0, 1010.0, 1010.0, 1010.0,
        ];
        let g = sustained_grade_pct(&line, &z);
        assert!((g - 10.0).abs() < 0.1, "{g}");
        // Down counts as up.
        let z: Vec<f32> = (0..8).map(|i| 1000.0 - 10.0 * i as f32).collect();
        assert!((sustained_grade_pct(&line, &z) - 20.0).abs() < 0.1);
        // A steep first 50 m holds its grade over most of any 100 m stretch that comes
        // into the way across its junction: 20 m over 50 m, 40 %, though every 100 m
        // within the way holds at most 20 %.
        let z = [
            1000.0, 1020.0, 1020.0, 1020.0, 1020.0, 1020.0, 1020.0, 1020.0,
        ];
        let g = sustained_grade_pct(&line, &z);
        assert!((g - 40.0).abs() < 0.1, "{g}");
        // And so does a steep last 50 m.
        let z = [
            1000.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0, 1020.0,
        ];
        let g = sustained_grade_pct(&line, &z);
        assert!((g - 40.0).abs() < 0.1, "{g}");
    }

    #[test]
    fn short_or_unknown_lines_have_the_grade_they_can() {
        let line = north(2, 80.0);
        let g = sustained_grade_pct(&line, &[1000.0, 1020.0]);
        assert!((g - 25.0).abs() < 0.1, "{g}");
        assert_eq!(sustained_grade_pct(&north(2, 10.0), &[1000.0, 1010.0]), 0.0);
        assert_eq!(sustained_grade_pct(&line, &[f32::NAN, 1000.0]), 0.0);
        assert_eq!(sustained_grade_pct(&line, &[]), 0.0);
    }

    #[test]
    fn an_edge_is_walked_only_within_every_limit() {
        let steep = Demands {
            sac: 2,
            grade_pct: 30.0,
            closures: 0b10,
        };
        let limit = |sac, grade_pct| Demands {
            sac,
            grade_pct,
            closures: 0,
        };
        assert!(steep.within(&limit(u8::MAX, f64::INFINITY)));
        assert!(steep.within(&limit(2, 30.0)));
        assert!(!steep.within(&limit(1, f64::INFINITY)));
        assert!(!steep.within(&limit(u8::MAX, 25.0)));
        // Closed when one of its classes is.
        let closed = |closures| Demands {
            closures,
            ..limit(u8::MAX, f64::INFINITY)
        };
        assert!(steep.within(&closed(0b101)));
        assert!(!steep.within(&closed(0b110)));
        let flat_t4 = Demands {
            sac: 4,
            grade_pct: 5.0,
            closures: 0b1000,
        };
        assert_eq!(
            steep.max(flat_t4),
            Demands {
                sac: 4,
                grade_pct: 30.0,
                closures: 0b1010,
            }
        );
    }
}
