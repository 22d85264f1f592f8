//! Where a multi-day walk sleeps, chosen before the walk is built: the nights are
//! required visits, not a cut made afterwards.
//!
//! With n days of length about L = T / n each, a sequence of n - 1 places is good when
//! each day's shortest distance (start to first place, place to place, last place back
//! to the start) is a little under L (it can only be stretched, never shrunk) and the
//! places are not costly. A beam search over the places within reach ranks sequences by
//! that; the best few become seeds: each day's walk is the shortest path that avoids
//! the days before it and the places after it, so the seed is one simple cycle through
//! every night. The local search then keeps every night on the walk (see
//! `local_search`), balancing the days by walking time.

use crate::heap::{Item, MinHeap};
use crate::paths::{free_path, mark_side_by_side, path_to, SearchScratch};
use crate::query::Limits;
use crate::score::Scorer;
use crate::search_graph::{SearchGraph, SearchStep};
use crate::walk::Walk;

/// Places considered at most (the cheapest, then the nearest).
const MAX_PLACES: usize = 48;
/// Partial sequences kept at each step of the beam search.
const BEAM: usize = 96;
/// A day's shortest distance may be up to this much of L (the tolerance and the
/// balance leave some room).
const MAX_LEG: f64 = 1.1;
/// The share of L a day's shortest distance is best at: room to reroute it.
const BEST_LEG: f64 = 0.8;

/// Distances from `from` over the search graph, up to `limit`.
fn distances(local: &SearchGraph, from: u32, limit: f64, work: &mut u64) -> Vec<f64> {
    let mut dist = vec![f64::INFINITY; local.n()];
    let mut heap = MinHeap::new();
    dist[from as usize] = 0.0;
    heap.push(Item {
        dist: 0.0,
        node: from,
    });
    while let Some(Item { dist: d, node }) = heap.pop() {
        if d > dist[node as usize] || d > limit {
            continue;
        }
        for a in local.adj(node) {
            *work += 1;
            let nd = d + a.len;
            if nd < dist[a.to as usize] {
                dist[a.to as usize] = nd;
                heap.push(Item {
                    dist: nd,
                    node: a.to,
                });
            }
        }
    }
    dist
}

/// Up to `count` seeds of multi-day walks through different sequences of nights.
pub(crate) fn night_seeds(
    local: &SearchGraph,
    scorer: &Scorer,
    count: usize,
    s: &mut SearchScratch,
    work: &mut u64,
    limits: &Limits,
) -> Vec<Walk> {
    let days = scorer.days as usize;
    if days < 2 || local.n() == 0 {
        return Vec::new();
    }
    let leg = scorer.target / days as f64;
    // Places a loop of T can reach: within T / 2 of the start.
    let mut places: Vec<usize> = (0..scorer.nights.len())
        .filter(|&i| {
            let d = local.dist[scorer.nights[i].local as usize];
            d.is_finite() && d <= scorer.target / 2.0 && scorer.nights[i].local != 0
        })
        .collect();
    places.sort_by(|&a, &b| {
        let (x, y) = (&scorer.nights[a], &scorer.nights[b]);
        x.cost
            .total_cmp(&y.cost)
            .then(local.dist[x.local as usize].total_cmp(&local.dist[y.local as usize]))
            .then(x.local.cmp(&y.local))
    });
    places.truncate(MAX_PLACES);
    if places.len() < days - 1 {
        return Vec::new();
    }
    let node = |p: usize| scorer.nights[places[p]].local;
    // One search per place: a trip's costliest step before the search, so it looks
    // whether the request was abandoned, or is out of time, between them.
    let mut from_place: Vec<Vec<f64>> = Vec::with_capacity(places.len());
    for p in 0..places.len() {
        if limits.should_stop() {
            return Vec::new();
        }
        from_place.push(distances(local, node(p), MAX_LEG * leg, work));
    }
    let leg_cost = |d: f64| {
        if !d.is_finite() || d > MAX_LEG * leg {
            None
        } else {
            Some((d / leg - BEST_LEG).powi(2))
        }
    };

    // (cost so far, sequence of place indices)
    let mut beam: Vec<(f64, Vec<usize>)> = vec![(0.0, Vec::new())];
    for _ in 0..days - 1 {
        let mut next: Vec<(f64, Vec<usize>)> = Vec::new();
        for (cost, seq) in &beam {
            for p in 0..places.len() {
                if seq.contains(&p) {
                    continue;
                }
                let d = match seq.last() {
                    None => local.dist[node(p) as usize],
                    Some(&q) => from_place[q][node(p) as usize],
                };
                if let Some(c) = leg_cost(d) {
                    let mut seq = seq.clone();
                    seq.push(p);
                    next.push((cost + c + scorer.nights[places[p]].cost, seq));
                }
            }
        }
        next.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        next.truncate(BEAM);
        beam = next;
    }
    let mut done: Vec<(f64, Vec<usize>)> = beam
        .into_iter()
        .filter_map(|(cost, seq)| {
            let back = local.dist[node(*seq.last()?) as usize];
            leg_cost(back).map(|c| (cost + c, seq))
        })
        .collect();
    done.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));

    let mut seeds: Vec<Walk> = Vec::new();
    let mut used_sets: Vec<Vec<usize>> = Vec::new();
    for (_, seq) in done {
        if seeds.len() == count {
            break;
        }
        let mut set = seq.clone();
        set.sort_unstable();
        if used_sets.contains(&set) {
            continue;
        }
        let nights: Vec<u32> = seq.iter().map(|&p| node(p)).collect();
        let w = through(local, &nights, s, work);
        if let Some(walk) = w {
            used_sets.push(set);
            seeds.push(walk);
        }
    }
    seeds
}

/// A simple cycle from the start through `nights` and back. The places are taken in
/// the order that goes round them counter-clockwise, and each day is the shortest path
/// that avoids the days before it, the nights after it, and the inside of the polygon
/// the places make (beyond a margin): so the days bulge outward, away from each other,
/// and the walk comes out round. A day that finds no way with the inside closed tries
/// again with it open.
fn through(
    local: &SearchGraph,
    nights: &[u32],
    s: &mut SearchScratch,
    work: &mut u64,
) -> Option<Walk> {
    s.prepare(local.n(), local.edges.len());
    // A start with a single edge is on no cycle: the cycle goes through its far end.
    let stick: Vec<SearchStep> = if local.adj(0).len() == 1 {
        let a = local.adj(0)[0];
        vec![(a.edge, a.fwd)]
    } else {
        Vec::new()
    };
    let anchor = stick.first().map_or(0, |&st| local.head(st));
    let origin = local.pos[anchor as usize];
    let xy = |v: u32| trailloop_geo::local_metres(origin, local.pos[v as usize]);
    let mut order: Vec<u32> = nights.to_vec();
    let corners: Vec<[f64; 2]> = std::iter::once(anchor)
        .chain(order.iter().copied())
        .map(xy)
        .collect();
    let twice_area: f64 = (0..corners.len())
        .map(|i| {
            let (a, b) = (corners[i], corners[(i + 1) % corners.len()]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum();
    if twice_area < 0.0 {
        order.reverse();
    }

    let mark = s.next_mark();
    // Neither the start nor the anchor mid-walk; the last day may end at the anchor.
    s.node[0].forbid = mark;
    s.node[anchor as usize].forbid = mark;
    mark_side_by_side(local, stick.iter(), s, mark);
    for &n in &order {
        s.node[n as usize].forbid = mark;
    }
    let mut cycle: Vec<SearchStep> = Vec::new();
    let mut at = anchor;
    for &to in order.iter().chain(std::iter::once(&anchor)) {
        // Close the inside of this day: nodes left of the line from `at` to `to`
        // (the polygon is counter-clockwise), between its ends, beyond a margin.
        let (a, b) = (xy(at), xy(to));
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let chord = dx.hypot(dy).max(1.0);
        let margin = (0.1 * chord).max(300.0);
        let closed: Vec<u32> = (0..local.n() as u32)
            .filter(|&v| {
                if s.node[v as usize].forbid == mark {
                    return false;
                }
                let p = xy(v);
                let t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (chord * chord);
                let left = (dx * (p[1] - a[1]) - dy * (p[0] - a[0])) / chord;
                (0.0..=1.0).contains(&t) && left > margin
            })
            .collect();
        *work += local.n() as u64;
        for &v in &closed {
            s.node[v as usize].forbid = mark;
        }
        let mut found = free_path(local, s, at, to, work);
        for &v in &closed {
            s.node[v as usize].forbid = 0;
        }
        if !found {
            found = free_path(local, s, at, to, work);
        }
        if !found {
            return None;
        }
        let day = path_to(s, at, to);
        for &st in &day {
            s.node[local.head(st) as usize].forbid = mark;
        }
        mark_side_by_side(local, day.iter(), s, mark);
        cycle.extend(day);
        at = to;
    }
    (cycle.len() >= 2).then_some(Walk {
        stick,
        cycle,
        nights: order,
    })
}
