//! The planning network in memory: a byte bound smaller than the region evicts and
//! reloads without changing an answer, and an import swaps the network under load
//! without a failed request. Its lines on a map (`/v1/network`): within a byte bound
//! whatever the box.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp, ANDORRA};

fn request(lat: f64, lon: f64, target_km: f64) -> Value {
    json!({
        "origin": {"lat": lat, "lon": lon}, "max_drive_km": 20,
        "target_km": target_km, "max_results": 3, "seed": 3
    })
}

/// Origins at both ends of Andorra, so that each needs tiles the other does not.
fn requests() -> Vec<Value> {
    vec![
        request(42.5720, 1.4848, 12.0), // Arinsal, in the west
        request(42.5766, 1.6676, 12.0), // Soldeu, in the east
        request(42.5078, 1.5211, 8.0),  // Andorra la Vella
    ]
}

/// An answer's loops without their tokens.
fn untokened(answer: &serde_json::Value) -> serde_json::Value {
    let mut loops = answer["loops"].clone();
    for l in loops.as_array_mut().unwrap() {
        l.as_object_mut().unwrap().remove("token");
    }
    loops
}

async fn a_byte_bound_smaller_than_the_region_evicts_and_reloads_with_the_same_answers(
    backend: Backend,
) {
    let roomy = spawn_app(backend).await;
    // 2 MiB: less than Andorra's largest tile alone (about 4.6 MB).
    let tight = spawn_app_with(backend, &[("TRAILLOOP__NETWORK__CACHE_MIB", "2")]).await;
    for round in 0..2 {
        for req in requests() {
            let (a, b) = (roomy.loops(&req).await, tight.loops(&req).await);
            assert!(!a["loops"].as_array().unwrap().is_empty(), "{req}");
            // The same loops; their tokens differ (each app has a key of its own).
            assert_eq!(untokened(&a), untokened(&b), "round {round}: {req}");
            let cache = tight.planner.cache();
            assert!(
                cache.bytes_held() <= cache.capacity_bytes(),
                "{} bytes held over a bound of {}",
                cache.bytes_held(),
                cache.capacity_bytes()
            );
        }
    }
    assert!(metric(&tight, "network_cache_evictions_total").await >= 1.0);
    // Every tile of the region was loaded at least once, and some again after eviction.
    let tiles = roomy.planner.cache().tiles_held() as f64;
    assert!(tiles >= 2.0);
    let loads = metric(&tight, "network_cache_misses_total").await;
    assert!(loads > tiles, "{loads} loads of {tiles} tiles");
    // The roomy app loaded each tile once and then answered from memory.
    assert_eq!(metric(&roomy, "network_cache_evictions_total").await, 0.0);
    assert_eq!(metric(&roomy, "network_cache_misses_total").await, tiles);
}

/// The sum of a metric's samples, all labels.
async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .expect("metrics parse");
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Gauge(v) => v,
            _ => 0.0,
        })
        .sum()
}

/// An import of the region while requests run: every request is answered, and the
/// answers after the import come from the new import (whose trailhead ids are new).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_during_load_swaps_the_network_without_a_failed_request() {
    let app = spawn_app(Backend::Postgres).await;
    let db = app._db.as_ref().expect("a database");
    let ids_before: Vec<i64> = {
        let client = db.client().await;
        client
            .query("SELECT id FROM trailheads", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    // Warm: the tiles of the old import are in memory.
    for req in requests() {
        app.loops(&req).await;
    }
    let stop = Instant::now() + Duration::from_secs(60);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for worker in 0..3 {
        let (client, address, done) = (app.client.clone(), app.address.clone(), done.clone());
        load.push(tokio::spawn(async move {
            let mut answered = 0;
            let mut i = worker;
            while !done.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < stop {
                let req = &requests()[i % 3];
                i += 1;
                let r = client
                    .post(format!("{address}/v1/loops"))
                    .json(req)
                    .send()
                    .await
                    .expect("a response");
                let status = r.status();
                let body = r.text().await.unwrap();
                assert_eq!(status, 200, "{req}: {body}");
                let answer: Value = serde_json::from_str(&body).unwrap();
                assert!(!answer["loops"].as_array().unwrap().is_empty(), "{body}");
                answered += 1;
            }
            answered
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut client = db.client().await;
    let source = trailloop::db::region_writer::ImportSource {
        region: "andorra".into(),
        source: "andorra.osm.pbf".into(),
        sha256: "again".into(),
        dem_sources: vec![],
        started_at: chrono::Utc::now(),
    };
    let network = tokio::task::spawn_blocking(|| &*ANDORRA).await.unwrap();
    trailloop::db::region_writer::replace_region(&mut client, &source, network)
        .await
        .expect("the second import");
    // Let requests run on the new import for a while.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answered = 0;
    for l in load {
        answered += l.await.expect("a load worker");
    }
    assert!(answered >= 6, "only {answered} requests answered");
    let after = app.loops(&requests()[0]).await;
    for l in after["loops"].as_array().unwrap() {
        let id = l["trailhead"]["id"].as_i64().unwrap();
        assert!(
            !ids_before.contains(&id),
            "trailhead {id} is from the old import"
        );
    }
    // The old import's tiles were dropped.
    assert!(metric(&app, "network_cache_evictions_total").await >= 1.0);
}

/// `[lon, lat]` of a GeoJSON position.
fn position(p: &Value) -> [f64; 2] {
    [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()]
}

/// A line's length, metres.
fn length_m(line: &[Value]) -> f64 {
    line.windows(2)
        .map(|w| trailloop_geo::haversine_m(position(&w[0]), position(&w[1])))
        .sum()
}

/// `/v1/network` answers at most 1 MiB whatever the box: the largest box over the
/// whole sample region (4.6 MB of lines before the bound) is cut to it, keeps the
/// longest lines all over the region, and says it was cut; a small box is whole.
async fn a_large_box_is_answered_within_a_mebibyte_with_the_longest_lines(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/v1/network?bbox=1.30,42.30,1.80,42.80").await;
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.unwrap();
    assert!(body.len() <= 1 << 20, "{} bytes", body.len());
    // The region holds more than the bound: the answer is filled up to it.
    assert!(body.len() > 1_000_000, "{} bytes", body.len());
    let fc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(fc["truncated"], true);
    assert!(
        fc["hint"].as_str().unwrap().contains("Zoom in"),
        "{}",
        fc["hint"]
    );
    let features = fc["features"].as_array().unwrap();
    assert!(features.len() > 3000, "{} lines", features.len());
    // All over the region, not one corner of it: every quarter of Andorra around
    // (1.55, 42.55) has lines.
    let mut quarters = [0; 4];
    for f in features {
        let [lon, lat] = position(&f["geometry"]["coordinates"][0]);
        quarters[usize::from(lon > 1.55) + 2 * usize::from(lat > 42.55)] += 1;
    }
    assert!(
        quarters.iter().all(|&n| n >= 200),
        "lines by quarter: {quarters:?}"
    );
    // Longest first: the first hundred lines are longer than the last hundred.
    let lengths: Vec<f64> = features
        .iter()
        .map(|f| length_m(f["geometry"]["coordinates"].as_array().unwrap()))
        .collect();
    let median = |ls: &[f64]| {
        let mut ls = ls.to_vec();
        ls.sort_by(f64::total_cmp);
        ls[ls.len() / 2]
    };
    let (first, last) = (
        median(&lengths[..100]),
        median(&lengths[lengths.len() - 100..]),
    );
    assert!(first > 10.0 * last, "first lines {first} m, last {last} m");
    // Positions to a tenth of a metre (six decimals), no finer.
    for f in features.iter().step_by(50) {
        for p in f["geometry"]["coordinates"].as_array().unwrap() {
            for x in position(p) {
                assert!(((x * 1e6).round() - x * 1e6).abs() < 1e-6, "{x}");
            }
        }
    }

    // A small box gets every line, and no hint.
    let small: Value = app
        .get("/v1/network?bbox=1.55,42.52,1.60,42.56")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(small["truncated"], false);
    assert!(small.get("hint").is_none(), "{}", small["hint"]);
    assert!(small["features"].as_array().unwrap().len() > 100);
}

on_both_backends!(
    a_byte_bound_smaller_than_the_region_evicts_and_reloads_with_the_same_answers,
    a_large_box_is_answered_within_a_mebibyte_with_the_longest_lines,
);
