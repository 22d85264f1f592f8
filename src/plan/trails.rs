//! The trails around a place, for a map to draw under its loops (`/v1/network`): the
//! planning network's own lines, from the tiles the cache holds or loads.

use std::sync::Arc;

use trailloop_osm::{Highway, TileKey};

use super::{PlanError, Shared};
use crate::domain::Area;

/// Most lines one answer holds; a denser view is cut (and says so).
pub const MAX_LINES: usize = 20_000;

/// A trail as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailLine {
    /// Highway class.
    pub highway: Highway,
    /// Trail name.
    pub name: Option<Arc<str>>,
    /// `[lon, lat]` vertices.
    pub line: Vec<[f64; 2]>,
}

/// The trails of an area.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trails {
    /// Lines meeting the area, at most [`MAX_LINES`].
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
        let _admission = self.shared.pool.admit()?;
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

/// The lines of `tiles` that meet `area`, at most [`MAX_LINES`].
fn lines_in(tiles: &[Arc<crate::network::NetworkTile>], area: &Area) -> Trails {
    let mut out = Trails::default();
    for tile in tiles {
        for (i, meta) in tile.edges.iter().enumerate() {
            let Some((_, line)) = tile.graph.edge_line(i) else {
                continue;
            };
            if !area.meets(&line) {
                continue;
            }
            if out.lines.len() == MAX_LINES {
                out.truncated = true;
                return out;
            }
            out.lines.push(TrailLine {
                highway: meta.highway,
                name: meta.name.clone(),
                line,
            });
        }
    }
    out
}
