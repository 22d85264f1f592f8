//! Which trailheads a request solves from: every trailhead in the drive range is
//! weighed by what it offers for the asked length (its potential, measured at import:
//! `trailloop_osm::potential`) and by the drive, and the most promising are taken,
//! spread over the range so that one car park cluster cannot fill the list.

use trailloop_osm::{BandPotential, BAND_TARGETS_KM};

use super::{LoopParams, Start};

/// A trailhead closer than this to one already taken (or than a tenth of the target)
/// offers nearly the same loops: the next is taken instead.
const MIN_SPREAD_M: f64 = 1_000.0;

/// The band values for a target, interpolated on a log scale between the measured bands
/// (held at the ends).
pub fn potential_at(bands: &[BandPotential; 4], target_km: f64) -> BandPotential {
    let t = target_km.clamp(BAND_TARGETS_KM[0], BAND_TARGETS_KM[3]);
    let i = (0..3).find(|&i| t <= BAND_TARGETS_KM[i + 1]).unwrap_or(2);
    let (lo, hi) = (BAND_TARGETS_KM[i], BAND_TARGETS_KM[i + 1]);
    let w = ((t.ln() - lo.ln()) / (hi.ln() - lo.ln())) as f32;
    let (a, b) = (bands[i].to_array(), bands[i + 1].to_array());
    let mut out = [0f32; 6];
    for k in 0..6 {
        out[k] = a[k] + w * (b[k] - a[k]);
    }
    BandPotential::from_array(out)
}

/// How promising a trailhead is for `params`, about 0..1.5: enough network within
/// reach for a loop, cycles to make one, and what the network is made of, weighed as
/// the solver's score weighs a loop (roads by the road avoidance, nature and hiking
/// routes by the scenery, relief by the taste for hills).
pub fn promise(p: &BandPotential, params: &LoopParams) -> f64 {
    let target_m = params.target_m;
    let total = f64::from(p.trail_m + p.road_m);
    if total <= 0.0 {
        return 0.0;
    }
    // A loop of T needs the order of 2 T of network around it to choose from.
    let enough = (total / (2.0 * target_m)).min(1.0);
    // No cycle, no loop: a spur offers out-and-backs only.
    let cycles = (f64::from(p.cycles) / 5.0).min(1.0);
    let road = f64::from(p.road_m) / total;
    let nature = f64::from(p.nature_m) / total;
    let route = f64::from(p.route_m) / total;
    let relief_per_km = f64::from(p.relief_m) / (target_m / 1000.0);
    let quality = 1.0 - 0.8 * params.avoid_roads * road
        + 0.4 * params.scenery * (nature + 0.5 * route)
        + 0.2 * params.hills * (relief_per_km / 100.0).min(1.5);
    enough * (0.2 + 0.8 * cycles) * quality.max(0.05)
}

/// The `n` starts to solve from: by promise, less a little for the drive, each at least
/// a spread apart from those taken before it. Starts whose promise is zero (nothing
/// within reach) go last. Ties keep the given order (nearest first).
pub fn choose(starts: Vec<Start>, params: &LoopParams, n: usize) -> Vec<Start> {
    let target_km = params.target_m / 1000.0;
    let mut ranked: Vec<(f64, Start)> = starts
        .into_iter()
        .map(|s| {
            let p = potential_at(&s.trailhead.potential, target_km);
            (promise(&p, params) - 0.1 * s.drive_share, s)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let spread = MIN_SPREAD_M.max(params.target_m / 10.0);
    let mut chosen: Vec<Start> = Vec::with_capacity(n);
    let mut skipped = Vec::new();
    for (_, s) in ranked {
        if chosen.len() == n {
            break;
        }
        let near = chosen
            .iter()
            .any(|c| trailloop_osm::distance_m(c.trailhead.coord, s.trailhead.coord) < spread);
        if near {
            skipped.push(s);
        } else {
            chosen.push(s);
        }
    }
    // A small range may not hold n starts that far apart: fill up with the best others.
    let missing = n.saturating_sub(chosen.len());
    chosen.extend(skipped.into_iter().take(missing));
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(trail_m: f32, road_m: f32, cycles: f32) -> BandPotential {
        BandPotential {
            trail_m,
            road_m,
            route_m: 0.0,
            nature_m: trail_m * 0.5,
            relief_m: 300.0,
            cycles,
        }
    }

    fn params(target_km: f64) -> LoopParams {
        LoopParams {
            target_m: target_km * 1000.0,
            tolerance: 0.05,
            max_results: 3,
            days: 1,
            day_limits: Default::default(),
            overnight: Vec::new(),
            base_camp: false,
            avoid_roads: 1.0,
            scenery: 0.5,
            hills: 0.0,
            max_sac_scale: None,
            max_ascent_m: None,
            seed: 0,
            by_time: false,
        }
    }

    #[test]
    fn potentials_interpolate_between_bands_and_hold_at_the_ends() {
        let bands = [
            band(1000.0, 0.0, 1.0),
            band(4000.0, 0.0, 2.0),
            band(16000.0, 0.0, 4.0),
            band(64000.0, 0.0, 8.0),
        ];
        assert_eq!(potential_at(&bands, 5.0).trail_m, 1000.0);
        assert_eq!(potential_at(&bands, 2.0).trail_m, 1000.0);
        assert_eq!(potential_at(&bands, 80.0).trail_m, 64000.0);
        let mid = potential_at(&bands, 50f64.sqrt());
        assert!((mid.trail_m - 2500.0).abs() < 1.0, "{mid:?}");
    }

    #[test]
    fn trails_with_cycles_promise_more_than_roads_or_a_spur() {
        let p = params(10.0);
        let trails = promise(&band(30_000.0, 2_000.0, 20.0), &p);
        let roads = promise(&band(2_000.0, 30_000.0, 20.0), &p);
        let spur = promise(&band(30_000.0, 0.0, 0.0), &p);
        let little = promise(&band(3_000.0, 0.0, 20.0), &p);
        assert!(trails > roads && trails > spur && trails > little);
        let mut walk_roads = p.clone();
        walk_roads.avoid_roads = 0.0;
        assert!(promise(&band(2_000.0, 30_000.0, 20.0), &walk_roads) > roads);
    }
}
