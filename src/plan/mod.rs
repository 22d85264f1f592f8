//! The use case, in one place: a checked loop request in, ranked and presented loops
//! out. [`Planner::loops`] admits the request to the solver pool, finds the trailheads
//! within driving range, takes the tiles of the network they can reach from the
//! [`TileCache`], solves every start in parallel on the pool within the time budget,
//! keeps the best loops by the solver's one ranking and presents them (geometry vertex
//! by vertex, trail segments, time, difficulty, day stages).
//!
//! Handlers parse and serialise; this module plans; the stores load and the solver
//! searches and owns the hike's rules (score, promise, walking time, days).
//!
//! The pipeline, one stage a file:
//! - [`params`]: the checked request as the planner and the solver need it
//!   ([`Hike`], the solver's query);
//! - [`drive`] and [`trailheads`]: the trailheads within the drive, weighed by the
//!   solver's promise; `prepare`: the most promising and the tiles they reach;
//! - `solve`: every start solved in parallel on one network, the plans one can follow
//!   kept (`trips`), ranked by the solver's score and presented (`present`,
//!   `stages`, `why`);
//! - `fallback`: the nearby requests when no walk is a plan of the asked one;
//! - [`answer`]: the answer and its types; `errors`: why a request failed.

pub mod answer;
pub mod drive;
pub mod elevation;
mod errors;
mod fallback;
pub mod params;
mod prepare;
mod present;
mod saved;
mod solve;
pub use saved::PlanLimits;
mod breakdown;
mod stages;
#[cfg(test)]
mod tests;
pub mod trailheads;
pub mod trails;
mod trips;

pub use answer::{
    Approach, DriveSummary, LoopsAnswer, PlanOutcome, PlanStats, PlannedLoop, TrailheadStart,
    TrailheadsFound,
};
pub use drive::{Drive, DriveMethod};
pub use errors::PlanError;
use fallback::{plan_groups, Planned};

pub use present::{Difficulty, Segment};
pub use solve::solve_network;
pub use trailloop_solver::walking::DURATION_MODEL;

pub use breakdown::{Breakdown, Passed};
use drive::Candidates;
pub use stages::{Stage, StageNight, WaterStop};

use std::sync::Arc;
use std::time::{Duration, Instant};

use trailloop_drive::DriveLimit;
use trailloop_osm::{Coord, Profile};

use crate::domain::{DistanceKm, FieldError, Hike, LoopRequest, TrailheadRecord, TrailheadSearch};
use crate::metrics::Metrics;
use crate::network::{RegionCache, TileCache};
use crate::settings::PlannerSettings;
use crate::solver_pool::SolverPool;
use crate::store::{Store, StoreError};

/// Asked by time, loops whose walking time is further than this share from it are named
/// in a warning.
const TIME_WARNING_SHARE: f64 = 0.2;

/// Times a request is planned again when an import replaced its region meanwhile.
const STALE_RETRIES: usize = 2;

/// The planning service: store, network cache and solver pool behind one door.
pub struct Planner {
    store: Store,
    cache: TileCache,
    regions: RegionCache,
    pool: SolverPool,
    settings: PlannerSettings,
    time_budget: Duration,
    metrics: Metrics,
}

impl Planner {
    /// A planner over `store`, holding at most `cache_bytes` of tiles in memory.
    pub fn new(
        store: Store,
        pool: SolverPool,
        settings: PlannerSettings,
        time_budget: Duration,
        cache_bytes: usize,
        profile: Arc<Profile>,
        metrics: Metrics,
    ) -> Planner {
        Planner {
            cache: TileCache::new(cache_bytes, profile, metrics.clone()),
            regions: RegionCache::default(),
            store,
            pool,
            settings,
            time_budget,
            metrics,
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The tile cache.
    pub fn cache(&self) -> &TileCache {
        &self.cache
    }

    /// Loads every region's tiles into the cache, as far as its bound allows (a warm
    /// task answers its first requests as fast as its later ones).
    pub async fn preload(&self) -> Result<usize, PlanError> {
        let mut loaded = 0;
        for (version, tiles) in self.store.regions().await? {
            self.cache.observe(&version);
            for chunk in tiles.chunks(8) {
                if self.cache.bytes_held() >= self.cache.capacity_bytes() {
                    return Ok(loaded);
                }
                match self.cache.tiles(&self.store, &version, chunk).await {
                    Ok(t) => loaded += t.len(),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(loaded)
    }

    /// Trailheads near a point: within its drive limit by road (fastest first) when
    /// one is given, else within its straight-line radius (nearest first, each with its
    /// drive when a road leads there within three times the radius).
    pub async fn trailheads(&self, search: &TrailheadSearch) -> Result<TrailheadsFound, PlanError> {
        let (range, candidates) = match (search.drive, search.radius) {
            (Some(drive), radius) => (
                drive,
                match radius {
                    Some(r) => Candidates::Within(r.metres(), self.settings.trailhead_candidates),
                    None => Candidates::InReach(self.settings.trailhead_candidates),
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
        let reach = self.reach(search.origin.coord(), range, candidates).await?;
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
                circuity_factor: self.settings.circuity_factor,
            },
        })
    }

    /// The drive search, with its time in the trailhead query's metric. It runs on the
    /// request's worker: a fraction of a millisecond on Andorra, tens of milliseconds
    /// for the longest drive on a region the size of a small state.
    async fn reach(
        &self,
        origin: Coord,
        range: DriveLimit,
        candidates: Candidates,
    ) -> Result<drive::Reach, StoreError> {
        let started = Instant::now();
        let regions = self.regions.current(&self.store).await?;
        let circuity = self.settings.circuity_factor;
        let reach = drive::reach(&regions, origin, &range, circuity, candidates);
        self.metrics
            .trailhead_query_seconds
            .observe(started.elapsed().as_secs_f64());
        Ok(reach)
    }

    /// Plans the loops of a request.
    pub async fn loops(&self, req: &LoopRequest) -> Result<LoopsAnswer, PlanError> {
        let started = Instant::now();
        let deadline = started + self.time_budget;
        // Admitted before anything else is done for it: a full queue costs nothing more.
        let admission = self.pool.admit()?;
        let params = req.hike.clone();
        let mut attempt = 0;
        let prepared = loop {
            match self.prepare(req, &params).await {
                Ok(p) => break p,
                Err(e) if e.is_stale() && attempt < STALE_RETRIES => {
                    tracing::info!(attempt, "the network changed under the request; again");
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        let considered = prepared.considered;
        let left_out = prepared.left_out;
        let mut answer = LoopsAnswer {
            loops: Vec::new(),
            trailheads_considered: considered,
            drive: prepared.drive.clone(),
            message: None,
            warnings: Vec::new(),
        };
        if considered == 0 {
            answer.message = Some(format!(
                "no trailhead within a drive of {} from the origin",
                req.drive.describe()
            ));
            return Ok(answer);
        }
        let solve_started = Instant::now();
        let job_params = params.clone();
        let Planned { outcome, message } = self
            .pool
            .run(admission, deadline, move |limits| {
                plan_groups(prepared.groups, &job_params, limits)
            })
            .await??;
        self.metrics
            .solver_seconds
            .observe(solve_started.elapsed().as_secs_f64());
        let stats = outcome.stats;
        self.metrics.solver_work.inc_by(stats.work);
        self.metrics
            .solver_trailheads
            .observe(stats.trailheads as f64);
        if stats.hit_deadline {
            self.metrics.solver_deadline_hits.inc();
        }
        tracing::info!(
            trailheads = stats.trailheads,
            work = stats.work,
            solve_ms = stats.solve_time.as_secs_f64() * 1e3,
            hit_deadline = stats.hit_deadline,
            loops = outcome.loops.len(),
            nearby = message.is_some(),
            "planned"
        );
        let found = outcome.loops.len();
        answer.loops = outcome.loops;
        answer.message = if message.is_some() {
            message
        } else if found == 0 {
            Some(format!(
                "no loop of {} km (±{:.0} %) from the {considered} trailhead(s) in range",
                params.target_m / 1000.0,
                params.tolerance * 100.0,
            ))
        } else if found < params.max_results {
            Some(format!(
                "{found} loop(s) found, fewer than the {} asked for",
                params.max_results
            ))
        } else {
            None
        };
        if left_out > 0 {
            answer.warnings.push(format!(
                "{left_out} trailhead(s) in range were not solved from: the network around \
                 them is more than one request may read; a shorter loop reaches further"
            ));
        }
        if stats.hit_deadline {
            answer.warnings.push(format!(
                "the search was cut short by the {} ms time budget; loops may not be the best",
                self.time_budget.as_millis()
            ));
        }
        if let Some(hours) = params.target_hours {
            // The length was chosen for the trails' average climb; a loop steeper or
            // flatter than that walks longer or shorter.
            let off: Vec<String> = answer
                .loops
                .iter()
                .enumerate()
                .filter(|(_, l)| (l.duration_h - hours).abs() > TIME_WARNING_SHARE * hours)
                .map(|(i, l)| format!("{} ({:.1} h)", i + 1, l.duration_h))
                .collect();
            if !off.is_empty() {
                answer.warnings.push(format!(
                    "asked for {hours} h: loop(s) {} take more than {:.0} % longer or shorter",
                    off.join(", "),
                    TIME_WARNING_SHARE * 100.0
                ));
            }
        }
        Ok(answer)
    }
}
