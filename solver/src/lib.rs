//! Closed trail loops of a target length.
//!
//! Given a [`TrailGraph`] (built once from [`NodeInput`]s and [`EdgeInput`]s, with
//! chains of degree-2 nodes contracted), a [`Query`] (start node, target length T,
//! tolerance, [`Preferences`], seed, work budget) and [`Limits`] (deadline,
//! cancellation), [`solve`] returns a [`Solution`]: up to k ranked, mutually different
//! [`Loop`]s, each a list of [`DirectedEdge`]s with its length, climb, length error
//! `e = |L - T| / T`, sharing `s`, compactness `c = 4 pi A / L^2` and [`LoopKind`].
//! [`solve_many`] answers many queries in parallel with rayon.
//!
//! # How the search works
//!
//! 1. **Neighbourhood.** A closed walk of length at most `reach = T (1 + 2 tol)` stays within
//!    `reach / 2` of its start; a Dijkstra on the contracted graph collects that ball.
//!    A start inside a chain splits it.
//! 2. **Search graph.** Edges that no walk within reach can use are dropped
//!    (`d(u) + w + d(v) > reach`), dead-end spurs are pruned (2-core, keeping the start)
//!    and the degree-2 nodes this leaves are contracted again. Distances `d(v)` back to
//!    the start are the lower bound used everywhere.
//! 3. **Heuristic.** Every non-tree edge of the shortest-path tree closes a simple cycle
//!    (or a lollipop); the ones closest to T seed a local search that replaces an arc of
//!    the cycle by a detour through free nodes, pricing all such moves from one origin
//!    with one Dijkstra. Seeds run in parallel with per-thread scratch, each on an equal
//!    share of most of the heuristic's budget; the rest then goes to the three best walks
//!    that ran out of budget before converging (cycles through the start first), since
//!    on large balls a few well-fed searches beat many starved ones. A walk within
//!    tolerance whose length error is at most 0.03% stops polishing; if after the first
//!    round k walks of the best possible kind (true loops, or lollipops from a start
//!    with a single edge) are within 0.2%, the second round is skipped and the exact
//!    search gets only its own share of the budget (all decided from work counts and
//!    found walks, so still deterministic). While fewer than k walks are within
//!    tolerance and the best walks were still improving when their share ran out,
//!    extension rounds continue them from [`Query::extension_budget`], until a round
//!    changes no answer: in a dense network (a town's or a forest's paths) every seed
//!    is short and stretching it to T takes many small moves.
//! 4. **Exact.** Depth-first branch and bound over simple cycles through the start,
//!    bounded by `l + d(v)`, with the heuristic's loops as incumbents. If it finishes
//!    within the work budget the best loop is proven optimal.
//! 5. **Fallback and ranking.** True loops within tolerance rank first; lollipops and
//!    out-and-backs appear only when fewer true loops exist, and are flagged by
//!    [`LoopKind`]. Alternatives share at most 40% of the shorter one's length.
//!
//! Results are a function of the graph and the query alone: effort is bounded by
//! [`Query::work_budget`], a deterministic count, and the wall-clock
//! [`Limits::deadline`] is only a safety stop (a run cut by it may differ, and says so in
//! [`SearchStats::hit_deadline`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod alternatives;
mod attrs;
mod days;
mod demands;
mod error;
mod exact;
mod graph;
mod heap;
mod input;
mod local_search;
mod neighbourhood;
mod nights;
mod paths;
mod promise;
mod query;
mod rng;
mod score;
mod search_graph;
mod seeds;
mod side_by_side;
mod solution;
mod solve;
mod tile;
mod turns;
mod walk;
pub mod walking;

pub use alternatives::best_alternatives;
pub use days::{balanced, base_camp_score, day_ratio, night_cost, DayLimits, MAX_DAY_RATIO};
pub use demands::{sustained_grade_pct, SUSTAINED_M};
pub use error::{GraphError, SolveError};
pub use graph::{EdgeLocation, TrailGraph};
pub use input::{closure_bit, EdgeInput, NodeInput};
pub use neighbourhood::Scratch;
pub use promise::{promise, Surroundings};
pub use query::{
    default_approach_m, reach_m, Limits, NightPlace, Preferences, Query, DEFAULT_EXTENSION_BUDGET,
    DEFAULT_WORK_BUDGET, MAX_DAYS, MAX_RESULTS,
};
pub use score::{drive_cost, rank, Score};
pub use solution::{DirectedEdge, Loop, LoopKind, Night, SearchStats, Solution};
pub use solve::{solve, solve_many, solve_with};
pub use tile::GraphTile;
