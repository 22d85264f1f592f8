//! Trailheads near a point, with their drives: `GET /v1/trailheads`.

use std::sync::Arc;

use trailloop_drive::DriveLimit;

use super::drive::Candidates;
use super::{Drive, DriveSummary, PlanError, Shared, TrailheadsFound};
use crate::domain::{DistanceKm, FieldError, TrailheadRecord, TrailheadSearch};

/// Trailheads near a point: the drive search without a solve.
#[derive(Clone)]
pub struct TrailheadFinder {
    pub(super) shared: Arc<Shared>,
}

impl TrailheadFinder {
    /// The attribution of an answer from the named regions.
    pub fn attribution_of<'a>(&self, regions: impl IntoIterator<Item = &'a str>) -> String {
        self.shared.regions.attribution_of(regions)
    }

    /// Trailheads near a point: within its drive limit by road (fastest first) when
    /// one is given, else within its straight-line radius (nearest first, each with its
    /// drive when a road leads there within three times the radius).
    pub async fn find(&self, search: &TrailheadSearch) -> Result<TrailheadsFound, PlanError> {
        let (range, candidates) = match (search.drive, search.radius) {
            (Some(drive), radius) => (
                drive,
                match radius {
                    Some(r) => {
                        Candidates::Within(r.metres(), self.shared.settings.trailhead_candidates)
                    }
                    None => Candidates::InReach(
                        self.shared.settings.trailhead_candidates.min(search.limit),
                    ),
                },
            ),
            (None, Some(radius)) => (
                // A road leads there within three times the radius, or it has no drive.
                DriveLimit {
                    metres: (radius.metres() * 3.0).min(DistanceKm::MAX_KM * 1000.0),
                    seconds: f64::INFINITY,
                },
                Candidates::Within(radius.metres(), search.limit),
            ),
            (None, None) => {
                return Err(PlanError::Invalid(vec![FieldError::new(
                    "radius_km",
                    "one of radius_km, max_drive_km or max_drive_minutes is required",
                )]))
            }
        };
        let reach = self
            .shared
            .reach(search.origin.coord(), range, candidates)
            .await?;
        let mut trailheads: Vec<(TrailheadRecord, Option<Drive>)> = reach
            .within
            .into_iter()
            .map(|(r, d)| (r, Some(d)))
            .collect();
        if search.drive.is_none() {
            trailheads.extend(reach.not_reached.into_iter().map(|r| (r, None)));
            trailheads.sort_by(|a, b| a.0.distance_m.total_cmp(&b.0.distance_m));
        }
        trailheads.truncate(search.limit);
        Ok(TrailheadsFound {
            trailheads,
            drive: DriveSummary {
                methods: reach.methods,
                origin_off_road_m: reach.origin_off_road_m,
                circuity_factor: self.shared.settings.circuity_factor,
            },
        })
    }
}
