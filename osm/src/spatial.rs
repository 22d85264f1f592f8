//! A nearest-point index over 3D positions on the mean sphere (see [`crate::geo`]):
//! nearest-neighbour and radius queries need no projection; candidates are then
//! measured on the ellipsoid.

use rstar::primitives::GeomWithData;
use rstar::RTree;

use crate::geo::distance_m;
use crate::Coord;

fn to_xyz(c: Coord) -> [f64; 3] {
    crate::geo::to_xyz([c.lon, c.lat])
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
