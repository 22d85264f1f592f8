//! The walking-time model, the one the score, the day balance, the day limits and every
//! answer use: Naismith's rule, an hour for every [`FLAT_KM_PER_HOUR`] km plus an hour
//! for every [`CLIMB_M_PER_HOUR`] m of climb.

/// The model's name, as answers state it.
pub const DURATION_MODEL: &str = "naismith";

/// Kilometres an hour on the flat.
pub const FLAT_KM_PER_HOUR: f64 = 5.0;

/// Metres of climb that add an hour.
pub const CLIMB_M_PER_HOUR: f64 = 600.0;

/// Walking hours for `len_m` metres with `ascent_m` metres of climb.
pub fn hours(len_m: f64, ascent_m: f64) -> f64 {
    len_m / (FLAT_KM_PER_HOUR * 1000.0) + ascent_m / CLIMB_M_PER_HOUR
}

/// The metres `hours` walk on the flat.
pub fn flat_m(hours: f64) -> f64 {
    hours * FLAT_KM_PER_HOUR * 1000.0
}

/// What share of the flat distance an hour walks where trails climb `climb_per_km`
/// metres a km: `1 / (1 + FLAT_KM_PER_HOUR g / CLIMB_M_PER_HOUR)` (no less for descent).
pub fn time_factor(climb_per_km: f64) -> f64 {
    1.0 / (1.0 + FLAT_KM_PER_HOUR * climb_per_km.max(0.0) / CLIMB_M_PER_HOUR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naismith_counts_distance_and_climb() {
        assert!((hours(10_000.0, 0.0) - 2.0).abs() < 1e-9);
        assert!((hours(10_000.0, 600.0) - 3.0).abs() < 1e-9);
    }

    #[test]
    fn hours_become_the_distance_they_walk() {
        // Four hours on the flat: 20 km.
        assert!((flat_m(4.0) * time_factor(0.0) - 20_000.0).abs() < 1e-6);
        // 60 m of climb a km: 4 h walk 13.3 km, and walking them takes 4 h.
        let m = flat_m(4.0) * time_factor(60.0);
        assert!((m - 13_333.3).abs() < 0.1, "{m}");
        assert!((hours(m, m / 1000.0 * 60.0) - 4.0).abs() < 1e-9);
        assert_eq!(time_factor(-5.0), 1.0, "no negative climb");
    }
}
