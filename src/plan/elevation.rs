//! A loop's elevation profile: elevation against distance walked, sampled at a fixed
//! step, the chart a hiking app draws beside the map.

use trailloop_geo::Coord;

/// Distance between samples, metres, for loops up to [`MAX_POINTS`] steps long.
pub const PROFILE_STEP_M: f64 = 50.0;
/// Most samples in a profile: longer loops get a longer step (rounded up to 10 m).
pub const MAX_POINTS: usize = 1000;

/// Samples of elevation along a line.
#[derive(Debug, Clone, PartialEq)]
pub struct ElevationProfile {
    /// Distance between samples, metres.
    pub step_m: f64,
    /// `(metres along the line, elevation in metres)`, from 0 to the line's length (the
    /// last sample is at the end, closer than a step to the one before).
    pub points: Vec<(f64, f64)>,
}

/// The step for a line `length_m` long.
pub fn step_for(length_m: f64) -> f64 {
    let by_count = (length_m / MAX_POINTS as f64 / 10.0).ceil() * 10.0;
    PROFILE_STEP_M.max(by_count)
}

/// The profile of `coords` with `elevations` (one per vertex), elevations interpolated
/// linearly along each segment by geodesic distance. `None` when the lengths differ or
/// the line has fewer than two vertices.
pub fn elevation_profile(coords: &[Coord], elevations: &[f64]) -> Option<ElevationProfile> {
    if coords.len() < 2 || coords.len() != elevations.len() {
        return None;
    }
    let mut along = Vec::with_capacity(coords.len());
    let mut total = 0.0;
    along.push(0.0);
    for w in coords.windows(2) {
        total += trailloop_geo::distance_m(w[0], w[1]);
        along.push(total);
    }
    let step_m = step_for(total);
    let mut points = Vec::with_capacity((total / step_m) as usize + 2);
    let mut seg = 0;
    let mut at = 0.0_f64;
    loop {
        let d = at.min(total);
        while seg + 2 < along.len() && along[seg + 1] < d {
            seg += 1;
        }
        let (d0, d1) = (along[seg], along[seg + 1]);
        let t = if d1 > d0 { (d - d0) / (d1 - d0) } else { 0.0 };
        let z = elevations[seg] + t * (elevations[seg + 1] - elevations[seg]);
        points.push((d, z));
        if at >= total {
            break;
        }
        at += step_m;
    }
    Some(ElevationProfile { step_m, points })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn east(metres: f64) -> Coord {
        // About 111.2 km a degree of longitude on the equator.
        Coord {
            lon: metres / 111_319.49,
            lat: 0.0,
        }
    }

    #[test]
    fn samples_every_step_and_ends_at_the_end() {
        let coords = [east(0.0), east(100.0), east(230.0)];
        let p = elevation_profile(&coords, &[1000.0, 1010.0, 1010.0]).unwrap();
        assert_eq!(p.step_m, 50.0);
        let d: Vec<f64> = p.points.iter().map(|p| p.0.round()).collect();
        assert_eq!(d, [0.0, 50.0, 100.0, 150.0, 200.0, 230.0]);
        let z: Vec<f64> = p
            .points
            .iter()
            .map(|p| (p.1 * 10.0).round() / 10.0)
            .collect();
        assert_eq!(z, [1000.0, 1005.0, 1010.0, 1010.0, 1010.0, 1010.0]);
    }

    #[test]
    fn long_lines_get_a_longer_step_and_at_most_a_thousand_points() {
        assert_eq!(step_for(10_000.0), 50.0);
        assert_eq!(step_for(120_000.0), 120.0);
        assert_eq!(step_for(300_001.0), 310.0);
        let coords = [east(0.0), east(200_000.0)];
        let p = elevation_profile(&coords, &[0.0, 200.0]).unwrap();
        assert!(p.points.len() <= MAX_POINTS + 1, "{}", p.points.len());
    }

    #[test]
    fn no_profile_without_an_elevation_per_vertex() {
        assert!(elevation_profile(&[east(0.0), east(1.0)], &[1.0]).is_none());
        assert!(elevation_profile(&[east(0.0)], &[1.0]).is_none());
    }
}
