//! Before the solve: the trailheads within the drive, the most promising of them, and
//! the tiles of the network they reach, grouped by region.

use std::collections::BTreeMap;
use std::sync::Arc;

use trailloop_drive::DriveLimit;
use trailloop_osm::TileKey;

use crate::domain::{FieldError, LoopRequest, RegionVersion};
use crate::network::NetworkTile;

use super::drive::Candidates;
use super::{trailheads, DriveSummary, Hike, PlanError, Planner, TrailheadCounts, TrailheadStart};

/// Tiles are taken this far beyond the farthest a loop can go from its trailhead, so
/// that edges reaching in from a neighbouring tile are there too.
const TILE_MARGIN_M: f64 = 2_000.0;

/// The starts of one region and the tiles they reach.
pub(super) struct RegionStarts {
    pub tiles: Vec<Arc<NetworkTile>>,
    pub starts: Vec<TrailheadStart>,
}

/// Everything a request needs before the solve.
pub(super) struct Prepared {
    /// The trailheads reached, weighed and solved from.
    pub counts: TrailheadCounts,
    pub groups: Vec<RegionStarts>,
    pub drive: DriveSummary,
    /// Starts left out because their tiles would pass `planner.max_tiles_per_request`.
    pub left_out: usize,
}

impl Planner {
    /// Trailheads, and the tiles they reach, for one attempt at a request.
    pub(super) async fn prepare(
        &self,
        req: &LoopRequest,
        params: &Hike,
    ) -> Result<Prepared, PlanError> {
        let (starts, drive, reachable) = self.trailheads_for(req).await?;
        let weighed = starts.len();
        let road_cost = trailheads::road_cost_per_m(self.shared.cache.profile());
        let near_km = self.shared.settings.near_drive_km;
        let near = (near_km > 0.0).then_some(DriveLimit {
            metres: near_km * 1000.0,
            seconds: f64::INFINITY,
        });
        let starts = trailheads::choose(
            starts,
            params,
            road_cost,
            self.shared.settings.max_trailheads,
            near.as_ref(),
        );
        let radius = params.radius_m() + TILE_MARGIN_M;
        // What one request may read: the best starts while their tiles stay within the
        // cap (the first always, its reach bounded by the longest target), so that no
        // request pulls more of the network into memory than the cap allows.
        let cap = self.shared.settings.max_tiles_per_request;
        let mut reached: std::collections::HashSet<(RegionVersion, TileKey)> = Default::default();
        let mut left_out = 0;
        let mut by_version: BTreeMap<RegionVersion, Vec<TrailheadStart>> = BTreeMap::new();
        for s in starts {
            let tiles: Vec<(RegionVersion, TileKey)> = TileKey::covering(s.trailhead.coord, radius)
                .into_iter()
                .map(|k| (s.trailhead.version.clone(), k))
                .filter(|t| !reached.contains(t))
                .collect();
            if !reached.is_empty() && reached.len() + tiles.len() > cap {
                left_out += 1;
                continue;
            }
            reached.extend(tiles);
            by_version
                .entry(s.trailhead.version.clone())
                .or_default()
                .push(s);
        }
        let mut groups = Vec::new();
        for (version, starts) in by_version {
            if !self.shared.cache.observe(&version) {
                return Err(PlanError::stale(&version.region));
            }
            let mut keys: Vec<TileKey> = starts
                .iter()
                .flat_map(|s| TileKey::covering(s.trailhead.coord, radius))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let tiles = self
                .shared
                .cache
                .tiles(&self.shared.store, &version, &keys)
                .await?;
            groups.push(RegionStarts { tiles, starts });
        }
        let solved = groups.iter().map(|g| g.starts.len()).sum();
        Ok(Prepared {
            counts: TrailheadCounts {
                reachable,
                weighed,
                solved,
            },
            groups,
            drive,
            left_out,
        })
    }

    /// The trailheads to solve from, with their drives: the one asked for, or those
    /// within the drive limit; and how many the drive reaches.
    pub(super) async fn trailheads_for(
        &self,
        req: &LoopRequest,
    ) -> Result<(Vec<TrailheadStart>, DriveSummary, usize), PlanError> {
        let candidates = match req.trailhead_id {
            Some(id) => Candidates::Id(id),
            None => Candidates::InReach(self.shared.settings.trailhead_candidates),
        };
        let reach = self
            .shared
            .reach(req.origin.coord(), req.drive, candidates)
            .await?;
        if let Some(id) = req.trailhead_id {
            if reach.within.is_empty() {
                let why = match reach.not_reached.first() {
                    None => format!("no trailhead {id}"),
                    Some(r) if r.road.is_none() => {
                        format!(
                            "trailhead {id} has no road within reach: it is no place to drive to"
                        )
                    }
                    Some(_) => format!(
                        "trailhead {id} is beyond a drive of {}",
                        req.drive.describe()
                    ),
                };
                return Err(PlanError::Invalid(vec![FieldError::new(
                    "trailhead_id",
                    why,
                )]));
            }
        }
        let starts = reach
            .within
            .into_iter()
            .map(|(trailhead, drive)| TrailheadStart {
                drive_share: req.drive.share(drive.km * 1000.0, drive.minutes * 60.0),
                trailhead,
                drive,
            })
            .collect();
        let summary = DriveSummary {
            methods: reach.methods,
            origin_off_road_m: reach.origin_off_road_m,
            circuity_factor: self.shared.settings.circuity_factor,
        };
        Ok((starts, summary, reach.reachable))
    }
}
