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

/// How far the hiker will drive: a distance, a time, or both (a drive must keep both).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriveRange {
    /// Longest drive, when given.
    pub km: Option<DistanceKm>,
    /// Longest drive time, minutes, when given.
    pub minutes: Option<f64>,
}

impl DriveRange {
    /// Longest drive time anyone may ask for, minutes.
    pub const MAX_MINUTES: f64 = 300.0;

    /// Checks the two limits: each valid when given, and at least one given. Errors
    /// name `km_field` / `minutes_field`.
    pub fn parse(
        km: Option<f64>,
        minutes: Option<f64>,
        km_field: &str,
        minutes_field: &str,
    ) -> Result<DriveRange, Vec<FieldError>> {
        let mut errors = Vec::new();
        if km.is_none() && minutes.is_none() {
            errors.push(FieldError::new(
                km_field,
                format!("one of {km_field} or {minutes_field} is required"),
            ));
        }
        let km = km.and_then(|k| {
            DistanceKm::parse(k, km_field, None)
                .map_err(|e| errors.push(e))
                .ok()
        });
        if let Some(m) = minutes {
            if !m.is_finite() || m <= 0.0 || m > Self::MAX_MINUTES {
                errors.push(FieldError::new(
                    minutes_field,
                    format!("must be in (0, {}] minutes, got {m}", Self::MAX_MINUTES),
                ));
            }
        }
        if errors.is_empty() {
            Ok(DriveRange { km, minutes })
        } else {
            Err(errors)
        }
    }

    /// The limit as the drive search takes it.
    pub fn limit(&self) -> trailloop_osm::DriveLimit {
        trailloop_osm::DriveLimit {
            metres: self.km.map_or(f64::INFINITY, DistanceKm::metres),
            seconds: self.minutes.map_or(f64::INFINITY, |m| m * 60.0),
        }
    }

    /// How far along the limit a drive is, 0..=1 (the larger of its two shares).
    pub fn share(&self, km: f64, minutes: f64) -> f64 {
        let by_km = self.km.map_or(0.0, |l| km / l.km().max(1.0));
        let by_minutes = self.minutes.map_or(0.0, |l| minutes / l.max(1.0));
        by_km.max(by_minutes).min(1.0)
    }

    /// The limit in words, for messages: "25 km", "40 minutes", "25 km and 40 minutes".
    pub fn describe(&self) -> String {
        match (self.km, self.minutes) {
            (Some(k), Some(m)) => format!("{} km and {m} minutes", k.km()),
            (Some(k), None) => format!("{} km", k.km()),
            (None, Some(m)) => format!("{m} minutes"),
            (None, None) => "any distance".into(),
        }
    }
}
