//! Whether a place to sleep is open on a night ([`place_open`]), from
//! `opening_hours=*`, `seasonal=*` and `winter_room=*`.

use chrono::NaiveDate;
use trailloop_osm::PoiDetails;

use super::hours::{midnight, parse_hours, state_over, Open};
use super::seasons::season_on;

/// A place's openness on a night and the tag it was read from (`opening_hours`,
/// `seasonal`, `winter_room`; None when OSM says nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    /// Open, closed or not known.
    pub open: Open,
    /// The tag the answer was read from; `None` when OSM says nothing of it.
    pub tag: Option<&'static str>,
}

/// `opening_hours=value` on the evening of `night` (16:00 to midnight); `None` when the
/// value does not decide (see [`parse_hours`]).
fn evening_state(value: &str, night: NaiveDate) -> Option<Open> {
    let hours = parse_hours(value)?;
    let from = night.and_hms_opt(16, 0, 0)?;
    let to = midnight(night.succ_opt()?);
    state_over(&hours, from, to)
}

/// Whether the place of `details` is open on the evening of `night`.
///
/// `night`: the local date of the evening the hiker arrives; `lat`: for the hemisphere
/// of named seasons (`seasonal=summer` is June to August north of the equator,
/// December to February south of it).
///
/// - `opening_hours`, when the crate reads it and it is more than a comment, is looked
///   at from 16:00 to midnight: open at some time then is [`Open::Yes`], closed all
///   the time [`Open::No`], else [`Open::Unknown`]. A value it cannot read, or a
///   comment only (`"on request"`), does not decide.
/// - `seasonal` decides when `opening_hours` does not say yes or no: `no` is open all
///   year; a named season is open in its months, unknown in the months next to it (a
///   place often opens a little before or closes a little after), closed otherwise;
///   `yes`, `dry_season` and `wet_season` are unknown; a `;`-list is open if any of
///   its items is; other values are read as opening hours (`May-Oct`), else unknown.
/// - A closed hut with a `winter_room` (not `no`) is open: the winter room is.
/// - Nothing tagged: unknown, with no tag.
pub fn place_open(details: &PoiDetails, night: NaiveDate, lat: f64) -> Opening {
    let oh_value = details.opening_hours.as_deref();
    let by_hours = oh_value.and_then(|v| evening_state(v, night));
    let answer = match by_hours {
        Some(open @ (Open::Yes | Open::No)) => Opening {
            open,
            tag: Some("opening_hours"),
        },
        _ => match details.seasonal.as_deref() {
            Some(value) => match season_on(value, night, lat) {
                Open::Unknown if oh_value.is_some() => Opening {
                    open: Open::Unknown,
                    tag: Some("opening_hours"),
                },
                open => Opening {
                    open,
                    tag: Some("seasonal"),
                },
            },
            None => Opening {
                open: Open::Unknown,
                tag: oh_value.map(|_| "opening_hours"),
            },
        },
    };
    let winter_room = details
        .winter_room
        .as_deref()
        .is_some_and(|v| v.trim() != "no");
    if answer.open == Open::No && winter_room {
        return Opening {
            open: Open::Yes,
            tag: Some("winter_room"),
        };
    }
    answer
}
