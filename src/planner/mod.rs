//! Loop planning between the HTTP layer and the solver: the network around the chosen
//! trailheads as the solver sees it, the solves, and each loop's presentation (geometry
//! vertex by vertex, trail segments, time, difficulty, day stages).
//!
//! Synchronous and CPU-bound: callers run [`plan`] on the solver pool, never on an
//! async worker.

mod network;
mod present;
mod stages;
#[cfg(test)]
mod tests;

pub use network::{PlanningNetwork, Subgraph, SubgraphEdge, SubgraphNode, SubgraphPoi};
pub use present::{Difficulty, Segment, DURATION_MODEL};
pub use stages::{Stage, StageEnd};

use std::collections::HashSet;
use std::time::Duration;

use trailloop_osm::{Coord, SacScale};
use trailloop_solver::{
    solve_many, Limits, Loop, LoopKind, Preferences, Query, SolveError, DEFAULT_EXTENSION_BUDGET,
    DEFAULT_WORK_BUDGET, MAX_RESULTS,
};

use stages::Leg;

/// A trailhead a loop may start from, with its driving distance from the origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Trailhead id (database id, or index in embedded mode).
    pub id: i64,
    /// The network node loops start from.
    pub node_id: i64,
    /// Name, when OSM gives one.
    pub name: Option<String>,
    /// `trailhead`, `parking` or `road_junction`.
    pub kind: String,
    /// Where the trailhead is.
    pub coord: Coord,
    /// Estimated driving distance from the origin: straight line times the circuity factor.
    pub drive_km: f64,
}

/// What the hiker asked for, already validated.
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
    /// Longest acceptable day, metres (defaults to an even split).
    pub max_day_m: Option<f64>,
    /// Penalise roads.
    pub avoid_roads: bool,
    /// Hardest acceptable SAC grade.
    pub max_sac_scale: Option<SacScale>,
    /// Ascent above which loops are penalised, metres.
    pub max_ascent_m: Option<f64>,
    /// Seed for the search; same request and seed, same loops.
    pub seed: u64,
}

/// One planned loop, ready to be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedLoop {
    /// Where it starts and ends.
    pub trailhead: Candidate,
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
    /// Walking time, hours, by [`DURATION_MODEL`].
    pub duration_h: f64,
    /// Overall grade.
    pub difficulty: Difficulty,
    /// Hardest SAC grade on the way, if any edge has one.
    pub max_sac_scale: Option<SacScale>,
    /// Loop, lollipop or out-and-back.
    pub kind: LoopKind,
    /// Whether the search proved this the best loop from its trailhead.
    pub proven_optimal: bool,
    /// Vertices from the trailhead node back to it, following the trails.
    pub geometry: Vec<Coord>,
    /// Consecutive stretches on one named trail.
    pub segments: Vec<Segment>,
    /// Day stages for multi-day plans (one stage for a day hike).
    pub stages: Vec<Stage>,
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
    /// Best first, across all trailheads, mutually different.
    pub loops: Vec<PlannedLoop>,
    /// Effort.
    pub stats: PlanStats,
}

/// Why planning failed (bad requests are caught earlier, at the edge).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The request was cancelled or ran out of time before any loop was found.
    #[error("planning ran out of time")]
    Timeout,
    /// The solver rejected its input: a bug or corrupt data, not the user's fault.
    #[error("solver: {0}")]
    Solver(String),
}

/// Alternatives may share at most this fraction of the shorter one's length.
const MAX_SHARED: f64 = 0.4;

/// Solves from every candidate in parallel (on the current rayon pool), merges and
/// ranks the loops, and presents the best `params.max_results`, mutually different.
///
/// Ranking across trailheads: true loops before lollipops before out-and-backs, loops
/// within tolerance before the rest, then by penalised length error (roads when
/// avoiding them, climb above the limit), then the nearer drive.
pub fn plan(
    network: &PlanningNetwork,
    candidates: &[Candidate],
    params: &LoopParams,
    limits: &Limits,
) -> Result<PlanOutcome, PlanError> {
    let starts: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| network.contains_node(c.node_id))
        .collect();
    let preferences = Preferences {
        avoid_roads: params.avoid_roads,
        max_sac_grade: params.max_sac_scale.map(SacScale::grade),
        max_ascent_m: params.max_ascent_m,
    };
    let queries: Vec<Query> = starts
        .iter()
        .map(|c| Query {
            start: c.node_id as u64,
            target_m: params.target_m,
            tolerance: params.tolerance,
            max_results: params.max_results.clamp(1, MAX_RESULTS),
            preferences,
            seed: params.seed,
            work_budget: DEFAULT_WORK_BUDGET,
            extension_budget: DEFAULT_EXTENSION_BUDGET,
        })
        .collect();
    let mut stats = PlanStats {
        trailheads: queries.len(),
        ..PlanStats::default()
    };
    let mut found: Vec<(&Candidate, Loop)> = Vec::new();
    let mut cancelled = false;
    for (candidate, result) in starts
        .iter()
        .zip(solve_many(&network.graph, &queries, limits))
    {
        match result {
            Ok(solution) => {
                stats.work += solution.stats.work;
                stats.solve_time += solution.stats.elapsed;
                stats.hit_deadline |= solution.stats.hit_deadline;
                found.extend(solution.loops.into_iter().map(|l| (*candidate, l)));
            }
            Err(SolveError::Cancelled) => cancelled = true,
            Err(e) => return Err(PlanError::Solver(e.to_string())),
        }
    }
    if found.is_empty() && cancelled {
        return Err(PlanError::Timeout);
    }
    stats.hit_deadline |= cancelled;

    let chosen = select(network, found, params);
    let loops = chosen
        .into_iter()
        .map(|(candidate, l)| present(network, candidate, &l, params))
        .collect();
    Ok(PlanOutcome { loops, stats })
}

/// The answers, best first: true loops within tolerance, then lollipops and
/// out-and-backs within tolerance, then (only when nothing is within tolerance) the
/// nearest misses; each tier by length error and preference penalties, then by drive.
/// At most `max_results`, pairwise different.
fn select<'a>(
    network: &PlanningNetwork,
    mut found: Vec<(&'a Candidate, Loop)>,
    params: &LoopParams,
) -> Vec<(&'a Candidate, Loop)> {
    if found
        .iter()
        .any(|(_, l)| l.length_error <= params.tolerance)
    {
        // A walk far off the asked length is no alternative to one that hits it.
        found.retain(|(_, l)| l.length_error <= params.tolerance);
    }
    found.sort_by(|a, b| {
        rank_key(a, params)
            .partial_cmp(&rank_key(b, params))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut chosen: Vec<(&Candidate, Loop)> = Vec::new();
    for (candidate, l) in found {
        if chosen.len() == params.max_results {
            break;
        }
        if chosen.iter().all(|(_, c)| differ(network, c, &l)) {
            chosen.push((candidate, l));
        }
    }
    chosen
}

fn rank_key(item: &(&Candidate, Loop), params: &LoopParams) -> (u8, u8, f64, f64) {
    let (candidate, l) = item;
    let tier = match (l.kind, l.length_error <= params.tolerance) {
        (LoopKind::Loop, true) => 0,
        (_, true) => 1,
        (_, false) => 2,
    };
    let kind = match l.kind {
        LoopKind::Loop => 0,
        LoopKind::Lollipop => 1,
        LoopKind::OutAndBack => 2,
    };
    let mut penalty = l.length_error;
    if params.avoid_roads && l.length_m > 0.0 {
        penalty += 0.2 * l.road_m / l.length_m;
    }
    if let Some(max) = params.max_ascent_m {
        penalty += (l.ascent_m - max).max(0.0) / params.target_m;
    }
    // Within tolerance a lollipop beats an out-and-back; outside it, length decides.
    let kind = if tier == 2 { 0 } else { kind };
    (tier, kind, penalty, candidate.drive_km)
}

/// Length of undirected edges two walks share, over the shorter walk's length.
fn differ(network: &PlanningNetwork, a: &Loop, b: &Loop) -> bool {
    let in_a: HashSet<u64> = a.edges.iter().map(|d| d.id).collect();
    let mut counted = HashSet::new();
    let shared: f64 = b
        .edges
        .iter()
        .filter(|d| in_a.contains(&d.id) && counted.insert(d.id))
        .filter_map(|d| network.edges.get(&d.id).map(|m| m.length_m))
        .sum();
    shared <= MAX_SHARED * a.length_m.min(b.length_m)
}

fn present(
    network: &PlanningNetwork,
    candidate: &Candidate,
    l: &Loop,
    params: &LoopParams,
) -> PlannedLoop {
    let legs: Vec<Leg<'_>> = present::walked(&network.edges, &l.edges)
        .map(|(meta, forward)| {
            let end_node = if forward { meta.target } else { meta.source };
            let [lon, lat] = network
                .graph
                .node_position(end_node as u64)
                .unwrap_or([candidate.coord.lon, candidate.coord.lat]);
            Leg {
                meta,
                forward,
                end_node,
                end_coord: Coord { lon, lat },
            }
        })
        .collect();
    let geometry = network
        .graph
        .walk_polyline(&l.edges)
        .into_iter()
        .map(|[lon, lat]| Coord { lon, lat })
        .collect();
    let max_sac_scale = legs.iter().filter_map(|leg| leg.meta.sac_scale).max();
    let stages = stages::stages(&legs, &network.pois, params.days, params.max_day_m);
    let hardest_day = stages.iter().fold((0.0f64, 0.0f64), |(d, a), s| {
        (d.max(s.distance_km), a.max(s.ascent_m))
    });
    PlannedLoop {
        trailhead: candidate.clone(),
        distance_m: l.length_m,
        ascent_m: l.ascent_m,
        descent_m: l.descent_m,
        length_error: l.length_error,
        sharing: l.sharing,
        compactness: l.compactness,
        duration_h: present::naismith_hours(l.length_m, l.ascent_m),
        difficulty: present::difficulty(
            max_sac_scale.map_or(0, SacScale::grade),
            hardest_day.0,
            hardest_day.1,
        ),
        max_sac_scale,
        kind: l.kind,
        proven_optimal: l.proven_optimal,
        geometry,
        segments: present::segments(legs.iter().map(|leg| leg.meta)),
        stages,
    }
}
