//! `seasonal=*`, of places and of ways: the meteorological seasons by hemisphere, the
//! month either side of a season unknown, other values read as opening hours.

use chrono::{Datelike, NaiveDate};

use super::hours::{midnight, parse_hours, state_over, Open, MAX_VALUE_LEN};

/// `seasonal=value` on `date` at latitude `lat` (see [`place_open`]).
pub(super) fn season_on(value: &str, date: NaiveDate, lat: f64) -> Open {
    if value.len() > MAX_VALUE_LEN {
        return Open::Unknown;
    }
    let mut any_unknown = false;
    let mut any = false;
    for item in value.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        any = true;
        match season_item(item, date, lat) {
            Open::Yes => return Open::Yes,
            Open::Unknown => any_unknown = true,
            Open::No => {}
        }
    }
    if any && !any_unknown {
        Open::No
    } else {
        Open::Unknown
    }
}

/// One item of a `seasonal` list on `date`.
fn season_item(item: &str, date: NaiveDate, lat: f64) -> Open {
    // The first month of each meteorological season, north of the equator; south of
    // it, each is six months on (summer there is December to February).
    let start = match item {
        "no" => return Open::Yes,
        "yes" | "dry_season" | "wet_season" => return Open::Unknown,
        "spring" => 3,
        "summer" => 6,
        "autumn" => 9,
        "winter" => 12,
        other => {
            // Some mappers write months (`May-Oct`): read as opening hours over the day.
            let Some(hours) = parse_hours(other) else {
                return Open::Unknown;
            };
            let Some(next) = date.succ_opt() else {
                return Open::Unknown;
            };
            return state_over(&hours, midnight(date), midnight(next)).unwrap_or(Open::Unknown);
        }
    };
    let start = if lat < 0.0 {
        (start + 6 - 1) % 12 + 1
    } else {
        start
    };
    // Months after the season's first, 0..12: 0-2 in the season, 11 the month before
    // it and 3 the month after it.
    let since = (date.month() + 12 - start) % 12;
    match since {
        0..=2 => Open::Yes,
        3 | 11 => Open::Unknown,
        _ => Open::No,
    }
}
