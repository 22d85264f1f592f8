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
//! - [`hike`]: the checked request as the planner and the solver need it
//!   ([`Hike`], the solver's query); [`effort`]: what it is expected to cost, which
//!   decides its lane on the solver pool;
//! - [`drive`] and [`trailheads`]: the trailheads within the drive, weighed by the
//!   solver's promise; `prepare`: the most promising and the tiles they reach;
//! - `regions`: every region's network planned and the best loops kept across them,
//!   and the nearby requests when no walk is a plan of the asked one;
//! - `solve`: every start solved in parallel on one network, for its dates (`dated`:
//!   daylight, places open, ways closed), the plans one can follow kept (`trips`),
//!   ranked by the solver's score and presented (`present`, `stages`, `breakdown`,
//!   `names`);
//! - [`suggest`]: street walks not listed after a trail loop, and when the best loop
//!   is mostly on roads, the shortest longer drive whose best loop is on trails;
//! - [`answer`]: the answer and its types; `errors`: why a request failed.
//!
//! Beside the pipeline, the other doors: trailheads near a point (`finder`), the
//! trails of an area and the covered areas and places by name for the map ([`trails`],
//! [`coverage`]), saved plans (`saved`).

pub mod answer;
pub mod coverage;
mod dated;
pub mod drive;
pub mod effort;
pub mod elevation;
mod errors;
mod finder;
pub mod hike;
mod names;
mod prepare;
mod present;
mod regions;
mod saved;
mod solve;
pub use saved::{PlanLimits, SavedPlans};
mod breakdown;
mod stages;
pub mod suggest;
#[cfg(test)]
mod tests;
pub mod trailheads;
pub mod trails;
mod trips;

pub use answer::{
    Approach, DriveSummary, LoopsAnswer, PlanOutcome, PlanStats, PlanTiming, PlannedLoop,
    TrailheadCounts, TrailheadStart, TrailheadsFound,
};
pub use drive::{Drive, DriveMethod};
pub use errors::PlanError;
pub use finder::TrailheadFinder;
use regions::{plan_groups, Planned};
pub use trails::MapTrails;

pub use present::{Difficulty, Segment};
pub use solve::solve_network;
pub use trailloop_solver::walking::DURATION_MODEL;

pub use breakdown::{Breakdown, Passed};
pub use dated::{Daylight, StageTimes};
use drive::Candidates;
pub use stages::{Stage, StageNight, WaterStop};

use std::sync::Arc;
use std::time::Instant;

use trailloop_drive::DriveLimit;
use trailloop_geo::Coord;
use trailloop_osm::Profile;

use crate::client::ClientAddr;
use crate::domain::{Hike, LoopRequest, Units};
use crate::metrics::Metrics;
use crate::network::{RegionCache, TileCache};
use crate::settings::PlannerSettings;
use crate::solver_pool::{Lane, SolverPool};
use crate::store::{Store, StoreError};

/// Asked by time, loops whose walking time is further than this share from it are named
/// in a warning.
const TIME_WARNING_SHARE: f64 = 0.2;

/// Times a request is planned again when an import replaced its region meanwhile.
const STALE_RETRIES: usize = 2;

/// What the planning services share: the store, the network held in memory (tiles and
/// each region's trailheads and roads) and the solver pool.
pub(crate) struct Shared {
    store: Store,
    cache: TileCache,
    regions: RegionCache,
    drives: drive::RecentDrives,
    pool: SolverPool,
    settings: PlannerSettings,
    metrics: Metrics,
}

/// The planning services over one store, one network in memory and one solver pool,
/// each a small door of its own: loops ([`Planner`]), trailheads near a point
/// ([`TrailheadFinder`]), the trails of an area ([`MapTrails`]) and saved plans
/// ([`SavedPlans`]).
pub struct Services {
    /// Loops for a request.
    pub planner: Planner,
    /// Trailheads near a point, with their drives.
    pub trailheads: TrailheadFinder,
    /// The trails of an area, for the map.
    pub trails: MapTrails,
    /// Plans the hikers saved.
    pub plans: SavedPlans,
}

impl Services {
    /// The services over `store`, holding at most `cache_bytes` of tiles in memory.
    pub fn new(
        store: Store,
        pool: SolverPool,
        settings: PlannerSettings,
        cache_bytes: usize,
        profile: Arc<Profile>,
        metrics: Metrics,
    ) -> Services {
        let shared = Arc::new(Shared {
            cache: TileCache::new(cache_bytes, profile, metrics.clone()),
            regions: RegionCache::new(metrics.store_degraded.clone()),
            drives: drive::RecentDrives::default(),
            store: store.clone(),
            pool,
            settings,
            metrics,
        });
        Services {
            planner: Planner {
                shared: shared.clone(),
            },
            trailheads: TrailheadFinder {
                shared: shared.clone(),
            },
            trails: MapTrails { shared },
            plans: SavedPlans::new(store),
        }
    }
}

impl Shared {
    /// The drive search, with its time in the trailhead query's metric: one of the
    /// recent ones when the same origin asked for the same drive (see
    /// [`drive::RecentDrives`]), else run on the blocking pool, not on the request's
    /// worker (a fraction of a millisecond on Andorra, some milliseconds for the
    /// longest drive on a region the size of a small state).
    pub(crate) async fn reach(
        &self,
        origin: Coord,
        range: DriveLimit,
        candidates: Candidates,
    ) -> Result<drive::Reach, StoreError> {
        let started = Instant::now();
        let regions = self.regions.current(&self.store).await?;
        let circuity = self.settings.circuity_factor;
        let key = drive::DriveKey {
            origin,
            limit: range,
            candidates,
            imports: regions.iter().map(|r| r.info.version.clone()).collect(),
        };
        let reach = match self.drives.get(&key) {
            Some(reach) => (*reach).clone(),
            None => {
                let reach = tokio::task::spawn_blocking(move || {
                    drive::reach(&regions, origin, &range, circuity, candidates)
                })
                .await
                .map_err(|e| StoreError::Other(anyhow::anyhow!("the drive search failed: {e}")))?;
                self.drives.put(key, Arc::new(reach.clone()));
                reach
            }
        };
        self.metrics
            .trailhead_query_seconds
            .observe(started.elapsed().as_secs_f64());
        Ok(reach)
    }
}

impl Planner {
    /// The way each loop's drive goes, from the road graph its drive search used (the
    /// regions held, as the drive search just saw them: no second look at the
    /// database; a trailhead of another import than held gets no route).
    async fn drive_routes(&self, req: &LoopRequest, loops: &mut [PlannedLoop]) {
        if loops.is_empty() {
            return;
        }
        let regions = self.shared.regions.held_now();
        let trailheads: Vec<crate::domain::TrailheadRecord> = loops
            .iter()
            .map(|l| l.trailhead.trailhead.clone())
            .collect();
        let (origin, limit) = (req.origin.coord(), req.drive);
        let routes = tokio::task::spawn_blocking(move || {
            let refs: Vec<&crate::domain::TrailheadRecord> = trailheads.iter().collect();
            drive::routes(&regions, origin, &limit, &refs)
        })
        .await
        .unwrap_or_default();
        for (l, route) in loops.iter_mut().zip(routes) {
            if l.trailhead.drive.method == DriveMethod::RoadNetwork {
                l.drive_route = route;
            }
        }
    }
}

/// Loops for a request: the use case this module is for.
#[derive(Clone)]
pub struct Planner {
    shared: Arc<Shared>,
}

impl Planner {
    /// The attribution of an answer from the named regions.
    pub fn attribution_of<'a>(&self, regions: impl IntoIterator<Item = &'a str>) -> String {
        self.shared.regions.attribution_of(regions)
    }

    /// The attribution of an answer showing the area from `south_west` to `north_east`.
    pub fn attribution_in(&self, south_west: Coord, north_east: Coord) -> String {
        self.shared.regions.attribution_in(south_west, north_east)
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// How many regions' trailheads and road graphs are held in memory.
    pub fn regions_held(&self) -> usize {
        self.shared.regions.held()
    }

    /// Since when the database has been away while the regions held answer, if it is.
    pub fn database_away_since(&self) -> Option<Instant> {
        self.shared.regions.away_since()
    }

    /// The tile cache.
    pub fn cache(&self) -> &TileCache {
        &self.shared.cache
    }

    /// Loads every region's trailheads and roads, and its tiles as far as the cache's
    /// bound allows (a warm task answers its first requests as fast as its later ones).
    pub async fn preload(&self) -> Result<usize, PlanError> {
        // Each region's trailheads and road graph first: every request's drive search
        // needs them, and a task that said it was ready must not make its first
        // request wait for them.
        self.shared.regions.current(&self.shared.store).await?;
        let mut loaded = 0;
        for (version, tiles) in self.shared.store.regions().await? {
            self.shared.cache.observe(&version);
            self.shared.cache.holds(&version, &tiles);
            for chunk in tiles.chunks(8) {
                if self.shared.cache.bytes_held() >= self.shared.cache.capacity_bytes() {
                    return Ok(loaded);
                }
                match self
                    .shared
                    .cache
                    .tiles(&self.shared.store, &version, chunk)
                    .await
                {
                    Ok(t) => loaded += t.len(),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(loaded)
    }

    /// Plans the loops of `client`'s request: admitted by its estimated cost to a lane
    /// of the solver pool (a client may have only so many costly plans in flight), then
    /// planned within the lane's budget. When its best loop is mostly on roads, or there
    /// is none, a longer drive whose best loop is on trails is suggested (see
    /// [`suggest`]). Dropping the future (the client went away) stops the plan.
    pub async fn loops(
        &self,
        req: &LoopRequest,
        client: Option<ClientAddr>,
    ) -> Result<LoopsAnswer, PlanError> {
        let mut answer = self.plan(req, client).await?;
        if req.hike.preferences.avoid_roads == 0.0 {
            // Roads were asked for like trails: no street walk to warn of.
            return Ok(answer);
        }
        let streets = answer
            .loops
            .iter()
            .take_while(|l| suggest::mostly_roads(l))
            .count();
        if streets > 0 {
            answer.warnings.push(format!(
                "the loops are mostly on roads cars use (the first {:.0} % of its length): \
                 street walks, not hikes; no loop within the drive is on trails",
                answer.loops[0].breakdown.road * 100.0
            ));
        }
        if self.shared.settings.suggest_drive_factor > 0.0 && Self::wants_suggestion(req, &answer) {
            answer.suggestion = self.suggest(req, &answer, client).await;
        }
        Ok(answer)
    }

    /// The loops of a request, planned once (no suggestion).
    async fn plan(
        &self,
        req: &LoopRequest,
        client: Option<ClientAddr>,
    ) -> Result<LoopsAnswer, PlanError> {
        let mut params = req.hike.clone();
        if let Some(dates) = &mut params.dates {
            dates.daylight_margin_h = self.shared.settings.daylight_margin_h;
            dates
                .rest_minutes_per_hour
                .get_or_insert(self.shared.settings.rest_minutes_per_hour);
        }
        let cost_units = effort::units(&params);
        let pool = &self.shared.pool;
        let lane = pool.lane_for(cost_units);
        // What to reduce is said only to a costly request.
        let reduce = match lane {
            Lane::Costly => {
                effort::reduce(&params, pool.costly_units(), req.units == Units::Imperial)
            }
            Lane::Ordinary => String::new(),
        };
        // Admitted before anything else is done for it: a full queue costs nothing more.
        let admission = self.shared.pool.admit(lane, client, &reduce)?;
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
        let counts = prepared.counts;
        let left_out = prepared.left_out;
        let mut answer = LoopsAnswer {
            loops: Vec::new(),
            trailheads: counts,
            drive: prepared.drive.clone(),
            message: None,
            warnings: Vec::new(),
            timing: None,
            dates: params
                .dates
                .map(|d| (d, crate::dates::sun::zone_at(req.origin.coord()))),
            suggestion: None,
        };
        if counts.weighed < counts.reachable {
            answer.warnings.push(format!(
                "{} of the {} trailheads within the drive were not weighed: only the {} \
                 nearest by drive time are (planner.trailhead_candidates)",
                counts.reachable - counts.weighed,
                counts.reachable,
                counts.weighed
            ));
        }
        if counts.weighed == 0 {
            answer.message = Some(format!(
                "no trailhead within a drive of {} from the origin",
                req.drive.describe()
            ));
            return Ok(answer);
        }
        let job_params = params.clone();
        let (planned, timing) = self
            .shared
            .pool
            .run(admission, move |limits| {
                plan_groups(prepared.groups, &job_params, limits)
            })
            .await?;
        let Planned { outcome, message } = planned?;
        self.shared
            .metrics
            .solver_seconds
            .observe(timing.planning.as_secs_f64());
        answer.timing = Some(PlanTiming {
            costly: lane == Lane::Costly,
            cost_units,
            queued_ms: timing.queued.as_secs_f64() * 1e3,
            planning_ms: timing.planning.as_secs_f64() * 1e3,
            budget_ms: timing.budget.as_secs_f64() * 1e3,
        });
        let stats = outcome.stats;
        self.shared.metrics.solver_work.inc_by(stats.work);
        self.shared
            .metrics
            .solver_trailheads
            .observe(stats.trailheads as f64);
        if stats.hit_deadline {
            self.shared.metrics.solver_deadline_hits.inc();
        }
        tracing::info!(
            lane = ?lane,
            cost_units,
            queued_ms = timing.queued.as_secs_f64() * 1e3,
            planning_ms = timing.planning.as_secs_f64() * 1e3,
            budget_ms = timing.budget.as_secs_f64() * 1e3,
            trailheads = stats.trailheads,
            work = stats.work,
            solve_ms = stats.solve_time.as_secs_f64() * 1e3,
            hit_deadline = stats.hit_deadline,
            loops = outcome.loops.len(),
            nearby = message.is_some(),
            "planned"
        );
        let mut loops = outcome.loops;
        // A hiker who walks roads like trails (avoid_roads false) asked for them.
        let padding = if params.preferences.avoid_roads > 0.0 {
            suggest::no_padding(&mut loops)
        } else {
            0
        };
        let found = loops.len();
        answer.loops = loops;
        names::name_all(&mut answer.loops);
        if padding > 0 {
            answer.warnings.push(format!(
                "{padding} loop(s) mostly on roads (more than {:.0} % of their length on \
                 roads cars use) were left out: the first loop is on trails",
                suggest::MOSTLY_ROADS * 100.0
            ));
        }
        self.drive_routes(req, &mut answer.loops).await;
        answer.message = if message.is_some() {
            message
        } else if found == 0 {
            Some(format!(
                "no loop of {} km (±{:.0} %) from the {} trailhead(s) in range",
                params.target_m / 1000.0,
                params.tolerance * 100.0,
                counts.weighed,
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
                timing.budget.as_millis()
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
