//! Junction turns: where a walk leaves the way it is on at a junction of three or more
//! ways, bending more than [`TURN_DEG`]. A hiker has to find the turn and read the
//! signs; a loop people curate has few of them. The turn at a junction depends on the
//! pair of pieces met there, so the walk's count is the turns inside its pieces (at
//! junctions a piece passes through) plus one term per consecutive pair of pieces.
//!
//! Directions are taken over the first [`SAMPLE_M`] metres of the input edge that
//! leaves the junction (its whole length when shorter), so a kink right at the node
//! does not count. Each edge keeps its two directions, so counting costs a lookup.

use trailloop_geo::METRES_PER_DEGREE;

/// A change of direction of more than this many degrees at a junction is a turn.
pub(crate) const TURN_DEG: f64 = 45.0;
/// Metres of walk a direction is measured over.
pub(crate) const SAMPLE_M: f64 = 20.0;

/// Bearing in degrees (0 north, 90 east) from `a` to `b`, both `[lon, lat]`, and the
/// distance between them in metres (local equirectangular).
pub(crate) fn bearing_and_distance(a: [f64; 2], b: [f64; 2]) -> (f64, f64) {
    let k = ((a[1] + b[1]) * 0.5).to_radians().cos();
    let dx = (b[0] - a[0]) * k;
    let dy = b[1] - a[1];
    (
        dx.atan2(dy).to_degrees().rem_euclid(360.0),
        dx.hypot(dy) * METRES_PER_DEGREE,
    )
}

/// The direction of a polyline leaving its first point: the bearing to the point
/// [`SAMPLE_M`] along it (or its last point when shorter). NaN when it has no length.
pub(crate) fn leaving(points: impl IntoIterator<Item = [f64; 2]>) -> f32 {
    let mut points = points.into_iter();
    let Some(first) = points.next() else {
        return f32::NAN;
    };
    let (mut last, mut walked) = (first, 0.0);
    for p in points {
        walked += bearing_and_distance(last, p).1;
        last = p;
        if walked >= SAMPLE_M {
            break;
        }
    }
    if walked <= 0.0 {
        return f32::NAN;
    }
    bearing_and_distance(first, last).0 as f32
}

/// Whether arriving along a piece whose direction away from the junction is `back`
/// and leaving along one whose direction is `out` is a turn (more than [`TURN_DEG`]
/// off straight on). Unknown directions are no turn.
pub(crate) fn is_turn(back: f32, out: f32) -> bool {
    if !back.is_finite() || !out.is_finite() {
        return false;
    }
    // Straight on, the two directions away from the junction are opposite.
    let d = (f64::from(out) - f64::from(back)).rem_euclid(360.0);
    let between = if d > 180.0 { 360.0 - d } else { d };
    between < 180.0 - TURN_DEG
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn straight_on_is_no_turn_and_a_right_angle_or_a_u_turn_is() {
        let north = leaving([[0.0, 0.0], [0.0, 0.001]]);
        let south = leaving([[0.0, 0.0], [0.0, -0.001]]);
        let east = leaving([[0.0, 0.0], [0.001, 0.0]]);
        assert!((north - 0.0).abs() < 1e-3 && (east - 90.0).abs() < 1e-3);
        // Arriving from the south (its way back points south) and going on north.
        assert!(!is_turn(south, north));
        assert!(is_turn(south, east));
        // Back the way it came.
        assert!(is_turn(south, south));
        // 30 degrees off straight on is no turn; 60 degrees is.
        let bend = |deg: f64| {
            let r = deg.to_radians();
            leaving([[0.0, 0.0], [0.001 * r.sin(), 0.001 * r.cos()]])
        };
        assert!(!is_turn(south, bend(30.0)));
        assert!(is_turn(south, bend(60.0)));
        assert!(!is_turn(f32::NAN, north));
    }

    #[test]
    fn the_direction_is_taken_past_a_kink_at_the_node() {
        // 2 m east, then 200 m north: the piece leaves northwards.
        let d = leaving([[0.0, 0.0], [0.000_018, 0.0], [0.000_018, 0.0018]]);
        assert!(d < 10.0, "{d}");
        assert!(leaving([[1.0, 1.0], [1.0, 1.0]]).is_nan());
    }
}
