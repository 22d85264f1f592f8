//! The dates' rules against what OSM says: places open on a night, ways closed on a day,
//! and the grammar they share.

use chrono::{NaiveDate, NaiveDateTime};
use trailloop_osm::{PoiDetails, WayConditions};

use super::hours::{split_outside_parens, strip_parens, Open, MAX_VALUE_LEN};
use super::places::{place_open, Opening};
use super::restrictions::way_closed;

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
