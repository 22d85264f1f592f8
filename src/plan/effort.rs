//! What a request is expected to cost the solver, before it runs, in units of a 10 km
//! day hike: the admission decides by it which lane the request plans in (see
//! `solver_pool`).
//!
//! The length rules: the network a loop can reach grows with the square of its radius
//! and the search does not visit all of it, so the work grows about as the length to
//! the power 1.5 (measured on the sample region, release build, 2 cores: 10 km 0.01
//! CPU-s, 40 km 0.16, 60 km 0.22). A trip costs about twice a day hike of its length:
//! it reads a wider network, chooses nights, and when no plan of the asked days is
//! found it plans the nearby requests too (120 km in 6 days 0.75 CPU-s, 200 km in 10
//! days 3.0). More results cost little (more alternatives of the same search): their
//! square root. The drive does not enter: however far it reaches, a request solves from
//! at most `planner.max_trailheads` starts and a few more (`trailheads::choose`).

use super::Hike;

/// Results a request asks for by default; more raise the cost.
const DEFAULT_RESULTS: f64 = 3.0;

/// The cost of planning `hike`, in units of a 10 km day hike.
pub fn units(hike: &Hike) -> f64 {
    length_units(hike.target_m) * others(hike)
}

/// Everything but the length: the trip and the results.
fn others(hike: &Hike) -> f64 {
    let trip = if hike.is_trip() || hike.base_camp {
        2.0
    } else {
        1.0
    };
    let results = (hike.max_results as f64 / DEFAULT_RESULTS).max(1.0).sqrt();
    trip * results
}

fn length_units(target_m: f64) -> f64 {
    (target_m / 10_000.0).max(0.0).powf(1.5)
}

/// What would make `hike` cost less than `limit` units, in words: the longest such
/// length (and fewer results when more than the default were asked).
pub fn reduce(hike: &Hike, limit: f64, imperial: bool) -> String {
    let km = 10.0 * (limit / others(hike)).powf(1.0 / 1.5);
    let length = if imperial {
        format!("{:.0} mi", (km / 1.609_344).floor())
    } else {
        format!("{:.0} km", km.floor())
    };
    let mut what = format!("ask for less than {length}");
    if hike.max_results as f64 > DEFAULT_RESULTS {
        what.push_str(&format!(
            " (or fewer than {} results, which allows a little more)",
            hike.max_results
        ));
    }
    what
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hike(km: f64, days: u32, results: usize) -> Hike {
        Hike {
            target_m: km * 1000.0,
            target_hours: None,
            dates: None,
            tolerance: 0.05,
            max_results: results,
            days,
            day_limits: Default::default(),
            preferences: Default::default(),
            overnight: crate::domain::DEFAULT_OVERNIGHT.to_vec(),
            base_camp: false,
            seed: 7,
        }
    }

    #[test]
    fn a_ten_km_day_hike_is_one_unit_and_longer_or_multi_day_costs_more() {
        assert!((units(&hike(10.0, 1, 3)) - 1.0).abs() < 1e-9);
        assert!(units(&hike(40.0, 1, 3)) > 7.9);
        assert!(units(&hike(20.0, 2, 3)) > units(&hike(20.0, 1, 3)));
        assert!(units(&hike(20.0, 1, 10)) > units(&hike(20.0, 1, 3)));
        assert!(units(&hike(200.0, 10, 10)) > units(&hike(120.0, 6, 10)));
    }

    #[test]
    fn the_length_it_suggests_is_under_the_limit_and_the_next_is_not() {
        for (km, days, results) in [(60.0, 1, 3), (120.0, 6, 10), (50.0, 3, 5)] {
            let h = hike(km, days, results);
            let text = reduce(&h, 8.0, false);
            let suggested: f64 = text
                .split_whitespace()
                .find_map(|w| w.parse().ok())
                .unwrap();
            assert!(units(&hike(suggested, days, results)) < 8.0, "{text}");
            assert!(
                units(&hike(suggested + 1.0, days, results)) >= 8.0,
                "{text}"
            );
        }
        assert!(reduce(&hike(60.0, 1, 3), 8.0, true).contains(" mi"));
    }
}
