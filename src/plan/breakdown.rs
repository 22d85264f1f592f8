//! Why a loop is a good hike, in numbers a web app can show ("92% trail, 70% forest,
//! passes Pfälzerhütte"): what it walks on, how much of it is in nature, how many
//! junctions it asks the hiker to decide at, how round it is, and the highlights it
//! passes.

use std::collections::HashMap;

use trailloop_geo as geo;
use trailloop_geo::Coord;
use trailloop_osm::{Highlight, HighlightKind, Highway, HIGHLIGHT_PASS_M};

use crate::network::EdgeMeta;

/// Shares of a loop's length, each 0..=1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Breakdown {
    /// On paths, footways, bridleways, steps, cycleways and pedestrian ways.
    pub path: f64,
    /// On tracks.
    pub track: f64,
    /// On roads cars use.
    pub road: f64,
    /// On ways of hiking routes.
    pub route: f64,
    /// In or beside nature of any kind.
    pub nature: f64,
    /// In forests.
    pub forest: f64,
    /// Beside water.
    pub water: f64,
    /// On open mountain land, meadows and moors.
    pub open: f64,
    /// In parks, nature reserves and protected areas.
    pub protected: f64,
    /// Junctions of three or more ways passed, per km.
    pub junctions_per_km: f64,
    /// Turns at them (leaving the way one is on), per km.
    pub turns_per_km: f64,
}

/// The shares of the walked edges.
pub(crate) fn breakdown<'a>(
    edges: impl Iterator<Item = &'a EdgeMeta>,
    (junctions, turns): (f64, f64),
) -> Breakdown {
    let mut b = Breakdown::default();
    let mut total = 0.0;
    for e in edges {
        let len = e.length_m;
        total += len;
        match e.highway {
            Highway::Track => b.track += len,
            h if h.is_road() => b.road += len,
            _ => b.path += len,
        }
        if !e.routes.is_empty() {
            b.route += len;
        }
        let n = &e.nature;
        b.nature += len * f64::from(n.any);
        b.forest += len * f64::from(n.forest);
        b.water += len * f64::from(n.water);
        b.open += len * f64::from(n.open);
        b.protected += len * f64::from(n.protected);
    }
    if total > 0.0 {
        for share in [
            &mut b.path,
            &mut b.track,
            &mut b.road,
            &mut b.route,
            &mut b.nature,
            &mut b.forest,
            &mut b.water,
            &mut b.open,
            &mut b.protected,
        ] {
            *share /= total;
        }
        b.junctions_per_km = junctions / (total / 1000.0);
        b.turns_per_km = turns / (total / 1000.0);
    }
    b
}

/// A highlight a loop passes.
#[derive(Debug, Clone, PartialEq)]
pub struct Passed {
    /// What it is.
    pub kind: HighlightKind,
    /// Its name.
    pub name: Option<String>,
    /// Its OSM element.
    pub osm_id: i64,
    /// Its point nearest the loop.
    pub coord: Coord,
    /// A peak's elevation.
    pub elevation_m: Option<f64>,
    /// How far along the loop it comes, metres.
    pub at_m: f64,
}

/// A line sampled every 25 m into a grid of cells as large as the distance asked
/// about, so that each point is compared with the samples of nine cells only.
pub(crate) struct LineIndex {
    origin: [f64; 2],
    cell_m: f64,
    grid: HashMap<(i64, i64), Vec<Sample>>,
}

/// A sample of the line: its point in local metres and its distance along the line.
type Sample = ([f64; 2], f64);

impl LineIndex {
    /// Indexes `line` for questions of "within `within_m`".
    pub(crate) fn new(line: &[Coord], within_m: f64) -> LineIndex {
        const STEP_M: f64 = 25.0;
        let origin = line.first().map_or([0.0, 0.0], |c| [c.lon, c.lat]);
        let mut index = LineIndex {
            origin,
            cell_m: within_m.max(1.0),
            grid: HashMap::new(),
        };
        let mut along = 0.0;
        if let [only] = line {
            let p = index.local(*only);
            index.grid.entry(index.cell(p)).or_default().push((p, 0.0));
        }
        for w in line.windows(2) {
            let (a, b) = (index.local(w[0]), index.local(w[1]));
            let len = (b[0] - a[0]).hypot(b[1] - a[1]);
            let n = (len / STEP_M).ceil().max(1.0) as usize;
            for i in 0..=n {
                let t = i as f64 / n as f64;
                let p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                let cell = index.cell(p);
                index
                    .grid
                    .entry(cell)
                    .or_default()
                    .push((p, along + t * len));
            }
            along += len;
        }
        index
    }

    fn local(&self, c: Coord) -> [f64; 2] {
        geo::local_metres(self.origin, [c.lon, c.lat])
    }

    fn cell(&self, p: [f64; 2]) -> (i64, i64) {
        (
            (p[0] / self.cell_m).floor() as i64,
            (p[1] / self.cell_m).floor() as i64,
        )
    }

    /// The point of `points` nearest the line, if one is within `within_m` (at most the
    /// distance the index was built for): that point and how far along the line it
    /// comes, metres.
    pub(crate) fn nearest(&self, points: &[Coord], within_m: f64) -> Option<(Coord, f64)> {
        let mut best: Option<(f64, Coord, f64)> = None;
        for &c in points {
            let p = self.local(c);
            let (cx, cy) = self.cell(p);
            for x in cx - 1..=cx + 1 {
                for y in cy - 1..=cy + 1 {
                    for &(q, at) in self.grid.get(&(x, y)).into_iter().flatten() {
                        let d = (p[0] - q[0]).hypot(p[1] - q[1]);
                        if d <= within_m && best.is_none_or(|b| d < b.0) {
                            best = Some((d, c, at));
                        }
                    }
                }
            }
        }
        best.map(|(_, c, at)| (c, at))
    }
}

/// The highlights within [`HIGHLIGHT_PASS_M`] of the line, in the order the line passes
/// them.
pub(crate) fn passed<'a>(
    line: &[Coord],
    highlights: impl Iterator<Item = &'a Highlight>,
) -> Vec<Passed> {
    if line.is_empty() {
        return Vec::new();
    }
    let index = LineIndex::new(line, HIGHLIGHT_PASS_M);
    let mut out: Vec<Passed> = highlights
        .filter_map(|h| {
            let (coord, at_m) = index.nearest(&h.points, HIGHLIGHT_PASS_M)?;
            Some(Passed {
                kind: h.kind,
                name: h.name.clone(),
                osm_id: h.osm_id,
                coord,
                elevation_m: h.elevation_m,
                at_m,
            })
        })
        .collect();
    out.sort_by(|a, b| a.at_m.total_cmp(&b.at_m).then(a.osm_id.cmp(&b.osm_id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(lon: f64, lat: f64) -> Coord {
        Coord { lon, lat }
    }

    #[test]
    fn highlights_near_the_line_are_passed_in_order_and_far_ones_not() {
        // 2 km east along 42.5 N and back 1 km north.
        let line = [c(1.5, 42.5), c(1.524, 42.5), c(1.524, 42.509), c(1.5, 42.5)];
        let peak = |lon, lat, id| Highlight {
            kind: HighlightKind::Peak,
            name: None,
            osm_id: id,
            points: vec![c(lon, lat)],
            elevation_m: Some(2000.0),
        };
        // 100 m north of the first side, 1 km along; 300 m off; near the second side.
        let hs = [
            peak(1.512, 42.5009, 1),
            peak(1.512, 42.5027, 2),
            peak(1.5245, 42.505, 3),
        ];
        let got = passed(&line, hs.iter());
        let ids: Vec<i64> = got.iter().map(|p| p.osm_id).collect();
        assert_eq!(ids, [1, 3]);
        assert!((got[0].at_m - 984.0).abs() < 30.0, "{}", got[0].at_m);
    }
}
