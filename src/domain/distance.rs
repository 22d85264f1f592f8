//! Distances and the length tolerance as they arrive: finite, positive and bounded, in
//! kilometres or in miles (each unit with bounds of its own, so that the OpenAPI
//! document can state them exactly).

use serde::{Deserialize, Serialize};
use trailloop_drive::DriveLimit;
use utoipa::ToSchema;

use super::FieldError;

/// How an answer shows its distances and climb; every answer carries both units'
/// numbers (`distance_km` and `distance_mi`, `ascent_m` and `ascent_ft`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    /// Kilometres and metres.
    #[default]
    Metric,
    /// Miles and feet.
    Imperial,
}

impl Units {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Units::Metric => "metric",
            Units::Imperial => "imperial",
        }
    }
}

/// Kilometres in a statute mile.
pub const KM_PER_MI: f64 = 1.609_344;
/// Feet in a metre.
pub const FT_PER_M: f64 = 1.0 / 0.3048;
/// The longest distance in miles anyone may ask for (a little under 300 km).
pub const MAX_MI: f64 = 186.4;

/// A distance in kilometres, finite, in `min..=MAX_KM`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct DistanceKm(f64);

impl DistanceKm {
    /// Nothing we plan or drive to is longer: beyond this a request is a typo or an attack.
    pub const MAX_KM: f64 = 300.0;

    /// Checks `km` for `field`: finite, more than zero (at least `min_km` when given) and
    /// at most [`DistanceKm::MAX_KM`].
    pub fn parse(km: f64, field: &str, min_km: Option<f64>) -> Result<DistanceKm, FieldError> {
        in_bounds(km, field, min_km, Self::MAX_KM, "km").map(DistanceKm)
    }

    /// Checks `mi` for `field` like [`DistanceKm::parse`], in miles: more than zero (at
    /// least `min_mi` when given) and at most [`MAX_MI`].
    pub fn parse_miles(
        mi: f64,
        field: &str,
        min_mi: Option<f64>,
    ) -> Result<DistanceKm, FieldError> {
        in_bounds(mi, field, min_mi, MAX_MI, "mi").map(|mi| DistanceKm(mi * KM_PER_MI))
    }

    /// One distance given as a pair of fields, `{name}_km` or `{name}_mi`: exactly one
    /// of them, else `None` (neither) or an error naming the second (both).
    pub fn parse_either(
        km: Option<f64>,
        mi: Option<f64>,
        name: &str,
        min_km: Option<f64>,
        min_mi: Option<f64>,
    ) -> Result<Option<DistanceKm>, FieldError> {
        let (km_field, mi_field) = (format!("{name}_km"), format!("{name}_mi"));
        match (km, mi) {
            (Some(_), Some(_)) => Err(FieldError::new(
                &mi_field,
                format!("give {km_field} or {mi_field}, not both"),
            )),
            (Some(km), None) => DistanceKm::parse(km, &km_field, min_km).map(Some),
            (None, Some(mi)) => DistanceKm::parse_miles(mi, &mi_field, min_mi).map(Some),
            (None, None) => Ok(None),
        }
    }

    /// Kilometres.
    pub fn km(self) -> f64 {
        self.0
    }

    /// Statute miles.
    pub fn miles(self) -> f64 {
        self.0 / KM_PER_MI
    }

    /// Metres.
    pub fn metres(self) -> f64 {
        self.0 * 1000.0
    }
}

/// `x` of `field`, in `unit`: finite, more than zero, at least `min` when given, at most
/// `max`.
fn in_bounds(
    x: f64,
    field: &str,
    min: Option<f64>,
    max: f64,
    unit: &str,
) -> Result<f64, FieldError> {
    if !x.is_finite() {
        return Err(FieldError::new(field, "must be a finite number"));
    }
    if x <= 0.0 {
        return Err(FieldError::new(field, format!("must be positive, got {x}")));
    }
    if let Some(min) = min.filter(|&min| x < min) {
        return Err(FieldError::new(
            field,
            format!("must be at least {min} {unit}, got {x}"),
        ));
    }
    if x > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} {unit}, got {x}"),
        ));
    }
    Ok(x)
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

/// Longest drive time anyone may ask for, minutes.
pub const MAX_DRIVE_MINUTES: f64 = 300.0;

/// How far the hiker will drive, checked from `max_drive_km` or `max_drive_mi` (one at
/// most) and `max_drive_minutes`: each valid when given, at least one given; a drive
/// must keep both (a limit not given is infinite).
pub fn parse_drive_limit(
    km: Option<f64>,
    mi: Option<f64>,
    minutes: Option<f64>,
) -> Result<DriveLimit, Vec<FieldError>> {
    let mut errors = Vec::new();
    if km.is_none() && mi.is_none() && minutes.is_none() {
        errors.push(FieldError::new(
            "max_drive_km",
            "one of max_drive_km, max_drive_mi or max_drive_minutes is required",
        ));
    }
    let km = DistanceKm::parse_either(km, mi, "max_drive", None, None)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if let Some(m) = minutes {
        if !m.is_finite() || m <= 0.0 || m > MAX_DRIVE_MINUTES {
            errors.push(FieldError::new(
                "max_drive_minutes",
                format!("must be in (0, {MAX_DRIVE_MINUTES}] minutes, got {m}"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(DriveLimit {
            metres: km.map_or(f64::INFINITY, DistanceKm::metres),
            seconds: minutes.map_or(f64::INFINITY, |m| m * 60.0),
        })
    } else {
        Err(errors)
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
    fn ten_miles_are_16_09_km_and_miles_have_bounds_of_their_own() {
        let ten = DistanceKm::parse_miles(10.0, "target_mi", None).unwrap();
        assert!((ten.km() - 16.093_44).abs() < 1e-9, "{}", ten.km());
        assert!((ten.miles() - 10.0).abs() < 1e-12);
        assert!(DistanceKm::parse_miles(MAX_MI, "m", None).unwrap().km() <= DistanceKm::MAX_KM);
        for bad in [0.0, -1.0, MAX_MI + 0.01, f64::NAN] {
            assert_eq!(
                DistanceKm::parse_miles(bad, "m", None).unwrap_err().field,
                "m"
            );
        }
        assert!(DistanceKm::parse_miles(0.3, "m", Some(0.32)).is_err());
    }

    #[test]
    fn a_distance_comes_in_km_or_in_miles_never_both() {
        let either = |km, mi| DistanceKm::parse_either(km, mi, "target", None, None);
        assert_eq!(either(Some(5.0), None).unwrap().unwrap().km(), 5.0);
        assert!((either(None, Some(5.0)).unwrap().unwrap().km() - 8.04672).abs() < 1e-9);
        assert_eq!(either(None, None).unwrap(), None);
        assert_eq!(either(Some(5.0), Some(3.0)).unwrap_err().field, "target_mi");
        assert_eq!(either(None, Some(-3.0)).unwrap_err().field, "target_mi");
    }

    #[test]
    fn a_drive_limit_takes_km_or_miles_and_minutes() {
        let d = parse_drive_limit(None, Some(20.0), Some(30.0)).unwrap();
        assert!((d.metres - 32_186.88).abs() < 1e-6);
        assert_eq!(d.seconds, 1800.0);
        let d = parse_drive_limit(Some(25.0), None, None).unwrap();
        assert_eq!((d.metres, d.seconds), (25_000.0, f64::INFINITY));
        let fields = |r: Result<DriveLimit, Vec<FieldError>>| -> Vec<String> {
            r.unwrap_err().into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(parse_drive_limit(None, None, None)),
            ["max_drive_km"]
        );
        assert_eq!(
            fields(parse_drive_limit(Some(1.0), Some(1.0), Some(0.0))),
            ["max_drive_mi", "max_drive_minutes"]
        );
    }

    #[test]
    fn tolerance_is_a_fraction_up_to_one_half() {
        assert_eq!(Tolerance::parse(0.1, "x").unwrap().fraction(), 0.1);
        for bad in [0.0, -0.1, 0.51, 5.0, f64::NAN] {
            assert!(Tolerance::parse(bad, "x").is_err());
        }
    }
}
