//! Distances on the WGS 84 ellipsoid and a nearest-point index.
//!
//! The index holds points as 3D positions on a sphere in metres: the straight-line
//! (chord) distance there grows with the distance along the surface everywhere on Earth,
//! so nearest-neighbour and radius queries need no projection and no special cases at the
//! antimeridian or the poles. Candidates are then measured on the ellipsoid.

use std::sync::LazyLock;

use geographiclib_rs::{Geodesic, InverseGeodesic};
use rstar::primitives::GeomWithData;
use rstar::RTree;

use crate::Coord;

static WGS84: LazyLock<Geodesic> = LazyLock::new(Geodesic::wgs84);

/// Mean Earth radius, metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Geodesic distance between two points, metres.
pub fn distance_m(a: Coord, b: Coord) -> f64 {
    WGS84.inverse(a.lat, a.lon, b.lat, b.lon)
}

/// Geodesic length of a polyline, metres.
pub fn length_m(line: &[Coord]) -> f64 {
    line.windows(2).map(|w| distance_m(w[0], w[1])).sum()
}

fn to_xyz(c: Coord) -> [f64; 3] {
    let (lat, lon) = (c.lat.to_radians(), c.lon.to_radians());
    [
        EARTH_RADIUS_M * lat.cos() * lon.cos(),
        EARTH_RADIUS_M * lat.cos() * lon.sin(),
        EARTH_RADIUS_M * lat.sin(),
    ]
}

/// Points with a `u32` payload (a node or trailhead index), searchable by distance.
pub(crate) struct PointIndex {
    tree: RTree<GeomWithData<[f64; 3], u32>>,
    coords: Vec<Coord>,
}

impl PointIndex {
    /// Indexes `points`; the payload of each is its position in the slice.
    pub(crate) fn new(points: &[Coord]) -> PointIndex {
        let items = points
            .iter()
            .enumerate()
            .map(|(i, &c)| GeomWithData::new(to_xyz(c), i as u32))
            .collect();
        PointIndex {
            tree: RTree::bulk_load(items),
            coords: points.to_vec(),
        }
    }

    /// Every point within `radius_m` of `at` (geodesic), as (payload, distance), nearest
    /// first, ties broken by payload.
    pub(crate) fn within(&self, at: Coord, radius_m: f64) -> Vec<(u32, f64)> {
        // The sphere differs from the ellipsoid by well under 1%: search a bit wider and
        // let the geodesic distance decide.
        let chord = radius_m * 1.01;
        let mut found: Vec<(u32, f64)> = self
            .tree
            .locate_within_distance(to_xyz(at), chord * chord)
            .map(|p| (p.data, distance_m(at, self.coords[p.data as usize])))
            .filter(|&(_, d)| d <= radius_m)
            .collect();
        found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        found
    }

    /// The nearest point within `radius_m`, if any.
    pub(crate) fn nearest(&self, at: Coord, radius_m: f64) -> Option<(u32, f64)> {
        let q = to_xyz(at);
        let best = self.tree.nearest_neighbor(&q)?;
        let d = distance_m(at, self.coords[best.data as usize]);
        if d > radius_m {
            return None;
        }
        // Equally near points (and sphere-versus-ellipsoid ordering) must not depend on
        // the tree's layout, so settle them by geodesic distance and payload.
        self.within(at, d + 0.01).into_iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = distance_m(
            Coord {
                lon: 1.5,
                lat: 42.0,
            },
            Coord {
                lon: 1.5,
                lat: 43.0,
            },
        );
        assert!((d - 111_080.0).abs() < 100.0, "{d}");
    }

    #[test]
    fn index_finds_nearest_and_radius() {
        let pts = [
            Coord {
                lon: 1.5,
                lat: 42.5,
            },
            Coord {
                lon: 1.501,
                lat: 42.5,
            },
            Coord {
                lon: 1.52,
                lat: 42.5,
            },
        ];
        let index = PointIndex::new(&pts);
        let at = Coord {
            lon: 1.5004,
            lat: 42.5,
        };
        assert_eq!(index.nearest(at, 1000.0).map(|p| p.0), Some(0));
        let near: Vec<u32> = index.within(at, 200.0).into_iter().map(|p| p.0).collect();
        assert_eq!(near, vec![0, 1]);
        assert!(index.nearest(at, 10.0).is_none());
    }
}
