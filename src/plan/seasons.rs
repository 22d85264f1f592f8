//! A trip's dates against what OSM says of them: whether a place to sleep is open on a
//! night ([`place_open`]), and whether a way is closed to walkers at some time of a day
//! ([`way_closed`]).
//!
//! Places are read from `opening_hours=*`, `seasonal=*` and `winter_room=*`; ways from
//! `foot:conditional=*`, `access:conditional=*` (`value @ (condition); ...`) and
//! `seasonal=*`. Opening hours and the conditions of restrictions are parsed and
//! evaluated with the `opening-hours` crate (OSM's opening_hours syntax); the
//! restrictions are split into their rules here.
//!
//! Public holidays (`PH`, `SH`) match no day: the crate needs the country's holidays,
//! and the country is not known here. A rule that names them is read as if the day were
//! no holiday.
//!
//! Times are local times of the place or the way; nothing here changes time zones.
//! What cannot be read says nothing: an unreadable value leaves a place's openness
//! unknown and does not close a way. Values longer than [`MAX_VALUE_LEN`] bytes are not
//! read, and the work on a value is bounded.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use opening_hours::{OpeningHours, RuleKind, DATE_END};
use trailloop_osm::{PoiDetails, WayConditions};

/// Values longer than this (bytes) are not read: they say nothing.
const MAX_VALUE_LEN: usize = 1000;

/// At most this many intervals of one expression are read over a window.
const MAX_INTERVALS: usize = 2000;

/// At most this many rules of one conditional value are read.
const MAX_RULES: usize = 32;

/// At most this many dates of a way's window are checked against its season.
const MAX_SEASON_DAYS: i64 = 400;

/// Whether a place is open, as a night's answer says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Open {
    /// Open that evening.
    Yes,
    /// Closed all that evening.
    No,
    /// Not known: nothing said, or nothing that could be read.
    Unknown,
}

impl Open {
    /// `"yes"`, `"no"` or `"unknown"`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Open::Yes => "yes",
            Open::No => "no",
            Open::Unknown => "unknown",
        }
    }
}

/// A place's openness on a night and the tag it was read from (`opening_hours`,
/// `seasonal`, `winter_room`; None when OSM says nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Opening {
    /// Open, closed or not known.
    pub open: Open,
    /// The tag the answer was read from; `None` when OSM says nothing of it.
    pub tag: Option<&'static str>,
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
pub(crate) fn place_open(details: &PoiDetails, night: NaiveDate, lat: f64) -> Opening {
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

/// Whether `c` closes the way to walkers at some time in `from..to` (local times of the
/// way); unknown conditions do not close it.
///
/// The rules of `foot:conditional` decide at the times one of them holds, else those of
/// `access:conditional`; at a time, the last rule that holds decides (the OSM wiki,
/// "Conditional restrictions", section "Evaluation of conflicting restrictions": the
/// later one takes precedence), and it closes the way when its value is `no` or
/// `private`. A rule holds when each part of its condition (joined by ` AND `) is an
/// opening-hours expression open at that time; a part that is not (`wet`, `snow`,
/// `weight>3`, `stay<2 hours`) is unknown, and its rule is never taken as holding.
/// Then the way's `seasonal`: a date of the window outside its season (as for places,
/// [`place_open`]) closes it. An empty window (`to <= from`) closes nothing.
pub(crate) fn way_closed(
    c: &WayConditions,
    from: NaiveDateTime,
    to: NaiveDateTime,
    lat: f64,
) -> bool {
    if to <= from {
        return false;
    }
    let foot = rules_over(c.foot_conditional.as_deref(), from, to);
    let access = rules_over(c.access_conditional.as_deref(), from, to);
    if restricted_sometime(&foot, &access, from, to) {
        return true;
    }
    let Some(season) = c.seasonal.as_deref() else {
        return false;
    };
    let first = from.date();
    let last = (to - Duration::nanoseconds(1)).date();
    let mut day = first;
    for _ in 0..MAX_SEASON_DAYS {
        if season_on(season, day, lat) == Open::No {
            return true;
        }
        match day.succ_opt() {
            Some(next) if next <= last => day = next,
            _ => break,
        }
    }
    false
}

/// `value` read as opening hours: `None` when the crate does not read it, when it is
/// empty or longer than [`MAX_VALUE_LEN`], or when it is comments only (`"on request"`:
/// the crate reads that as open all the time, with the comment).
fn parse_hours(value: &str) -> Option<OpeningHours> {
    let value = value.trim();
    if value.is_empty() || value.len() > MAX_VALUE_LEN || comments_only(value) {
        return None;
    }
    let hours: OpeningHours = value.parse().ok()?;
    if hours.get_expression().rules.is_empty() {
        return None;
    }
    Some(hours)
}

/// Whether `value` has nothing but quoted comments and the separators between rules.
fn comments_only(value: &str) -> bool {
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            ';' | ',' | '|' => {}
            c if c.is_whitespace() => {}
            _ => return false,
        }
    }
    true
}

/// The start of `date` (local midnight).
fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN)
}

/// What `hours` says of `from..to`: open at some time, closed all the time, or unknown
/// (some of it unknown, none open). `None` outside the years the crate evaluates
/// (1900-9999: closed there, which says nothing).
fn state_over(hours: &OpeningHours, from: NaiveDateTime, to: NaiveDateTime) -> Option<Open> {
    let first = midnight(NaiveDate::from_ymd_opt(1900, 1, 1)?);
    if from < first || to > DATE_END || to <= from {
        return None;
    }
    let mut unknown = false;
    for range in hours.iter_range(from, to).take(MAX_INTERVALS) {
        match range.kind {
            RuleKind::Open => return Some(Open::Yes),
            RuleKind::Unknown => unknown = true,
            RuleKind::Closed => {}
        }
    }
    Some(if unknown { Open::Unknown } else { Open::No })
}

/// `opening_hours=value` on the evening of `night` (16:00 to midnight); `None` when the
/// value does not decide (see [`parse_hours`]).
fn evening_state(value: &str, night: NaiveDate) -> Option<Open> {
    let hours = parse_hours(value)?;
    let from = night.and_hms_opt(16, 0, 0)?;
    let to = midnight(night.succ_opt()?);
    state_over(&hours, from, to)
}

/// `seasonal=value` on `date` at latitude `lat` (see [`place_open`]).
fn season_on(value: &str, date: NaiveDate, lat: f64) -> Open {
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

/// One rule of a conditional restriction over a window: its value and the times of the
/// window at which its condition holds (empty when it never does, or is unknown).
struct Rule {
    /// Whether its value (`no`, `private`) closes the way.
    closes: bool,
    /// Disjoint, sorted intervals of the window.
    holds: Vec<(NaiveDateTime, NaiveDateTime)>,
}

/// The rules of a conditional value, in their order, over `from..to`.
fn rules_over(value: Option<&str>, from: NaiveDateTime, to: NaiveDateTime) -> Vec<Rule> {
    let Some(value) = value.filter(|v| v.len() <= MAX_VALUE_LEN) else {
        return Vec::new();
    };
    split_outside_parens(value, ";")
        .into_iter()
        .take(MAX_RULES)
        .filter_map(|rule| {
            let (value, condition) = rule.split_once('@')?;
            let closes = matches!(value.trim(), "no" | "private");
            let mut holds = vec![(from, to)];
            for part in split_outside_parens(strip_parens(condition), " AND ") {
                let part_holds = parse_hours(strip_parens(part))
                    .map(|hours| open_intervals(&hours, from, to))
                    .unwrap_or_default();
                holds = intersect(&holds, &part_holds);
            }
            Some(Rule { closes, holds })
        })
        .collect()
}

/// Whether, at some time of `from..to`, the rule that decides closes the way: the last
/// holding rule of `foot`, else of `access` when no rule of `foot` holds then.
fn restricted_sometime(
    foot: &[Rule],
    access: &[Rule],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> bool {
    // The state changes only where some rule starts or stops holding: look at the
    // start of every piece between those times.
    let mut cuts: Vec<NaiveDateTime> = vec![from];
    for rule in foot.iter().chain(access) {
        for &(start, end) in &rule.holds {
            cuts.push(start);
            cuts.push(end);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let decider = |rules: &[Rule], at: NaiveDateTime| {
        rules
            .iter()
            .rev()
            .find(|r| r.holds.iter().any(|&(s, e)| s <= at && at < e))
            .map(|r| r.closes)
    };
    cuts.into_iter()
        .filter(|&at| at < to)
        .any(|at| decider(foot, at).or_else(|| decider(access, at)) == Some(true))
}

/// The intervals of `from..to` at which `hours` is open, sorted and disjoint.
fn open_intervals(
    hours: &OpeningHours,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let Some(first) = NaiveDate::from_ymd_opt(1900, 1, 1).map(midnight) else {
        return Vec::new();
    };
    if from < first || to > DATE_END {
        return Vec::new();
    }
    hours
        .iter_range(from, to)
        .take(MAX_INTERVALS)
        .filter(|r| r.kind == RuleKind::Open)
        .map(|r| (r.range.start, r.range.end))
        .filter(|(s, e)| s < e)
        .collect()
}

/// The times in both `a` and `b` (each sorted and disjoint).
fn intersect(
    a: &[(NaiveDateTime, NaiveDateTime)],
    b: &[(NaiveDateTime, NaiveDateTime)],
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let start = a[i].0.max(b[j].0);
        let end = a[i].1.min(b[j].1);
        if start < end {
            out.push((start, end));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `s` split at each `sep` outside parentheses (an unbalanced `(` keeps the rest in one
/// piece; a stray `)` is ignored). Quoted comments are not looked into: a `;` in
/// `"..."` does not split.
fn split_outside_parens<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let (mut pieces, mut depth, mut quoted, mut start) = (Vec::new(), 0usize, false, 0);
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth = depth.saturating_sub(1),
            _ if !quoted && depth == 0 && bytes[i..].starts_with(sep.as_bytes()) => {
                pieces.push(&s[start..i]);
                i += sep.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    pieces.push(&s[start..]);
    pieces
}

/// `s` trimmed, without one pair of parentheses around all of it.
fn strip_parens(s: &str) -> &str {
    let s = s.trim();
    let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
        return s;
    };
    // `(a) AND (b)` starts and ends with parentheses that are not one pair.
    let mut depth = 0usize;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return s,
            ')' => depth -= 1,
            _ => {}
        }
    }
    inner.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn place(
        opening_hours: Option<&str>,
        seasonal: Option<&str>,
        winter_room: Option<&str>,
    ) -> PoiDetails {
        PoiDetails {
            osm_tag: "camp_site".into(),
            opening_hours: opening_hours.map(Into::into),
            seasonal: seasonal.map(Into::into),
            winter_room: winter_room.map(Into::into),
            ..PoiDetails::default()
        }
    }

    fn hours(value: &str, night: &str) -> Opening {
        place_open(&place(Some(value), None, None), date(night), 42.5)
    }

    fn seasonal(value: &str, night: &str, lat: f64) -> Opening {
        place_open(&place(None, Some(value), None), date(night), lat)
    }

    fn opening(open: Open, tag: &'static str) -> Opening {
        Opening {
            open,
            tag: Some(tag),
        }
    }

    fn foot(value: &str) -> WayConditions {
        WayConditions {
            foot_conditional: Some(value.into()),
            ..WayConditions::default()
        }
    }

    fn closed(c: &WayConditions, from: &str, to: &str) -> bool {
        way_closed(c, at(from), at(to), 42.5)
    }

    #[test]
    fn open_as_str() {
        assert_eq!(Open::Yes.as_str(), "yes");
        assert_eq!(Open::No.as_str(), "no");
        assert_eq!(Open::Unknown.as_str(), "unknown");
    }

    /// Three camp sites of the Andorra extract have exactly this value.
    #[test]
    fn summer_camp_site_open_in_july_closed_in_january() {
        let v = "Jun 15-Sep 15";
        assert_eq!(hours(v, "2026-07-15"), opening(Open::Yes, "opening_hours"));
        assert_eq!(hours(v, "2026-01-15"), opening(Open::No, "opening_hours"));
    }

    #[test]
    fn summer_camp_site_boundary_nights() {
        let v = "Jun 15-Sep 15";
        assert_eq!(hours(v, "2026-06-14").open, Open::No);
        assert_eq!(hours(v, "2026-06-15").open, Open::Yes);
        assert_eq!(hours(v, "2026-09-15").open, Open::Yes);
        assert_eq!(hours(v, "2026-09-16").open, Open::No);
    }

    #[test]
    fn daily_hours_are_read_in_the_evening() {
        assert_eq!(hours("Mo-Su 08:00-20:00", "2026-03-04").open, Open::Yes);
        assert_eq!(hours("24/7", "2026-03-04").open, Open::Yes);
        // A reception open in the morning only: closed by evening.
        assert_eq!(hours("Mo-Su 08:00-12:00", "2026-03-04").open, Open::No);
        // Wednesday 2026-03-04: closed on Wednesdays.
        assert_eq!(
            hours("Mo-Tu,Th-Su 16:00-22:00", "2026-03-04").open,
            Open::No
        );
        assert_eq!(
            hours("Mo-Tu,Th-Su 16:00-22:00", "2026-03-05").open,
            Open::Yes
        );
        assert_eq!(
            hours("unknown", "2026-03-04"),
            opening(Open::Unknown, "opening_hours")
        );
    }

    #[test]
    fn closed_hut_with_a_winter_room_is_open() {
        let night = date("2026-01-15");
        let off = place(Some("off"), None, None);
        assert_eq!(
            place_open(&off, night, 42.5),
            opening(Open::No, "opening_hours")
        );
        let room = place(Some("off"), None, Some("yes"));
        assert_eq!(
            place_open(&room, night, 42.5),
            opening(Open::Yes, "winter_room")
        );
        let no_room = place(Some("off"), None, Some("no"));
        assert_eq!(
            place_open(&no_room, night, 42.5),
            opening(Open::No, "opening_hours")
        );
        // Closed by its season: the winter room too.
        let summer = place(None, Some("summer"), Some("yes"));
        assert_eq!(
            place_open(&summer, night, 42.5),
            opening(Open::Yes, "winter_room")
        );
        // Open: the hut itself.
        let open = place(Some("24/7"), None, Some("yes"));
        assert_eq!(
            place_open(&open, night, 42.5),
            opening(Open::Yes, "opening_hours")
        );
    }

    #[test]
    fn comments_and_unreadable_hours_are_unknown() {
        for v in [
            "\"on request\"",
            "on request",
            "\"sur réservation\"; \"tel. +376\"",
            "Jun 15–Sep 15",
            "Jun 15-Sep 15: 24/7",
            "summer",
            "",
            "   ",
        ] {
            assert_eq!(
                hours(v, "2026-07-15"),
                opening(Open::Unknown, "opening_hours"),
                "{v:?}"
            );
        }
    }

    #[test]
    fn unreadable_hours_leave_it_to_the_season() {
        let p = place(Some("\"on request\""), Some("summer"), None);
        assert_eq!(
            place_open(&p, date("2026-07-15"), 46.0),
            opening(Open::Yes, "seasonal")
        );
        assert_eq!(
            place_open(&p, date("2026-01-15"), 46.0),
            opening(Open::No, "seasonal")
        );
        // Neither decides: unknown, from the hours.
        assert_eq!(
            place_open(&p, date("2026-09-15"), 46.0),
            opening(Open::Unknown, "opening_hours")
        );
    }

    #[test]
    fn hours_decide_over_the_season() {
        let p = place(Some("off"), Some("summer"), None);
        assert_eq!(
            place_open(&p, date("2026-07-15"), 46.0),
            opening(Open::No, "opening_hours")
        );
        let p = place(Some("Jun 15-Sep 15"), Some("summer"), None);
        assert_eq!(
            place_open(&p, date("2026-06-10"), 46.0),
            opening(Open::No, "opening_hours")
        );
    }

    #[test]
    fn named_seasons_by_hemisphere() {
        let north = 46.0;
        assert_eq!(
            seasonal("summer", "2026-07-15", north),
            opening(Open::Yes, "seasonal")
        );
        assert_eq!(seasonal("summer", "2026-06-01", north).open, Open::Yes);
        assert_eq!(
            seasonal("summer", "2026-01-15", north),
            opening(Open::No, "seasonal")
        );
        assert_eq!(
            seasonal("summer", "2026-09-15", north),
            opening(Open::Unknown, "seasonal")
        );
        assert_eq!(seasonal("summer", "2026-05-31", north).open, Open::Unknown);
        assert_eq!(seasonal("winter", "2026-01-15", north).open, Open::Yes);
        assert_eq!(seasonal("winter", "2026-12-01", north).open, Open::Yes);
        assert_eq!(seasonal("winter", "2026-03-15", north).open, Open::Unknown);
        assert_eq!(seasonal("winter", "2026-07-15", north).open, Open::No);
        let south = -45.0;
        assert_eq!(seasonal("summer", "2026-01-15", south).open, Open::Yes);
        assert_eq!(seasonal("summer", "2026-07-15", south).open, Open::No);
        assert_eq!(seasonal("autumn", "2026-04-15", south).open, Open::Yes);
        assert_eq!(seasonal("spring", "2026-04-15", south).open, Open::No);
    }

    #[test]
    fn other_seasonal_values() {
        let night = "2026-07-15";
        assert_eq!(seasonal("no", night, 46.0), opening(Open::Yes, "seasonal"));
        for v in ["yes", "dry_season", "wet_season", "sometimes", ""] {
            assert_eq!(
                seasonal(v, night, 46.0),
                opening(Open::Unknown, "seasonal"),
                "{v:?}"
            );
        }
        assert_eq!(
            seasonal("spring;summer", "2026-04-15", 46.0).open,
            Open::Yes
        );
        assert_eq!(
            seasonal("spring; summer", "2026-07-15", 46.0).open,
            Open::Yes
        );
        assert_eq!(seasonal("spring;summer", "2026-10-15", 46.0).open, Open::No);
        assert_eq!(
            seasonal("spring;summer", "2026-09-15", 46.0).open,
            Open::Unknown
        );
        // Months, read as opening hours.
        assert_eq!(seasonal("May-Oct", "2026-07-15", 46.0).open, Open::Yes);
        assert_eq!(seasonal("May-Oct", "2026-01-15", 46.0).open, Open::No);
    }

    #[test]
    fn nothing_tagged_is_unknown() {
        let p = place(None, None, None);
        let answer = place_open(&p, date("2026-07-15"), 46.0);
        assert_eq!(
            answer,
            Opening {
                open: Open::Unknown,
                tag: None
            }
        );
        // A winter room alone does not say whether the hut is open.
        let p = place(None, None, Some("yes"));
        assert_eq!(place_open(&p, date("2026-07-15"), 46.0).open, Open::Unknown);
    }

    #[test]
    fn winter_closure() {
        let c = foot("no @ (Nov-Apr)");
        assert!(closed(&c, "2026-12-15 08:00", "2026-12-15 17:00"));
        assert!(!closed(&c, "2026-07-15 08:00", "2026-07-15 17:00"));
        // Without parentheses too.
        assert!(closed(
            &foot("no @ Nov-Apr"),
            "2026-12-15 08:00",
            "2026-12-15 17:00"
        ));
        // The last day of October to the first of November.
        assert!(closed(&c, "2026-10-31 08:00", "2026-11-01 17:00"));
        assert!(!closed(&c, "2026-10-31 08:00", "2026-11-01 00:00"));
    }

    #[test]
    fn night_closure_is_not_a_day_closure() {
        let c = foot("no @ (22:00-06:00)");
        assert!(!closed(&c, "2026-07-15 08:00", "2026-07-15 17:00"));
        assert!(closed(&c, "2026-07-15 17:00", "2026-07-15 23:00"));
        assert!(closed(&c, "2026-07-15 05:00", "2026-07-15 17:00"));
    }

    /// The wiki: where restrictions conflict, the later one takes precedence.
    #[test]
    fn the_later_rule_wins() {
        let c = foot("no @ (Mar 01-Jul 31); yes @ (Jul 01-Jul 31)");
        assert!(!closed(&c, "2026-07-10 08:00", "2026-07-10 17:00"));
        assert!(closed(&c, "2026-06-10 08:00", "2026-06-10 17:00"));
        assert!(!closed(&c, "2026-08-10 08:00", "2026-08-10 17:00"));
        // A window that starts on the last closed day.
        assert!(closed(&c, "2026-06-30 08:00", "2026-07-01 17:00"));
        // The other order: the closure wins.
        let c = foot("yes @ (Jul 01-Jul 31); no @ (Mar 01-Jul 31)");
        assert!(closed(&c, "2026-07-10 08:00", "2026-07-10 17:00"));
    }

    #[test]
    fn access_decides_where_foot_says_nothing() {
        let c = WayConditions {
            access_conditional: Some("no @ (Nov-Apr)".into()),
            ..WayConditions::default()
        };
        assert!(closed(&c, "2026-12-15 08:00", "2026-12-15 17:00"));
        assert!(!closed(&c, "2026-07-15 08:00", "2026-07-15 17:00"));
        // A rule of foot holds: it decides.
        let c = WayConditions {
            foot_conditional: Some("yes @ (Dec)".into()),
            access_conditional: Some("no @ (Nov-Apr)".into()),
            seasonal: None,
        };
        assert!(!closed(&c, "2026-12-15 08:00", "2026-12-15 17:00"));
        // None of foot holds in January: access decides.
        assert!(closed(&c, "2027-01-15 08:00", "2027-01-15 17:00"));
    }

    #[test]
    fn values_that_close() {
        let day = ("2026-07-15 08:00", "2026-07-15 17:00");
        for (value, closes) in [
            ("no @ (Jul)", true),
            ("private @ (Jul)", true),
            ("yes @ (Jul)", false),
            ("destination @ (Jul)", false),
            ("permissive @ (Jul)", false),
            ("discouraged @ (Jul)", false),
        ] {
            assert_eq!(closed(&foot(value), day.0, day.1), closes, "{value}");
        }
    }

    #[test]
    fn unknown_conditions_do_not_close() {
        for value in [
            "no @ wet",
            "no @ (wet)",
            "no @ snow",
            "no @ (weight>3)",
            "no @ (stay<2 hours)",
            "no @ (Dec-Mar AND wet)",
            "no @ (\"during the hunt\")",
            "no",
            "no @",
        ] {
            assert!(
                !closed(&foot(value), "2026-12-15 08:00", "2026-12-15 17:00"),
                "{value}"
            );
        }
    }

    #[test]
    fn conditions_joined_by_and() {
        let c = foot("no @ (Dec-Mar AND 18:00-08:00)");
        assert!(!closed(&c, "2026-12-15 08:00", "2026-12-15 17:00"));
        assert!(closed(&c, "2026-12-15 17:00", "2026-12-15 20:00"));
        assert!(!closed(&c, "2026-07-15 17:00", "2026-07-15 20:00"));
        // Each part holds at some time of the window, never both at once: not closed.
        let c2 = foot("no @ (Dec-Mar AND 10:00-12:00)");
        assert!(!closed(&c2, "2026-11-30 11:00", "2026-12-01 09:00"));
        assert!(closed(&c2, "2026-11-30 11:00", "2026-12-01 11:00"));
        // Parts in parentheses of their own.
        let c = foot("no @ ((Dec-Mar) AND (18:00-08:00))");
        assert!(closed(&c, "2026-12-15 17:00", "2026-12-15 20:00"));
    }

    #[test]
    fn way_season() {
        let winter_way = WayConditions {
            seasonal: Some("winter".into()),
            ..WayConditions::default()
        };
        assert!(closed(&winter_way, "2026-07-15 08:00", "2026-07-15 17:00"));
        assert!(!closed(&winter_way, "2026-01-15 08:00", "2026-01-15 17:00"));
        // Next to its season: not known, not closed.
        assert!(!closed(&winter_way, "2026-11-15 08:00", "2026-11-15 17:00"));
        // A window reaching into a closed month.
        assert!(closed(&winter_way, "2026-03-31 08:00", "2026-04-01 17:00"));
        for value in ["no", "yes", "wet_season"] {
            let c = WayConditions {
                seasonal: Some(value.into()),
                ..WayConditions::default()
            };
            assert!(
                !closed(&c, "2026-07-15 08:00", "2026-07-15 17:00"),
                "{value}"
            );
        }
        let south = WayConditions {
            seasonal: Some("winter".into()),
            ..WayConditions::default()
        };
        assert!(!way_closed(
            &south,
            at("2026-07-15 08:00"),
            at("2026-07-15 17:00"),
            -45.0
        ));
    }

    #[test]
    fn empty_window_closes_nothing() {
        let c = foot("no @ (Nov-Apr)");
        assert!(!closed(&c, "2026-12-15 08:00", "2026-12-15 08:00"));
        assert!(!closed(&c, "2026-12-15 17:00", "2026-12-15 08:00"));
    }

    #[test]
    fn long_values_are_not_read() {
        let long = "no @ (Nov-Apr); ".repeat(70);
        assert!(long.len() > MAX_VALUE_LEN);
        assert!(!closed(
            &foot(&long),
            "2026-12-15 08:00",
            "2026-12-15 17:00"
        ));
        let p = place(Some(&format!("off; {}", "\"x\" ".repeat(300))), None, None);
        assert_eq!(place_open(&p, date("2026-07-15"), 46.0).open, Open::Unknown);
    }

    #[test]
    fn splitter() {
        assert_eq!(
            split_outside_parens("no @ (Mo-Fr 08:00-12:00; Sa 09:00-10:00); yes @ (Su)", ";"),
            vec!["no @ (Mo-Fr 08:00-12:00; Sa 09:00-10:00)", " yes @ (Su)"]
        );
        assert_eq!(split_outside_parens("a @ (b; c", ";"), vec!["a @ (b; c"]);
        assert_eq!(split_outside_parens("a) ; b", ";"), vec!["a) ", " b"]);
        assert_eq!(
            split_outside_parens("a @ \"x; y\"; b", ";"),
            vec!["a @ \"x; y\"", " b"]
        );
        assert_eq!(strip_parens(" (a) AND (b) "), "(a) AND (b)");
        assert_eq!(strip_parens("((a))"), "(a)");
        assert_eq!(strip_parens("(a"), "(a");
    }

    /// Odd and broken values, and strings made of the syntax's own pieces at random:
    /// no panic, and a bounded time.
    #[test]
    fn garbage_does_not_panic() {
        let fixed = [
            "",
            "(",
            ")",
            "((((",
            "))))",
            "@",
            "@@",
            ";",
            ";;;",
            "\"",
            "\"\"\"",
            "no @ (",
            "no @ )",
            "no @ ((Nov-Apr)",
            "no @ (Nov-Apr))",
            "no @ (Nov-Apr",
            " AND ",
            "no @ ( AND )",
            "no @ (AND)",
            "🏔️ @ (❄️)",
            "nö @ (Növ-Äpr)",
            "Jun 15–Sep 15",
            "Jun 31-Feb 30",
            "Feb 29",
            "9999 Dec 31",
            "1899-1900",
            "week 53",
            "week 00",
            "25:00-26:00",
            "24:00-48:00",
            "sunrise-sunset",
            "(sunrise+01:00)-(sunset-01:00)",
            "easter +1000 days",
            "2026 Jan 01-2025 Dec 31",
            "Mo[6]",
            "Mo[-5]",
            "PH",
            "SH off",
            "\u{0}",
            "\u{feff}no @ (Nov-Apr)",
            "no\u{a0}@\u{a0}(Nov-Apr)",
        ];
        let pieces = [
            "no",
            "yes",
            "private",
            " @ ",
            "(",
            ")",
            ";",
            " AND ",
            "Nov-Apr",
            "Jun 15",
            "-",
            "Sep 15",
            "22:00-06:00",
            "Mo-Fr",
            "off",
            "\"x\"",
            "wet",
            "PH",
            "24/7",
            "sunrise",
            "+",
            ",",
            "week 01-53/2",
            "2026",
            "easter",
            "é",
            "⛺",
            " ",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut values: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        for _ in 0..400 {
            let mut s = String::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for _ in 0..(seed >> 60) + 1 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            values.push(s);
        }
        let windows = [
            (at("2026-12-15 08:00"), at("2026-12-15 17:00")),
            (at("2026-02-28 20:00"), at("2026-03-02 08:00")),
            (at("1899-12-31 08:00"), at("1900-01-01 17:00")),
            (at("9999-12-31 08:00"), at("9999-12-31 23:59")),
            (NaiveDateTime::MIN, NaiveDateTime::MAX),
        ];
        let nights = [
            date("2026-07-15"),
            date("1899-12-31"),
            NaiveDate::MIN,
            NaiveDate::MAX,
        ];
        for v in &values {
            let c = WayConditions {
                foot_conditional: Some(v.clone()),
                access_conditional: Some(v.clone()),
                seasonal: Some(v.clone()),
            };
            for &(from, to) in &windows {
                way_closed(&c, from, to, 46.0);
            }
            let p = place(Some(v), Some(v), Some(v));
            for &night in &nights {
                place_open(&p, night, -46.0);
                place_open(&p, night, f64::NAN);
            }
        }
    }
}
