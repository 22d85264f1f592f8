//! `/v1/loops` keeps its contract on real Andorra data, on both backends: loops are closed,
//! start at the trailhead's node, follow the trails vertex by vertex, are as long as asked
//! within tolerance, and start from trailheads within driving range.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use geographiclib_rs::{Geodesic, InverseGeodesic};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, ANDORRA};

type Key = (i64, i64);

/// A position to OpenStreetMap's precision (1e-7 degrees), as answers give them.
fn key(lon: f64, lat: f64) -> Key {
    ((lon * 1e7).round() as i64, (lat * 1e7).round() as i64)
}

/// What a loop is checked against: the network both backends were built from.
struct Index {
    /// Consecutive vertex pairs of every edge, both ways.
    steps: HashSet<(Key, Key)>,
    /// Trailhead location -> its network node's location.
    trailhead_nodes: HashMap<Key, Key>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut steps = HashSet::new();
    for e in &ANDORRA.edges {
        for w in e.geometry.windows(2) {
            let (a, b) = (key(w[0].lon, w[0].lat), key(w[1].lon, w[1].lat));
            steps.insert((a, b));
            steps.insert((b, a));
        }
    }
    let trailhead_nodes = ANDORRA
        .trailheads
        .iter()
        .map(|t| {
            let n = ANDORRA.nodes[t.node as usize].coord;
            (key(t.coord.lon, t.coord.lat), key(n.lon, n.lat))
        })
        .collect();
    Index {
        steps,
        trailhead_nodes,
    }
});

fn f(v: &Value, field: &str) -> f64 {
    v[field]
        .as_f64()
        .unwrap_or_else(|| panic!("{field} missing in {v}"))
}

/// Checks one loop against the request it answers.
pub fn assert_loop_contract(l: &Value, request: &Value) {
    let index = &*INDEX;
    let target_km = f(request, "target_km");
    let tolerance = request["tolerance"].as_f64().unwrap_or(0.05);
    let th = &l["trailhead"];
    assert!(th["id"].is_i64(), "{th}");
    assert!(
        f(th, "drive_km") <= f(request, "max_drive_km") + 1e-9,
        "drive limit: {th}"
    );

    assert_eq!(l["geometry"]["type"], "LineString");
    let coords: Vec<(f64, f64)> = l["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .collect();
    assert!(coords.len() >= 3, "a loop has at least three vertices");
    let keys: Vec<Key> = coords.iter().map(|&(lon, lat)| key(lon, lat)).collect();
    assert_eq!(keys.first(), keys.last(), "closed");
    let node = index
        .trailhead_nodes
        .get(&key(f(th, "lon"), f(th, "lat")))
        .unwrap_or_else(|| panic!("{th} is not an Andorra trailhead"));
    // The loop starts at the trailhead's node, or where the approach from the trailhead
    // (its car park to its node, then any short access path) reaches it.
    match l.get("approach") {
        None => assert_eq!(&keys[0], node, "starts at the trailhead's node"),
        Some(a) => {
            let line: Vec<Key> = a["geometry"]["coordinates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| key(c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                .collect();
            assert_eq!(
                line[0],
                key(f(th, "lon"), f(th, "lat")),
                "from the trailhead"
            );
            assert_eq!(line.last(), keys.first(), "to the loop");
            assert!(line.contains(node), "through the trailhead's node");
            assert!(
                f(a, "distance_km") <= 0.5 + 0.3,
                "an approach is short: {a}"
            );
        }
    }
    let b = &l["breakdown"];
    let classes = f(b, "path_share") + f(b, "track_share") + f(b, "road_share");
    assert!((classes - 1.0).abs() < 0.01, "{b}");
    for share in ["route_share", "nature_share", "forest_share", "water_share"] {
        assert!((0.0..=1.0).contains(&f(b, share)), "{share}: {b}");
    }
    assert!(l["highlights"].is_array());
    for (i, w) in keys.windows(2).enumerate() {
        // A repeated vertex is valid GeoJSON and not a step off the trails.
        assert!(
            w[0] == w[1] || index.steps.contains(&(w[0], w[1])),
            "vertices {i} and {} are not consecutive on any trail: {:?} -> {:?}",
            i + 1,
            coords[i],
            coords[i + 1]
        );
    }

    let geodesic = Geodesic::wgs84();
    let length_m: f64 = coords
        .windows(2)
        .map(|w| {
            let s: f64 = geodesic.inverse(w[0].1, w[0].0, w[1].1, w[1].0);
            s
        })
        .sum();
    let distance_km = f(l, "distance_km");
    assert!(
        (length_m / 1000.0 - distance_km).abs() <= 0.002 * distance_km + 0.001,
        "distance_km {distance_km} vs geometry {length_m} m"
    );
    let error = (length_m / 1000.0 - target_km).abs() / target_km;
    assert!(
        error <= tolerance + 1e-3,
        "length {length_m} m is {error:.3} off {target_km} km"
    );
    assert!((f(l, "length_error") - error).abs() < 2e-3);

    for field in ["ascent_m", "descent_m", "duration_h", "compactness"] {
        assert!(f(l, field) >= 0.0, "{field}");
    }
    let sharing = f(l, "sharing");
    assert!((0.0..=1.0).contains(&sharing));
    let kind = l["kind"].as_str().unwrap();
    assert!(
        ["loop", "lollipop", "out_and_back"].contains(&kind),
        "{kind}"
    );
    assert_eq!(
        kind == "loop",
        sharing == 0.0,
        "kind {kind} with sharing {sharing}"
    );
    let difficulty = l["difficulty"].as_str().unwrap();
    assert!(["easy", "moderate", "hard", "expert"].contains(&difficulty));
    let segments = l["segments"].as_array().unwrap();
    assert!(!segments.is_empty());
    let segments_km: f64 = segments.iter().map(|s| f(s, "distance_km")).sum();
    assert!(
        (segments_km - distance_km).abs() <= 0.01 * distance_km,
        "segments sum {segments_km} vs {distance_km}"
    );
    assert!(segments.iter().all(|s| s["highway"].is_string()));
}

fn request(lat: f64, lon: f64, target_km: f64) -> Value {
    json!({
        "origin": {"lat": lat, "lon": lon},
        "max_drive_km": 25,
        "target_km": target_km,
        "max_results": 3
    })
}

async fn loops_from_several_origins_and_lengths_keep_the_contract(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (42.5078, 1.5211, 20.0), // Andorra la Vella
        (42.5667, 1.6000, 10.0), // Canillo
        (42.5720, 1.4848, 15.0), // Arinsal
        (42.5766, 1.6676, 6.0),  // Soldeu
    ];
    for (lat, lon, target) in cases {
        let req = request(lat, lon, target);
        let answer = app.loops(&req).await;
        assert_eq!(answer["attribution"], "© OpenStreetMap contributors");
        assert_eq!(answer["duration_model"], "naismith");
        assert_eq!(answer["drive_distance"]["method"], "road_network");
        assert!(
            answer["drive_distance"]["origin_to_road_km"]
                .as_f64()
                .unwrap()
                < 0.5
        );
        assert_eq!(answer["drive_distance"]["circuity_factor"], 1.3);
        let loops = answer["loops"].as_array().unwrap();
        assert!(!loops.is_empty(), "no loop for {req}: {answer}");
        assert!(loops.len() <= 3);
        for (i, l) in loops.iter().enumerate() {
            assert_eq!(l["rank"], i + 1);
            assert_loop_contract(l, &req);
        }
    }
}

async fn the_query_string_form_answers_like_the_body(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = json!({
        "origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 15, "target_km": 8,
        "max_results": 2, "seed": 7, "preferences": {"avoid_roads": true}
    });
    let posted = app.loops(&body).await;
    let r = app
        .get("/v1/loops?lat=42.5078&lon=1.5211&max_drive_km=15&target_km=8&max_results=2&seed=7&avoid_roads=true")
        .await;
    assert_eq!(r.status(), 200);
    let got: Value = r.json().await.unwrap();
    assert!(!got["loops"].as_array().unwrap().is_empty());
    // Same input and seed, same loops: the search is deterministic (the tokens hold
    // the second each was answered in).
    let untokened = |a: &Value| {
        let mut loops = a["loops"].clone();
        for l in loops.as_array_mut().unwrap() {
            assert!(l["token"].is_string());
            l.as_object_mut().unwrap().remove("token");
        }
        loops
    };
    assert_eq!(untokened(&got), untokened(&posted));
}

async fn multi_day_trips_come_in_stages_that_add_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let req = json!({
        "origin": {"lat": 42.5667, "lon": 1.6000}, "max_drive_km": 25, "target_km": 36,
        "tolerance": 0.1, "days": 2, "max_day_km": 22, "max_results": 1
    });
    let answer = app.loops(&req).await;
    let loops = answer["loops"].as_array().unwrap();
    assert!(!loops.is_empty(), "{answer}");
    let l = &loops[0];
    assert_loop_contract(l, &req);
    assert_eq!(
        (l["days"].as_u64(), l["target_km"].as_f64()),
        (Some(2), Some(36.0))
    );
    let stages = l["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 2, "{stages:?}");
    let total: f64 = stages
        .iter()
        .map(|s| s["distance_km"].as_f64().unwrap())
        .sum();
    let distance = l["distance_km"].as_f64().unwrap();
    assert!(
        (total - distance).abs() <= 0.01 * distance,
        "{total} vs {distance}"
    );
    for (i, s) in stages.iter().enumerate() {
        assert_eq!(s["day"], i + 1);
        let walked = s["distance_km"].as_f64().unwrap() + s["off_trail_km"].as_f64().unwrap();
        assert!(walked <= 22.0 + 1e-3, "{s}");
    }
    let night = &stages[0]["night"];
    for field in ["kind", "osm_type", "osm_id", "lat", "lon", "off_trail_km"] {
        assert!(!night[field].is_null(), "night.{field}: {night}");
    }
    assert!(
        stages[1].get("night").is_none(),
        "the last day ends back at the start"
    );
    let coords = l["geometry"]["coordinates"].as_array().unwrap();
    assert_eq!(stages[0]["start_index"], 0);
    assert_eq!(stages[0]["end_index"], stages[1]["start_index"]);
    assert_eq!(stages[1]["end_index"], coords.len() - 1);
}

async fn a_chosen_trailhead_is_used_and_one_out_of_range_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let near: Value = app
        .get("/v1/trailheads?lat=42.5078&lon=1.5211&radius_km=5&limit=3")
        .await
        .json()
        .await
        .unwrap();
    let id = near["trailheads"][0]["id"]
        .as_i64()
        .expect("a trailhead near la Vella");
    let mut req = request(42.5078, 1.5211, 8.0);
    req["trailhead_id"] = id.into();
    let answer = app.loops(&req).await;
    let loops = answer["loops"].as_array().unwrap();
    assert!(!loops.is_empty());
    assert!(loops.iter().all(|l| l["trailhead"]["id"] == id));

    // The same trailhead from Soldeu, 15 km off, with a 5 km drive limit.
    let mut far = request(42.5766, 1.6676, 8.0);
    far["max_drive_km"] = 5.into();
    far["trailhead_id"] = id.into();
    let r = app.post_json("/v1/loops", &far).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "trailhead_id");
}

async fn trailheads_beyond_the_drive_limit_are_never_used(backend: Backend) {
    let app = spawn_app(backend).await;
    let th: Value = app
        .get("/v1/trailheads?lat=42.5078&lon=1.5211&radius_km=30&limit=200")
        .await
        .json()
        .await
        .unwrap();
    let list = th["trailheads"].as_array().unwrap();
    assert!(list.len() > 10);
    let mut last = 0.0;
    for t in list {
        let d = t["distance_km"].as_f64().unwrap();
        assert!(
            d >= last - 1e-9 && d <= 30.0,
            "nearest first, within radius"
        );
        // By road, never shorter than the straight line (less the walk from each end to
        // its road: the origin is by a street, a trailhead at most 300 m off one).
        if let Some(drive) = t["drive_km"].as_f64() {
            assert_eq!(t["drive_method"], "road_network");
            assert!(drive >= d - 0.31, "{drive} km by road, {d} km straight");
        } else {
            assert_eq!(t["drive_method"], "not_reached");
        }
        last = d;
    }
    // A short drive limit: every loop's trailhead is within it.
    let mut req = request(42.5078, 1.5211, 6.0);
    req["max_drive_km"] = 3.into();
    for l in app.loops(&req).await["loops"].as_array().unwrap() {
        assert!(l["trailhead"]["drive_km"].as_f64().unwrap() <= 3.0);
    }
    // Out at sea, nothing is in range: an empty answer that says why.
    let answer = app.loops(&request(41.0, 3.5, 10.0)).await;
    assert_eq!(answer["loops"], json!([]));
    assert_eq!(answer["trailheads_considered"], 0);
    assert!(answer["message"].as_str().unwrap().contains("no trailhead"));
}

on_both_backends!(
    loops_from_several_origins_and_lengths_keep_the_contract,
    the_query_string_form_answers_like_the_body,
    multi_day_trips_come_in_stages_that_add_up,
    a_chosen_trailhead_is_used_and_one_out_of_range_is_refused,
    trailheads_beyond_the_drive_limit_are_never_used,
);
