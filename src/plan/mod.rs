//! The use case, in one place: a checked loop request in, ranked and presented loops
//! out. [`Planner::loops`] admits the request to the solver pool, finds the trailheads
//! within driving range, takes the tiles of the network they can reach from the
//! [`TileCache`], solves every start in parallel on the pool within the time budget,
//! keeps the best loops by the solver's one ranking and presents them (geometry vertex
//! by vertex, trail segments, time, difficulty, day stages).
//!
//! Handlers parse and serialise; this module plans; the stores load and the solver
//! searches.

pub mod drive;
mod present;
pub mod profile;
mod saved;
pub use saved::PlanLimits;
mod stages;
#[cfg(test)]
mod tests;
pub mod trailheads;
pub mod trails;
mod trips;
mod why;

pub use drive::{Drive, DriveMethod};
pub use present::{Difficulty, Segment};
pub use trailloop_solver::walking::DURATION_MODEL;

use drive::Candidates;
pub use stages::{Stage, StageNight, WaterStop};
pub use why::{Breakdown, Passed};

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trailloop_osm::{Coord, PoiKind, Profile, SacScale, TileKey};
use trailloop_solver::{
    best_alternatives, default_approach_m, drive_cost, rank, reach_m, solve_many, walking,
    DayLimits, Limits, Loop, LoopKind, NightPlace, Preferences, Query, Score, SolveError,
    DEFAULT_EXTENSION_BUDGET, DEFAULT_WORK_BUDGET,
};

use crate::domain::{
    DistanceKm, DriveRange, FieldError, LoopRequest, RegionVersion, TrailheadRecord,
    TrailheadSearch,
};
use crate::metrics::Metrics;
use crate::network::{CacheError, NetworkTile, PlanningNetwork, RegionCache, TileCache};
use crate::settings::PlannerSettings;
use crate::solver_pool::{PoolError, SolverPool};
use crate::store::{Store, StoreError};

/// Tiles are taken this far beyond the farthest a loop can go from its trailhead, so
/// that edges reaching in from a neighbouring tile are there too.
const TILE_MARGIN_M: f64 = 2_000.0;

/// Asked by time, loops whose walking time is further than this share from it are named
/// in a warning.
const TIME_WARNING_SHARE: f64 = 0.2;

/// Times a request is planned again when an import replaced its region meanwhile.
const STALE_RETRIES: usize = 2;

/// A trailhead a loop may start from, with the drive to it from the origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    /// The trailhead as stored.
    pub trailhead: TrailheadRecord,
    /// The drive from the origin.
    pub drive: Drive,
    /// How much of the hiker's drive limit it takes, 0..=1.
    pub drive_share: f64,
}

/// How the drives of an answer were found.
#[derive(Debug, Clone, PartialEq)]
pub struct DriveSummary {
    /// The methods used (road network, straight-line estimate), at most two.
    pub methods: Vec<DriveMethod>,
    /// How far the origin is from the road drives start on, metres (none when no road
    /// graph was used).
    pub origin_off_road_m: Option<f64>,
    /// The factor straight-line estimates use.
    pub circuity_factor: f64,
}

/// The answer of a trailhead search.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailheadsFound {
    /// Each trailhead with its drive (`None` when no road leads to it within the
    /// search); by drive time when a drive limit was given, else nearest first.
    pub trailheads: Vec<(TrailheadRecord, Option<Drive>)>,
    /// How the drives were found.
    pub drive: DriveSummary,
}

/// What the hiker asked for, as the solver needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopParams {
    /// Target length T, metres.
    pub target_m: f64,
    /// Acceptable length error, fraction of T.
    pub tolerance: f64,
    /// Loops to return at most.
    pub max_results: usize,
    /// Days of walking (1 for a day hike).
    pub days: u32,
    /// Limits on each day (on the whole hike of a day hike).
    pub day_limits: DayLimits,
    /// Kinds of place nights may be spent at.
    pub overnight: Vec<PoiKind>,
    /// Whether nights may be spent back at the trailhead.
    pub base_camp: bool,
    /// How hard to keep off roads, 0..=1.
    pub avoid_roads: f64,
    /// Worth of nature and hiking routes, 0..=1.
    pub scenery: f64,
    /// -1 avoids climb .. +1 seeks it.
    pub hills: f64,
    /// Hardest acceptable SAC grade.
    pub max_sac_scale: Option<SacScale>,
    /// Ascent above which loops are penalised, metres.
    pub max_ascent_m: Option<f64>,
    /// Seed for the search; same request and seed, same loops.
    pub seed: u64,
    /// Whether the hiker asked by walking time: `target_m` is then the most that time
    /// walks on the flat, and each network's climb shortens it (see
    /// [`LoopParams::on`]).
    pub by_time: bool,
}

impl LoopParams {
    /// What the planner needs of a checked request.
    pub fn of(req: &LoopRequest) -> LoopParams {
        LoopParams {
            target_m: req.target.metres(),
            tolerance: req.tolerance.fraction(),
            max_results: req.max_results,
            days: req.days,
            day_limits: DayLimits {
                max_m: req.day_limits.max_distance.map(|d| d.metres()),
                max_hours: req.day_limits.max_hours,
                max_ascent_m: req.day_limits.max_ascent_m,
            },
            overnight: req.preferences.overnight.clone(),
            base_camp: req.preferences.base_camp,
            avoid_roads: req.preferences.avoid_roads,
            scenery: req.preferences.scenery,
            hills: req.preferences.hills,
            max_sac_scale: req.preferences.max_sac_scale,
            max_ascent_m: req.preferences.max_ascent_m,
            seed: req.seed,
            by_time: req.target_hours.is_some(),
        }
    }

    /// The request as planned on `network`: asked by time, the length that time walks
    /// there by the duration model. With `g` metres of climb per km of its trails, an
    /// hour walks `5 / (1 + 5 g / 600)` km (the flat 5 km, less a twelfth of a km for
    /// every 10 m of climb per km).
    fn on(&self, network: &PlanningNetwork) -> std::borrow::Cow<'_, LoopParams> {
        if !self.by_time {
            return std::borrow::Cow::Borrowed(self);
        }
        std::borrow::Cow::Owned(LoopParams {
            target_m: self.target_m * walking::time_factor(network.climb_per_km()),
            ..self.clone()
        })
    }

    /// How far from its trailhead a loop can go, in network distance (and so at most
    /// in a straight line); for a trip, or a hike with limits, that of the longest
    /// nearby request planned when none of the asked one is a plan.
    pub fn radius_m(&self) -> f64 {
        let longest = if self.is_trip() {
            trips::NEARBY_LONGEST
        } else {
            1.0
        };
        reach_m(self.target_m * longest, self.tolerance) / 2.0
    }

    /// Whether answers must be checked as plans of days: a trip of several days, or a
    /// day hike with day limits.
    pub fn is_trip(&self) -> bool {
        self.days > 1 || !self.day_limits.is_none()
    }

    /// Of a base-camp trip, the request for its day loops: a day's share of the
    /// length, each from the trailhead, a few more than days to choose from.
    fn base_camp_day(&self) -> Option<LoopParams> {
        (self.base_camp && self.days > 1).then(|| LoopParams {
            target_m: self.target_m / f64::from(self.days),
            days: 1,
            max_results: (self.days as usize + 2).min(trailloop_solver::MAX_RESULTS),
            base_camp: false,
            ..self.clone()
        })
    }

    /// The hiker's preferences as the solver weighs them.
    fn preferences(&self) -> Preferences {
        Preferences {
            avoid_roads: self.avoid_roads,
            scenery: self.scenery,
            hills: self.hills,
            max_sac_grade: self.max_sac_scale.map(SacScale::grade),
            max_ascent_m: self.max_ascent_m,
        }
    }

    /// The solver's query from `start`, whose drive costs `start_cost` in the score,
    /// with the places nights may be spent at.
    fn query(&self, start: &Start, start_cost: f64, nights: &[NightPlace]) -> Query {
        let multi_day = self.days > 1;
        Query {
            start: start.trailhead.node_id as u64,
            target_m: self.target_m,
            tolerance: self.tolerance,
            max_results: self.max_results,
            preferences: self.preferences(),
            start_cost,
            days: self.days,
            nights: if multi_day {
                nights.to_vec()
            } else {
                Vec::new()
            },
            day_limits: self.day_limits,
            approach_max_m: default_approach_m(self.target_m),
            seed: self.seed,
            // A trip's walk is as long as its days together, and each night is one more
            // constraint to search around: the budget grows with the days.
            work_budget: DEFAULT_WORK_BUDGET * u64::from(self.days),
            extension_budget: DEFAULT_EXTENSION_BUDGET,
        }
    }
}

/// One planned loop, ready to be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedLoop {
    /// Where it starts and ends.
    pub trailhead: Start,
    /// Its rank in the solver's ranking.
    pub score: Score,
    /// Days of walking it is planned for (the request's, or a nearby one's when no
    /// plan of the request's exists).
    pub days: u32,
    /// The length it was planned for, metres (likewise).
    pub target_m: f64,
    /// Whether its nights are spent back at the trailhead: one loop a day.
    pub base_camp: bool,
    /// Length, metres.
    pub distance_m: f64,
    /// Total climb, metres.
    pub ascent_m: f64,
    /// Total descent, metres.
    pub descent_m: f64,
    /// `|L - T| / T`.
    pub length_error: f64,
    /// Length walked more than once / L.
    pub sharing: f64,
    /// `4 pi A / P^2` of the loop's polygon.
    pub compactness: f64,
    /// Walking time, hours, by [`DURATION_MODEL`] (the days' together, off-trail
    /// walking to the nights included).
    pub duration_h: f64,
    /// Overall grade.
    pub difficulty: Difficulty,
    /// Hardest SAC grade on the way, if any edge has one.
    pub max_sac_scale: Option<SacScale>,
    /// Loop, lollipop or out-and-back.
    pub kind: LoopKind,
    /// Whether the search proved this the best loop from its trailhead.
    pub proven_optimal: bool,
    /// Vertices of the loop, following the trails, from where the approach reaches it
    /// (the trailhead's node when there is no approach) back there; of a base-camp
    /// plan, each day's loop from the trailhead's node in turn.
    pub geometry: Vec<Coord>,
    /// Elevation of each vertex of `geometry`, metres, when every one is known.
    pub elevations: Option<Vec<f64>>,
    /// From the trailhead to the loop, when the trailhead is not on it: the car park to
    /// its nearest node, then any short access path (walked there and back).
    pub approach: Option<Approach>,
    /// What the loop walks on and through.
    pub breakdown: Breakdown,
    /// Highlights it passes, in order.
    pub highlights: Vec<Passed>,
    /// Consecutive stretches on one named trail.
    pub segments: Vec<Segment>,
    /// The days, in order (one for a day hike).
    pub stages: Vec<Stage>,
}

/// The walk from the trailhead to the loop, one way.
#[derive(Debug, Clone, PartialEq)]
pub struct Approach {
    /// Metres.
    pub distance_m: f64,
    /// From the trailhead to the loop's first vertex.
    pub geometry: Vec<Coord>,
}

/// Solver effort behind one answer, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PlanStats {
    /// Trailheads solved.
    pub trailheads: usize,
    /// Work units the solver spent, summed.
    pub work: u64,
    /// Solver time summed over trailheads.
    pub solve_time: Duration,
    /// Whether any solve was cut by the deadline.
    pub hit_deadline: bool,
}

/// Loops and what they cost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanOutcome {
    /// Best first, mutually different.
    pub loops: Vec<PlannedLoop>,
    /// Effort.
    pub stats: PlanStats,
    /// When no walk was a plan of the asked days and limits: how near the nearest came.
    shortfall: Option<trips::Shortfall>,
    /// Places nights could be spent at within the network planned on.
    night_places: usize,
}

impl PlanOutcome {
    fn absorb(&mut self, other: PlanOutcome) {
        self.loops.extend(other.loops);
        self.stats.trailheads += other.stats.trailheads;
        self.stats.work += other.stats.work;
        self.stats.solve_time += other.stats.solve_time;
        self.stats.hit_deadline |= other.stats.hit_deadline;
        self.shortfall = self.shortfall.max(other.shortfall);
        self.night_places += other.night_places;
    }

    /// Best first across regions: regions share no edges, so their best loops never
    /// conflict.
    fn rank(&mut self, max_results: usize) {
        rank(&mut self.loops, max_results, |l| l.score);
    }
}

/// The answer to a loop request.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopsAnswer {
    /// Best first.
    pub loops: Vec<PlannedLoop>,
    /// Trailheads within driving range that were solved from.
    pub trailheads_considered: usize,
    /// How the drives were found.
    pub drive: DriveSummary,
    /// Why there are fewer loops than asked for, when there are.
    pub message: Option<String>,
    /// Caveats, e.g. that the time budget cut the search short.
    pub warnings: Vec<String>,
}

/// Why a request could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A field is fine on its own but not with the data (an unknown trailhead).
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// The solver queue is full.
    #[error("too many planning requests in flight")]
    Overloaded,
    /// Nothing was found within the time budget.
    #[error("planning ran out of its time budget")]
    TimeBudget,
    /// The database cannot be reached, or keeps changing under the request.
    #[error("backend unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or corrupt data.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<PoolError> for PlanError {
    fn from(e: PoolError) -> PlanError {
        match e {
            PoolError::Overloaded => PlanError::Overloaded,
            PoolError::TimeBudget => PlanError::TimeBudget,
            PoolError::Internal(e) => PlanError::Internal(e),
        }
    }
}

/// What preparing a request can run into besides a failure: the data changed under it.
enum Prepare {
    Stale,
    Failed(PlanError),
}

impl From<StoreError> for Prepare {
    fn from(e: StoreError) -> Prepare {
        match e {
            StoreError::Stale(_) => Prepare::Stale,
            StoreError::Unavailable(m) => {
                Prepare::Failed(PlanError::Unavailable(anyhow::anyhow!(m)))
            }
            StoreError::Other(e) => Prepare::Failed(PlanError::Internal(e)),
        }
    }
}

impl From<StoreError> for PlanError {
    fn from(e: StoreError) -> PlanError {
        match Prepare::from(e) {
            Prepare::Failed(e) => e,
            Prepare::Stale => PlanError::Unavailable(anyhow::anyhow!(
                "the network was replaced while it was read"
            )),
        }
    }
}

impl From<CacheError> for Prepare {
    fn from(e: CacheError) -> Prepare {
        match e {
            CacheError::Store(e) => e.into(),
            e @ CacheError::Build { .. } => Prepare::Failed(PlanError::Internal(e.into())),
        }
    }
}

/// The starts of one region and the tiles they reach.
struct Group {
    tiles: Vec<Arc<NetworkTile>>,
    starts: Vec<Start>,
}

/// Everything a request needs before the solve.
struct Prepared {
    considered: usize,
    groups: Vec<Group>,
    drive: DriveSummary,
    /// Starts left out because their tiles would pass `planner.max_tiles_per_request`.
    left_out: usize,
}

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
                    Err(e) => return Err(failed(e.into())),
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
                DriveRange {
                    km: Some(
                        DistanceKm::parse((radius.km() * 3.0).min(DistanceKm::MAX_KM), "", None)
                            .map_err(|e| PlanError::Internal(anyhow::anyhow!("{}", e.message)))?,
                    ),
                    minutes: None,
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
        range: DriveRange,
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
        let params = LoopParams::of(req);
        let mut attempt = 0;
        let prepared = loop {
            match self.prepare(req, &params).await {
                Ok(p) => break p,
                Err(Prepare::Stale) if attempt < STALE_RETRIES => {
                    tracing::info!(attempt, "the network changed under the request; again");
                    attempt += 1;
                }
                Err(Prepare::Stale) => return Err(failed(Prepare::Stale)),
                Err(Prepare::Failed(e)) => return Err(e),
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
                req.target.km(),
                req.tolerance.fraction() * 100.0,
            ))
        } else if found < req.max_results {
            Some(format!(
                "{found} loop(s) found, fewer than the {} asked for",
                req.max_results
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
        if let Some(hours) = req.target_hours {
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

    /// Trailheads, and the tiles they reach, for one attempt at a request.
    async fn prepare(&self, req: &LoopRequest, params: &LoopParams) -> Result<Prepared, Prepare> {
        let (starts, drive) = self.trailheads_for(req).await?;
        let considered = starts.len();
        let road_cost = trailheads::road_cost_per_m(self.cache.profile());
        let starts = trailheads::choose(starts, params, road_cost, self.settings.max_trailheads);
        let radius = params.radius_m() + TILE_MARGIN_M;
        // What one request may read: the best starts while their tiles stay within the
        // cap (the first always, its reach bounded by the longest target), so that no
        // request pulls more of the network into memory than the cap allows.
        let cap = self.settings.max_tiles_per_request;
        let mut reached: std::collections::HashSet<(RegionVersion, TileKey)> = Default::default();
        let mut left_out = 0;
        let mut by_version: BTreeMap<RegionVersion, Vec<Start>> = BTreeMap::new();
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
            if !self.cache.observe(&version) {
                return Err(Prepare::Stale);
            }
            let mut keys: Vec<TileKey> = starts
                .iter()
                .flat_map(|s| TileKey::covering(s.trailhead.coord, radius))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let tiles = self.cache.tiles(&self.store, &version, &keys).await?;
            groups.push(Group { tiles, starts });
        }
        Ok(Prepared {
            considered,
            groups,
            drive,
            left_out,
        })
    }

    /// The trailheads to solve from, with their drives: the one asked for, or those
    /// within the drive limit.
    async fn trailheads_for(
        &self,
        req: &LoopRequest,
    ) -> Result<(Vec<Start>, DriveSummary), Prepare> {
        let candidates = match req.trailhead_id {
            Some(id) => Candidates::Id(id),
            None => Candidates::InReach(self.settings.trailhead_candidates),
        };
        let reach = self
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
                return Err(Prepare::Failed(PlanError::Invalid(vec![FieldError::new(
                    "trailhead_id",
                    why,
                )])));
            }
        }
        let starts = reach
            .within
            .into_iter()
            .map(|(trailhead, drive)| Start {
                drive_share: req.drive.share(drive.km, drive.minutes),
                trailhead,
                drive,
            })
            .collect();
        let summary = DriveSummary {
            methods: reach.methods,
            origin_off_road_m: reach.origin_off_road_m,
            circuity_factor: self.settings.circuity_factor,
        };
        Ok((starts, summary))
    }
}

fn failed(p: Prepare) -> PlanError {
    match p {
        Prepare::Failed(e) => e,
        Prepare::Stale => PlanError::Unavailable(anyhow::anyhow!(
            "the network keeps changing under the request"
        )),
    }
}

/// What planning a request's groups gave: the loops, and when they are plans of a
/// nearby request instead of the asked one, why.
struct Planned {
    outcome: PlanOutcome,
    message: Option<String>,
}

/// Plans every group on its own network and keeps the best loops across them. When
/// none is a plan of the asked days within the limits and the tolerance, plans the
/// nearby requests (a day less or more, other lengths) on the same networks and
/// answers with their plans, nearest first, saying why.
fn plan_groups(
    groups: Vec<Group>,
    params: &LoopParams,
    limits: &Limits,
) -> Result<Planned, PlanError> {
    let networks: Vec<(PlanningNetwork, Vec<Start>)> = groups
        .into_iter()
        .map(|g| (PlanningNetwork::over(g.tiles), g.starts))
        .collect();
    let plan_all = |p: &LoopParams| -> Result<PlanOutcome, PlanError> {
        let mut outcome = PlanOutcome::default();
        for (network, starts) in &networks {
            outcome.absorb(plan_on(network, starts, p, limits)?);
        }
        outcome.rank(p.max_results);
        Ok(outcome)
    };
    let mut asked = plan_all(params)?;
    let is_plan = |o: &PlanOutcome| o.loops.iter().any(|l| l.score.within_tolerance());
    if !params.is_trip() || is_plan(&asked) {
        return Ok(Planned {
            outcome: asked,
            message: None,
        });
    }
    let why = trips::explain(asked.shortfall, params, asked.night_places);
    // The asked request's plans that miss only the length are one more nearby answer.
    let mut groups: Vec<(f64, PlanOutcome)> = Vec::new();
    // (no farther off than the nearby lengths).
    let mut misses = std::mem::take(&mut asked.loops);
    misses.retain(|l| l.length_error <= trips::NEARBY_MISS);
    let mut outcome = asked;
    if !misses.is_empty() {
        let error = misses.iter().map(|l| l.length_error).fold(0.0, f64::max);
        groups.push((
            error,
            PlanOutcome {
                loops: misses,
                ..PlanOutcome::default()
            },
        ));
    }
    for (p, distance) in trips::nearby(params) {
        let mut near = match plan_all(&p) {
            Ok(near) => near,
            Err(PlanError::TimeBudget) => break,
            Err(e) => return Err(e),
        };
        near.loops.retain(|l| l.score.within_tolerance());
        let hit_deadline = near.stats.hit_deadline;
        groups.push((distance, near));
        if hit_deadline {
            break;
        }
    }
    groups.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut offered: Vec<String> = Vec::new();
    let mut queues: Vec<std::collections::VecDeque<PlannedLoop>> = Vec::new();
    for (_, g) in groups {
        let loops = g.loops.clone();
        outcome.absorb(PlanOutcome {
            loops: Vec::new(),
            ..g
        });
        if let Some(first) = loops.first() {
            offered.push(trips::plan_named(first));
            queues.push(loops.into());
        }
    }
    // The best of each nearby request in turn, nearest first.
    let mut loops = Vec::new();
    while loops.len() < params.max_results && queues.iter().any(|q| !q.is_empty()) {
        for q in &mut queues {
            if loops.len() < params.max_results {
                loops.extend(q.pop_front());
            }
        }
    }
    outcome.loops = loops;
    let message = if offered.is_empty() {
        format!("{why}; no nearby plan (a day less or more, or another length) either")
    } else {
        format!("{why}; the nearest plans instead: {}", offered.join("; "))
    };
    Ok(Planned {
        outcome,
        message: Some(message),
    })
}

/// Solves from every start in parallel (on the current rayon pool), keeps the best
/// loops by the solver's ranking (a longer drive costs a little, see [`drive_cost`])
/// that are plans one can follow (see [`trips`]) and presents them. Synchronous and
/// CPU-bound: run it on the solver pool, never on an async worker.
pub fn plan_on(
    network: &PlanningNetwork,
    starts: &[Start],
    params: &LoopParams,
    limits: &Limits,
) -> Result<PlanOutcome, PlanError> {
    let params = &*params.on(network);
    let starts: Vec<&Start> = starts
        .iter()
        .filter(|s| network.contains_node(s.trailhead.node_id))
        .collect();
    let places = trips::NightPlaces::of(network, params);
    let waters = trips::waters(network);
    let start_cost = |s: &Start| drive_cost(s.drive_share);
    let mut queries: Vec<Query> = starts
        .iter()
        .map(|s| params.query(s, start_cost(s), &places.query))
        .collect();
    let day_params = params.base_camp_day();
    if let Some(day) = &day_params {
        queries.extend(starts.iter().map(|s| day.query(s, start_cost(s), &[])));
    }
    let mut stats = PlanStats {
        trailheads: starts.len(),
        ..PlanStats::default()
    };
    let mut found: Vec<Loop> = Vec::new();
    let mut day_loops: Vec<Vec<Loop>> = Vec::new();
    let mut cancelled = false;
    for (i, result) in solve_many(network.graph(), &queries, limits)
        .into_iter()
        .enumerate()
    {
        let loops = match result {
            Ok(solution) => {
                stats.work += solution.stats.work;
                stats.solve_time += solution.stats.elapsed;
                stats.hit_deadline |= solution.stats.hit_deadline;
                solution.loops
            }
            Err(SolveError::Cancelled) => {
                cancelled = true;
                Vec::new()
            }
            Err(e) => return Err(PlanError::Internal(anyhow::anyhow!("solver: {e}"))),
        };
        if i < starts.len() {
            found.extend(loops);
        } else {
            day_loops.push(loops);
        }
    }
    if found.is_empty() && day_loops.iter().all(Vec::is_empty) && cancelled {
        return Err(PlanError::TimeBudget);
    }
    stats.hit_deadline |= cancelled;
    let mut shortfall = None;
    if params.is_trip() {
        // Only plans one can follow: nights where they should be, days in balance and
        // within the limits. How near the others came says why, when none is.
        found.retain(|l| {
            let days = trips::days_of(network, l, &places.records);
            match trips::shortfall(l, &days, params) {
                None => true,
                Some(s) => {
                    shortfall = shortfall.max(Some(s));
                    s == trips::Shortfall::Length
                }
            }
        });
    }
    // Which start each loop came from, by its first edge's start node (the nearest
    // trailhead, should two share a node).
    let start_of = |l: &Loop| -> Option<&Start> {
        let (first, _) = network.graph().edge_ends(*l.edges.first()?)?;
        starts
            .iter()
            .copied()
            .find(|s| s.trailhead.node_id as u64 == first)
    };
    let chosen = best_alternatives(network.graph(), found, params.max_results);
    let mut loops: Vec<PlannedLoop> = chosen
        .into_iter()
        .filter_map(|l| {
            Some(present::present(
                network,
                start_of(&l)?,
                &l,
                params,
                &places.records,
                &waters,
            ))
        })
        .collect();
    if day_params.is_some() {
        for (start, day) in starts.iter().zip(&day_loops) {
            if let Some((days, score)) = trips::base_camp(network, day, params) {
                loops.push(present::present_base_camp(
                    network, start, &days, score, params, &waters,
                ));
            }
        }
    }
    rank(&mut loops, params.max_results, |l| l.score);
    Ok(PlanOutcome {
        loops,
        stats,
        shortfall,
        night_places: places.records.len(),
    })
}
