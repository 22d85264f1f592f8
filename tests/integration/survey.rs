//! Drive first, then survey: every trailhead the drive reaches within the limit is
//! weighed, none is cut by straight-line distance; a bound on how many are weighed cuts
//! by drive time, and the answer counts and says so. Checked against `/v1/trailheads`,
//! which lists what the same drive reaches.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Backend};

const ORIGIN: &str = "lat=42.5078&lon=1.5211";

fn request(max_drive_km: f64) -> Value {
    json!({
        "origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": max_drive_km,
        "target_km": 10, "max_results": 3
    })
}

fn count(answer: &Value, which: &str) -> u64 {
    answer["trailheads"][which]
        .as_u64()
        .unwrap_or_else(|| panic!("trailheads.{which} in {answer}"))
}

fn warns_of_a_cut(answer: &Value) -> bool {
    answer["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| w.as_str().is_some_and(|w| w.contains("were not weighed")))
}

async fn every_trailhead_the_drive_reaches_is_weighed(backend: Backend) {
    let app = spawn_app(backend).await;
    let listed: Value = app
        .get(&format!("/v1/trailheads?{ORIGIN}&max_drive_km=6&limit=200"))
        .await
        .json()
        .await
        .unwrap();
    let listed = listed["trailheads"].as_array().expect("trailheads").len() as u64;
    assert!(
        listed > 12 && listed < 200,
        "{listed} trailheads within 6 km"
    );
    let answer = app.loops(&request(6.0)).await;
    assert_eq!(count(&answer, "reachable"), listed);
    assert_eq!(count(&answer, "weighed"), listed);
    assert_eq!(answer["trailheads_considered"].as_u64(), Some(listed));
    let solved = count(&answer, "solved");
    assert!((1..=12).contains(&solved), "{solved} solved");
    assert!(!warns_of_a_cut(&answer), "{answer}");
}

async fn a_bound_on_the_trailheads_weighed_cuts_by_drive_time_and_says_so(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[("TRAILLOOP__PLANNER__TRAILHEAD_CANDIDATES", "15")],
    )
    .await;
    let answer = app.loops(&request(20.0)).await;
    assert!(count(&answer, "reachable") > 15, "{answer}");
    assert_eq!(count(&answer, "weighed"), 15);
    assert!(warns_of_a_cut(&answer), "{answer}");
    // The 15 fastest by road, as the same drive lists them.
    let fastest: Value = app
        .get(&format!("/v1/trailheads?{ORIGIN}&max_drive_km=20&limit=15"))
        .await
        .json()
        .await
        .unwrap();
    let fastest: HashSet<i64> = fastest["trailheads"]
        .as_array()
        .expect("trailheads")
        .iter()
        .map(|t| t["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(fastest.len(), 15);
    let loops = answer["loops"].as_array().expect("loops");
    assert!(!loops.is_empty());
    for l in loops {
        let id = l["trailhead"]["id"].as_i64().expect("trailhead id");
        assert!(
            fastest.contains(&id),
            "trailhead {id} is not among the 15 fastest"
        );
    }
}

on_both_backends!(
    every_trailhead_the_drive_reaches_is_weighed,
    a_bound_on_the_trailheads_weighed_cuts_by_drive_time_and_says_so,
);

/// A task that says it is ready holds what every request's drive search needs (each
/// region's trailheads and road graph), so its first request does not load them.
async fn a_ready_task_holds_the_trailheads_and_roads(backend: Backend) {
    let app = spawn_app_with(backend, &[("TRAILLOOP__NETWORK__PRELOAD", "true")]).await;
    let mut status = 0;
    for _ in 0..600 {
        status = app.get("/readyz").await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "never ready");
    assert_eq!(app.planner.regions_held(), 1);
}

on_both_backends!(a_ready_task_holds_the_trailheads_and_roads);
