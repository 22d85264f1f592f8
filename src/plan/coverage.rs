//! Where the service has data, and its places by name: the map page's first view (the
//! covered areas) and its place search (trailheads, highlights and places to sleep of
//! the regions held, found by name without any outside geocoder).

use std::collections::BTreeMap;

use trailloop_geo::Coord;
use trailloop_osm::TileKey;

use super::trails::MapTrails;
use super::PlanError;
use crate::network::regions::fold;

/// Queries shorter than this find nothing (every name has a letter in common).
pub const MIN_QUERY_CHARS: usize = 2;

/// One region's covered area: the squares of its tiles, cut to the region's box.
#[derive(Debug, Clone, PartialEq)]
pub struct CoveredRegion {
    /// The region.
    pub region: String,
    /// Its trailheads.
    pub trailheads: usize,
    /// `(south_west, north_east)` of each covered square.
    pub squares: Vec<(Coord, Coord)>,
    /// Where its import's data came from: attribution and report.
    pub origin: crate::store::ImportOrigin,
}

/// A place found by name.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundPlace {
    /// Its name.
    pub name: String,
    /// `trailhead`, `parking`, a highlight's kind or a place to sleep's.
    pub kind: String,
    /// Where it is.
    pub coord: Coord,
    /// The region it is in.
    pub region: String,
}

impl MapTrails {
    /// Every region's live import: its box, attribution and import report.
    pub async fn regions(
        &self,
    ) -> Result<Vec<(crate::store::RegionInfo, crate::store::ImportOrigin)>, PlanError> {
        let regions = self.shared.regions.current(&self.shared.store).await?;
        Ok(regions
            .iter()
            .map(|r| (r.info.clone(), r.origin.clone()))
            .collect())
    }

    /// The attribution of an answer showing the area from `south_west` to `north_east`.
    pub fn attribution_in(&self, south_west: Coord, north_east: Coord) -> String {
        self.shared.regions.attribution_in(south_west, north_east)
    }

    /// Every region's covered area (the tiles its import holds, cut to its box).
    pub async fn coverage(&self) -> Result<Vec<CoveredRegion>, PlanError> {
        let regions = self.shared.regions.current(&self.shared.store).await?;
        let tiles: BTreeMap<String, Vec<TileKey>> = self
            .shared
            .store
            .regions()
            .await?
            .into_iter()
            .map(|(v, t)| (v.region, t))
            .collect();
        let mut out = Vec::new();
        for region in regions {
            let info = &region.info;
            let name = &info.version.region;
            let (sw, ne) = (info.south_west, info.north_east);
            let mut squares: Vec<(Coord, Coord)> = tiles
                .get(name)
                .into_iter()
                .flatten()
                .filter_map(|t| {
                    let (s, n) = t.bounds();
                    let cut = (
                        Coord {
                            lon: s.lon.max(sw.lon),
                            lat: s.lat.max(sw.lat),
                        },
                        Coord {
                            lon: n.lon.min(ne.lon),
                            lat: n.lat.min(ne.lat),
                        },
                    );
                    (cut.0.lon < cut.1.lon && cut.0.lat < cut.1.lat).then_some(cut)
                })
                .collect();
            squares.sort_by(|a, b| {
                (a.0.lat, a.0.lon)
                    .partial_cmp(&(b.0.lat, b.0.lon))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            out.push(CoveredRegion {
                region: name.clone(),
                trailheads: region.trailheads.len(),
                squares,
                origin: region.origin.clone(),
            });
        }
        out.sort_by(|a, b| a.region.cmp(&b.region));
        Ok(out)
    }

    /// Up to `limit` places whose name holds `query` (case and accents aside): a town,
    /// village, ... whose name it is first (what a hiker types is most often where they
    /// are), then names that start with it, then shorter names, then by name.
    pub async fn places(&self, query: &str, limit: usize) -> Result<Vec<FoundPlace>, PlanError> {
        let q = fold(query.trim());
        if q.chars().count() < MIN_QUERY_CHARS {
            return Ok(Vec::new());
        }
        let regions = self.shared.regions.current(&self.shared.store).await?;
        let mut found: Vec<(bool, bool, usize, FoundPlace)> = Vec::new();
        for region in &regions {
            for n in &region.names {
                let Some(at) = n.folded.find(&q) else {
                    continue;
                };
                let settlement = trailloop_osm::SettlementKind::from_tag(&n.place.kind).is_some();
                found.push((
                    !(settlement && n.folded == q),
                    at != 0,
                    n.folded.chars().count(),
                    FoundPlace {
                        name: n.place.name.clone(),
                        kind: n.place.kind.clone(),
                        coord: n.place.coord,
                        region: region.info.version.region.clone(),
                    },
                ));
            }
        }
        found.sort_by(|a, b| {
            (a.0, a.1, a.2, &a.3.name, &a.3.kind).cmp(&(b.0, b.1, b.2, &b.3.name, &b.3.kind))
        });
        Ok(found.into_iter().take(limit).map(|f| f.3).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn names_match_as_typed() {
        assert_eq!(fold("Càmping Janramon"), "camping janramon");
        assert_eq!(fold("Pic de l'Estanyó"), "pic de l'estanyo");
        assert!(fold("Refugi de Sorteny").contains(&fold("SORTENY")));
    }
}
