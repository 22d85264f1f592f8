//! A trip's dates: the time zone of a place, and its sunrise and sunset on a date, in
//! that zone's local time (the offset of that date: right on both sides of a daylight
//! saving change).
//!
//! The zone comes from the zone boundaries embedded in the binary (`tzf-rs`, from
//! timezone-boundary-builder, OSM-derived: ODbL; at most ~100 m off along a border,
//! which matters only where neighbouring zones keep different time), its offsets from
//! the IANA database (`chrono-tz`). Sunrise and sunset are NREL's solar position
//! algorithm (`solar-positioning`), the sun's upper limb on a sea-level horizon with
//! standard refraction, as almanacs publish them; tested within 2 minutes of the US
//! Naval Observatory's tables.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate};
use chrono_tz::Tz;
use solar_positioning::{delta_t, Horizon, Location, SolarEvents};
use trailloop_geo::Coord;

/// The zone boundaries, loaded once (a few milliseconds).
static ZONES: LazyLock<tzf_rs::EmbeddedFinder> = LazyLock::new(tzf_rs::EmbeddedFinder::new);

/// The time zone at `at`; UTC where no zone is known (none is missing on land).
pub fn zone_at(at: Coord) -> Tz {
    ZONES.get_tz_name(at.lon, at.lat).parse().unwrap_or(Tz::UTC)
}

/// The sun on one local date at one place.
#[derive(Debug, Clone, PartialEq)]
pub enum Sun {
    /// It rises and sets (the set may fall after local midnight, far north or south).
    RisesAndSets {
        /// Sunrise, local time.
        sunrise: DateTime<Tz>,
        /// The sunset after it, local time.
        sunset: DateTime<Tz>,
    },
    /// It rises and does not set within a day and a half (the midnight sun begins).
    RisesOnly {
        /// Sunrise, local time.
        sunrise: DateTime<Tz>,
    },
    /// Above the horizon all day.
    PolarDay,
    /// Below the horizon all day.
    PolarNight,
}

/// The sun at `at` on the local `date` of `zone`; `None` for a date the algorithm does
/// not cover (before -2000 or after 6000).
pub fn sun(at: Coord, date: NaiveDate, zone: Tz) -> Option<Sun> {
    let events = SolarEvents::new();
    let location = Location {
        latitude: at.lat,
        longitude: at.lon,
    };
    let dt = delta_t::estimate_from_date_like(&date).ok()?;
    let day = events
        .for_date(date, &zone, location, dt, Horizon::SunriseSunset)
        .ok()?;
    let Some(&sunrise) = day.rises.first() else {
        return Some(if day.always_above() {
            Sun::PolarDay
        } else {
            Sun::PolarNight
        });
    };
    let sunset = match day.sets.iter().find(|s| **s > sunrise) {
        Some(s) => Some(*s),
        None => events
            .next_set(
                &sunrise,
                &(sunrise + Duration::hours(36)),
                location,
                dt,
                Horizon::SunriseSunset,
            )
            .ok()?,
    };
    Some(match sunset {
        Some(sunset) => Sun::RisesAndSets { sunrise, sunset },
        None => Sun::RisesOnly { sunrise },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, Utc};

    fn at(lat: f64, lon: f64) -> Coord {
        Coord { lat, lon }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Minutes between `a` and the reference `b`.
    fn off(a: &DateTime<Tz>, b: DateTime<Utc>) -> f64 {
        (a.with_timezone(&Utc) - b).num_seconds().abs() as f64 / 60.0
    }

    #[test]
    fn zones_are_found_by_position() {
        assert_eq!(zone_at(at(42.5078, 1.5211)), Tz::Europe__Andorra);
        assert_eq!(zone_at(at(36.0544, -112.1401)), Tz::America__Phoenix);
        assert_eq!(zone_at(at(35.6712, -109.0524)), Tz::America__Denver);
        assert_eq!(zone_at(at(-50.94, -73.41)), Tz::America__Punta_Arenas);
    }

    /// US Naval Observatory, "Sun and Moon Data for One Day" and its yearly rise/set
    /// tables (to the minute), in UTC: place, local date, sunrise, sunset.
    const USNO: [(f64, f64, &str, &str, &str); 7] = [
        // Washington DC, solstices 2005.
        (
            38.8833,
            -77.0333,
            "2005-06-21",
            "2005-06-21 09:43",
            "2005-06-22 00:37",
        ),
        (
            38.8833,
            -77.0333,
            "2005-12-21",
            "2005-12-21 12:23",
            "2005-12-21 21:50",
        ),
        // 39 N 94 W, 2019-05-03.
        (
            39.0,
            -94.0,
            "2019-05-03",
            "2019-05-03 11:16",
            "2019-05-04 01:11",
        ),
        // Anchorage, solstices 2020.
        (
            61.2167,
            -149.8667,
            "2020-06-20",
            "2020-06-20 12:20",
            "2020-06-21 07:42",
        ),
        (
            61.2167,
            -149.8667,
            "2020-12-21",
            "2020-12-21 19:14",
            "2020-12-22 00:42",
        ),
        // Auckland, southern winter solstice (NZST, UTC+12).
        (
            -36.8333,
            174.8,
            "2020-06-21",
            "2020-06-20 19:34",
            "2020-06-21 05:12",
        ),
        // Longyearbyen, 78 N, April.
        (
            78.2167,
            15.6333,
            "2020-04-15",
            "2020-04-15 00:38",
            "2020-04-15 21:33",
        ),
    ];

    #[test]
    fn sunrise_and_sunset_are_within_two_minutes_of_the_naval_observatory() {
        for (lat, lon, day, rise, set) in USNO {
            let place = at(lat, lon);
            let zone = zone_at(place);
            let Some(Sun::RisesAndSets { sunrise, sunset }) = sun(place, date(day), zone) else {
                panic!("no rise and set at {lat},{lon} on {day}");
            };
            assert!(
                off(&sunrise, utc(rise)) <= 2.0,
                "{day} {lat}: sunrise {sunrise}"
            );
            assert!(
                off(&sunset, utc(set)) <= 2.0,
                "{day} {lat}: sunset {sunset}"
            );
            // Local time: the local date asked for.
            assert_eq!(sunrise.date_naive(), date(day), "{sunrise}");
        }
    }

    #[test]
    fn polar_day_and_night_are_told_apart() {
        let longyearbyen = at(78.2167, 15.6333);
        let zone = zone_at(longyearbyen);
        assert_eq!(
            sun(longyearbyen, date("2020-06-21"), zone),
            Some(Sun::PolarDay)
        );
        assert_eq!(
            sun(longyearbyen, date("2020-12-21"), zone),
            Some(Sun::PolarNight)
        );
    }

    #[test]
    fn the_offset_follows_daylight_saving_time() {
        let andorra = at(42.5063, 1.5218);
        let zone = zone_at(andorra);
        let day = |d: &str| match sun(andorra, date(d), zone) {
            Some(Sun::RisesAndSets { sunrise, sunset }) => (sunrise, sunset),
            other => panic!("{other:?}"),
        };
        // Summer time begins on 2026-03-29 and ends on 2026-10-25.
        for (before, after, from, to) in [
            ("2026-03-28", "2026-03-29", "+01:00", "+02:00"),
            ("2026-10-24", "2026-10-25", "+02:00", "+01:00"),
        ] {
            let (a, _) = day(before);
            let (b, b_set) = day(after);
            assert!(a.to_rfc3339().ends_with(from), "{a}");
            assert!(b.to_rfc3339().ends_with(to), "{b}");
            assert!(b_set.to_rfc3339().ends_with(to), "{b_set}");
            // The sun moves by a minute or two a day; the clock by an hour.
            let drift = (b.with_timezone(&Utc) - a.with_timezone(&Utc) - Duration::days(1))
                .num_seconds()
                .abs();
            assert!(drift < 180, "{a} -> {b}");
        }
    }
}
