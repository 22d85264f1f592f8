//! Splitting a multi-day loop into day stages that end where one can sleep or refill.

use serde::Serialize;
use trailloop_osm::{Coord, PoiKind};

/// Where a day ends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageEnd {
    /// The campsite, hut, shelter or water there; `None` when the network offers none
    /// near the even split, or for the last day (back at the trailhead).
    pub poi: Option<PoiKind>,
    /// Its name.
    pub name: Option<String>,
    /// Where the day ends.
    pub coord: Coord,
}

/// One day of a multi-day loop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// 1-based day number.
    pub day: u32,
    /// Km walked that day.
    pub distance_km: f64,
    /// Climb that day, metres.
    pub ascent_m: f64,
    /// Descent that day, metres.
    pub descent_m: f64,
    /// Walking time that day, hours.
    pub duration_h: f64,
    /// Where the day ends.
    pub end: StageEnd,
}

use super::present::naismith_hours;
use crate::domain::PoiRecord;
use crate::network::EdgeMeta;

/// How good a place is to end a day: somewhere to sleep beats water alone.
fn rank(kind: PoiKind) -> u8 {
    match kind {
        PoiKind::Hut => 0,
        PoiKind::Campsite => 1,
        PoiKind::Shelter => 2,
        PoiKind::DrinkingWater => 3,
        PoiKind::Spring => 4,
    }
}

/// One walked edge: where it ends and what it adds.
pub(crate) struct Leg<'a> {
    pub meta: &'a EdgeMeta,
    pub forward: bool,
    /// Node the edge ends at, walking it.
    pub end_node: i64,
    pub end_coord: Coord,
}

/// Splits a loop into `days` stages. Each day ends at the best place to stay (hut,
/// campsite, shelter, then water) among the junctions whose cumulative distance lies
/// within a window around the even split and keeps the day under `max_day_m`; without
/// one, at the junction nearest the even split.
pub(crate) fn stages<'p, P>(
    legs: &[Leg<'_>],
    pois_at: impl Fn(i64) -> P,
    days: u32,
    max_day_m: Option<f64>,
) -> Vec<Stage>
where
    P: Iterator<Item = &'p PoiRecord>,
{
    let best_at = |node: i64| pois_at(node).min_by_key(|p| rank(p.kind));
    let total: f64 = legs.iter().map(|l| l.meta.length_m).sum();
    let days = days.max(1);
    let even = total / f64::from(days);
    let window = even * 0.25;
    // Cumulative distance at the end of each leg.
    let mut cum = Vec::with_capacity(legs.len());
    let mut acc = 0.0;
    for l in legs {
        acc += l.meta.length_m;
        cum.push(acc);
    }
    let mut cuts: Vec<usize> = Vec::new(); // leg index after which a day ends
    let mut start_m = 0.0;
    for day in 1..days {
        let ideal = even * f64::from(day);
        let min_ix = cuts.last().map_or(0, |&c| c + 1);
        let limit = max_day_m.map_or(f64::INFINITY, |m| start_m + m);
        let mut best: Option<(u8, f64, usize)> = None;
        let mut nearest: Option<(f64, usize)> = None;
        // The last leg ends at the trailhead, which is not a place to split.
        for (i, &c) in cum
            .iter()
            .enumerate()
            .take(legs.len().saturating_sub(1))
            .skip(min_ix)
        {
            let off = (c - ideal).abs();
            if c <= limit && nearest.is_none_or(|(d, _)| off < d) {
                nearest = Some((off, i));
            }
            if off > window || c > limit {
                continue;
            }
            if let Some(r) = best_at(legs[i].end_node).map(|p| rank(p.kind)) {
                if best.is_none_or(|(br, bo, _)| (r, off) < (br, bo)) {
                    best = Some((r, off, i));
                }
            }
        }
        let Some(cut) = best.map(|b| b.2).or(nearest.map(|n| n.1)) else {
            break;
        };
        start_m = cum[cut];
        cuts.push(cut);
    }
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for (day, end) in cuts
        .iter()
        .copied()
        .chain(std::iter::once(legs.len() - 1))
        .enumerate()
    {
        let part = &legs[from..=end];
        let (mut d, mut up, mut down) = (0.0, 0.0, 0.0);
        for l in part {
            d += l.meta.length_m;
            let (a, b) = if l.forward {
                (l.meta.ascent_m, l.meta.descent_m)
            } else {
                (l.meta.descent_m, l.meta.ascent_m)
            };
            up += a;
            down += b;
        }
        let last = &legs[end];
        let poi = (end + 1 < legs.len())
            .then(|| best_at(last.end_node))
            .flatten();
        out.push(Stage {
            day: day as u32 + 1,
            distance_km: d / 1000.0,
            ascent_m: up,
            descent_m: down,
            duration_h: naismith_hours(d, up),
            end: StageEnd {
                poi: poi.map(|p| p.kind),
                name: poi.and_then(|p| p.name.clone()),
                coord: poi.map_or(last.end_coord, |p| p.coord),
            },
        });
        from = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use trailloop_osm::Highway;

    fn legs(metas: &[EdgeMeta]) -> Vec<Leg<'_>> {
        metas
            .iter()
            .enumerate()
            .map(|(i, m)| Leg {
                meta: m,
                forward: true,
                end_node: i as i64 + 1,
                end_coord: Coord {
                    lon: i as f64,
                    lat: 0.0,
                },
            })
            .collect()
    }

    fn edge(length_m: f64, ascent_m: f64) -> EdgeMeta {
        EdgeMeta {
            source: 0,
            target: 0,
            length_m,
            ascent_m,
            descent_m: 0.0,
            highway: Highway::Path,
            name: None,
            sac_scale: None,
            routes: Vec::new().into(),
            nature: Default::default(),
        }
    }

    #[test]
    fn days_end_at_a_hut_near_the_even_split_rather_than_exactly_on_it() {
        let metas: Vec<EdgeMeta> = (0..10).map(|_| edge(2_000.0, 100.0)).collect();
        let legs = legs(&metas);
        // Even split after 10 km = end of leg 4 (node 5); a hut at node 6 (12 km).
        let mut pois = HashMap::new();
        pois.insert(
            6,
            vec![PoiRecord {
                node_id: 6,
                kind: PoiKind::Hut,
                name: Some("Refugi".into()),
                coord: Coord { lon: 5.0, lat: 0.1 },
            }],
        );
        let at = |n: i64| pois.get(&n).into_iter().flatten();
        let s = stages(&legs, at, 2, None);
        assert_eq!(s.len(), 2);
        assert!((s[0].distance_km - 12.0).abs() < 1e-9);
        assert_eq!(s[0].end.poi, Some(PoiKind::Hut));
        assert_eq!(s[0].end.name.as_deref(), Some("Refugi"));
        assert!((s[0].distance_km + s[1].distance_km - 20.0).abs() < 1e-9);
        assert!((s[0].ascent_m - 600.0).abs() < 1e-9);
        assert_eq!(s[1].end.poi, None, "the last day ends at the trailhead");

        // A daily limit of 11 km rules the hut out: split at the even point instead.
        let s = stages(&legs, at, 2, Some(11_000.0));
        assert!((s[0].distance_km - 10.0).abs() < 1e-9);
        assert_eq!(s[0].end.poi, None);
    }

    #[test]
    fn one_day_is_one_stage_covering_everything() {
        let metas: Vec<EdgeMeta> = (0..3).map(|_| edge(1_000.0, 10.0)).collect();
        let none: HashMap<i64, Vec<PoiRecord>> = HashMap::new();
        let s = stages(
            &legs(&metas),
            |n| none.get(&n).into_iter().flatten(),
            1,
            None,
        );
        assert_eq!(s.len(), 1);
        assert!((s[0].distance_km - 3.0).abs() < 1e-9);
    }
}
