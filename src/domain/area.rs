//! `GET /v1/network?bbox=west,south,east,north`: the area whose trails are drawn. Four
//! numbers as the schema's pattern writes them; latitudes are put in order, both are
//! clamped to the globe, and the box is cut to [`Area::MAX_SPAN_DEG`] a side around its
//! centre (a map's view, not a download of the region). West beyond east is a box
//! across the antimeridian, which is not served (422).

use serde::Deserialize;
use trailloop_geo::Coord;
use utoipa::IntoParams;

use super::FieldError;

/// The query string.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrailsQuery {
    /// `west,south,east,north` in degrees (as GeoJSON's `bbox`); cut to 0.5° a side
    /// around its centre.
    #[param(
        pattern = r"^-?[0-9]{1,3}(\.[0-9]{1,12})?(,-?[0-9]{1,3}(\.[0-9]{1,12})?){3}$",
        example = "1.50,42.50,1.60,42.58"
    )]
    pub bbox: String,
}

/// `-?ddd(.dddddddddddd)?`, the pattern's number: up to three digits, up to twelve
/// decimals.
fn decimal(n: &str) -> Option<f64> {
    let digits = n.strip_prefix('-').unwrap_or(n);
    let (whole, decimals) = match digits.split_once('.') {
        Some((w, d)) => (w, Some(d)),
        None => (digits, None),
    };
    let all_digits = |s: &str, most: usize| {
        (1..=most).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let ok = all_digits(whole, 3) && decimals.is_none_or(|d| all_digits(d, 12));
    ok.then(|| n.parse().ok()).flatten()
}

/// A box on the globe, south-west to north-east, at most [`Area::MAX_SPAN_DEG`] a side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// South-west corner.
    pub south_west: Coord,
    /// North-east corner.
    pub north_east: Coord,
}

impl Area {
    /// Largest side, degrees.
    pub const MAX_SPAN_DEG: f64 = 0.5;

    /// Parses `west,south,east,north`.
    pub fn parse(bbox: &str) -> Result<Area, FieldError> {
        let four = || FieldError::new("bbox", "must be four numbers: west,south,east,north");
        let numbers: Vec<f64> = bbox
            .split(',')
            .map(|n| decimal(n).ok_or_else(four))
            .collect::<Result<_, _>>()?;
        let [w, s, e, n] = numbers[..] else {
            return Err(four());
        };
        if w > e {
            return Err(FieldError::new(
                "bbox",
                "west is beyond east: boxes across the antimeridian are not served",
            ));
        }
        let side = |a: f64, b: f64, limit: f64| {
            // Latitudes may come in either order; longitudes are in order (above).
            let (lo, hi) = (a.min(b).clamp(-limit, limit), a.max(b).clamp(-limit, limit));
            let half = ((hi - lo) / 2.0).min(Self::MAX_SPAN_DEG / 2.0);
            let mid = (lo + hi) / 2.0;
            (mid - half, mid + half)
        };
        let (west, east) = side(w, e, 180.0);
        let (south, north) = side(s, n, 90.0);
        Ok(Area {
            south_west: Coord {
                lon: west,
                lat: south,
            },
            north_east: Coord {
                lon: east,
                lat: north,
            },
        })
    }

    /// Whether the box of `line` meets this one.
    pub fn meets(&self, line: &[[f64; 2]]) -> bool {
        let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &[lon, lat] in line {
            w = w.min(lon);
            e = e.max(lon);
            s = s.min(lat);
            n = n.max(lat);
        }
        w <= self.north_east.lon
            && e >= self.south_west.lon
            && s <= self.north_east.lat
            && n >= self.south_west.lat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_are_ordered_clamped_and_the_box_cut_around_its_centre() {
        let a = Area::parse("1.5,42.58,1.6,42.5").unwrap();
        assert_eq!((a.south_west.lon, a.south_west.lat), (1.5, 42.5));
        assert_eq!((a.north_east.lon, a.north_east.lat), (1.6, 42.58));
        let big = Area::parse("0,40,4,44").unwrap();
        assert_eq!((big.south_west.lon, big.north_east.lon), (1.75, 2.25));
        assert_eq!((big.south_west.lat, big.north_east.lat), (41.75, 42.25));
        let off = Area::parse("-200,-95,-199,-91").unwrap();
        assert_eq!((off.south_west.lon, off.north_east.lat), (-180.0, -90.0));
        let across = Area::parse("179.9,0,-179.9,1").unwrap_err();
        assert!(across.message.contains("antimeridian"), "{across:?}");
        // Exactly the schema's pattern: what it refuses, the service refuses.
        for bad in [
            "",
            "1,2,3",
            "1,2,3,4,5",
            "a,b,c,d",
            "1,2,3,inf",
            " 1,2,3,4",
            "+1,2,3,4",
            "1.,2,3,4",
            ".5,2,3,4",
            "1e2,2,3,4",
            "1000,2,3,4",
            "0.1234567890123,2,3,4",
        ] {
            assert_eq!(Area::parse(bad).unwrap_err().field, "bbox", "{bad}");
        }
    }

    #[test]
    fn a_line_meets_the_box_when_their_boxes_overlap() {
        let a = Area::parse("1,42,2,43").unwrap();
        assert!(a.meets(&[[0.5, 42.5], [1.5, 42.5]]));
        assert!(a.meets(&[[0.5, 41.5], [2.5, 43.5]]), "crossing it");
        assert!(!a.meets(&[[2.1, 42.5], [2.5, 42.6]]));
    }
}
