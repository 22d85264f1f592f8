//! One query from start to answer: neighbourhood, search graph, heuristic, exact search, fallback,
//! and the translation back to the caller's edge ids.

use std::time::Instant;

use rayon::prelude::*;

#[cfg(test)]
mod fixed_tests;
#[cfg(test)]
mod tests;

use crate::alternatives::{Alternatives, ScoredWalk};
use crate::days::night_cost;
use crate::error::SolveError;
use crate::exact::{Exact, Outcome};
use crate::graph::TrailGraph;
use crate::local_search::{local_search, Improvement};
use crate::neighbourhood::{Neighbourhood, Scratch};
use crate::nights::night_seeds;
use crate::paths::SearchScratch;
use crate::query::{Limits, Query};
use crate::rng::Rng;
use crate::score::{NightAt, Score, Scorer};
use crate::search_graph::SearchGraph;
use crate::seeds::{seeds, via_points, via_walk};
use crate::solution::{DirectedEdge, Loop, LoopKind, SearchStats, Solution};
use crate::tile::Place;
use crate::walk::Walk;

/// Multi-day seeds: different sequences of nights.
const NIGHT_SEEDS: usize = 8;
/// Fundamental-cycle seeds (two of them lollipops, as a fallback).
const FUNDAMENTAL_SEEDS: usize = 5;
/// Out-and-around seeds, one per sector around the start.
const VIA_SEEDS: usize = 8;

/// Where a local search starts (each one a parallel task).
enum Start {
    Walk(Walk),
    Via(u32),
}
/// Share of the work budget the heuristic may use; the exact search gets the rest.
const HEURISTIC_SHARE: f64 = 0.85;
/// Share of the heuristic's budget spread evenly over all seeds; the rest goes to the
/// best [`CONTINUED`] walks that had not converged.
const FIRST_ROUND_SHARE: f64 = 0.7;
/// Walks the second round of local search (and each extension round) continues.
const CONTINUED: usize = 3;
/// Most work one walk gets in one extension round.
const EXTENSION_SHARE: u64 = 60_000;

/// Before the search of a start has found anything: `Err` when the request was
/// abandoned, `Ok(Some(..))` (no loops, the deadline hit) when its deadline passed: the
/// steps before the search (the neighbourhood, a trip's night places) are not worth
/// starting then; the search itself keeps what it found instead.
fn stop_before_search(
    limits: &Limits,
    started: Instant,
    work: u64,
) -> Result<Option<Solution>, SolveError> {
    if limits.cancelled() {
        Err(SolveError::Cancelled)
    } else if limits.should_stop() {
        Ok(Some(Solution {
            loops: Vec::new(),
            stats: SearchStats {
                work,
                elapsed: started.elapsed(),
                hit_deadline: true,
                ..SearchStats::default()
            },
        }))
    } else {
        Ok(None)
    }
}

/// Solves one query reusing `scratch` (see [`Scratch`]).
pub fn solve_with(
    graph: &TrailGraph,
    query: &Query,
    limits: &Limits,
    scratch: &mut Scratch,
) -> Result<Solution, SolveError> {
    let started = Instant::now();
    query.validate()?;
    let start = graph
        .node_of_id(query.start)
        .ok_or(SolveError::UnknownStart(query.start))?;
    if let Some(late) = stop_before_search(limits, started, 0)? {
        return Ok(late);
    }
    let target = query.target_m;
    let reach = query.reach_m();
    let limit = query.preferences.limit(query.closed_classes);
    let k = query.max_results;
    let mut work = 0u64;

    let multi_day = query.days > 1;
    // The junctions of the places nights may be spent at (others cannot be visited).
    let stops: Vec<(usize, u32)> = if multi_day {
        query
            .nights
            .iter()
            .enumerate()
            .filter_map(|(i, n)| match graph.place(graph.node_of_id(n.node)?) {
                Place::Junction(j) => Some((i, j)),
                Place::Interior { .. } => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    let stop_junctions: Vec<u32> = stops.iter().map(|s| s.1).collect();

    let hood = Neighbourhood::grow(graph, start, reach / 2.0, limit, scratch, &mut work);
    let local = SearchGraph::build(
        graph,
        &hood,
        &mut *scratch,
        reach,
        limit,
        &stop_junctions,
        &mut work,
    );
    // The neighbourhood and its search graph are the costliest steps before the search
    // of a long loop: an abandoned or late request stops after them.
    if let Some(late) = stop_before_search(limits, started, work)? {
        return Ok(late);
    }
    let mut scorer = Scorer::new(query, graph.position(start)[1]);
    scorer.nights = night_places(query, &local, &stops);
    let mut pool = Alternatives::new(2 * k + 4);
    let mut stopped = false;
    let mut extension_work = 0;

    let mut starts: Vec<Start> = Vec::new();
    if multi_day {
        let mut seed_work = 0;
        starts.extend(
            night_seeds(
                &local,
                &scorer,
                NIGHT_SEEDS,
                &mut SearchScratch::default(),
                &mut seed_work,
                limits,
            )
            .into_iter()
            .map(Start::Walk),
        );
        work += seed_work;
        if let Some(late) = stop_before_search(limits, started, work)? {
            return Ok(late);
        }
    } else {
        starts.extend(
            seeds(&local, &scorer, reach, FUNDAMENTAL_SEEDS)
                .into_iter()
                .map(Start::Walk),
        );
        starts.extend(
            via_points(&local, &scorer, VIA_SEEDS)
                .into_iter()
                .map(Start::Via),
        );
    }
    if !starts.is_empty() {
        let total = (query.work_budget as f64 * HEURISTIC_SHARE) as u64;
        let share = (total as f64 * FIRST_ROUND_SHARE) as u64 / starts.len() as u64;
        let improved: Vec<_> = starts
            .par_iter()
            .enumerate()
            .map_init(SearchScratch::default, |ls, (i, start)| {
                let mut spent = 0;
                let seed = match start {
                    Start::Walk(walk) => Some(walk.clone()),
                    Start::Via(x) => via_walk(&local, *x, ls, &mut spent),
                }?;
                let mut rng = Rng::new(query.seed, i as u64);
                let budget = share.saturating_sub(spent);
                let mut result =
                    local_search(&local, &scorer, seed.clone(), &mut rng, budget, limits, ls);
                result.work += spent;
                Some((seed, result))
            })
            .collect();
        let mut unfinished = Vec::new();
        for (seed, result) in improved.into_iter().flatten() {
            work += result.work;
            stopped |= result.stopped;
            for walk in [&seed, &result.best] {
                pool.offer(
                    graph,
                    ScoredWalk::new(graph, &scorer, walk.expand(&local), &walk.night_ids(&local)),
                );
            }
            unfinished.extend(Unfinished::of(&local, &scorer, result));
        }
        // A start with a single edge is on no cycle: lollipops are the best there is.
        let best_tier = u8::from(local.adj(0).len() < 2);
        // Second round: the most promising walks that ran out of budget get the rest.
        let mut round = 0;
        let mut spent_before_extension = work;
        while !unfinished.is_empty() && !stopped {
            let share = if round == 0 {
                total.saturating_sub(work) / unfinished.len().min(CONTINUED) as u64
            } else {
                // Extension rounds, only while the answer is still short of k walks
                // within tolerance: hard balls (dense networks, where every seed is
                // short and stretching takes many small moves) get more work, easy
                // ones none.
                let left = query
                    .extension_budget
                    .saturating_sub(work - spent_before_extension);
                if left == 0 || pool.count_within(best_tier, query.tolerance) >= k {
                    break;
                }
                (left / unfinished.len().min(CONTINUED) as u64).min(EXTENSION_SHARE)
            };
            let results = continue_walks(
                &local,
                &scorer,
                std::mem::take(&mut unfinished),
                share,
                (query.seed, (starts.len() + CONTINUED * round) as u64),
                limits,
            );
            let mut entered = false;
            for result in results {
                work += result.work;
                stopped |= result.stopped;
                entered |= pool.offer(
                    graph,
                    ScoredWalk::new(
                        graph,
                        &scorer,
                        result.best.expand(&local),
                        &result.best.night_ids(&local),
                    ),
                );
                unfinished.extend(Unfinished::of(&local, &scorer, result));
            }
            if round == 0 {
                spent_before_extension = work;
            } else if !entered {
                // A whole round that changed no answer: the walks are stuck.
                break;
            }
            round += 1;
        }
        extension_work = work - spent_before_extension;
    }

    let exact = Exact {
        graph,
        local: &local,
        scorer: &scorer,
        results: k,
        reach,
        limits,
    };
    let outcome = if stopped {
        Outcome::Stopped
    } else if multi_day {
        // The exact search walks simple cycles through the start only, none of which
        // is known to pass the nights: the heuristic's walks are the answer.
        Outcome::OutOfBudget
    } else {
        let left = query
            .work_budget
            .saturating_sub(work.saturating_sub(extension_work));
        exact.run(&mut pool, left, &mut work)
    };
    if limits.cancelled() {
        return Err(SolveError::Cancelled);
    }
    // The best out-and-back, unless k walks already beat any out-and-back could (its
    // offer could then only change the pool below the k answers).
    if !multi_day
        && pool.count_tier(0) < k
        && pool.count_better_than(&scorer.out_and_back_bound()) < k
    {
        if let Some(steps) = hood.out_and_back(graph, target, limit, scratch) {
            pool.offer(graph, ScoredWalk::new(graph, &scorer, steps, &[]));
        }
    }

    let exhausted = outcome == Outcome::Exhausted;
    let loops = pool
        .into_items()
        .into_iter()
        .take(k)
        .enumerate()
        .map(|(rank, c)| to_loop(graph, c, rank == 0 && exhausted))
        .collect();
    Ok(Solution {
        loops,
        stats: SearchStats {
            work,
            elapsed: started.elapsed(),
            ball_nodes: scratch.settled.len(),
            search_nodes: local.n(),
            search_edges: local.edges.len(),
            exhausted,
            hit_deadline: outcome == Outcome::Stopped || stopped,
        },
    })
}

/// The places nights may be spent at, as the search graph reaches them: one per
/// search-graph node (the cheapest by [`night_cost`], counting the whole walk from the
/// node to the place), sorted by node.
fn night_places(query: &Query, local: &SearchGraph, stops: &[(usize, u32)]) -> Vec<NightAt> {
    let target = query.target_m;
    let mut out: Vec<NightAt> = stops
        .iter()
        .zip(&local.stops)
        .filter_map(|(&(place, _), entry)| {
            let e = entry.as_ref()?;
            let p = &query.nights[place];
            Some(NightAt {
                local: e.node,
                id: local.node_ids[e.node as usize],
                place,
                off_m: e.off_m,
                cost: p.cost(target),
            })
        })
        .collect();
    let total = |n: &NightAt| {
        let p = &query.nights[n.place];
        night_cost(p.kind, p.snap_m + n.off_m, target)
    };
    out.sort_by(|a, b| a.local.cmp(&b.local).then(total(a).total_cmp(&total(b))));
    out.dedup_by_key(|n| n.local);
    out
}

/// A walk whose local search ran out of budget before converging.
struct Unfinished {
    /// Lollipops last: a cycle through the start can still become a true loop.
    is_lollipop: bool,
    key: Score,
    walk: Walk,
}

impl Unfinished {
    fn of(local: &SearchGraph, scorer: &Scorer, result: Improvement) -> Option<Unfinished> {
        if result.converged || result.stopped {
            return None;
        }
        Some(Unfinished {
            is_lollipop: !result.best.stick.is_empty(),
            key: result.best.quality(local, scorer).key,
            walk: result.best,
        })
    }
}

/// Continues the [`CONTINUED`] most promising unfinished walks in parallel, each with
/// `share` work; `(seed, stream)` seeds the first one's choices, `stream + i` the i-th.
fn continue_walks(
    local: &SearchGraph,
    scorer: &Scorer,
    mut unfinished: Vec<Unfinished>,
    share: u64,
    (seed, stream): (u64, u64),
    limits: &Limits,
) -> Vec<Improvement> {
    unfinished.sort_by(|a, b| a.is_lollipop.cmp(&b.is_lollipop).then(a.key.cmp(&b.key)));
    unfinished.truncate(CONTINUED);
    unfinished
        .into_par_iter()
        .enumerate()
        .map_init(SearchScratch::default, |ls, (i, u)| {
            let mut rng = Rng::new(seed, stream + i as u64);
            local_search(local, scorer, u.walk, &mut rng, share, limits, ls)
        })
        .collect()
}

fn to_loop(graph: &TrailGraph, c: ScoredWalk, exhausted: bool) -> Loop {
    let edges = c
        .steps
        .iter()
        .map(|s| DirectedEdge {
            id: graph.edge(s.edge).id,
            forward: s.fwd,
        })
        .collect();
    Loop {
        edges,
        approach_edges: c.approach,
        length_m: c.attrs.len,
        ascent_m: c.attrs.ascent,
        descent_m: c.attrs.descent,
        junctions: c.attrs.junctions,
        turns: c.attrs.turns,
        length_error: c.quality.length_error,
        sharing: c.quality.sharing,
        compactness: c.quality.compactness,
        kind: c.kind,
        score: c.quality.key,
        nights: c.nights,
        proven_optimal: exhausted && c.kind == LoopKind::Loop,
    }
}

/// Solves one query.
pub fn solve(graph: &TrailGraph, query: &Query, limits: &Limits) -> Result<Solution, SolveError> {
    solve_with(graph, query, limits, &mut Scratch::new())
}

/// Solves many queries in parallel on the current rayon pool (install your own pool to
/// choose the thread count). Each worker reuses one [`Scratch`]. Results are in query
/// order and each equals what [`solve`] returns for it.
pub fn solve_many(
    graph: &TrailGraph,
    queries: &[Query],
    limits: &Limits,
) -> Vec<Result<Solution, SolveError>> {
    queries
        .par_iter()
        .map_init(Scratch::new, |scratch, q| {
            solve_with(graph, q, limits, scratch)
        })
        .collect()
}
