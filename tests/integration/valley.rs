//! Honest answers on a valley town with its trails on a ridge (`tests/fixtures/
//! valley.osm.pbf`, written by `make_valley.py` beside it: Millbrook, a grid of streets;
//! Brush Ridge Road 25 km east to an unnamed car park beside a 10 km ring of paths;
//! Greenwood Lake with an unnamed car park no road reaches), on both backends: a short
//! drive reaching only streets says so and suggests the drive that reaches the trails,
//! a trail loop is not padded with street walks, the walk from the car is counted, the
//! day's end counts its rests, every trailhead has a name, and the town is found by
//! its name.

use std::sync::LazyLock;

use serde_json::{json, Value};
use trailloop_osm::TrailData;

use crate::helpers::{spawn_app_over, Backend, TestApp};

fn fixture() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valley.osm.pbf")
}

static NETWORK: LazyLock<TrailData> = LazyLock::new(|| {
    trailloop::import::build(&fixture(), &[]).expect("building the valley fixture")
});

/// Millbrook's centre, where the hiker starts driving.
const TOWN: (f64, f64) = (40.8135, -77.8850);

async fn app(backend: Backend) -> TestApp {
    let network = tokio::task::spawn_blocking(|| &*NETWORK).await.unwrap();
    spawn_app_over(backend, network, "valley", "valley.osm.pbf").await
}

fn request(max_drive_km: f64, extra: Value) -> Value {
    let mut body = json!({
        "origin": {"lat": TOWN.0, "lon": TOWN.1},
        "max_drive_km": max_drive_km, "target_km": 10, "max_results": 3
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

fn loops(a: &Value) -> &Vec<Value> {
    a["loops"].as_array().unwrap()
}

fn road_share(l: &Value) -> f64 {
    l["breakdown"]["road_share"].as_f64().unwrap()
}

fn warnings(a: &Value) -> Vec<&str> {
    a["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

async fn a_drive_reaching_only_streets_suggests_the_drive_to_the_trails(backend: Backend) {
    let app = app(backend).await;
    let short = app.loops(&request(15.0, json!({}))).await;
    // Within 15 km there are only the town's streets: what is answered is a street
    // walk, and the answer says so.
    assert!(!loops(&short).is_empty(), "{short}");
    assert!(road_share(&loops(&short)[0]) > 0.5, "{short}");
    assert!(
        warnings(&short)
            .iter()
            .any(|w| w.contains("mostly on roads")),
        "{short}"
    );
    let s = &short["suggestion"];
    assert!(s.is_object(), "no suggestion: {short}");
    let km = s["max_drive_km"].as_f64().unwrap();
    // The ridge's car park is 26.8 km by road: the shortest drive that reaches it.
    assert!((26.0..=30.0).contains(&km), "{s}");
    assert!(
        (s["max_drive_mi"].as_f64().unwrap() * 1.609_344 - km).abs() < 0.2,
        "{s}"
    );
    assert!(s["max_drive_minutes"].as_f64().unwrap() > 0.0, "{s}");
    assert!(s["reason"].as_str().unwrap().contains("on roads"), "{s}");
    assert!(s["loop"]["road_share"].as_f64().unwrap() <= 0.15, "{s}");
    assert_eq!(
        s["loop"]["trailhead"]["name"], "Brush Ridge Road parking",
        "{s}"
    );
    // Asked again with that drive, the best loop is the one suggested, on trails.
    let longer = app.loops(&request(km, json!({}))).await;
    let best = &loops(&longer)[0];
    assert!(road_share(best) <= 0.15, "{longer}");
    assert_eq!(best["name"], s["loop"]["name"], "{longer}");
    assert!(longer.get("suggestion").is_none(), "{longer}");
    // By time, the suggestion is a drive time.
    let by_time = app
        .loops(&json!({
            "origin": {"lat": TOWN.0, "lon": TOWN.1},
            "max_drive_minutes": 10, "target_km": 10
        }))
        .await;
    let minutes = by_time["suggestion"]["max_drive_minutes"].as_f64().unwrap();
    let again = app
        .loops(&json!({
            "origin": {"lat": TOWN.0, "lon": TOWN.1},
            "max_drive_minutes": minutes, "target_km": 10
        }))
        .await;
    assert!(road_share(&loops(&again)[0]) <= 0.15, "{again}");
}

async fn a_loop_on_trails_is_not_padded_with_street_walks(backend: Backend) {
    let app = app(backend).await;
    let a = app.loops(&request(40.0, json!({}))).await;
    let found = loops(&a);
    assert!(road_share(&found[0]) <= 0.15, "{a}");
    // The town's street walks are within the drive too, but not listed after it.
    for l in found {
        assert!(road_share(l) <= 0.5, "a street walk listed: {}", l["name"]);
    }
    assert!(
        warnings(&a)
            .iter()
            .any(|w| w.contains("mostly on roads") && w.contains("left out")),
        "{a}"
    );
    assert!(a.get("suggestion").is_none(), "{a}");
    // With road avoidance off the street walks are what is asked for: still listed.
    let streets = app
        .loops(&request(
            40.0,
            json!({"preferences": {"avoid_roads": false}}),
        ))
        .await;
    assert!(loops(&streets).len() > 1, "{streets}");
}

async fn the_walk_from_the_car_is_counted(backend: Backend) {
    let app = app(backend).await;
    let a = app.loops(&request(40.0, json!({}))).await;
    let l = &loops(&a)[0];
    let approach = l["approach"]["distance_km"].as_f64().expect("an approach");
    // The car park is 149 m from the ring's corner.
    assert!((0.13..0.17).contains(&approach), "{approach}");
    let (loop_km, total) = (
        l["distance_km"].as_f64().unwrap(),
        l["total_km"].as_f64().unwrap(),
    );
    assert!((total - (loop_km + 2.0 * approach)).abs() < 0.002, "{l}");
    assert!(
        (l["total_mi"].as_f64().unwrap() * 1.609_344 - total).abs() < 0.01,
        "{l}"
    );
    // Walking time: 5 km an hour on the flat, the approach too.
    let (h, total_h) = (
        l["duration_h"].as_f64().unwrap(),
        l["total_duration_h"].as_f64().unwrap(),
    );
    assert!((total_h - h - 2.0 * approach / 5.0).abs() < 0.011, "{l}");
    // The summary gives what the hiker walks.
    let summary = l["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!("{total:.1} km with the walk from the car")),
        "{summary}"
    );
}

/// Hours between two RFC 3339 times.
fn hours_between(a: &Value, b: &Value) -> f64 {
    let t = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    (t(b) - t(a)).num_seconds() as f64 / 3600.0
}

async fn a_dated_day_ends_after_its_walking_rests_and_approach_before_sunset(backend: Backend) {
    let app = app(backend).await;
    let dated = |start_time: &str, rest: Option<f64>| {
        let mut extra = json!({"start_date": "2026-12-21", "start_time": start_time});
        if let Some(r) = rest {
            extra["rest_minutes_per_hour"] = json!(r);
        }
        request(40.0, extra)
    };
    let a = app.loops(&dated("08:00", None)).await;
    assert_eq!(a["calendar"]["rest_minutes_per_hour"], 10.0, "{a}");
    for l in loops(&a) {
        for s in l["stages"].as_array().unwrap() {
            let walking = s["duration_h"].as_f64().unwrap() + s["approach_h"].as_f64().unwrap();
            let rest = s["rest_h"].as_f64().unwrap();
            assert!((rest - walking / 6.0).abs() < 0.011, "{s}");
            let lasted = hours_between(&s["start_time"], &s["end_time"]);
            assert!((lasted - walking - rest).abs() < 0.02, "{s}");
            // And it still ends half an hour before sunset.
            assert!(
                hours_between(&s["end_time"], &s["sunset"]) >= 0.5 - 0.01,
                "{s}"
            );
        }
    }
    // Late in a December day the 2 h ring fits the daylight left when walked without
    // rests, and not with 30 minutes of rest an hour.
    let ring = |a: &Value| {
        loops(a)
            .first()
            .is_some_and(|l| l["name"].as_str().unwrap().starts_with("Ridge Trail"))
    };
    let no_rests = app.loops(&dated("13:45", Some(0.0))).await;
    assert!(ring(&no_rests), "{no_rests}");
    let s = &loops(&no_rests)[0]["stages"][0];
    assert_eq!(s["rest_h"], 0.0, "{s}");
    assert!(
        hours_between(&s["end_time"], &s["sunset"]) >= 0.5 - 0.01,
        "{s}"
    );
    let resting = app.loops(&dated("13:45", Some(30.0))).await;
    assert!(!ring(&resting), "{resting}");
    for l in loops(&resting) {
        for s in l["stages"].as_array().unwrap() {
            assert!(
                hours_between(&s["end_time"], &s["sunset"]) >= 0.5 - 0.01,
                "{s}"
            );
        }
    }
    // Rests are for a date, and bounded.
    for (body, field) in [
        (
            request(40.0, json!({"rest_minutes_per_hour": 10})),
            "rest_minutes_per_hour",
        ),
        (dated("08:00", Some(61.0)), "rest_minutes_per_hour"),
        (dated("08:00", Some(-1.0)), "rest_minutes_per_hour"),
    ] {
        let r = app.post_json("/v1/loops", &body).await;
        assert_eq!(r.status(), 422, "{body}");
        let problem: Value = r.json().await.unwrap();
        assert!(problem.to_string().contains(field), "{problem}");
    }
}

async fn every_trailhead_and_loop_is_named_and_the_town_is_found(backend: Backend) {
    let app = app(backend).await;
    let listed: Value = app
        .get(&format!(
            "/v1/trailheads?lat={}&lon={}&radius_km=60&limit=50",
            TOWN.0, TOWN.1
        ))
        .await
        .json()
        .await
        .unwrap();
    let heads = listed["trailheads"].as_array().unwrap();
    assert_eq!(heads.len(), 4, "{listed}");
    let names: Vec<&str> = heads.iter().map(|t| t["name"].as_str().unwrap()).collect();
    // None is named in the data: each after the road it is on, or the lake beside it.
    assert!(heads.iter().all(|t| t["name_derived"] == true), "{listed}");
    assert!(names.contains(&"Brush Ridge Road parking"), "{names:?}");
    assert!(names.contains(&"Parking near Greenwood Lake"), "{names:?}");
    let in_town: Vec<&&str> = names
        .iter()
        .filter(|n| n.ends_with("Street parking") || n.ends_with("Avenue parking"))
        .collect();
    assert_eq!(in_town.len(), 2, "{names:?}");
    // Every loop's name ends with its trailhead's.
    for drive in [15.0, 40.0] {
        let a = app.loops(&request(drive, json!({}))).await;
        for l in loops(&a) {
            let from = format!(" from {}", l["trailhead"]["name"].as_str().unwrap());
            assert!(
                l["name"].as_str().unwrap().ends_with(&from),
                "{}",
                l["name"]
            );
        }
    }
    // The town, by its name, as a town.
    let found: Value = app
        .get("/v1/places?q=millbrook&limit=5")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["places"][0]["name"], "Millbrook", "{found}");
    assert_eq!(found["places"][0]["kind"], "town", "{found}");
}

on_both_backends!(
    a_drive_reaching_only_streets_suggests_the_drive_to_the_trails,
    a_loop_on_trails_is_not_padded_with_street_walks,
    the_walk_from_the_car_is_counted,
    a_dated_day_ends_after_its_walking_rests_and_approach_before_sunset,
    every_trailhead_and_loop_is_named_and_the_town_is_found,
);
