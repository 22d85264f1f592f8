//! A WGS 84 position that is always on the globe.

use trailloop_geo::Coord;

use super::FieldError;

/// Latitude in -90..=90 and longitude in -180..=180, both finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinate(Coord);

impl Coordinate {
    /// Checks both parts; `prefix` names the object they came from (`origin`, or empty
    /// for query strings with bare `lat`/`lon`).
    pub fn parse(lat: f64, lon: f64, prefix: &str) -> Result<Coordinate, Vec<FieldError>> {
        let name = |part: &str| {
            if prefix.is_empty() {
                part.to_string()
            } else {
                format!("{prefix}.{part}")
            }
        };
        let mut errors = Vec::new();
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            errors.push(FieldError::new(
                name("lat"),
                format!("latitude must be a finite number in -90..90, got {lat}"),
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            errors.push(FieldError::new(
                name("lon"),
                format!("longitude must be a finite number in -180..180, got {lon}"),
            ));
        }
        if errors.is_empty() {
            Ok(Coordinate(Coord { lon, lat }))
        } else {
            Err(errors)
        }
    }

    /// The position.
    pub fn coord(self) -> Coord {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_on_the_globe_are_accepted_edges_included() {
        for (lat, lon) in [(42.5, 1.5), (90.0, 180.0), (-90.0, -180.0), (0.0, 0.0)] {
            let c = Coordinate::parse(lat, lon, "origin").unwrap();
            assert_eq!(c.coord(), Coord { lon, lat });
        }
    }

    #[test]
    fn off_the_globe_or_non_finite_parts_are_named() {
        let e = Coordinate::parse(91.0, 1.0, "origin").unwrap_err();
        assert_eq!(e[0].field, "origin.lat");
        let e = Coordinate::parse(f64::NAN, f64::INFINITY, "").unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lat", "lon"]);
        assert!(Coordinate::parse(0.0, -180.5, "x").is_err());
    }
}
