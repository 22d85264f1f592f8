//! The solve on one network: every start in parallel, the plans one can follow kept,
//! ranked by the solver's one score and presented.

use trailloop_solver::{
    best_alternatives, drive_cost, rank, solve_many, Limits, Loop, Query, SolveError,
};

use std::time::{Duration, Instant};

use crate::network::PlanningNetwork;

use super::{
    dated, present, trips, Hike, PlanError, PlanOutcome, PlanStats, PlannedLoop, TrailheadStart,
};

/// Of the time left, the share kept from the search for what follows it (choosing the
/// plans one can follow, the alternatives, presenting them), at most [`AFTER_SEARCH_MAX`].
const AFTER_SEARCH_SHARE: u32 = 5;
/// The most kept from the search for what follows it.
const AFTER_SEARCH_MAX: Duration = Duration::from_millis(300);

/// `limits` with the search's deadline brought forward, so that the phases after the
/// search fit before the request's.
fn search_limits(limits: &Limits) -> Limits {
    let now = Instant::now();
    Limits {
        deadline: limits.deadline.map(|d| {
            let left = d.saturating_duration_since(now);
            d - (left / AFTER_SEARCH_SHARE).min(AFTER_SEARCH_MAX)
        }),
        cancel: limits.cancel.clone(),
    }
}

/// Solves from every start in parallel (on the current rayon pool), keeps the best
/// loops by the solver's ranking (a longer drive costs a little, see [`drive_cost`])
/// that are plans one can follow (see [`trips`]) and presents them. Synchronous and
/// CPU-bound: run it on the solver pool, never on an async worker.
///
/// The search stops early enough for the rest to fit before `limits`' deadline; each
/// phase after it checks the deadline between its steps and keeps what it has when it
/// passes (at least one loop is presented, when any was found). A raised cancel flag
/// stops it at the next check.
pub fn solve_network(
    network: &PlanningNetwork,
    starts: &[TrailheadStart],
    params: &Hike,
    limits: &Limits,
) -> Result<PlanOutcome, PlanError> {
    let params = &*params.on_network(network);
    let starts: Vec<&TrailheadStart> = starts
        .iter()
        .filter(|s| network.contains_node(s.trailhead.node_id))
        .collect();
    // For its dates: each day within daylight, the ways closed on them left out.
    let dated = dated::on_dates(params, &starts, network.closures());
    let params = &dated.hike;
    let places = trips::NightPlaces::of(network, params);
    let waters = trips::waters(network);
    let start_cost = |s: &TrailheadStart| drive_cost(s.drive_share);
    let mut queries: Vec<Query> = starts
        .iter()
        .map(|s| params.query(s, start_cost(s), &places.query))
        .collect();
    let day_params = params.base_camp_day();
    if let Some(day) = &day_params {
        queries.extend(starts.iter().map(|s| day.query(s, start_cost(s), &[])));
    }
    for q in &mut queries {
        q.closed_classes = dated.closed_classes;
    }
    let mut stats = PlanStats {
        trailheads: starts.len(),
        ..PlanStats::default()
    };
    let mut found: Vec<Loop> = Vec::new();
    let mut day_loops: Vec<Vec<Loop>> = Vec::new();
    let mut cancelled = false;
    let search = search_limits(limits);
    for (i, result) in solve_many(network.graph(), &queries, &search)
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
    // Nothing found and the search cut short: out of time, not "no loop here".
    let cut = cancelled || stats.hit_deadline;
    if limits.cancelled() || (found.is_empty() && day_loops.iter().all(Vec::is_empty) && cut) {
        return Err(PlanError::TimeBudget);
    }
    stats.hit_deadline |= cancelled;
    let mut shortfall = None;
    if params.is_trip() {
        // Only plans one can follow: nights where they should be, days in balance and
        // within the limits. How near the others came says why, when none is.
        found.retain(|l| {
            if limits.should_stop() {
                // Out of time: the loops not yet looked at are not offered.
                stats.hit_deadline = true;
                return false;
            }
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
    let start_of = |l: &Loop| -> Option<&TrailheadStart> {
        let (first, _) = network.graph().edge_ends(*l.edges.first()?)?;
        starts
            .iter()
            .copied()
            .find(|s| s.trailhead.node_id as u64 == first)
    };
    let chosen = best_alternatives(network.graph(), found, params.max_results);
    let mut loops: Vec<PlannedLoop> = Vec::with_capacity(chosen.len());
    for l in &chosen {
        if !loops.is_empty() && limits.should_stop() {
            stats.hit_deadline = true;
            break;
        }
        loops
            .extend(start_of(l).map(|start| {
                present::present(network, start, l, params, &places.records, &waters)
            }));
    }
    if day_params.is_some() {
        for (start, day) in starts.iter().zip(&day_loops) {
            if !loops.is_empty() && limits.should_stop() {
                stats.hit_deadline = true;
                break;
            }
            if let Some((days, score)) = trips::base_camp(network, day, params) {
                loops.push(present::present_base_camp(
                    network, start, &days, score, params, &waters,
                ));
            }
        }
    }
    rank(&mut loops, params.max_results, |l| l.score);
    if let Some(dates) = &params.dates {
        for l in &mut loops {
            dated::annotate(l, dates);
        }
    }
    Ok(PlanOutcome {
        loops,
        stats,
        shortfall,
        night_places: places.records.len(),
        daylight: dated.daylight,
    })
}
