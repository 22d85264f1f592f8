//! Distances and the length tolerance as they arrive: finite, positive and bounded.

use super::FieldError;

/// A distance in kilometres, finite, in `min..=MAX_KM`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct DistanceKm(f64);

impl DistanceKm {
    /// Nothing we plan or drive to is longer: beyond this a request is a typo or an attack.
    pub const MAX_KM: f64 = 300.0;

    /// Checks `km` for `field`: finite, more than zero (at least `min_km` when given) and
    /// at most [`DistanceKm::MAX_KM`].
    pub fn parse(km: f64, field: &str, min_km: Option<f64>) -> Result<DistanceKm, FieldError> {
        if !km.is_finite() {
            return Err(FieldError::new(field, "must be a finite number"));
        }
        if km <= 0.0 {
            return Err(FieldError::new(
                field,
                format!("must be positive, got {km}"),
            ));
        }
        if let Some(min) = min_km.filter(|&min| km < min) {
            return Err(FieldError::new(
                field,
                format!("must be at least {min} km, got {km}"),
            ));
        }
        if km > Self::MAX_KM {
            return Err(FieldError::new(
                field,
                format!("must be at most {} km, got {km}", Self::MAX_KM),
            ));
        }
        Ok(DistanceKm(km))
    }

    /// Kilometres.
    pub fn km(self) -> f64 {
        self.0
    }

    /// Metres.
    pub fn metres(self) -> f64 {
        self.0 * 1000.0
    }
}

/// Acceptable length error as a fraction of the target, in `(0, 0.5]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance(f64);

impl Tolerance {
    /// The default, 5 %.
    pub const DEFAULT: Tolerance = Tolerance(0.05);

    /// Checks `t` for `field`.
    pub fn parse(t: f64, field: &str) -> Result<Tolerance, FieldError> {
        if t.is_finite() && t > 0.0 && t <= 0.5 {
            Ok(Tolerance(t))
        } else {
            Err(FieldError::new(
                field,
                format!("must be a fraction in (0, 0.5], got {t}"),
            ))
        }
    }

    /// The fraction.
    pub fn fraction(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_must_be_finite_positive_and_at_most_300_km() {
        assert_eq!(
            DistanceKm::parse(20.0, "t", None).unwrap().metres(),
            20_000.0
        );
        assert!(DistanceKm::parse(300.0, "t", None).is_ok());
        for bad in [0.0, -1.0, 300.1, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(DistanceKm::parse(bad, "t", None).unwrap_err().field, "t");
        }
        assert!(DistanceKm::parse(0.2, "t", Some(0.5)).is_err());
    }

    #[test]
    fn tolerance_is_a_fraction_up_to_one_half() {
        assert_eq!(Tolerance::parse(0.1, "x").unwrap().fraction(), 0.1);
        for bad in [0.0, -0.1, 0.51, 5.0, f64::NAN] {
            assert!(Tolerance::parse(bad, "x").is_err());
        }
    }
}
