//! How a loop is shown: geometry, trail segments, walking time, difficulty and stages.

use serde::Serialize;
use trailloop_geo::Coord;
use trailloop_osm::{Highway, SacScale};
use trailloop_solver::{DirectedEdge, Loop, LoopKind, Score};

use super::breakdown::{Breakdown, Passed};
use super::stages::{self, Cut, Leg, Stage};
use super::{Approach, Hike, PlannedLoop, TrailheadStart};
use crate::domain::PoiRecord;
use crate::network::{EdgeMeta, PlanningNetwork};

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

/// A walk's vertices and their elevations (NaN where unknown).
#[derive(Default)]
struct Line {
    coords: Vec<Coord>,
    elevations: Vec<f32>,
}

impl Line {
    /// The elevations, when every vertex has one.
    fn elevations(&self) -> Option<Vec<f64>> {
        let all = self.elevations.len() == self.coords.len()
            && self.elevations.iter().all(|z| z.is_finite());
        all.then(|| self.elevations.iter().map(|&z| f64::from(z)).collect())
    }
}

/// Appends the walk of `edges` to `line` (each shared joint written once) and its legs
/// to `legs`.
fn extend_walk<'n>(
    network: &'n PlanningNetwork,
    edges: &[DirectedEdge],
    line: &mut Line,
    legs: &mut Vec<Leg<'n>>,
) {
    let graph = network.graph();
    for d in edges {
        let (Some(meta), Some(polyline)) = (network.edge(d.id), graph.edge_polyline(*d)) else {
            continue;
        };
        let coords: Vec<Coord> = polyline
            .into_iter()
            .map(|[lon, lat]| Coord { lon, lat })
            .collect();
        let mut heights: Vec<f32> = if meta.elevations.len() == coords.len() {
            meta.elevations.to_vec()
        } else {
            vec![f32::NAN; coords.len()]
        };
        if !d.forward {
            heights.reverse();
        }
        let skip = usize::from(line.coords.last() == coords.first());
        line.coords.extend_from_slice(&coords[skip..]);
        line.elevations.extend_from_slice(&heights[skip..]);
        legs.push(Leg {
            meta,
            forward: d.forward,
            end_vertex: line.coords.len().saturating_sub(1),
        });
    }
}

/// The measures every kind of plan shares, from its legs.
struct Walked {
    max_sac_scale: Option<SacScale>,
    breakdown: Breakdown,
    segments: Vec<Segment>,
    highlights: Vec<Passed>,
    difficulty: Difficulty,
}

fn walked(
    network: &PlanningNetwork,
    legs: &[Leg<'_>],
    geometry: &[Coord],
    decisions: (f64, f64),
    stages: &[Stage],
) -> Walked {
    let max_sac_scale = legs.iter().filter_map(|leg| leg.meta.sac_scale).max();
    let (day_km, day_ascent) = stages.iter().fold((0.0f64, 0.0f64), |(d, a), s| {
        (
            d.max((s.distance_m + s.off_trail_m) / 1000.0),
            a.max(s.ascent_m),
        )
    });
    Walked {
        max_sac_scale,
        breakdown: super::breakdown::breakdown(legs.iter().map(|leg| leg.meta), decisions),
        segments: segments(legs.iter().map(|leg| leg.meta)),
        highlights: super::breakdown::passed(geometry, network.highlights()),
        difficulty: difficulty(max_sac_scale.map_or(0, SacScale::grade), day_km, day_ascent),
    }
}

/// A solver walk from `start` (a day hike, or a trip sleeping at `places`), as the
/// hiker sees it; `waters` are the water sources near it.
pub(crate) fn present(
    network: &PlanningNetwork,
    start: &TrailheadStart,
    l: &Loop,
    params: &Hike,
    places: &[&PoiRecord],
    waters: &[&PoiRecord],
) -> PlannedLoop {
    let a = l.approach_edges;
    let hike = &l.edges[a..l.edges.len() - a];
    let mut line = Line::default();
    let mut legs = Vec::new();
    extend_walk(network, hike, &mut line, &mut legs);
    let mut access = Line::default();
    let mut access_legs = Vec::new();
    extend_walk(network, &l.edges[..a], &mut access, &mut access_legs);
    let climb = access_legs.iter().fold((0.0, 0.0), |(up, down), leg| {
        let (a, d) = (leg.meta.ascent_m, leg.meta.descent_m);
        if leg.forward {
            (up + a, down + d)
        } else {
            (up + d, down + a)
        }
    });
    let elevations = line.elevations();
    let geometry = line.coords;
    let approach = approach(start, access.coords, &geometry, climb);
    let cuts: Vec<Cut<'_>> = l
        .nights
        .iter()
        .filter_map(|n| {
            let place = *places.get(n.place)?;
            Some(Cut {
                after_legs: n.after_edges.saturating_sub(a).min(legs.len()),
                place: Some(place),
                off_m: n.off_m + place.snap_distance_m,
            })
        })
        .collect();
    let stages = stages::stages(&legs, &cuts, &geometry, waters);
    let w = walked(network, &legs, &geometry, (l.junctions, l.turns), &stages);
    PlannedLoop {
        // Named with the answer's other loops.
        name: String::new(),
        drive_route: None,
        trailhead: start.clone(),
        score: l.score,
        days: params.days,
        target_m: params.target_m,
        base_camp: false,
        distance_m: l.length_m,
        ascent_m: l.ascent_m,
        descent_m: l.descent_m,
        length_error: l.length_error,
        sharing: l.sharing,
        compactness: l.compactness,
        duration_h: stages.iter().map(|s| s.duration_h).sum(),
        difficulty: w.difficulty,
        max_sac_scale: w.max_sac_scale,
        kind: l.kind,
        proven_optimal: l.proven_optimal,
        breakdown: w.breakdown,
        geometry,
        elevations,
        approach,
        highlights: w.highlights,
        segments: w.segments,
        stages,
    }
}

/// A base-camp plan from `start`: one of `days` walked each day, out from the trailhead
/// and back to it, where each night is spent; ranked `score`.
pub(crate) fn present_base_camp(
    network: &PlanningNetwork,
    start: &TrailheadStart,
    days: &[Loop],
    score: Score,
    params: &Hike,
    waters: &[&PoiRecord],
) -> PlannedLoop {
    let mut line = Line::default();
    let mut legs = Vec::new();
    let mut cuts = Vec::new();
    for (k, l) in days.iter().enumerate() {
        // Each day walks its access path out and back: it is part of the day's line.
        extend_walk(network, &l.edges, &mut line, &mut legs);
        if k + 1 < days.len() {
            cuts.push(Cut {
                after_legs: legs.len(),
                place: None,
                off_m: 0.0,
            });
        }
    }
    let elevations = line.elevations();
    let geometry = line.coords;
    let mut stages = stages::stages(&legs, &cuts, &geometry, waters);
    // Of each day, the loop counts as its distance and the access path as the walk off
    // it, as in a day hike.
    for (s, l) in stages.iter_mut().zip(days) {
        s.off_trail_m = (s.distance_m - l.length_m).max(0.0);
        s.distance_m = l.length_m;
    }
    let decisions = days
        .iter()
        .fold((0.0, 0.0), |(j, t), l| (j + l.junctions, t + l.turns));
    let w = walked(network, &legs, &geometry, decisions, &stages);
    let length_m: f64 = days.iter().map(|l| l.length_m).sum();
    let weighted = |f: fn(&Loop) -> f64| -> f64 {
        days.iter().map(|l| f(l) * l.length_m).sum::<f64>() / length_m.max(1.0)
    };
    PlannedLoop {
        // Named with the answer's other loops.
        name: String::new(),
        drive_route: None,
        trailhead: start.clone(),
        score,
        days: params.days,
        target_m: params.target_m,
        base_camp: true,
        distance_m: length_m,
        ascent_m: days.iter().map(|l| l.ascent_m).sum(),
        descent_m: days.iter().map(|l| l.descent_m).sum(),
        length_error: (length_m - params.target_m).abs() / params.target_m,
        sharing: weighted(|l| l.sharing),
        compactness: weighted(|l| l.compactness),
        duration_h: stages.iter().map(|s| s.duration_h).sum(),
        difficulty: w.difficulty,
        max_sac_scale: w.max_sac_scale,
        kind: days.iter().map(|l| l.kind).max().unwrap_or(LoopKind::Loop),
        proven_optimal: false,
        breakdown: w.breakdown,
        approach: approach(start, Vec::new(), &geometry, (0.0, 0.0)),
        geometry,
        elevations,
        highlights: w.highlights,
        segments: w.segments,
        stages,
    }
}

/// Below this a trailhead is on its loop: no approach is reported (unless an access
/// path is walked, however short: the loop then starts where it ends, not at the
/// trailhead's node, and the answer must say how to get there).
const APPROACH_MIN_M: f64 = 5.0;

/// The car park to its node (a straight line: it is off the network), then the access
/// path to the loop, which climbs `climb` (up, down) on the way there.
fn approach(
    start: &TrailheadStart,
    access: Vec<Coord>,
    loop_line: &[Coord],
    climb: (f64, f64),
) -> Option<Approach> {
    let walked = access.len() >= 2;
    let mut line = vec![start.trailhead.coord];
    let node = access.first().or(loop_line.first()).copied()?;
    if trailloop_geo::distance_m(start.trailhead.coord, node) > 0.0 {
        line.push(node);
    }
    line.extend(access.iter().skip(1).copied());
    let distance_m = trailloop_geo::length_m(&line);
    (walked || distance_m >= APPROACH_MIN_M).then_some(Approach {
        distance_m,
        ascent_m: climb.0,
        descent_m: climb.1,
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
            elevations: Box::new([]),
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
    fn difficulty_follows_terrain_and_effort() {
        assert_eq!(difficulty(1, 8.0, 200.0), Difficulty::Easy);
        assert_eq!(difficulty(2, 8.0, 200.0), Difficulty::Moderate);
        assert_eq!(difficulty(0, 25.0, 200.0), Difficulty::Hard);
        assert_eq!(difficulty(5, 5.0, 100.0), Difficulty::Expert);
        assert_eq!(difficulty(0, 15.0, 2_500.0), Difficulty::Expert);
    }
}
