//! The days of a plan: where each ends (the night's place, as the solver planned the
//! walk around it), what each day walks and climbs, how long it takes, and the water on
//! the way.

use trailloop_geo::Coord;
use trailloop_solver::walking;

use super::breakdown::LineIndex;
use crate::domain::PoiRecord;
use crate::network::EdgeMeta;

/// Water this close to a day's line is on the way.
pub const WATER_NEAR_M: f64 = 200.0;

/// Where a day ends: the place slept at.
#[derive(Debug, Clone, PartialEq)]
pub struct StageNight {
    /// The place, as OSM has it; `None` back at the trailhead (a base-camp plan).
    pub place: Option<PoiRecord>,
    /// From the loop to the place, metres (its access path and the last stretch off the
    /// network): walked there in the evening and back in the morning.
    pub off_trail_m: f64,
    /// Of a dated plan, whether the place is open that night and the tag that says so.
    pub(crate) opening: Option<crate::dates::Opening>,
}

/// Water a day passes, or the night's place when it has water.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterStop {
    /// The source.
    pub place: PoiRecord,
    /// Where along the day it comes, metres.
    pub at_m: f64,
}

/// One day of a plan (the only one of a day hike).
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// 1-based day number.
    pub day: u32,
    /// Metres walked on the loop that day.
    pub distance_m: f64,
    /// Metres walked off the loop that day: to the night's place and, from the second
    /// day, back from the last one.
    pub off_trail_m: f64,
    /// Climb that day, metres.
    pub ascent_m: f64,
    /// Descent that day, metres.
    pub descent_m: f64,
    /// Walking time that day, hours (off-trail walking included).
    pub duration_h: f64,
    /// The day's stretch of the loop's geometry: vertices `start_index..=end_index`.
    pub start_index: usize,
    /// See `start_index`.
    pub end_index: usize,
    /// Where the day ends; `None` for the last day, back at the trailhead.
    pub night: Option<StageNight>,
    /// Water on the way, in order.
    pub water: Vec<WaterStop>,
    /// Whether the day passes water, or starts or ends at a place with water.
    pub has_water: bool,
    /// Of a dated plan, its date and times.
    pub times: Option<super::dated::StageTimes>,
}

/// One walked edge.
pub(crate) struct Leg<'a> {
    pub meta: &'a EdgeMeta,
    pub forward: bool,
    /// Index of the loop geometry's vertex the edge ends at.
    pub end_vertex: usize,
}

/// Where a day ends: after this many legs, at this place (the trailhead when `None`),
/// this far off the loop.
pub(crate) struct Cut<'a> {
    pub after_legs: usize,
    pub place: Option<&'a PoiRecord>,
    pub off_m: f64,
}

/// The stages of a loop cut after `cuts` (in order; none for a day hike). `line` is the
/// loop's geometry, `waters` the water sources near it.
pub(crate) fn stages<'a>(
    legs: &[Leg<'_>],
    cuts: &[Cut<'a>],
    line: &[Coord],
    waters: &[&PoiRecord],
) -> Vec<Stage> {
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    let mut start_vertex = 0;
    let ends: Vec<usize> = cuts
        .iter()
        .map(|c| c.after_legs)
        .chain(std::iter::once(legs.len()))
        .collect();
    for (day, &end) in ends.iter().enumerate() {
        let part = &legs[from..end.max(from)];
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
        let end_vertex = part.last().map_or(start_vertex, |l| l.end_vertex);
        let night = cuts.get(day);
        let previous = day.checked_sub(1).and_then(|k| cuts.get(k));
        let off = night.map_or(0.0, |c| c.off_m) + previous.map_or(0.0, |c| c.off_m);
        let day_line = &line[start_vertex..=end_vertex.min(line.len().saturating_sub(1))];
        let index = LineIndex::new(day_line, WATER_NEAR_M);
        let mut water: Vec<WaterStop> = waters
            .iter()
            .filter_map(|w| {
                let (_, at_m) = index.nearest(&[w.coord], WATER_NEAR_M)?;
                Some(WaterStop {
                    place: (*w).clone(),
                    at_m,
                })
            })
            .collect();
        water.sort_by(|a, b| a.at_m.total_cmp(&b.at_m));
        let water_at = |c: Option<&Cut<'a>>| {
            c.and_then(|c| c.place)
                .filter(|p| p.details.has_water(p.kind))
        };
        if let Some(place) = water_at(night) {
            water.push(WaterStop {
                place: place.clone(),
                at_m: d,
            });
        }
        let has_water = !water.is_empty() || water_at(previous).is_some();
        out.push(Stage {
            day: day as u32 + 1,
            distance_m: d,
            off_trail_m: off,
            ascent_m: up,
            descent_m: down,
            duration_h: walking::hours(d + off, up),
            start_index: start_vertex,
            end_index: end_vertex,
            night: night.map(|c| StageNight {
                place: c.place.cloned(),
                off_trail_m: c.off_m,
                opening: None,
            }),
            water,
            has_water,
            times: None,
        });
        from = end;
        start_vertex = end_vertex;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailloop_osm::{Highway, OsmType, PoiDetails};
    use trailloop_places::PoiKind;

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
            elevations: Box::new([]),
        }
    }

    fn place(kind: PoiKind, lon: f64, water: bool) -> PoiRecord {
        PoiRecord {
            node_id: 1,
            kind,
            name: Some("Refugi".into()),
            coord: Coord { lon, lat: 0.0 },
            osm_id: 7,
            osm_type: OsmType::Node,
            snap_distance_m: 0.0,
            details: PoiDetails {
                drinking_water: water.then(|| "yes".into()),
                ..PoiDetails::default()
            },
        }
    }

    #[test]
    fn days_end_where_the_cuts_say_and_add_up() {
        let metas: Vec<EdgeMeta> = (0..10).map(|_| edge(2_000.0, 100.0)).collect();
        // One vertex per km along the equator.
        let line: Vec<Coord> = (0..=20)
            .map(|i| Coord {
                lon: f64::from(i) * 0.009,
                lat: 0.0,
            })
            .collect();
        let legs: Vec<Leg<'_>> = metas
            .iter()
            .enumerate()
            .map(|(i, m)| Leg {
                meta: m,
                forward: true,
                end_vertex: 2 * (i + 1),
            })
            .collect();
        let hut = place(PoiKind::Hut, 0.108, true);
        let tap = place(PoiKind::WaterTap, 0.153, false);
        let s = stages(
            &legs,
            &[Cut {
                after_legs: 6,
                place: Some(&hut),
                off_m: 150.0,
            }],
            &line,
            &[&tap],
        );
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].distance_m, s[1].distance_m), (12_000.0, 8_000.0));
        assert_eq!(
            (s[0].start_index, s[0].end_index, s[1].end_index),
            (0, 12, 20)
        );
        assert_eq!(s[0].off_trail_m, 150.0);
        assert_eq!(s[1].off_trail_m, 150.0, "back from the hut in the morning");
        assert!((s[0].duration_h - (12.15 / 5.0 + 600.0 / 600.0)).abs() < 1e-9);
        assert_eq!(
            s[0].night.as_ref().unwrap().place.as_ref().unwrap().kind,
            PoiKind::Hut
        );
        assert!(
            s[1].night.is_none(),
            "the last day ends back at the trailhead"
        );
        // The hut gives water on day one; the tap lies on day two.
        assert!(s[0].has_water && s[1].has_water);
        assert_eq!(s[1].water.len(), 1);
        assert_eq!(s[1].water[0].place.kind, PoiKind::WaterTap);
    }

    #[test]
    fn a_day_hike_is_one_stage_covering_everything() {
        let metas: Vec<EdgeMeta> = (0..3).map(|_| edge(1_000.0, 10.0)).collect();
        let line: Vec<Coord> = (0..=3)
            .map(|i| Coord {
                lon: f64::from(i) * 0.009,
                lat: 0.0,
            })
            .collect();
        let legs: Vec<Leg<'_>> = metas
            .iter()
            .enumerate()
            .map(|(i, m)| Leg {
                meta: m,
                forward: true,
                end_vertex: i + 1,
            })
            .collect();
        let s = stages(&legs, &[], &line, &[]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].distance_m, 3_000.0);
        assert!(!s[0].has_water);
    }
}
