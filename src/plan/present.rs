//! How a loop is shown: geometry, trail segments, walking time, difficulty and stages.

use serde::Serialize;
use trailloop_osm::{Coord, Highway, SacScale};
use trailloop_solver::Loop;

use super::stages::{self, Leg};
use super::{Approach, LoopParams, PlannedLoop, Start};
use crate::network::{EdgeMeta, PlanningNetwork};

/// The walking-time model, named in every answer.
pub const DURATION_MODEL: &str = "naismith";

/// A stretch of the loop on one trail (consecutive edges with the same name and class).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Trail name, if the trail has one.
    pub name: Option<String>,
    /// Highway class.
    pub highway: Highway,
    /// Length, km.
    pub distance_km: f64,
}

/// Overall grade of a loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// Short, little climb, no SAC grade above T1.
    Easy,
    /// A fair day out.
    Moderate,
    /// Long or steep, or T3.
    Hard,
    /// Alpine terrain (T4 and above) or very long and steep.
    Expert,
}

/// Naismith's rule: an hour for every 5 km, plus an hour for every 600 m of climb.
pub fn naismith_hours(distance_m: f64, ascent_m: f64) -> f64 {
    distance_m / 5_000.0 + ascent_m / 600.0
}

/// Consecutive edges on the same named trail of the same class, merged.
pub(crate) fn segments<'a>(edges: impl Iterator<Item = &'a EdgeMeta>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for e in edges {
        match out.last_mut() {
            Some(last)
                if last.name.as_deref() == e.name.as_deref() && last.highway == e.highway =>
            {
                last.distance_km += e.length_m / 1000.0;
            }
            _ => out.push(Segment {
                name: e.name.as_deref().map(str::to_owned),
                highway: e.highway,
                distance_km: e.length_m / 1000.0,
            }),
        }
    }
    out
}

/// Grades a loop by its hardest terrain and by its longest and steepest day.
pub(crate) fn difficulty(max_sac: u8, day_km: f64, day_ascent_m: f64) -> Difficulty {
    if max_sac >= 4 || day_km > 35.0 || day_ascent_m > 2_000.0 {
        Difficulty::Expert
    } else if max_sac == 3 || day_km > 20.0 || day_ascent_m > 1_200.0 {
        Difficulty::Hard
    } else if max_sac == 2 || day_km > 10.0 || day_ascent_m > 500.0 {
        Difficulty::Moderate
    } else {
        Difficulty::Easy
    }
}

/// A solver loop from `start`, as the hiker sees it.
pub(crate) fn present(
    network: &PlanningNetwork,
    start: &Start,
    l: &Loop,
    params: &LoopParams,
) -> PlannedLoop {
    let graph = network.graph();
    let a = l.approach_edges;
    let hike = &l.edges[a..l.edges.len() - a];
    let legs: Vec<Leg<'_>> = hike
        .iter()
        .filter_map(|d| {
            let meta = network.edge(d.id)?;
            let end_node = if d.forward { meta.target } else { meta.source };
            let [lon, lat] = graph
                .node_position(end_node as u64)
                .unwrap_or([start.trailhead.coord.lon, start.trailhead.coord.lat]);
            Some(Leg {
                meta,
                forward: d.forward,
                end_node,
                end_coord: Coord { lon, lat },
            })
        })
        .collect();
    let to_coords = |line: Vec<[f64; 2]>| -> Vec<Coord> {
        line.into_iter()
            .map(|[lon, lat]| Coord { lon, lat })
            .collect()
    };
    let geometry: Vec<Coord> = to_coords(graph.walk_polyline(hike));
    let approach = approach(
        start,
        to_coords(graph.walk_polyline(&l.edges[..a])),
        &geometry,
    );
    let highlights = super::why::passed(&geometry, network.highlights());
    let max_sac_scale = legs.iter().filter_map(|leg| leg.meta.sac_scale).max();
    let stages = stages::stages(&legs, |n| network.pois_at(n), params.days, params.max_day_m);
    let hardest_day = stages.iter().fold((0.0f64, 0.0f64), |(d, a), s| {
        (d.max(s.distance_km), a.max(s.ascent_m))
    });
    PlannedLoop {
        trailhead: start.clone(),
        score: l.score,
        distance_m: l.length_m,
        ascent_m: l.ascent_m,
        descent_m: l.descent_m,
        length_error: l.length_error,
        sharing: l.sharing,
        compactness: l.compactness,
        duration_h: naismith_hours(l.length_m, l.ascent_m),
        difficulty: difficulty(
            max_sac_scale.map_or(0, SacScale::grade),
            hardest_day.0,
            hardest_day.1,
        ),
        max_sac_scale,
        kind: l.kind,
        proven_optimal: l.proven_optimal,
        breakdown: super::why::breakdown(legs.iter().map(|leg| leg.meta), l.junctions),
        geometry,
        approach,
        highlights,
        segments: segments(legs.iter().map(|leg| leg.meta)),
        stages,
    }
}

/// Below this a trailhead is on its loop: no approach is reported.
const APPROACH_MIN_M: f64 = 5.0;

/// The car park to its node (a straight line: it is off the network), then the access
/// path to the loop.
fn approach(start: &Start, access: Vec<Coord>, loop_line: &[Coord]) -> Option<Approach> {
    let mut line = vec![start.trailhead.coord];
    let node = access.first().or(loop_line.first()).copied()?;
    if trailloop_osm::distance_m(start.trailhead.coord, node) > 0.0 {
        line.push(node);
    }
    line.extend(access.iter().skip(1).copied());
    let distance_m = trailloop_osm::length_m(&line);
    (distance_m >= APPROACH_MIN_M).then_some(Approach {
        distance_m,
        geometry: line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: Option<&str>, highway: Highway, length_m: f64) -> EdgeMeta {
        EdgeMeta {
            source: 0,
            target: 1,
            length_m,
            ascent_m: 0.0,
            descent_m: 0.0,
            highway,
            name: name.map(Into::into),
            sac_scale: None,
            routes: Vec::new().into(),
            nature: Default::default(),
        }
    }

    #[test]
    fn segments_merge_runs_of_one_trail_only() {
        let edges = [
            meta(Some("GR 11"), Highway::Path, 500.0),
            meta(Some("GR 11"), Highway::Path, 250.0),
            meta(None, Highway::Track, 100.0),
            meta(Some("GR 11"), Highway::Path, 1000.0),
        ];
        let s = segments(edges.iter());
        assert_eq!(s.len(), 3);
        assert!((s[0].distance_km - 0.75).abs() < 1e-9);
        assert_eq!(s[1].name, None);
        assert!((s[2].distance_km - 1.0).abs() < 1e-9);
    }

    #[test]
    fn naismith_counts_distance_and_climb() {
        assert!((naismith_hours(10_000.0, 0.0) - 2.0).abs() < 1e-9);
        assert!((naismith_hours(10_000.0, 600.0) - 3.0).abs() < 1e-9);
    }

    #[test]
    fn difficulty_follows_terrain_and_effort() {
        assert_eq!(difficulty(1, 8.0, 200.0), Difficulty::Easy);
        assert_eq!(difficulty(2, 8.0, 200.0), Difficulty::Moderate);
        assert_eq!(difficulty(0, 25.0, 200.0), Difficulty::Hard);
        assert_eq!(difficulty(5, 5.0, 100.0), Difficulty::Expert);
        assert_eq!(difficulty(0, 15.0, 2_500.0), Difficulty::Expert);
    }
}
