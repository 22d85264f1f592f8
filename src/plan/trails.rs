//! The trails around a place, for a map to draw under its loops (`/v1/network`): the
//! planning network's own lines, from the tiles the cache holds or loads, simplified to
//! the scale of the box asked for and given longest first, so that an answer cut to a
//! size (`routes::trails`) leaves out the shortest lines, not a part of the box.

use std::sync::Arc;

use trailloop_osm::{Highway, TileKey};

use super::{PlanError, Shared};
use crate::domain::Area;

/// Most lines one answer holds (the longest); more than a bounded answer carries.
pub const MAX_LINES: usize = 20_000;

/// Lines are simplified to within this fraction of the box's longer side: about a
/// quarter of a pixel with the box filling a map 1,000 pixels wide (1.4 m for a box of
/// 0.05°, 14 m for one of 0.5°).
pub const SIMPLIFY_FRACTION: f64 = 1.0 / 4000.0;

/// A trail as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailLine {
    /// Highway class.
    pub highway: Highway,
    /// Trail name.
    pub name: Option<Arc<str>>,
    /// `[lon, lat]` vertices, simplified to the box's scale.
    pub line: Vec<[f64; 2]>,
}

/// The trails of an area.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trails {
    /// Lines meeting the area, longest first, at most [`MAX_LINES`].
    pub lines: Vec<TrailLine>,
    /// Whether lines were left out to keep to [`MAX_LINES`].
    pub truncated: bool,
}

/// The tiles that cover `area`.
fn covering(area: &Area) -> Vec<TileKey> {
    let first = TileKey::of(area.south_west);
    let last = TileKey::of(area.north_east);
    let mut keys = Vec::new();
    for row in first.row..=last.row {
        for col in first.col..=last.col {
            keys.push(TileKey { row, col });
        }
    }
    keys
}

/// The trails of an area, for the map page.
#[derive(Clone)]
pub struct MapTrails {
    pub(super) shared: Arc<Shared>,
}

impl MapTrails {
    /// The trails of every region that meet `area`. Admitted like a loop request: it
    /// may load and build tiles, and a full queue answers 503 before any of that.
    pub async fn of_area(&self, area: &Area) -> Result<Trails, PlanError> {
        let _admission = self
            .shared
            .pool
            .admit(crate::solver_pool::Lane::Ordinary, None, "")?;
        let regions = self.shared.regions.current(&self.shared.store).await?;
        let mut held = Vec::new();
        for region in regions {
            let info = &region.info;
            let outside = info.north_east.lon < area.south_west.lon
                || info.south_west.lon > area.north_east.lon
                || info.north_east.lat < area.south_west.lat
                || info.south_west.lat > area.north_east.lat;
            if outside {
                continue;
            }
            if !self.shared.cache.observe(&info.version) {
                return Err(PlanError::stale(&info.version.region));
            }
            let tiles = self
                .shared
                .cache
                .tiles(&self.shared.store, &info.version, &covering(area))
                .await?;
            held.extend(tiles);
        }
        // Reading every edge of the tiles is the costly part (a few milliseconds for
        // a large box): on the blocking pool, not on the HTTP worker.
        let area = *area;
        tokio::task::spawn_blocking(move || lines_in(&held, &area))
            .await
            .map_err(|e| PlanError::Internal(anyhow::anyhow!("the trails' scan failed: {e}")))
    }
}

/// The lines of `tiles` that meet `area`, longest first (ties in the tiles' order), at
/// most [`MAX_LINES`], each simplified to the box's scale.
fn lines_in(tiles: &[Arc<crate::network::NetworkTile>], area: &Area) -> Trails {
    let mut found = Vec::new();
    for tile in tiles {
        for (i, meta) in tile.edges.iter().enumerate() {
            let Some((_, line)) = tile.graph.edge_line(i) else {
                continue;
            };
            if !area.meets(&line) {
                continue;
            }
            found.push((
                meta.length_m,
                TrailLine {
                    highway: meta.highway,
                    name: meta.name.clone(),
                    line,
                },
            ));
        }
    }
    // Stable: equal lengths keep the tiles' order, so an answer is the same every time.
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    let truncated = found.len() > MAX_LINES;
    found.truncate(MAX_LINES);
    let scale = Scale::of(area);
    Trails {
        lines: found
            .into_iter()
            .map(|(_, mut t)| {
                t.line = scale.simplify(&t.line);
                t
            })
            .collect(),
        truncated,
    }
}

/// Local flat coordinates for a box, and how far from its line a vertex may be left
/// out.
#[derive(Debug, Clone, Copy)]
struct Scale {
    /// Degrees of longitude to degrees of latitude at the box's middle.
    lon_factor: f64,
    /// Degrees (of latitude).
    tolerance: f64,
}

impl Scale {
    fn of(area: &Area) -> Scale {
        let mid_lat = (area.south_west.lat + area.north_east.lat) / 2.0;
        let lon_factor = mid_lat.to_radians().cos().max(0.0);
        let width = (area.north_east.lon - area.south_west.lon) * lon_factor;
        let height = area.north_east.lat - area.south_west.lat;
        Scale {
            lon_factor,
            tolerance: width.max(height) * SIMPLIFY_FRACTION,
        }
    }

    /// How far `p` lies from the segment `a`-`b`, degrees of latitude.
    fn off_segment(&self, p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
        let flat = |q: [f64; 2]| [q[0] * self.lon_factor, q[1]];
        let (p, a, b) = (flat(p), flat(a), flat(b));
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy)
    }

    /// Douglas-Peucker: the fewest vertices, both ends kept, with no left-out vertex
    /// farther than the tolerance from the line kept.
    fn simplify(&self, line: &[[f64; 2]]) -> Vec<[f64; 2]> {
        if line.len() <= 2 || self.tolerance <= 0.0 {
            return line.to_vec();
        }
        let mut keep = vec![false; line.len()];
        keep[0] = true;
        keep[line.len() - 1] = true;
        let mut spans = vec![(0, line.len() - 1)];
        while let Some((a, b)) = spans.pop() {
            let farthest = (a + 1..b)
                .map(|i| (i, self.off_segment(line[i], line[a], line[b])))
                .max_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((i, d)) = farthest {
                if d > self.tolerance {
                    keep[i] = true;
                    spans.push((a, i));
                    spans.push((i, b));
                }
            }
        }
        line.iter()
            .zip(keep)
            .filter_map(|(p, k)| k.then_some(*p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale(tolerance: f64) -> Scale {
        Scale {
            lon_factor: 1.0,
            tolerance,
        }
    }

    #[test]
    fn simplifying_keeps_the_ends_and_every_vertex_farther_than_the_tolerance() {
        let line = [
            [0.0, 0.0],
            [1.0, 0.0005],
            [2.0, 0.0],
            [3.0, 0.002],
            [4.0, 0.0],
        ];
        // (1, 0.0005) is 0.0005 off the line kept; (2, 0) 0.0013 off (0, 0)-(3, 0.002).
        assert_eq!(
            scale(0.001).simplify(&line),
            vec![[0.0, 0.0], [2.0, 0.0], [3.0, 0.002], [4.0, 0.0]]
        );
        assert_eq!(
            scale(0.0001).simplify(&line),
            line.to_vec(),
            "all kept within a finer tolerance"
        );
        assert_eq!(
            scale(0.01).simplify(&line),
            vec![[0.0, 0.0], [4.0, 0.0]],
            "a coarse one keeps the ends"
        );
        assert_eq!(scale(1.0).simplify(&line[..2]), line[..2].to_vec());
        // A closed line (both ends the same point) keeps its shape.
        let ring = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]];
        assert_eq!(scale(0.1).simplify(&ring), ring.to_vec());
    }

    #[test]
    fn the_tolerance_follows_the_longer_side_of_the_box_in_ground_distance() {
        let small = Scale::of(&Area::parse("1.50,42.50,1.55,42.52").unwrap());
        let large = Scale::of(&Area::parse("1.30,42.30,1.80,42.80").unwrap());
        // 0.05° of longitude at 42.5°N is 0.0369° of latitude, more than the 0.02° of height.
        assert!((small.tolerance - 0.05 * 42.51f64.to_radians().cos() / 4000.0).abs() < 1e-12);
        assert!((large.tolerance - 0.5 / 4000.0).abs() < 1e-12);
        // A vertex 0.0001° east of a north-south line is 0.0001 * cos(lat) off it.
        let d = large.off_segment([0.0001, 0.5], [0.0, 0.0], [0.0, 1.0]);
        assert!((d - 0.0001 * large.lon_factor).abs() < 1e-12, "{d}");
    }
}
