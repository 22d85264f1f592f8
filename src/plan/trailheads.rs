//! Which trailheads a request solves from: every trailhead in the drive range is
//! weighed by the solver's promise (`trailloop_solver::promise`: the score's weights
//! applied to what the trailhead offers for the asked length, its potential measured at
//! import by `trailloop_osm::potential`, and the drive as the score costs it), and the
//! most promising are taken, spread over the range so that one car park cluster cannot
//! fill the list.

use trailloop_drive::DriveLimit;
use trailloop_osm::{BandPotential, Highway, Profile, BAND_TARGETS_KM};
use trailloop_solver::{drive_cost, promise, Surroundings};

use super::{Hike, TrailheadStart};

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

/// What lies around a trailhead for a loop of `target_km`, as the solver's promise
/// takes it.
pub fn surroundings(bands: &[BandPotential; 4], target_km: f64) -> Surroundings {
    let p = potential_at(bands, target_km);
    Surroundings {
        trail_m: f64::from(p.trail_m),
        road_m: f64::from(p.road_m),
        route_m: f64::from(p.route_m),
        nature_m: f64::from(p.nature_m),
        relief_m: f64::from(p.relief_m),
        cycles: f64::from(p.cycles),
    }
}

/// What a metre of road typically costs in `profile`: a residential street's cost.
pub fn road_cost_per_m(profile: &Profile) -> f64 {
    profile.cost_per_m(Highway::Residential, None, None, None)
}

/// The starts to solve from: the `n` most promising by the solver's promise (the
/// score's own weights, the drive costing as it does in the score), each at least a
/// spread apart from those taken before it; ties keep the given order (nearest first).
///
/// A request whose drive reaches beyond the `near` drive also solves, first, the starts
/// the same request limited to `near` would solve (weighed with the drives as shares of
/// that limit, as that request weighs them). Its best loop can then never be worse than
/// the near request's: the same starts give the same loops, and a drive costs less as
/// a share of a wider limit. Without this, a wider range only adds starts that promise
/// more than they solve and crowds out the near ones that solved well. The range's
/// most promising then add at most `n / 4` more starts (fewer when the range is
/// little wider than the near drive).
pub fn choose(
    starts: Vec<TrailheadStart>,
    params: &Hike,
    road_cost_per_m: f64,
    n: usize,
    near: Option<&DriveLimit>,
) -> Vec<TrailheadStart> {
    let admitted = |limit: &DriveLimit, s: &TrailheadStart| limit.admits(s.drive.road());
    let mut taken: Vec<usize> = Vec::with_capacity(2 * n);
    // How much farther than the near drive the range reaches: 0 at the near drive, 1
    // at twice it or more.
    let mut wider = 0.0;
    if let Some(limit) = near.filter(|l| starts.iter().any(|s| !admitted(l, s))) {
        let within: Vec<usize> = (0..starts.len())
            .filter(|&i| admitted(limit, &starts[i]))
            .collect();
        taken = pick(&starts, &within, params, road_cost_per_m, n, |s| {
            limit.share(s.drive.km * 1000.0, s.drive.minutes * 60.0)
        });
        let farthest_m = starts
            .iter()
            .map(|s| s.drive.km * 1000.0)
            .fold(0.0, f64::max);
        wider = (farthest_m / limit.metres - 1.0).clamp(0.0, 1.0);
    }
    // Then the most promising of the whole range: `n` of them, or when the near
    // request's are taken already, up to a quarter as many again that are not among
    // them: one for each third of the near drive the range reaches beyond it (most of
    // the range's best are near ones too; this bounds the extra solves, and a drive
    // a little longer than the near one costs no more than the near one).
    let all: Vec<usize> = (0..starts.len()).collect();
    let widest = pick(&starts, &all, params, road_cost_per_m, n, |s| s.drive_share);
    let most = if taken.is_empty() {
        n
    } else {
        n + (n.div_ceil(4) as f64 * wider).floor() as usize
    };
    for i in widest {
        if taken.len() >= most {
            break;
        }
        if !taken.contains(&i) {
            taken.push(i);
        }
    }
    let mut slots: Vec<Option<TrailheadStart>> = starts.into_iter().map(Some).collect();
    taken.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// The `n` of `among` (indices into `starts`) to solve, best promise first, spread out;
/// `share` is a start's drive as a share of the limit they are weighed under.
fn pick(
    starts: &[TrailheadStart],
    among: &[usize],
    params: &Hike,
    road_cost_per_m: f64,
    n: usize,
    share: impl Fn(&TrailheadStart) -> f64,
) -> Vec<usize> {
    let target_km = params.target_m / 1000.0;
    let mut ranked: Vec<(f64, usize)> = among
        .iter()
        .map(|&i| {
            let s = &starts[i];
            let around = surroundings(&s.trailhead.potential, target_km);
            let cost = promise(
                &around,
                params.target_m,
                &params.preferences,
                drive_cost(share(s)),
                road_cost_per_m,
            );
            (cost, i)
        })
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    let spread = MIN_SPREAD_M.max(params.target_m / 10.0);
    let mut chosen: Vec<usize> = Vec::with_capacity(n);
    let mut skipped = Vec::new();
    for (_, i) in ranked {
        if chosen.len() == n {
            break;
        }
        let at = starts[i].trailhead.coord;
        let near = chosen
            .iter()
            .any(|&c| trailloop_geo::distance_m(starts[c].trailhead.coord, at) < spread);
        if near {
            skipped.push(i);
        } else {
            chosen.push(i);
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
}
