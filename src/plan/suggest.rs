//! Honest answers where the drive reaches only streets: alternatives mostly on roads
//! are not listed after a loop mostly on trails (no padding), and when the best loop
//! within the drive is mostly on roads, or there is none, the answer suggests the
//! shortest longer drive whose best loop is on trails.
//!
//! The longer drive is found with the same survey a request makes (the drive search
//! and what each trailhead offers for the asked length, measured at import), out to
//! `planner.suggest_drive_factor` times the asked drive and at least
//! `planner.suggest_min_drive_km`; the trailheads beyond the asked drive whose
//! surroundings are mostly trails are tried nearest first, and a drive is suggested
//! only when the request planned again with it answers a best loop at most
//! [`ON_TRAILS`] on roads.

use trailloop_drive::DriveLimit;

use crate::client::ClientAddr;
use crate::domain::{LoopRequest, TrailheadRecord};

use super::drive::Drive;
use super::{trailheads, LoopsAnswer, PlannedLoop, Planner};

/// A loop with more than this share of its length on roads cars use is mostly on
/// roads: a street walk.
pub const MOSTLY_ROADS: f64 = 0.5;

/// A suggested drive's best loop has at most this share on roads.
pub const ON_TRAILS: f64 = 0.15;

/// Requests planned at most to confirm a suggestion (each a longer drive than the one
/// before).
const MAX_TRIES: usize = 3;

/// A longer drive whose best loop is on trails.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The drive limit to ask for: the asked limit's kinds (distance, time) widened to
    /// the drive to `trailhead`, rounded up to a whole km and minute.
    pub limit: DriveLimit,
    /// The drive to the suggested loop's trailhead.
    pub drive: Drive,
    /// Why it is suggested.
    pub reason: String,
    /// The best loop within `limit`, as that request names it.
    pub loop_name: String,
    /// Its share on roads cars use.
    pub road_share: f64,
    /// Where it starts.
    pub trailhead: TrailheadRecord,
}

/// Whether `l` is mostly on roads cars use.
pub fn mostly_roads(l: &PlannedLoop) -> bool {
    l.breakdown.road > MOSTLY_ROADS
}

/// Leaves out the loops mostly on roads listed after a loop that is not: returns how
/// many were left out. (Not for a hiker who walks roads like trails, `avoid_roads`
/// false: the planner does not call it then.)
pub(super) fn no_padding(loops: &mut Vec<PlannedLoop>) -> usize {
    let Some(first) = loops.iter().position(|l| !mostly_roads(l)) else {
        return 0;
    };
    let before = loops.len();
    let mut i = 0;
    loops.retain(|l| {
        i += 1;
        i - 1 <= first || !mostly_roads(l)
    });
    before - loops.len()
}

/// The limit `asked` widened to a drive of `d`, in the kinds `asked` limits, rounded up.
fn widened(asked: &DriveLimit, d: &Drive) -> DriveLimit {
    DriveLimit {
        metres: if asked.metres.is_finite() {
            (d.km.ceil() * 1000.0).max(asked.metres)
        } else {
            f64::INFINITY
        },
        seconds: if asked.seconds.is_finite() {
            (d.minutes.ceil() * 60.0).max(asked.seconds)
        } else {
            f64::INFINITY
        },
    }
}

impl Planner {
    /// Whether `answer` to `req` calls for a suggestion: its best loop is mostly on
    /// roads, or it has none (not for a request from one trailhead).
    pub(super) fn wants_suggestion(req: &LoopRequest, answer: &LoopsAnswer) -> bool {
        req.trailhead_id.is_none() && answer.loops.first().is_none_or(mostly_roads)
    }

    /// The shortest longer drive whose best loop is on trails, if one within the
    /// search is (see the module docs).
    pub(super) async fn suggest(
        &self,
        req: &LoopRequest,
        answer: &LoopsAnswer,
        client: Option<ClientAddr>,
    ) -> Option<Suggestion> {
        let settings = &self.shared.settings;
        let widest = |limit: f64, least: f64| {
            if limit.is_finite() {
                (limit * settings.suggest_drive_factor).max(least)
            } else {
                f64::INFINITY
            }
        };
        let search = DriveLimit {
            metres: widest(req.drive.metres, settings.suggest_min_drive_km * 1000.0),
            seconds: widest(req.drive.seconds, settings.suggest_min_drive_km * 60.0),
        };
        let wide = LoopRequest {
            drive: search,
            ..req.clone()
        };
        let (starts, _, _) = match self.trailheads_for(&wide).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = %e, "the survey for a suggestion failed");
                return None;
            }
        };
        let target_km = req.hike.target_m / 1000.0;
        // Beyond the asked drive, their surroundings mostly trails, nearest first.
        let by_drive = |d: &Drive| {
            if req.drive.metres.is_finite() {
                d.km
            } else {
                d.minutes
            }
        };
        let mut candidates: Vec<_> = starts
            .into_iter()
            .filter(|s| !req.drive.admits(s.drive.road()))
            .filter(|s| {
                let around = trailheads::surroundings(&s.trailhead.potential, target_km);
                let walked = around.trail_m + around.road_m;
                walked > 0.0 && around.road_m / walked <= ON_TRAILS
            })
            .collect();
        candidates.sort_by(|a, b| by_drive(&a.drive).total_cmp(&by_drive(&b.drive)));
        let mut tried: Option<DriveLimit> = None;
        let mut tries = 0;
        for c in candidates {
            if tries == MAX_TRIES {
                break;
            }
            if tried.is_some_and(|t| t.admits(c.drive.road())) {
                continue;
            }
            let limit = widened(&req.drive, &c.drive);
            let again = LoopRequest {
                drive: limit,
                hike: crate::domain::Hike {
                    max_results: 1,
                    ..req.hike.clone()
                },
                ..req.clone()
            };
            let planned = match Box::pin(self.plan(&again, client)).await {
                Ok(a) => a,
                Err(e) => {
                    tracing::info!(error = %e, "a suggested drive could not be confirmed");
                    return None;
                }
            };
            if let Some(best) = planned.loops.first() {
                if best.breakdown.road <= ON_TRAILS {
                    let reason = match answer.loops.first() {
                        Some(l) => format!(
                            "the best loop within a drive of {} is {:.0} % on roads; a \
                             drive of {} reaches one on trails",
                            req.drive.describe(),
                            l.breakdown.road * 100.0,
                            limit.describe()
                        ),
                        None => format!(
                            "no loop within a drive of {}; a drive of {} reaches one on \
                             trails",
                            req.drive.describe(),
                            limit.describe()
                        ),
                    };
                    return Some(Suggestion {
                        limit,
                        drive: best.trailhead.drive,
                        reason,
                        loop_name: best.name.clone(),
                        road_share: best.breakdown.road,
                        trailhead: best.trailhead.trailhead.clone(),
                    });
                }
            }
            tried = Some(limit);
            tries += 1;
        }
        None
    }
}
