//! Where local searches start.
//!
//! Fundamental seeds. In the shortest-path tree from the start, every non-tree edge
//! (u, v) closes a walk of length `d(u) + w + d(v)`: a simple cycle when u and v hang
//! below different children of the start, otherwise a lollipop whose stick is the tree
//! path to their lowest common ancestor. The seeds are the walks closest to T, picked to
//! differ.
//!
//! Via seeds. Out along the shortest path to a turning point in each sector around the
//! start, back along the shortest path that avoids the way out: wide loops, unlike
//! fundamental cycles whose two sides are both shortest paths.

use crate::alternatives::MAX_SHARED;
use crate::paths::{free_path, mark_side_by_side, path_to, SearchScratch};
use crate::score::Scorer;
use crate::search_graph::{SearchGraph, SearchStep};
use crate::walk::{runs_beside_itself, Walk};

/// Up to `count` different fundamental walks, closest to the target first.
pub(crate) fn seeds(local: &SearchGraph, scorer: &Scorer, reach: f64, count: usize) -> Vec<Walk> {
    let is_tree = |e: u32| {
        let edge = &local.edges[e as usize];
        local.parent[edge.b as usize].edge == e || local.parent[edge.a as usize].edge == e
    };
    // (approximate cost, edge): loops rank before lollipops of equal length error.
    let mut ranked: Vec<(f64, u32, bool)> = Vec::new();
    for (i, e) in local.edges.iter().enumerate() {
        let (da, db) = (local.dist[e.a as usize], local.dist[e.b as usize]);
        let len = da + e.attrs.len + db;
        if is_tree(i as u32) || !len.is_finite() || len > reach {
            continue;
        }
        // Stretching a loop is easy (any detour), shrinking one is not (its sides are
        // shortest paths), so loops too long count double.
        let error = (len - scorer.target).abs() / scorer.target
            * if len > scorer.target { 2.0 } else { 1.0 };
        let simple =
            local.branch[e.a as usize] != local.branch[e.b as usize] || e.a == 0 || e.b == 0;
        let approx = if simple {
            error
        } else {
            error + 0.5 * 2.0 * lca_depth(local, e.a, e.b) / len
        };
        ranked.push((approx, i as u32, simple));
    }
    ranked.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    // True loops first, however far from T: the local search stretches them, while a
    // lollipop can never lose its stick. Lollipops keep two seats as a fallback.
    let loops = ranked
        .iter()
        .filter(|r| r.2)
        .count()
        .min(count.saturating_sub(2));
    let mut order: Vec<(f64, u32, bool)> = ranked.iter().filter(|r| r.2).copied().collect();
    order.truncate(8 * loops.max(1));
    order.extend(ranked.iter().filter(|r| !r.2).copied());

    struct Picked {
        walk: Walk,
        set: Vec<(u32, f64)>,
        len: f64,
    }
    let mut picked: Vec<Picked> = Vec::new();
    let mut spare = Vec::new();
    let mut picked_loops = 0;
    for &(_, e, simple) in order.iter().take(8 * count) {
        if picked.len() >= count {
            break;
        }
        if simple && picked_loops >= loops {
            continue;
        }
        let walk = fundamental_walk(local, e);
        let set = walk.edge_len_set(local);
        let len: f64 = walk.attrs(local, scorer.approach_max).0.len;
        let differs = picked
            .iter()
            .all(|p| shared(&set, &p.set) <= MAX_SHARED * len.min(p.len))
            && !runs_beside_itself(local, &walk);
        if differs {
            picked_loops += usize::from(simple);
            picked.push(Picked { walk, set, len });
        } else {
            spare.push(walk);
        }
    }
    let mut out: Vec<Walk> = picked.into_iter().map(|p| p.walk).collect();
    let missing = count.saturating_sub(out.len());
    out.extend(spare.into_iter().take(missing));
    out
}

fn shared(a: &[(u32, f64)], b: &[(u32, f64)]) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

fn lca(local: &SearchGraph, mut u: u32, mut v: u32) -> u32 {
    while u != v {
        if local.dist[u as usize] >= local.dist[v as usize] && u != 0 {
            u = local.parent[u as usize].to;
        } else {
            v = local.parent[v as usize].to;
        }
    }
    u
}

fn lca_depth(local: &SearchGraph, u: u32, v: u32) -> f64 {
    local.dist[lca(local, u, v) as usize]
}

/// The closed walk that non-tree edge `e` makes with the shortest-path tree.
fn fundamental_walk(local: &SearchGraph, e: u32) -> Walk {
    let edge = &local.edges[e as usize];
    let top = lca(local, edge.a, edge.b);
    let to_a = local.tree_path(edge.a);
    let to_b = local.tree_path(edge.b);
    let stick_len = local.tree_path(top).len();
    let mut cycle: Vec<SearchStep> = to_a[stick_len..].to_vec();
    cycle.push((e, true));
    cycle.extend(to_b[stick_len..].iter().rev().map(|&(e, f)| (e, !f)));
    Walk {
        stick: to_a[..stick_len].to_vec(),
        cycle,
        nights: Vec::new(),
    }
}

/// A simple cycle through `x`: out along the shortest path, back along the shortest
/// path that avoids it. Such loops are wide, unlike fundamental cycles whose two sides
/// are both shortest paths and often run side by side. A start with a single edge (a
/// trailhead at the end of an access path) cannot be on a cycle: the walk then becomes
/// a lollipop whose stick is that edge and whose cycle goes through its far end.
pub(crate) fn via_walk(
    local: &SearchGraph,
    x: u32,
    s: &mut SearchScratch,
    work: &mut u64,
) -> Option<Walk> {
    s.prepare(local.n(), local.edges.len());
    let mut out = local.tree_path(x);
    let stick: Vec<SearchStep> = if local.adj(0).len() == 1 {
        out.drain(..1).collect()
    } else {
        Vec::new()
    };
    let anchor = stick.first().map_or(0, |&step| local.head(step));
    if out.len() < 2 {
        return None;
    }
    let mark = s.next_mark();
    s.node[0].forbid = mark;
    for &step in &out[..out.len() - 1] {
        s.node[local.head(step) as usize].forbid = mark;
    }
    mark_side_by_side(local, stick.iter().chain(&out), s, mark);
    if !free_path(local, s, x, anchor, work) {
        return None;
    }
    let mut cycle = out;
    cycle.extend(path_to(s, x, anchor));
    Some(Walk {
        stick,
        cycle,
        nights: Vec::new(),
    })
}

/// Turning points for [`via_walk`]: in each of `count` sectors around the start, the
/// node whose distance is closest to T / 4. The way back is usually one to two times as
/// long, so the loop comes out short of T and the local search stretches it.
pub(crate) fn via_points(local: &SearchGraph, scorer: &Scorer, count: usize) -> Vec<u32> {
    let origin = local.pos[0];
    let scale = origin[1].to_radians().cos();
    let want = scorer.target / 4.0;
    let mut best: Vec<Option<(f64, u32)>> = vec![None; count];
    for v in 1..local.n() {
        let d = local.dist[v];
        if !d.is_finite() {
            continue;
        }
        let (dx, dy) = (
            (local.pos[v][0] - origin[0]) * scale,
            local.pos[v][1] - origin[1],
        );
        let turn = (dy.atan2(dx) + std::f64::consts::PI) / std::f64::consts::TAU;
        let sector = ((turn * count as f64) as usize).min(count - 1);
        let off = (d - want).abs();
        if best[sector].is_none_or(|b| off < b.0) {
            best[sector] = Some((off, v as u32));
        }
    }
    best.into_iter().flatten().map(|b| b.1).collect()
}
