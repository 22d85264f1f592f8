//! Geodesy for every crate of TrailLoop, in one place: the [`Coord`] type, exact
//! lengths on the WGS 84 ellipsoid (Karney's algorithm) where a length is reported, and
//! the mean sphere where a cheap, projection-free comparison is enough (indexes,
//! sampling, areas, boxes). A small crate of its own, so that the solver and the drive
//! search use the same geodesy without depending on the OSM importer.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::f64::consts::PI;
use std::sync::LazyLock;

use geographiclib_rs::{Geodesic, InverseGeodesic};
use serde::{Deserialize, Serialize};

/// A position in WGS 84 degrees, longitude first (the GeoJSON and PostGIS order).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coord {
    /// Longitude in degrees, -180..=180.
    pub lon: f64,
    /// Latitude in degrees, -90..=90.
    pub lat: f64,
}

static WGS84: LazyLock<Geodesic> = LazyLock::new(Geodesic::wgs84);

/// Mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Metres per degree of latitude, or of longitude at the equator, on the mean sphere.
pub const METRES_PER_DEGREE: f64 = EARTH_RADIUS_M * PI / 180.0;

/// The fewest metres a degree of latitude spans on the WGS 84 ellipsoid (at the
/// equator): a box built with it errs on the large side.
const MIN_METRES_PER_DEGREE_LAT: f64 = 110_574.0;

/// Metres per degree of longitude at the equator on the WGS 84 ellipsoid (its widest).
const MAX_METRES_PER_DEGREE_LON: f64 = 111_320.0;

/// Geodesic distance between two points on the WGS 84 ellipsoid, metres.
pub fn distance_m(a: Coord, b: Coord) -> f64 {
    WGS84.inverse(a.lat, a.lon, b.lat, b.lon)
}

/// Geodesic length of a polyline on the WGS 84 ellipsoid, metres.
pub fn length_m(line: &[Coord]) -> f64 {
    line.windows(2).map(|w| distance_m(w[0], w[1])).sum()
}

/// Great-circle distance on the mean sphere between two `[lon, lat]` points, metres:
/// within 0.5% of the geodesic, and cheap.
pub fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((b[0] - a[0]).to_radians() / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// A `[lon, lat]` point as a 3D position on the mean sphere, metres. The straight-line
/// (chord) distance between two such positions grows with the distance along the
/// surface everywhere on Earth, so comparisons need no projection and no special case
/// at the antimeridian or the poles.
pub fn to_xyz(p: [f64; 2]) -> [f64; 3] {
    let (lon, lat) = (p[0].to_radians(), p[1].to_radians());
    [
        EARTH_RADIUS_M * lat.cos() * lon.cos(),
        EARTH_RADIUS_M * lat.cos() * lon.sin(),
        EARTH_RADIUS_M * lat.sin(),
    ]
}

/// Straight-line distance between two 3D positions, metres.
pub fn chord_m(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Half-widths `(degrees of longitude, degrees of latitude)` of a box around a point at
/// latitude `lat` that holds every point within `radius_m` of it. Errs large: it uses
/// the shortest degree of latitude and the longitude degree at the box's most poleward
/// edge.
pub fn box_half_degrees(lat: f64, radius_m: f64) -> (f64, f64) {
    let dlat = radius_m / MIN_METRES_PER_DEGREE_LAT;
    let poleward = (lat.abs() + dlat).min(89.9);
    let cos = poleward.to_radians().cos().max(1e-3);
    (
        (radius_m / (MAX_METRES_PER_DEGREE_LON * cos)).min(180.0),
        dlat,
    )
}

/// Local equirectangular metres of `p` relative to `origin` (east, north): good to a
/// fraction of a percent over a few tens of kilometres.
pub fn local_metres(origin: [f64; 2], p: [f64; 2]) -> [f64; 2] {
    let scale = origin[1].to_radians().cos();
    [
        (p[0] - origin[0]) * METRES_PER_DEGREE * scale,
        (p[1] - origin[1]) * METRES_PER_DEGREE,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km_on_both_models() {
        let (a, b) = (
            Coord {
                lon: 1.5,
                lat: 42.0,
            },
            Coord {
                lon: 1.5,
                lat: 43.0,
            },
        );
        let d = distance_m(a, b);
        assert!((d - 111_080.0).abs() < 100.0, "{d}");
        let h = haversine_m([1.5, 42.0], [1.5, 43.0]);
        assert!((h - METRES_PER_DEGREE).abs() < 1e-6, "{h}");
        assert!((h - d).abs() / d < 0.005);
    }

    #[test]
    fn boxes_hold_every_point_within_the_radius() {
        for lat in [0.0, 42.5, -60.0, 80.0] {
            let (dlon, dlat) = box_half_degrees(lat, 10_000.0);
            let centre = Coord { lon: 10.0, lat };
            for (x, y) in [(dlon, 0.0), (0.0, dlat), (-dlon, 0.0), (0.0, -dlat)] {
                let edge = Coord {
                    lon: 10.0 + x,
                    lat: lat + y,
                };
                assert!(distance_m(centre, edge) >= 9_999.0, "{lat} {x} {y}");
            }
        }
    }

    #[test]
    fn chords_and_local_metres_agree_with_haversine_nearby() {
        let (a, b) = ([1.5, 42.5], [1.51, 42.505]);
        let h = haversine_m(a, b);
        assert!((chord_m(to_xyz(a), to_xyz(b)) - h).abs() < 1e-3);
        let m = local_metres(a, b);
        assert!((m[0].hypot(m[1]) - h).abs() / h < 1e-3);
    }
}
