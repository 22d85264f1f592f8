//! SearchGraph search: a cycle through anchor r (the start, or a lollipop's far end) is
//! improved by replacing the arc between two of its nodes with a path that avoids every
//! other node of the walk. A Dijkstra from one cycle node `a` over the free nodes reaches
//! some `x`, and any edge from `x` to another cycle node `y` closes a path a..x-y. The
//! two arcs between `a` and `y` give two new cycles (the one that keeps r is valid);
//! their length, climb, road and area follow from prefix sums in O(1). So one Dijkstra
//! prices hundreds of moves, of every size, that lengthen, shorten or reroute. The best
//! move from one origin is taken if it improves the key; origins are visited in a seeded
//! rotation; the search stops after a run of origins without improvement, or out of
//! budget.

use crate::attrs::Attrs;
use crate::heap::Item;
use crate::paths::{mark_side_by_side, path_to, seed_dijkstra, SearchScratch};
use crate::query::Limits;
use crate::rng::Rng;
use crate::score::{NightAt, Quality, Score, Scorer};
use crate::search_graph::{signature, SearchArc, SearchGraph, SearchStep};
use crate::walk::Walk;

/// Smallest search radius of a move, as a fraction of T.
const LOCAL_RADIUS: f64 = 0.05;

/// What every move from a walk needs, computed once per walk (most searches from an
/// origin find no improving move, so the walk is searched many times unchanged). Marks
/// the walk's nodes (`forbid`, `pos`) and cycle edges in the scratch.
struct Marked {
    /// Cycle nodes: `nodes[0] == nodes[m] ==` the anchor.
    nodes: Vec<u32>,
    /// `prefix[p]` = attributes of cycle steps `0..p`.
    prefix: Vec<Attrs>,
    total: Attrs,
    shared: f64,
    mark: u32,
    /// Multi-day walks: the cycle positions where days end, ascending, and what the
    /// days are (see [`Walk::days`]); a move may not remove a position.
    night_pos: Vec<usize>,
    days: Vec<Attrs>,
    nights: Vec<NightAt>,
    /// `turns[p]` = turns at cycle positions `0..p` (see [`Marked::turn_at`]); `m + 2`
    /// entries.
    turns: Vec<f64>,
    /// The stick's last step when the stick is measured: turns at the anchor count.
    stick_in: Option<SearchStep>,
    cycle: Vec<SearchStep>,
}

impl Marked {
    fn new(local: &SearchGraph, walk: &Walk, scorer: &Scorer, s: &mut SearchScratch) -> Marked {
        let approach_max = scorer.approach_max;
        let mark = s.next_mark();
        let nodes = cycle_nodes(local, walk);
        let m = walk.cycle.len();
        for &(e, _) in &walk.stick {
            let edge = &local.edges[e as usize];
            s.node[edge.a as usize].forbid = mark;
            s.node[edge.b as usize].forbid = mark;
        }
        for (p, &v) in nodes.iter().enumerate().take(m) {
            s.node[v as usize].forbid = mark;
            s.node[v as usize].pos = p as u32;
        }
        for &(e, _) in &walk.cycle {
            s.cycle_edge[e as usize] = mark;
        }
        mark_side_by_side(local, walk.stick.iter().chain(&walk.cycle), s, mark);
        let mut prefix = Vec::with_capacity(m + 1);
        prefix.push(Attrs::default());
        for &st in &walk.cycle {
            let mut next = *prefix.last().expect("non-empty");
            next.add(&local.step_attrs(st));
            prefix.push(next);
        }
        let (total, shared) = walk.attrs(local, approach_max);
        let stick_in = if walk.stick_counts(local, approach_max) {
            walk.stick.last().copied()
        } else {
            None
        };
        let night_pos: Vec<usize> = (1..m)
            .filter(|&p| walk.nights.contains(&nodes[p]))
            .collect();
        let (days, nights) = if scorer.days > 1 {
            let (d, n) = walk.days(local, scorer);
            (d, n.into_iter().copied().collect())
        } else {
            (Vec::new(), Vec::new())
        };
        let mut marked = Marked {
            nodes,
            prefix,
            total,
            shared,
            mark,
            night_pos,
            days,
            nights,
            turns: Vec::with_capacity(m + 2),
            stick_in,
            cycle: walk.cycle.clone(),
        };
        let mut sum = 0.0;
        marked.turns.push(sum);
        for p in 0..=m {
            sum += marked.turn_at(local, p);
            marked.turns.push(sum);
        }
        marked
    }

    /// The turn at cycle position `p` (0 and `m` are the anchor, arrived at from the
    /// stick and left back along it; nothing there when the stick is not measured).
    fn turn_at(&self, local: &SearchGraph, p: usize) -> f64 {
        match (self.into(p), self.out_of(p)) {
            (Some(a), Some(b)) if !self.cycle.is_empty() => local.turn(a, b),
            _ => 0.0,
        }
    }

    /// The step arriving at cycle position `i`, if a turn there counts.
    fn into(&self, i: usize) -> Option<SearchStep> {
        if i > 0 {
            Some(self.cycle[i - 1])
        } else {
            self.stick_in
        }
    }

    /// The step leaving cycle position `j`, if a turn there counts.
    fn out_of(&self, j: usize) -> Option<SearchStep> {
        if j < self.cycle.len() {
            Some(self.cycle[j])
        } else {
            self.stick_in.map(|(e, f)| (e, !f))
        }
    }
}

/// The best move found from one origin.
#[derive(Debug, Clone, Copy)]
struct Move {
    quality: Quality,
    origin: u32,
    x: u32,
    closing: SearchArc,
    i: usize,
    j: usize,
    /// Whether the new path runs from the origin (at position i) towards position j.
    from_origin: bool,
    /// The walk's junction turns after the move.
    turns: f64,
}

/// How the local search ended and what it spent.
pub(crate) struct Improvement {
    pub best: Walk,
    pub work: u64,
    pub stopped: bool,
    /// Whether it ended at a local optimum (rather than out of budget or stopped).
    pub converged: bool,
}

/// Improves `walk` until no origin in a row of `patience` improves it, or the budget or
/// the limits stop it. (Within tolerance the hike's quality decides, so a walk that hits
/// the length is not done: rerouting it off a road or round a lake still pays.)
pub(crate) fn local_search(
    local: &SearchGraph,
    scorer: &Scorer,
    mut walk: Walk,
    rng: &mut Rng,
    budget: u64,
    limits: &Limits,
    s: &mut SearchScratch,
) -> Improvement {
    s.prepare(local.n(), local.edges.len());
    let mut work = 0u64;
    let quality = |w: &Walk| w.quality(local, scorer);
    let mut current = quality(&walk);
    // Moves never flip the direction, and only the climb depends on it: start the
    // right way round.
    let back = walk.reversed();
    let back_quality = quality(&back);
    if back_quality.key.better_than(&current.key) {
        walk = back;
        current = back_quality;
    }
    let mut failures = 0usize;
    let mut cursor = rng.below(walk.cycle.len().max(1));
    let mut marked = Marked::new(local, &walk, scorer, s);
    loop {
        let m = walk.cycle.len();
        // A cycle cuts a planar network into pockets; many origins only see a small
        // one, so give every origin a chance before calling the walk locally optimal.
        let patience = m;
        if m == 0 || failures >= patience || work >= budget {
            return Improvement {
                best: walk,
                work,
                stopped: false,
                converged: work < budget,
            };
        }
        if limits.should_stop() {
            return Improvement {
                best: walk,
                work,
                stopped: true,
                converged: false,
            };
        }
        cursor = (cursor + 1 + rng.below(2)) % m;
        let found = best_move(local, scorer, &marked, cursor, &current.key, s, &mut work);
        match found {
            Some(mv) => {
                walk = apply(&walk, &mv, s);
                debug_assert!(
                    (walk.attrs(local, scorer.approach_max).0.turns - mv.turns).abs() < 1e-9,
                    "a move's turns are priced as the walk counts them"
                );
                marked = Marked::new(local, &walk, scorer, s);
                current = mv.quality;
                failures = 0;
            }
            None => failures += 1,
        }
    }
}

/// Node sequence of the cycle: `nodes[0] == nodes[m] ==` the anchor.
fn cycle_nodes(local: &SearchGraph, walk: &Walk) -> Vec<u32> {
    let anchor = walk.stick.last().map_or(0, |&s| local.head(s));
    let mut nodes = vec![anchor];
    nodes.extend(walk.cycle.iter().map(|&s| local.head(s)));
    nodes
}

fn best_move(
    local: &SearchGraph,
    scorer: &Scorer,
    marked: &Marked,
    origin_pos: usize,
    current: &Score,
    s: &mut SearchScratch,
    work: &mut u64,
) -> Option<Move> {
    let generation = s.next_generation();
    let Marked {
        nodes,
        prefix,
        total,
        shared,
        mark,
        ..
    } = marked;
    let (total, shared, mark) = (*total, *shared, *mark);
    let m = nodes.len() - 1;
    let anchor = nodes[0];
    let origin = nodes[origin_pos];
    let positions = |v: u32, s: &SearchScratch| -> [Option<usize>; 2] {
        if v == anchor {
            [Some(0), Some(m)]
        } else {
            [Some(s.node[v as usize].pos as usize), None]
        }
    };

    // Detours of length about |T - L| (plus a short arc) move the length to T; far
    // larger ones cannot help, and a small radius keeps each move cheap.
    let gap = (scorer.target - total.len).abs();
    let limit = (1.25 * gap.max(LOCAL_RADIUS * scorer.target)).min(scorer.target);

    // A Dijkstra from the origin over the free nodes; when it settles `x`, every edge
    // from `x` to a cycle node `y` closes a path origin..x-y, priced on the spot (one
    // pass over each settled node's adjacency; the work count is that of a Dijkstra
    // followed by a second pass over the settled nodes' edges).
    let mut best: Option<Move> = None;
    let origin_positions = positions(origin, s);
    seed_dijkstra(s, origin, generation);
    while let Some(Item { dist, node: x }) = s.heap.pop() {
        if dist > limit {
            break;
        }
        let ix = x as usize;
        if std::mem::replace(&mut s.node[ix].done, true) {
            continue;
        }
        // Attributes of the tree path origin..x, summed once x is settled (its parent
        // was settled before it) rather than at every relaxation.
        if x != origin {
            let p = s.node[ix].parent;
            let mut acc = s.acc[p.to as usize];
            acc.add(&local.step_attrs((p.edge, p.fwd)));
            if p.to == origin {
                s.first[ix] = (p.edge, p.fwd);
            } else {
                let into = s.node[p.to as usize].parent;
                acc.turns += local.turn((into.edge, into.fwd), (p.edge, p.fwd));
                s.first[ix] = s.first[p.to as usize];
            }
            s.acc[ix] = acc;
        }
        let acc_x = s.acc[ix];
        let adj = local.adj(x);
        *work += 2 * adj.len() as u64;
        let path_x = s.node[ix].path;
        for a in adj {
            // Not beside the walk, nor beside the path that leads here.
            if s.side_marks[a.edge as usize] == mark
                || local.side_signature[a.edge as usize] & path_x != 0
            {
                continue;
            }
            let y = a.to;
            let t = y as usize;
            let state = s.node[t];
            if state.forbid == mark {
                // A join, unless to the origin, back along the cycle, or to the stick.
                if y == origin || (x == origin && s.cycle_edge[a.edge as usize] == mark) {
                    continue;
                }
                let py0 = state.pos as usize;
                if y != anchor && (py0 >= m || nodes[py0] != y) {
                    continue;
                }
                let mut path = acc_x;
                let closing = (a.edge, a.fwd);
                path.add(&local.step_attrs(closing));
                let first = if x == origin {
                    closing
                } else {
                    let into = s.node[ix].parent;
                    path.turns += local.turn((into.edge, into.fwd), closing);
                    s.first[ix]
                };
                let y_positions = if y == anchor {
                    [Some(0), Some(m)]
                } else {
                    [Some(py0), None]
                };
                for pa in origin_positions.into_iter().flatten() {
                    for py in y_positions.into_iter().flatten() {
                        let (i, j) = (pa.min(py), pa.max(py));
                        if i == j || (i == 0 && j == m) {
                            continue;
                        }
                        let from_origin = pa == i;
                        let mut attrs = total;
                        attrs.sub(&prefix[j]);
                        attrs.add(&prefix[i]);
                        attrs.add(&path.oriented(from_origin));
                        // The turns where the arc met the rest go; the new path's
                        // come at both ends.
                        let (head, tail) = if from_origin {
                            (first, closing)
                        } else {
                            ((closing.0, !closing.1), (first.0, !first.1))
                        };
                        attrs.turns -= marked.turns[j + 1] - marked.turns[i];
                        if let Some(into) = marked.into(i) {
                            attrs.turns += local.turn(into, head);
                        }
                        if let Some(out) = marked.out_of(j) {
                            attrs.turns += local.turn(tail, out);
                        }
                        let q = if marked.days.is_empty() {
                            scorer.quality(&attrs, shared)
                        } else {
                            // Never past a night: the arc stays within one day, whose
                            // measures change by the move.
                            let first = marked.night_pos.partition_point(|&p| p <= i);
                            if marked.night_pos.get(first).is_some_and(|&p| p < j) {
                                continue;
                            }
                            let mut days = marked.days.clone();
                            let day = &mut days[first];
                            day.sub(&prefix[j]);
                            day.add(&prefix[i]);
                            day.add(&path.oriented(from_origin));
                            let nights: Vec<&NightAt> = marked.nights.iter().collect();
                            scorer.quality_days(&attrs, shared, &days, &nights)
                        };
                        let improves = q.key.tier < current.tier
                            || (q.key.tier == current.tier && q.key.cost < current.cost - 1e-9);
                        if improves && best.is_none_or(|b| q.key.better_than(&b.quality.key)) {
                            best = Some(Move {
                                quality: q,
                                origin,
                                x,
                                closing: *a,
                                i,
                                j,
                                from_origin,
                                turns: attrs.turns,
                            });
                        }
                    }
                }
                continue;
            }
            let nd = dist + a.len;
            let path = path_x | signature(a.edge);
            if s.node[t].relax(generation, nd, SearchArc { to: x, ..*a }, path) {
                s.heap.push(Item { dist: nd, node: y });
            }
        }
    }
    best
}

fn apply(walk: &Walk, mv: &Move, s: &SearchScratch) -> Walk {
    // Tree path origin -> x, then the closing edge x -> y.
    let mut path = path_to(s, mv.origin, mv.x);
    path.push((mv.closing.edge, mv.closing.fwd));
    if !mv.from_origin {
        path = path.iter().rev().map(|&(e, f)| (e, !f)).collect();
    }
    let mut cycle = walk.cycle[..mv.i].to_vec();
    cycle.extend(path);
    cycle.extend_from_slice(&walk.cycle[mv.j..]);
    Walk {
        stick: walk.stick.clone(),
        cycle,
        nights: walk.nights.clone(),
    }
}
