//! A trip's dates, on both backends, on a made-up network at 47° N 10° E
//! (`tests/fixtures/seasons.osm.pbf`, written by `make_seasons.py` beside it: a grid of
//! tracks, a 10 km ring of paths with a piece closed to walkers from November to April,
//! a camp site open from June 15 to September 15, huts and a shelter untagged).
//! Judged from the answer and the fixture's tags alone: which nights and ways a plan
//! takes on which dates, and every day's end against a sunset computed here by NOAA's
//! simplified equations (independent of the service's solar algorithm).

use std::sync::LazyLock;

use serde_json::{json, Value};
use trailloop_osm::TrailData;

use crate::helpers::{spawn_app_over, Backend, TestApp};

fn fixture() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seasons.osm.pbf")
}

static NETWORK: LazyLock<TrailData> = LazyLock::new(|| {
    trailloop::import::build(&fixture(), &[]).expect("building the seasons fixture")
});

/// The fixture's grid, as `make_seasons.py` lays it out.
const LAT0: f64 = 46.89;
const LON0: f64 = 9.84;
const STEP_M: f64 = 1000.0;

/// The position of grid node (i, j): i northward, j eastward.
fn grid(i: f64, j: f64) -> [f64; 2] {
    let dlat = STEP_M / 111_320.0;
    let dlon = STEP_M / (111_320.0 * 47f64.to_radians().cos());
    [LON0 + j * dlon, LAT0 + i * dlat]
}

/// The vertex in the middle of the piece closed from November to April.
fn closed_piece() -> [f64; 2] {
    grid(14.0, 13.5)
}

const CAMP: &str = "Camp Sommerwiese";
const MARGIN_H: f64 = 0.5;

async fn app(backend: Backend) -> TestApp {
    let network = tokio::task::spawn_blocking(|| &*NETWORK).await.unwrap();
    spawn_app_over(backend, network, "seasons", "seasons.osm.pbf").await
}

fn request(target_km: f64, days: u32, date: Option<&str>, extra: Value) -> Value {
    let origin = grid(12.0, 12.0);
    let mut body = json!({
        "origin": {"lat": origin[1] + 0.001, "lon": origin[0]},
        "max_drive_km": 20, "target_km": target_km, "days": days, "max_results": 3
    });
    if let Some(d) = date {
        body["start_date"] = json!(d);
    }
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

fn loops(a: &Value) -> &Vec<Value> {
    a["loops"].as_array().unwrap()
}

fn stages(l: &Value) -> &Vec<Value> {
    l["stages"].as_array().unwrap()
}

fn nights(a: &Value) -> Vec<&Value> {
    loops(a)
        .iter()
        .flat_map(stages)
        .filter_map(|s| s.get("night"))
        .collect()
}

fn walks(l: &Value, at: [f64; 2]) -> bool {
    l["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| {
            (c[0].as_f64().unwrap() - at[0]).abs() < 1e-5
                && (c[1].as_f64().unwrap() - at[1]).abs() < 1e-5
        })
}

/// Minutes since local midnight of an RFC 3339 time, and its offset in hours.
fn clock(t: &Value) -> (f64, f64) {
    let t = chrono::DateTime::parse_from_rfc3339(t.as_str().expect("a time")).expect("RFC 3339");
    let local = t.naive_local().time();
    let minutes = f64::from(chrono::Timelike::num_seconds_from_midnight(&local)) / 60.0;
    (minutes, f64::from(t.offset().local_minus_utc()) / 3600.0)
}

/// Sunset, minutes after local midnight at UTC offset `offset_h`, by NOAA's simplified
/// solar equations (fractional year, equation of time, declination; the sun's upper
/// limb with refraction at 90.833°), good to a minute or two at mid latitudes.
fn noaa_sunset(lat: f64, lon: f64, date: chrono::NaiveDate, offset_h: f64) -> f64 {
    use chrono::Datelike;
    let n = f64::from(date.ordinal());
    let days = if date.leap_year() { 366.0 } else { 365.0 };
    let g = 2.0 * std::f64::consts::PI / days * (n - 1.0);
    let eqtime = 229.18
        * (0.000075 + 0.001868 * g.cos()
            - 0.032077 * g.sin()
            - 0.014615 * (2.0 * g).cos()
            - 0.040849 * (2.0 * g).sin());
    let decl = 0.006918 - 0.399912 * g.cos() + 0.070257 * g.sin() - 0.006758 * (2.0 * g).cos()
        + 0.000907 * (2.0 * g).sin()
        - 0.002697 * (3.0 * g).cos()
        + 0.00148 * (3.0 * g).sin();
    let phi = lat.to_radians();
    let ha = ((90.833f64.to_radians().cos() / (phi.cos() * decl.cos())) - phi.tan() * decl.tan())
        .acos()
        .to_degrees();
    720.0 - 4.0 * (lon - ha) - eqtime + offset_h * 60.0
}

/// Every dated stage: its date, times within the day, sunset where it ends against
/// NOAA within 3 minutes, the margin the answer gives against its own times; and
/// returns the smallest margin.
fn check_days(a: &Value, first_date: &str) -> f64 {
    let first = chrono::NaiveDate::parse_from_str(first_date, "%Y-%m-%d").unwrap();
    let mut least = f64::INFINITY;
    for l in loops(a) {
        let th = &l["trailhead"];
        for s in stages(l) {
            let day = s["day"].as_u64().unwrap();
            let date = first + chrono::Days::new(day - 1);
            assert_eq!(s["date"], json!(date.to_string()), "{s}");
            let (start, _) = clock(&s["start_time"]);
            let (end, _) = clock(&s["end_time"]);
            let (sunset, offset) = clock(&s["sunset"]);
            let walked = s["duration_h"].as_f64().unwrap() * 60.0;
            assert!(
                (end - start - walked).abs() < 1.5,
                "end = start + walking: {s}"
            );
            let (lat, lon) = match s.get("night") {
                Some(n) => (n["lat"].as_f64().unwrap(), n["lon"].as_f64().unwrap()),
                None => (th["lat"].as_f64().unwrap(), th["lon"].as_f64().unwrap()),
            };
            let reference = noaa_sunset(lat, lon, date, offset);
            assert!(
                (sunset - reference).abs() < 3.0,
                "sunset {} against NOAA's {reference:.1} min: {s}",
                s["sunset"]
            );
            let margin = s["daylight_margin_h"].as_f64().unwrap();
            assert!((margin * 60.0 - (sunset - end)).abs() < 1.0, "{s}");
            least = least.min(margin);
        }
    }
    least
}

async fn a_seasonal_camp_site_is_a_night_in_july_and_never_in_january(backend: Backend) {
    let app = app(backend).await;
    let camp_only = json!({"preferences": {"overnight": ["camp_site"]}});
    let july = app
        .loops(&request(24.0, 2, Some("2026-07-15"), camp_only.clone()))
        .await;
    let at_camp: Vec<&Value> = nights(&july)
        .into_iter()
        .filter(|n| n["name"] == json!(CAMP))
        .collect();
    assert!(!at_camp.is_empty(), "a July night at the camp site: {july}");
    for n in at_camp {
        assert_eq!(n["open"], "yes", "{n}");
        assert_eq!(n["open_tag"], "opening_hours", "{n}");
        assert_eq!(n["opening_hours"], "Jun 15-Sep 15", "{n}");
    }
    let january = app
        .loops(&request(24.0, 2, Some("2026-01-15"), camp_only.clone()))
        .await;
    assert!(
        nights(&january).iter().all(|n| n["name"] != json!(CAMP)),
        "no January night at a camp site closed then: {january}"
    );
    let message = january["message"].as_str().unwrap_or_default();
    assert!(message.contains("camp sites"), "{january}");
    // Nor on the last night of a trip that starts in season and ends after it: the
    // night of September 15 is open, that of the 16th is not.
    let early = app
        .loops(&request(24.0, 2, Some("2026-09-15"), camp_only.clone()))
        .await;
    assert!(
        nights(&early).iter().any(|n| n["name"] == json!(CAMP)),
        "{early}"
    );
    let late = app
        .loops(&request(24.0, 2, Some("2026-09-16"), camp_only))
        .await;
    assert!(
        nights(&late).iter().all(|n| n["name"] != json!(CAMP)),
        "{late}"
    );
    // Places OSM says nothing about are slept at, and said to be unknown.
    let huts = app
        .loops(&request(36.0, 2, Some("2026-01-15"), json!({})))
        .await;
    assert!(!nights(&huts).is_empty(), "{huts}");
    for n in nights(&huts) {
        assert_eq!(n["open"], "unknown", "{n}");
        assert!(n.get("open_tag").is_none(), "{n}");
    }
}

async fn a_way_closed_in_winter_is_avoided_in_december_and_walked_in_july(backend: Backend) {
    let app = app(backend).await;
    let piece = closed_piece();
    let july = app
        .loops(&request(10.0, 1, Some("2026-07-15"), json!({})))
        .await;
    assert!(
        walks(&loops(&july)[0], piece),
        "the ring, closed piece and all, is July's best loop: {july}"
    );
    let december = app
        .loops(&request(10.0, 1, Some("2026-12-15"), json!({})))
        .await;
    assert!(!loops(&december).is_empty(), "{december}");
    for l in loops(&december) {
        assert!(
            !walks(l, piece),
            "a December loop walks the closed piece: {l}"
        );
    }
    // Without a date nothing is closed.
    let undated = app.loops(&request(10.0, 1, None, json!({}))).await;
    assert!(walks(&loops(&undated)[0], piece), "{undated}");
    assert_eq!(undated["calendar"]["planned_for_date"], false);
    assert!(stages(&loops(&undated)[0])[0].get("date").is_none());
    // A trip that starts on the last day of April is closed out of it on that day.
    let across = app
        .loops(&request(10.0, 1, Some("2026-04-30"), json!({})))
        .await;
    assert!(loops(&across).iter().all(|l| !walks(l, piece)), "{across}");
    let may = app
        .loops(&request(10.0, 1, Some("2026-05-01"), json!({})))
        .await;
    assert!(walks(&loops(&may)[0], piece), "{may}");
}

async fn a_december_trip_ends_every_day_before_sunset_or_says_why(backend: Backend) {
    let app = app(backend).await;
    // Without rests: the daylight alone is what this checks (rests shorten the walking
    // a day holds further; tests/integration/valley.rs checks them).
    let afternoon = json!({"start_time": "13:00", "rest_minutes_per_hour": 0});
    let december = app
        .loops(&request(36.0, 2, Some("2026-12-21"), afternoon.clone()))
        .await;
    // 2 days of 18 km from 13:00 do not fit December's daylight: the answer says so
    // and offers plans that do.
    let message = december["message"].as_str().expect("a message");
    assert!(message.contains("daylight"), "{message}");
    assert!(!loops(&december).is_empty(), "nearby plans: {december}");
    assert_eq!(december["calendar"]["planned_for_date"], true);
    assert_eq!(december["calendar"]["time_zone"], "Europe/Vienna");
    let least = check_days(&december, "2026-12-21");
    assert!(
        least >= MARGIN_H - 0.01,
        "every day ends {MARGIN_H} h before sunset: {least}"
    );
    for l in loops(&december) {
        for s in stages(l) {
            assert!(
                s["start_time"]
                    .as_str()
                    .unwrap()
                    .ends_with("T13:00:00+01:00"),
                "{s}"
            );
        }
    }
    let longest_december = loops(&december)
        .iter()
        .flat_map(stages)
        .map(|s| s["duration_h"].as_f64().unwrap())
        .fold(0.0, f64::max);
    // The same request in June is planned as asked, with longer days.
    let june = app
        .loops(&request(36.0, 2, Some("2026-06-21"), afternoon))
        .await;
    assert!(june.get("message").is_none(), "{june}");
    let first = &loops(&june)[0];
    assert_eq!(first["days"], 2);
    assert!(first["length_error"].as_f64().unwrap() <= 0.05, "{first}");
    let longest_june = stages(first)
        .iter()
        .map(|s| s["duration_h"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(
        longest_june > longest_december + 0.3,
        "June's days ({longest_june} h) longer than December's ({longest_december} h)"
    );
    assert!(check_days(&june, "2026-06-21") >= MARGIN_H - 0.01);
    assert!(
        stages(first)[0]["start_time"]
            .as_str()
            .unwrap()
            .ends_with("+02:00"),
        "summer time in June: {first}"
    );
}

async fn dates_are_checked_and_named(backend: Backend) {
    let app = app(backend).await;
    for (field, extra) in [
        ("start_date", json!({"start_date": "2026-02-30"})),
        ("start_date", json!({"start_date": "26-12-01"})),
        ("start_date", json!({"start_date": "1999-12-31"})),
        (
            "start_time",
            json!({"start_date": "2026-07-01", "start_time": "24:00"}),
        ),
        (
            "start_time",
            json!({"start_date": "2026-07-01", "start_time": "8:00"}),
        ),
        ("start_time", json!({"start_time": "08:00"})),
    ] {
        let r = app
            .post_json("/v1/loops", &request(10.0, 1, None, extra.clone()))
            .await;
        assert_eq!(r.status(), 422, "{extra}");
        let problem: Value = r.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{extra}: {problem}");
    }
    // The query string takes them too.
    let origin = grid(12.0, 12.0);
    let r = app
        .get(&format!(
            "/v1/loops?lat={}&lon={}&max_drive_km=20&target_km=10&start_date=2026-12-15&start_time=09:30",
            origin[1] + 0.001,
            origin[0]
        ))
        .await;
    assert_eq!(r.status(), 200);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["calendar"]["start_time"], "09:30");
    assert!(stages(&loops(&a)[0])[0]["start_time"]
        .as_str()
        .unwrap()
        .starts_with("2026-12-15T09:30:00"));
}

fn unix(t: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(t.as_str().unwrap())
        .unwrap()
        .timestamp()
}

fn gpx_unix(t: &gpx::Time) -> i64 {
    time::OffsetDateTime::from(*t).unix_timestamp()
}

async fn a_dated_plan_as_gpx_times_its_points_and_nights(backend: Backend) {
    let app = app(backend).await;
    let answer = app
        .loops(&request(36.0, 2, Some("2026-06-21"), json!({})))
        .await;
    let the_loop = &loops(&answer)[0];
    let stages = stages(the_loop);
    let doc = app.saved_gpx(the_loop).await;
    let segments = &doc.tracks[0].segments;
    assert_eq!(segments.len(), stages.len());
    for (segment, s) in segments.iter().zip(stages) {
        let times: Vec<i64> = segment
            .points
            .iter()
            .map(|p| gpx_unix(p.time.as_ref().expect("a timed point")))
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "in walking order");
        assert_eq!(times[0], unix(&s["start_time"]), "{s}");
        assert_eq!(*times.last().unwrap(), unix(&s["end_time"]), "{s}");
    }
    let nights: Vec<&gpx::Waypoint> = doc
        .waypoints
        .iter()
        .filter(|w| matches!(w.type_.as_deref(), Some("hut" | "camp_site" | "shelter")))
        .collect();
    assert_eq!(nights.len(), stages.len() - 1);
    for (w, s) in nights.iter().zip(stages) {
        assert_eq!(gpx_unix(w.time.as_ref().unwrap()), unix(&s["end_time"]));
        let description = w.description.as_deref().unwrap_or_default();
        assert!(
            description.contains("open that night: unknown"),
            "{description}"
        );
    }
    // Without a date, no times.
    let undated = app.loops(&request(36.0, 2, None, json!({}))).await;
    let doc = app.saved_gpx(&loops(&undated)[0]).await;
    assert!(doc.tracks[0]
        .segments
        .iter()
        .flat_map(|s| &s.points)
        .all(|p| p.time.is_none()));
}

on_both_backends!(
    a_dated_plan_as_gpx_times_its_points_and_nights,
    a_seasonal_camp_site_is_a_night_in_july_and_never_in_january,
    a_way_closed_in_winter_is_avoided_in_december_and_walked_in_july,
    a_december_trip_ends_every_day_before_sunset_or_says_why,
    dates_are_checked_and_named,
);
