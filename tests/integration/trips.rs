//! Backpacking trips on Andorra, judged from the answer's line and the extract alone:
//! every night at a place OSM tags as a hut, camp site or shelter of an allowed kind (read
//! straight from the PBF), days of similar walking time within every limit given, water
//! where the answer says, true loops within the tolerance; the nearest plans and the
//! reason when no split exists; the GPX of a 3-day plan valid against the GPX 1.1 schema.

use std::sync::LazyLock;

use serde_json::{json, Value};

use crate::helpers::{data, spawn_app, Backend, ANDORRA};
use crate::judge::line::haversine_m;
use crate::judge::places::{gives_water, overnight_kind, Place, Places};
use crate::judge::to_line_m;
use crate::judge::{self, Reference};

static PLACES: LazyLock<Places> = LazyLock::new(|| Places::read(&data("andorra.osm.pbf")));
static REFERENCE: LazyLock<Reference<'static>> = LazyLock::new(|| Reference::new(&ANDORRA));

/// A place counts as where the day ends when it lies this much farther from the day's
/// last vertex than the walk off the trail the answer gives (the place's own extent
/// aside): the walk is on paths, the check a straight line.
const NEAR_SLACK_M: f64 = 25.0;
/// Water is on a day's way within this of its line (the API's 200 m, and slack).
const WATER_M: f64 = 200.0 + 25.0;

fn trip(lat: f64, lon: f64, target_km: f64, days: u32) -> Value {
    json!({
        "origin": {"lat": lat, "lon": lon}, "max_drive_km": 30, "target_km": target_km,
        "days": days, "max_results": 3
    })
}

fn line(l: &Value) -> Vec<[f64; 2]> {
    l["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number: {v}"))
}

/// How far a place's points reach from its centre (0 for a node).
fn extent_m(p: &Place) -> f64 {
    let c = p.centre();
    p.points
        .iter()
        .map(|q| haversine_m(c, *q))
        .fold(0.0, f64::max)
}

/// The element an answer names, as the extract has it.
fn element<'a>(v: &Value) -> &'a Place {
    let (t, id) = (
        v["osm_type"].as_str().unwrap(),
        v["osm_id"].as_i64().unwrap(),
    );
    PLACES
        .get(t, id)
        .unwrap_or_else(|| panic!("{t} {id} is no place to sleep or water in the extract: {v}"))
}

/// Checks one planned trip against the extract and returns its days' walking hours.
fn assert_trip(l: &Value, days: u32, allowed: &[&str], limits: &Value) -> Vec<f64> {
    let line = line(l);
    let h = judge::judge(&REFERENCE, &line);
    assert!(h.closing_gap_m < 0.5, "closed: {h:?}");
    assert!(h.off_network_m < 1e-6, "on the OSM ways: {h:?}");
    assert_eq!(l["days"], days);
    let stages = l["stages"].as_array().unwrap();
    assert_eq!(stages.len(), days as usize, "{stages:?}");
    let mut at = 0;
    let mut hours = Vec::new();
    let mut previous_water = false;
    for (k, s) in stages.iter().enumerate() {
        let (from, to) = (
            s["start_index"].as_u64().unwrap() as usize,
            s["end_index"].as_u64().unwrap() as usize,
        );
        assert_eq!(from, at, "day {} starts where the last ended", k + 1);
        assert!(to > from && to < line.len());
        at = to;
        let day_line = &line[from..=to];
        let drawn: f64 = day_line.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
        let km = f(&s["distance_km"]);
        assert!(
            (drawn / 1000.0 - km).abs() <= 0.01 * km + 0.05,
            "day {}: drawn {drawn} m, said {km} km",
            k + 1
        );
        let off_km = f(&s["off_trail_km"]);
        if let Some(max) = limits["max_day_km"].as_f64() {
            assert!(km + off_km <= max + 1e-3, "day {} {km}+{off_km} km", k + 1);
        }
        if let Some(max) = limits["max_day_hours"].as_f64() {
            assert!(f(&s["duration_h"]) <= max + 0.01, "day {}: {s}", k + 1);
        }
        if let Some(max) = limits["max_day_ascent_m"].as_f64() {
            assert!(f(&s["ascent_m"]) <= max + 0.1, "day {}: {s}", k + 1);
        }
        hours.push(f(&s["duration_h"]));
        let night = &s["night"];
        let mut night_water = false;
        if k + 1 < days as usize {
            assert!(night.is_object(), "a night after day {}: {s}", k + 1);
            let place = element(night);
            let kind = overnight_kind(place)
                .unwrap_or_else(|| panic!("{night} is tagged {:?}", place.tags));
            assert!(allowed.contains(&kind), "{kind} not in {allowed:?}");
            assert_eq!(night["kind"], kind, "the label agrees with the tags");
            assert!(
                !matches!(place.tag("access"), Some("private" | "no")),
                "{:?}",
                place.tags
            );
            let end = line[to];
            let away = haversine_m(end, place.centre());
            assert!(
                away <= f(&night["off_trail_km"]) * 1000.0 + extent_m(place) + NEAR_SLACK_M,
                "day {} ends {away} m from {night}",
                k + 1
            );
            night_water = gives_water(place);
        } else {
            assert!(night.is_null(), "the last day ends at the trailhead: {s}");
        }
        for w in s["water"].as_array().unwrap() {
            let place = element(w);
            assert!(gives_water(place), "{w}: {:?}", place.tags);
            let away = to_line_m(place.centre(), day_line);
            assert!(
                away <= WATER_M + extent_m(place),
                "{w} is {away} m off day {}",
                k + 1
            );
        }
        let passes = !s["water"].as_array().unwrap().is_empty();
        assert_eq!(
            s["has_water"].as_bool().unwrap(),
            passes || previous_water || night_water,
            "day {}: {s}",
            k + 1
        );
        previous_water = night_water;
    }
    assert_eq!(at, line.len() - 1, "the days cover the loop");
    hours
}

async fn every_night_is_at_a_place_the_extract_tags_for_sleeping(backend: Backend) {
    let app = spawn_app(backend).await;
    // Towns and valleys across Andorra; 2 to 4 days, 25 to 80 km.
    let requests = [
        trip(42.5078, 1.5211, 25.0, 2),
        trip(42.5562, 1.5331, 40.0, 2),
        trip(42.5078, 1.5211, 60.0, 3),
        trip(42.5344, 1.5810, 45.0, 3),
        trip(42.5766, 1.6676, 80.0, 4),
    ];
    let allowed = ["hut", "camp_site", "shelter"];
    let mut ratios: Vec<f64> = Vec::new();
    for req in &requests {
        let answer = app.loops(req).await;
        let loops = answer["loops"].as_array().unwrap();
        assert!(!loops.is_empty(), "{req}: {answer}");
        assert!(
            answer["message"].is_null()
                || answer["message"].as_str().unwrap().contains("fewer than"),
            "a plan of the asked days exists here: {answer}"
        );
        let days = req["days"].as_u64().unwrap() as u32;
        assert_eq!(loops[0]["kind"], "loop", "a true loop exists here: {req}");
        for l in loops {
            assert_eq!(l["base_camp"], false);
            assert!(
                f(&l["length_error"]) <= 0.05 + 1e-9,
                "{req}: {}",
                l["length_error"]
            );
            let hours = assert_trip(l, days, &allowed, req);
            let ratio = hours.iter().cloned().fold(0.0, f64::max)
                / hours.iter().cloned().fold(f64::INFINITY, f64::min);
            assert!(ratio <= 1.5 + 0.01, "{req}: days of {hours:?} h");
            ratios.push(ratio);
        }
    }
    // Balanced as a rule, not only within the bound: the middle plan's longest day is
    // at most a fifth longer than its shortest.
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    assert!(median <= 1.2, "day ratios {ratios:?}");
}

async fn every_day_keeps_the_limits_given(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut req = trip(42.5078, 1.5211, 60.0, 3);
    req["max_day_km"] = 23.into();
    req["max_day_hours"] = 7.5.into();
    req["max_day_ascent_m"] = 1700.into();
    let answer = app.loops(&req).await;
    let loops = answer["loops"].as_array().unwrap();
    assert!(!loops.is_empty(), "{answer}");
    for l in loops {
        let days = l["days"].as_u64().unwrap() as u32;
        assert_trip(l, days, &["hut", "camp_site", "shelter"], &req);
    }
}

async fn with_no_split_in_range_the_nearest_plans_come_with_the_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    // Three days of 20 km in Andorra climb well over 1,400 m each, and take more than
    // six hours.
    let mut req = trip(42.5078, 1.5211, 60.0, 3);
    req["max_day_hours"] = 6.into();
    req["max_day_ascent_m"] = 1400.into();
    let answer = app.loops(&req).await;
    let message = answer["message"].as_str().expect("a reason");
    assert!(
        message.contains("max_day_hours 6") && message.contains("nearest plans"),
        "{message}"
    );
    let loops = answer["loops"].as_array().unwrap();
    assert!(!loops.is_empty(), "{answer}");
    for l in loops {
        let (days, target) = (l["days"].as_u64().unwrap() as u32, f(&l["target_km"]));
        assert!(
            (days, target) != (3, 60.0),
            "a nearby request: {days} days {target} km"
        );
        assert!(days.abs_diff(3) <= 1 && (48.0..=75.0).contains(&target));
        assert_trip(l, days, &["hut", "camp_site", "shelter"], &req);
    }

    // Andorra has two shelters that are basic huts or lean-tos: no 3-day trip sleeps
    // at shelters alone, and nothing nearby does either. The answer is empty, and says
    // why.
    assert!(PLACES.count_overnight("shelter") < 5);
    let mut req = trip(42.5078, 1.5211, 30.0, 3);
    req["preferences"] = json!({"overnight": ["shelter"]});
    let answer = app.loops(&req).await;
    let message = answer["message"].as_str().expect("a reason");
    assert!(message.contains("shelters"), "{message}");
    for l in answer["loops"].as_array().unwrap() {
        assert_trip(l, l["days"].as_u64().unwrap() as u32, &["shelter"], &req);
    }
}

async fn a_base_camp_trip_sleeps_at_the_trailhead_each_night(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut req = trip(42.5078, 1.5211, 45.0, 3);
    req["preferences"] = json!({"overnight": ["shelter"], "base_camp": true});
    let answer = app.loops(&req).await;
    let loops = answer["loops"].as_array().unwrap();
    assert!(!loops.is_empty(), "{answer}");
    for l in loops {
        assert_eq!(l["base_camp"], true, "no shelters for a trip here: {l}");
        let line = line(l);
        let h = judge::judge(&REFERENCE, &line);
        assert!(h.off_network_m < 1e-6 && h.closing_gap_m < 0.5, "{h:?}");
        let stages = l["stages"].as_array().unwrap();
        assert_eq!(stages.len(), 3);
        for s in &stages[..2] {
            assert_eq!(s["night"]["kind"], "trailhead");
            let end = line[s["end_index"].as_u64().unwrap() as usize];
            assert!(
                haversine_m(end, line[0]) < 0.5,
                "each day ends at the start"
            );
        }
        let hours: Vec<f64> = stages.iter().map(|s| f(&s["duration_h"])).collect();
        let ratio = hours.iter().cloned().fold(0.0, f64::max)
            / hours.iter().cloned().fold(f64::INFINITY, f64::min);
        assert!(ratio <= 1.5 + 0.01, "{hours:?}");
    }
}

async fn a_three_day_plan_as_gpx_is_valid_with_a_segment_per_day(backend: Backend) {
    let app = spawn_app(backend).await;
    let answer = app.loops(&trip(42.5078, 1.5211, 60.0, 3)).await;
    let the_loop = answer["loops"][0].clone();
    assert!(the_loop.is_object(), "{answer}");
    let doc = app.saved_gpx(&the_loop).await;
    assert_eq!(doc.tracks.len(), 1, "one track");
    let segments = &doc.tracks[0].segments;
    assert_eq!(segments.len(), 3, "a segment per day");
    for w in segments.windows(2) {
        assert_eq!(
            w[0].points.last().unwrap().point(),
            w[1].points[0].point(),
            "each day starts where the last ended"
        );
    }
    let stages = the_loop["stages"].as_array().unwrap();
    let coords = the_loop["geometry"]["coordinates"].as_array().unwrap();
    let points: usize = segments.iter().map(|s| s.points.len()).sum();
    assert_eq!(points, coords.len() + 2, "the joints are in both days");
    let nights: Vec<&gpx::Waypoint> = doc
        .waypoints
        .iter()
        .filter(|w| matches!(w.type_.as_deref(), Some("hut" | "camp_site" | "shelter")))
        .collect();
    assert_eq!(nights.len(), 2, "{:?}", doc.waypoints);
    for (w, s) in nights.iter().zip(stages) {
        let n = &s["night"];
        assert!((w.point().x() - f(&n["lon"])).abs() < 1e-9);
        assert!((w.point().y() - f(&n["lat"])).abs() < 1e-9);
        if let Some(name) = n["name"].as_str() {
            assert_eq!(w.name.as_deref(), Some(name));
        }
    }
    let waters: std::collections::HashSet<(String, i64)> = stages
        .iter()
        .flat_map(|s| s["water"].as_array().unwrap())
        .map(|w| {
            (
                w["osm_type"].as_str().unwrap().to_owned(),
                w["osm_id"].as_i64().unwrap(),
            )
        })
        .collect();
    let water_points = doc
        .waypoints
        .iter()
        .filter(|w| w.type_.as_deref() == Some("water"))
        .count();
    assert_eq!(water_points, waters.len(), "a waypoint per water source");
}

/// The extract's camp sites tagged `opening_hours=Jun 15-Sep 15` (read from the PBF):
/// slept at on a July trip, never on a January one; every night's `open` agrees with
/// its element's tags.
async fn camp_sites_open_in_summer_are_nights_in_july_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = |date: &str| {
        json!({
            "origin": {"lat": 42.57, "lon": 1.60}, "max_drive_km": 40, "target_km": 30,
            "days": 2, "max_results": 3, "start_date": date,
            "preferences": {"overnight": ["camp_site"]}
        })
    };
    let seasonal = |n: &Value| element(n).tag("opening_hours") == Some("Jun 15-Sep 15");
    let nights = |a: &Value| -> Vec<Value> {
        a["loops"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|l| l["stages"].as_array().unwrap().clone())
            .filter_map(|s| s.get("night").cloned())
            .collect()
    };
    let july = app.loops(&body("2026-07-15")).await;
    let july_nights = nights(&july);
    assert!(
        july_nights.iter().any(seasonal),
        "a July night at a camp site open Jun 15-Sep 15: {july}"
    );
    for n in &july_nights {
        let expected = if seasonal(n) { "yes" } else { "unknown" };
        assert_eq!(n["open"], expected, "{n}");
        assert_eq!(element(n).tag("tourism"), Some("camp_site"), "{n}");
    }
    let january = app.loops(&body("2026-01-15")).await;
    for n in nights(&january) {
        assert!(
            !seasonal(&n),
            "a January night at a camp site closed then: {n}"
        );
        assert_ne!(n["open"], "no", "{n}");
    }
}

on_both_backends!(
    camp_sites_open_in_summer_are_nights_in_july_only,
    every_night_is_at_a_place_the_extract_tags_for_sleeping,
    every_day_keeps_the_limits_given,
    with_no_split_in_range_the_nearest_plans_come_with_the_reason,
    a_base_camp_trip_sleeps_at_the_trailhead_each_night,
    a_three_day_plan_as_gpx_is_valid_with_a_segment_per_day,
);
