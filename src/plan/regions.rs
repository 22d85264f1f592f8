//! The main solve step across regions: each region's network planned on its own and the
//! best loops kept across them; when no walk is a plan of the asked days within the
//! limits and the tolerance, the nearby requests (a day less or more, other lengths)
//! planned on the same networks.

use trailloop_solver::Limits;

use crate::network::PlanningNetwork;

use super::prepare::RegionStarts;

use super::{solve_network, trips, Hike, PlanError, PlanOutcome, PlannedLoop, TrailheadStart};

/// What planning a request's groups gave: the loops, and when they are plans of a
/// nearby request instead of the asked one, why.
pub(super) struct Planned {
    pub outcome: PlanOutcome,
    pub message: Option<String>,
}

/// Plans every group on its own network and keeps the best loops across them. When
/// none is a plan of the asked days within the limits and the tolerance, plans the
/// nearby requests (a day less or more, other lengths) on the same networks and
/// answers with their plans, nearest first, saying why.
pub(super) fn plan_groups(
    groups: Vec<RegionStarts>,
    params: &Hike,
    limits: &Limits,
) -> Result<Planned, PlanError> {
    // Each phase checks the deadline before it starts: the networks, each network's
    // solve, each nearby request; what was planned by then is the answer.
    let mut networks: Vec<(PlanningNetwork, Vec<TrailheadStart>)> = Vec::new();
    for g in groups {
        if limits.should_stop() {
            break;
        }
        networks.push((PlanningNetwork::over(g.tiles), g.starts));
    }
    if networks.is_empty() {
        return Err(PlanError::TimeBudget);
    }
    let plan_all = |p: &Hike| -> Result<PlanOutcome, PlanError> {
        let mut outcome = PlanOutcome::default();
        for (i, (network, starts)) in networks.iter().enumerate() {
            if i > 0 && limits.should_stop() {
                outcome.stats.hit_deadline = true;
                break;
            }
            match solve_network(network, starts, p, limits) {
                Ok(o) => outcome.absorb(o),
                // Out of time on this network: the others' loops are the answer.
                Err(PlanError::TimeBudget) if !outcome.loops.is_empty() => {
                    outcome.stats.hit_deadline = true;
                    break;
                }
                Err(e) => return Err(e),
            }
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
    let why = trips::explain(
        asked.shortfall,
        params,
        asked.night_places,
        asked.daylight.as_ref(),
    );
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
        if limits.should_stop() {
            outcome.stats.hit_deadline = true;
            break;
        }
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
