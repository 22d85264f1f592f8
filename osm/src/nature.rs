//! Nature along the network: each edge's share inside forests, open mountain land and
//! protected areas, or beside water, measured by sampling the edge every
//! [`SAMPLE_M`] against the extract's land-cover polygons (an R-tree of their boxes, and
//! polygons cut into horizontal bands so a point is tested against the few sides near
//! it); and the highlights (peaks, viewpoints, waterfalls, lakes, huts) near the
//! network.
//!
//! Geometry is measured in a plane around the region's mean latitude (equirectangular
//! metres): over a region a few degrees across that is good to a few percent, plenty
//! for a 30 m "beside the water".

use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Line, Rectangle};
use rstar::{RTree, AABB};
use trailloop_places::PoiKind;

use crate::geo::METRES_PER_DEGREE;
use crate::pbf::{ElementType, OsmData};
use crate::spatial::PointIndex;
use crate::tags::FeatureKind;
use crate::{Coord, Edge, Highlight, HighlightKind, LandArea, LandKind, NatureShare, Poi};

/// Spacing of the samples along each edge.
pub const SAMPLE_M: f64 = 20.0;
/// A sample this close to water or a watercourse is beside the water.
pub const WATER_BESIDE_M: f64 = 30.0;
/// A loop passes a highlight when its line comes this close to one of its points.
pub const HIGHLIGHT_PASS_M: f64 = 150.0;
/// Highlights farther than this from every node of the network are left out.
const HIGHLIGHT_NEAR_M: f64 = 500.0;
/// Points along a lake's shore are kept about this far apart.
const SHORE_STEP_M: f64 = 80.0;

/// The region's plane.
#[derive(Debug, Clone, Copy)]
struct Plane {
    lon0: f64,
    lat0: f64,
    scale: f64,
}

impl Plane {
    fn around(coords: impl Iterator<Item = Coord>) -> Plane {
        let (mut n, mut lon, mut lat) = (0.0, 0.0, 0.0);
        for c in coords {
            n += 1.0;
            lon += c.lon;
            lat += c.lat;
        }
        let (lon0, lat0) = if n > 0.0 {
            (lon / n, lat / n)
        } else {
            (0.0, 0.0)
        };
        Plane {
            lon0,
            lat0,
            scale: lat0.to_radians().cos(),
        }
    }

    fn xy(&self, c: Coord) -> [f64; 2] {
        [
            (c.lon - self.lon0) * self.scale * METRES_PER_DEGREE,
            (c.lat - self.lat0) * METRES_PER_DEGREE,
        ]
    }
}

/// One ring's sides cut into horizontal bands: the crossing test for a point only looks
/// at the sides of its band.
#[derive(Debug)]
struct Ring {
    y0: f64,
    band: f64,
    bands: Vec<Vec<([f64; 2], [f64; 2])>>,
}

impl Ring {
    fn new(points: &[[f64; 2]]) -> Ring {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for p in points {
            lo = lo.min(p[1]);
            hi = hi.max(p[1]);
        }
        let n = (points.len() / 8).clamp(1, 1024);
        let band = ((hi - lo) / n as f64).max(1e-6);
        let mut bands = vec![Vec::new(); n];
        for w in points.windows(2) {
            let (a, b) = (w[0], w[1]);
            let first = (((a[1].min(b[1]) - lo) / band) as usize).min(n - 1);
            let last = (((a[1].max(b[1]) - lo) / band) as usize).min(n - 1);
            for slot in &mut bands[first..=last] {
                slot.push((a, b));
            }
        }
        Ring {
            y0: lo,
            band,
            bands,
        }
    }

    /// Crossing-number test.
    fn contains(&self, p: [f64; 2]) -> bool {
        let i = (p[1] - self.y0) / self.band;
        if !(0.0..=self.bands.len() as f64).contains(&i) {
            return false;
        }
        let i = (i as usize).min(self.bands.len() - 1);
        let mut inside = false;
        for &(a, b) in &self.bands[i] {
            if (a[1] > p[1]) != (b[1] > p[1]) {
                let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
                if x > p[0] {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

struct Polygon {
    kind: LandKind,
    outer: Vec<Ring>,
    inner: Vec<Ring>,
}

impl Polygon {
    fn contains(&self, p: [f64; 2]) -> bool {
        self.outer.iter().any(|r| r.contains(p)) && !self.inner.iter().any(|r| r.contains(p))
    }
}

/// The land cover of a region, ready for point queries.
struct LandIndex {
    plane: Plane,
    polygons: Vec<Polygon>,
    boxes: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    water: RTree<Line<[f64; 2]>>,
}

impl LandIndex {
    fn new<'a>(
        plane: Plane,
        land: impl Iterator<Item = &'a LandArea>,
        waterways: impl Iterator<Item = &'a Vec<Coord>>,
    ) -> LandIndex {
        let mut polygons = Vec::new();
        let mut boxes = Vec::new();
        let mut water = Vec::new();
        for a in land {
            let project = |ring: &Vec<Coord>| -> Vec<[f64; 2]> {
                ring.iter().map(|&c| plane.xy(c)).collect()
            };
            let outer: Vec<Vec<[f64; 2]>> = a.outer.iter().map(project).collect();
            let inner: Vec<Vec<[f64; 2]>> = a.inner.iter().map(project).collect();
            if a.kind == LandKind::Water {
                for ring in outer.iter().chain(&inner) {
                    water.extend(ring.windows(2).map(|w| Line::new(w[0], w[1])));
                }
            }
            let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
            for p in outer.iter().flatten() {
                lo = [lo[0].min(p[0]), lo[1].min(p[1])];
                hi = [hi[0].max(p[0]), hi[1].max(p[1])];
            }
            if !lo[0].is_finite() {
                continue;
            }
            boxes.push(GeomWithData::new(
                Rectangle::from_corners(lo, hi),
                polygons.len(),
            ));
            polygons.push(Polygon {
                kind: a.kind,
                outer: outer.iter().map(|r| Ring::new(r)).collect(),
                inner: inner.iter().map(|r| Ring::new(r)).collect(),
            });
        }
        for line in waterways {
            let pts: Vec<[f64; 2]> = line.iter().map(|&c| plane.xy(c)).collect();
            water.extend(pts.windows(2).map(|w| Line::new(w[0], w[1])));
        }
        LandIndex {
            plane,
            polygons,
            boxes: RTree::bulk_load(boxes),
            water: RTree::bulk_load(water),
        }
    }

    /// Which kinds a point is in (or, for water, beside): forest, water, open,
    /// protected.
    fn at(&self, c: Coord) -> [bool; 4] {
        let p = self.plane.xy(c);
        let mut hit = [false; 4];
        for b in self
            .boxes
            .locate_in_envelope_intersecting(&AABB::from_point(p))
        {
            let poly = &self.polygons[b.data];
            let slot = kind_slot(poly.kind);
            if !hit[slot] && poly.contains(p) {
                hit[slot] = true;
            }
        }
        if !hit[1] {
            use rstar::PointDistance;
            hit[1] = self
                .water
                .locate_within_distance(p, WATER_BESIDE_M * WATER_BESIDE_M)
                .any(|l| l.distance_2(&p) <= WATER_BESIDE_M * WATER_BESIDE_M);
        }
        hit
    }
}

fn kind_slot(kind: LandKind) -> usize {
    match kind {
        LandKind::Forest => 0,
        LandKind::Water => 1,
        LandKind::Open => 2,
        LandKind::Protected => 3,
    }
}

/// Points every [`SAMPLE_M`] along a line: the midpoints of equal pieces.
fn samples(line: &[Coord], plane: &Plane) -> Vec<Coord> {
    let mut out = Vec::new();
    for w in line.windows(2) {
        let (a, b) = (plane.xy(w[0]), plane.xy(w[1]));
        let len = (b[0] - a[0]).hypot(b[1] - a[1]);
        let n = (len / SAMPLE_M).ceil().max(1.0) as usize;
        for i in 0..n {
            let t = (i as f64 + 0.5) / n as f64;
            out.push(Coord {
                lon: w[0].lon + t * (w[1].lon - w[0].lon),
                lat: w[0].lat + t * (w[1].lat - w[0].lat),
            });
        }
    }
    out
}

/// The areas with coordinates; rings with a vertex missing from the extract are
/// dropped.
pub(crate) fn land_areas(data: &OsmData) -> Vec<LandArea> {
    let ring = |ids: &Vec<i64>| -> Option<Vec<Coord>> {
        ids.iter().map(|id| data.coords.get(id).copied()).collect()
    };
    data.areas
        .iter()
        .filter_map(|a| {
            let outer: Vec<Vec<Coord>> = a.outer.iter().filter_map(ring).collect();
            (!outer.is_empty()).then(|| LandArea {
                kind: a.kind,
                osm_id: a.id,
                outer,
                inner: a.inner.iter().filter_map(ring).collect(),
            })
        })
        .collect()
}

/// The box of some points, `(south-west, north-east)`.
fn bounds<'a>(points: impl Iterator<Item = &'a Coord>) -> (Coord, Coord) {
    let mut sw = Coord {
        lon: f64::INFINITY,
        lat: f64::INFINITY,
    };
    let mut ne = Coord {
        lon: f64::NEG_INFINITY,
        lat: f64::NEG_INFINITY,
    };
    for c in points {
        sw = Coord {
            lon: sw.lon.min(c.lon),
            lat: sw.lat.min(c.lat),
        };
        ne = Coord {
            lon: ne.lon.max(c.lon),
            lat: ne.lat.max(c.lat),
        };
    }
    (sw, ne)
}

fn overlaps(a: &(Coord, Coord), b: &(Coord, Coord)) -> bool {
    a.0.lon <= b.1.lon && b.0.lon <= a.1.lon && a.0.lat <= b.1.lat && b.0.lat <= a.1.lat
}

/// Sets every edge's nature shares. The edges are taken tile by tile (as
/// `trailloop_osm::tiles` cuts them), each tile against the land cover that meets it, so
/// that memory holds one tile's index at a time however large the region.
pub(crate) fn measure(data: &OsmData, land: &[LandArea], edges: &mut [Edge]) {
    let waterways: Vec<Vec<Coord>> = data
        .waterways
        .iter()
        .filter_map(|w| w.iter().map(|id| data.coords.get(id).copied()).collect())
        .collect();
    let land_boxes: Vec<(Coord, Coord)> = land
        .iter()
        .map(|a| bounds(a.outer.iter().flatten()))
        .collect();
    let water_boxes: Vec<(Coord, Coord)> = waterways.iter().map(|w| bounds(w.iter())).collect();
    let mut by_tile: std::collections::BTreeMap<crate::TileKey, Vec<usize>> = Default::default();
    for (i, e) in edges.iter().enumerate() {
        by_tile
            .entry(crate::TileKey::of(e.geometry[0]))
            .or_default()
            .push(i);
    }
    let shares: Vec<(usize, NatureShare)> = by_tile
        .into_par_iter()
        .flat_map_iter(|(_, members)| {
            let (sw, ne) = bounds(members.iter().flat_map(|&i| edges[i].geometry.iter()));
            // Beside-the-water reaches this far beyond the edges.
            let margin = 2.0 * WATER_BESIDE_M / METRES_PER_DEGREE;
            let reach = (
                Coord {
                    lon: sw.lon - margin / sw.lat.to_radians().cos().max(0.01),
                    lat: sw.lat - margin,
                },
                Coord {
                    lon: ne.lon + margin / ne.lat.to_radians().cos().max(0.01),
                    lat: ne.lat + margin,
                },
            );
            let plane = Plane::around([sw, ne].into_iter());
            let index = LandIndex::new(
                plane,
                land.iter()
                    .zip(&land_boxes)
                    .filter(|(_, b)| overlaps(b, &reach))
                    .map(|(a, _)| a),
                waterways
                    .iter()
                    .zip(&water_boxes)
                    .filter(|(_, b)| overlaps(b, &reach))
                    .map(|(w, _)| w),
            );
            members
                .into_iter()
                .map(|i| (i, share_of(&edges[i], &index)))
                .collect::<Vec<_>>()
        })
        .collect();
    for (i, share) in shares {
        edges[i].nature = share;
    }
}

fn share_of(e: &Edge, index: &LandIndex) -> NatureShare {
    let points = samples(&e.geometry, &index.plane);
    let mut counts = [0usize; 5];
    for p in &points {
        let hit = index.at(*p);
        for (slot, &h) in hit.iter().enumerate() {
            counts[slot] += usize::from(h);
        }
        counts[4] += usize::from(hit.iter().any(|&h| h));
    }
    let n = points.len().max(1) as f32;
    NatureShare {
        forest: counts[0] as f32 / n,
        water: counts[1] as f32 / n,
        open: counts[2] as f32 / n,
        protected: counts[3] as f32 / n,
        any: counts[4] as f32 / n,
    }
}

/// Peaks, viewpoints and waterfalls (nodes), named lakes (shore points) and huts near
/// the network, in OSM element order.
pub(crate) fn highlights(data: &OsmData, index: &PointIndex, pois: &[Poi]) -> Vec<Highlight> {
    let near = |c: Coord| index.nearest(c, HIGHLIGHT_NEAR_M).is_some();
    let mut out: Vec<(ElementType, Highlight)> = data
        .features
        .iter()
        .filter_map(|f| {
            let FeatureKind::Highlight(kind) = f.kind else {
                return None;
            };
            let c = f.coord?;
            near(c).then(|| {
                (
                    f.element,
                    Highlight {
                        kind,
                        name: f.name.clone(),
                        osm_id: f.id,
                        points: vec![c],
                        elevation_m: f.elevation_m,
                    },
                )
            })
        })
        .collect();
    for a in &data.areas {
        let Some(name) = &a.lake_name else { continue };
        let mut shore: Vec<Coord> = Vec::new();
        for id in a.outer.iter().flatten() {
            let Some(&c) = data.coords.get(id) else {
                continue;
            };
            if shore
                .last()
                .is_none_or(|&l| crate::geo::distance_m(l, c) >= SHORE_STEP_M)
            {
                shore.push(c);
            }
        }
        if shore.iter().any(|&c| near(c)) {
            out.push((
                a.element,
                Highlight {
                    kind: HighlightKind::Lake,
                    name: Some(name.clone()),
                    osm_id: a.id,
                    points: shore,
                    elevation_m: None,
                },
            ));
        }
    }
    out.sort_by_key(|(element, h)| (h.kind as u8, *element, h.osm_id));
    let mut highlights: Vec<Highlight> = out.into_iter().map(|(_, h)| h).collect();
    highlights.extend(
        pois.iter()
            .filter(|p| p.kind == PoiKind::Hut)
            .map(|p| Highlight {
                kind: HighlightKind::Hut,
                name: p.name.clone(),
                osm_id: p.osm_id,
                points: vec![p.coord],
                elevation_m: None,
            }),
    );
    highlights
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lon: f64, lat: f64, d: f64) -> Vec<Coord> {
        [(0.0, 0.0), (d, 0.0), (d, d), (0.0, d), (0.0, 0.0)]
            .iter()
            .map(|&(x, y)| Coord {
                lon: lon + x,
                lat: lat + y,
            })
            .collect()
    }

    #[test]
    fn points_are_in_a_polygon_but_not_in_its_hole_and_beside_water() {
        let plane = Plane::around(
            [Coord {
                lon: 1.5,
                lat: 42.5,
            }]
            .into_iter(),
        );
        let land = [
            LandArea {
                kind: LandKind::Forest,
                osm_id: 1,
                outer: vec![square(1.5, 42.5, 0.01)],
                inner: vec![square(1.503, 42.503, 0.002)],
            },
            LandArea {
                kind: LandKind::Water,
                osm_id: 2,
                outer: vec![square(1.52, 42.5, 0.001)],
                inner: vec![],
            },
        ];
        let index = LandIndex::new(plane, land.iter(), std::iter::empty());
        let at = |lon, lat| index.at(Coord { lon, lat });
        assert_eq!(at(1.501, 42.501), [true, false, false, false]);
        assert_eq!(at(1.504, 42.504), [false; 4], "in the hole");
        assert_eq!(at(1.49, 42.501), [false; 4]);
        // 20 m west of the pond's shore (about 0.00024 degrees of longitude here).
        assert!(at(1.52 - 0.00024, 42.5005)[1]);
        assert!(!at(1.52 - 0.0012, 42.5005)[1], "100 m off");
    }

    #[test]
    fn ways_join_into_rings() {
        let a = vec![1, 2, 3];
        let b = vec![5, 4, 3];
        let c = vec![5, 1];
        let rings = crate::relations::close_rings(&[&a, &b, &c]);
        assert_eq!(rings, vec![vec![1, 2, 3, 4, 5, 1]]);
    }
}
