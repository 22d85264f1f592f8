//! Drive distances against an independent reference: pgRouting's `pgr_dijkstra` on the
//! same `road_edges` rows in the test PostGIS, the origin snapped to its nearest road by
//! PostGIS itself. Both backends answer; every trailhead in range of five origins must
//! agree within 1%, none beyond the limit may appear, none within it may be missing;
//! trailheads the old straight-line rule (x 1.3) turned away are now used, and those it
//! let in beyond the limit by road are not.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestDatabase};

const ORIGINS: [(&str, f64, f64); 5] = [
    ("Andorra la Vella", 42.5078, 1.5211),
    ("Encamp", 42.5344, 1.5810),
    ("Sant Julia de Loria", 42.4637, 1.4913),
    ("Ordino", 42.5562, 1.5331),
    ("Soldeu", 42.5766, 1.6676),
];
const LIMIT_KM: f64 = 20.0;

/// The fastest drive to each trailhead by pgRouting: (km, minutes) by trailhead position.
struct Reference {
    origin_off_m: f64,
    drives: Vec<((f64, f64), f64, f64)>,
}

async fn reference(client: &tokio_postgres::Client, lat: f64, lon: f64) -> Reference {
    client
        .batch_execute("CREATE EXTENSION IF NOT EXISTS pgrouting")
        .await
        .expect("pgRouting is installed in the test cluster");
    // The origin's road: the nearest edge one may stop on (not a motorway, both ends in
    // a strongly connected piece of at least 50 nodes by pgRouting: a car can leave it),
    // by geodesic distance among the nearest by bounding box.
    let snap = client
        .query_one(
            "WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g),
                  scc AS (
                    SELECT node, count(*) OVER (PARTITION BY component) AS size
                    FROM pgr_strongComponents(
                        'SELECT id, source, target,
                                CASE WHEN forward THEN 1 ELSE -1 END AS cost,
                                CASE WHEN backward THEN 1 ELSE -1 END AS reverse_cost
                         FROM road_edges')),
                  big AS (SELECT node FROM scc WHERE size >= 50),
                  near AS (
                    SELECT e.* FROM road_edges e, p
                    WHERE e.highway NOT IN ('motorway', 'motorway_link')
                      AND e.source IN (SELECT node FROM big)
                      AND e.target IN (SELECT node FROM big)
                    ORDER BY e.geom <-> p.g LIMIT 50)
             SELECT source, target, length_m, seconds, forward, backward,
                    ST_LineLocatePoint(near.geom, p.g),
                    ST_Distance(near.geom::geography, p.g::geography)
             FROM near, p
             ORDER BY ST_Distance(near.geom::geography, p.g::geography) LIMIT 1",
            &[&lon, &lat],
        )
        .await
        .unwrap();
    let (source, target): (i64, i64) = (snap.get(0), snap.get(1));
    let (len, secs): (f64, f64) = (snap.get(2), snap.get(3));
    let (fwd, bwd): (bool, bool) = (snap.get(4), snap.get(5));
    let frac: f64 = snap.get(6);
    let origin_off_m: f64 = snap.get(7);
    // Start vertices with the part of the origin's edge driven to reach them.
    let mut starts: Vec<(i64, f64, f64)> = Vec::new();
    if fwd {
        starts.push((target, (1.0 - frac) * len, (1.0 - frac) * secs));
    }
    if bwd {
        starts.push((source, frac * len, frac * secs));
    }
    let rows = client
        .query(
            "SELECT d.start_vid, d.end_vid, max(d.agg_cost), coalesce(sum(e.length_m), 0)
             FROM pgr_dijkstra(
                 'SELECT id, source, target,
                         CASE WHEN forward THEN seconds ELSE -1 END AS cost,
                         CASE WHEN backward THEN seconds ELSE -1 END AS reverse_cost
                  FROM road_edges',
                 $1::bigint[],
                 (SELECT array_agg(DISTINCT v)
                  FROM trailheads t
                  JOIN road_edges e ON e.region = t.region AND e.seq = t.road_seq,
                  LATERAL (VALUES (e.source), (e.target)) x(v)),
                 directed => true) d
             LEFT JOIN road_edges e ON e.id = d.edge
             GROUP BY d.start_vid, d.end_vid",
            &[&starts.iter().map(|s| s.0).collect::<Vec<i64>>()],
        )
        .await
        .expect("pgr_dijkstra");
    // Per vertex: the fastest (seconds, metres) from the origin.
    let mut best: HashMap<i64, (f64, f64)> = HashMap::new();
    let mut offer = |v: i64, s: f64, m: f64| {
        let slot = best.entry(v).or_insert((f64::INFINITY, f64::INFINITY));
        if s < slot.0 {
            *slot = (s, m);
        }
    };
    for &(v, m, s) in &starts {
        offer(v, s, m);
    }
    for r in rows {
        let (from, to): (i64, i64) = (r.get(0), r.get(1));
        let (cost, metres): (f64, f64) = (r.get(2), r.get(3));
        let start = starts.iter().find(|s| s.0 == from).unwrap();
        offer(to, start.2 + cost, start.1 + metres);
    }
    // Each trailhead: into its edge from either end, as the direction allows.
    let trailheads = client
        .query(
            "SELECT ST_Y(t.geom), ST_X(t.geom), t.road_along_m, e.source, e.target,
                    e.length_m, e.seconds, e.forward, e.backward
             FROM trailheads t JOIN road_edges e ON e.region = t.region AND e.seq = t.road_seq",
            &[],
        )
        .await
        .unwrap();
    let mut drives = Vec::new();
    for t in trailheads {
        let (tlat, tlon): (f64, f64) = (t.get(0), t.get(1));
        let along = f64::from(t.get::<_, f32>(2));
        let (s, e): (i64, i64) = (t.get(3), t.get(4));
        let (len, secs): (f64, f64) = (t.get(5), t.get(6));
        let (fwd, bwd): (bool, bool) = (t.get(7), t.get(8));
        let mut fastest = (f64::INFINITY, f64::INFINITY);
        if fwd {
            if let Some(&(bs, bm)) = best.get(&s) {
                let c = (bs + secs * along / len, bm + along);
                if c.0 < fastest.0 {
                    fastest = c;
                }
            }
        }
        if bwd {
            if let Some(&(bs, bm)) = best.get(&e) {
                let c = (bs + secs * (len - along) / len, bm + len - along);
                if c.0 < fastest.0 {
                    fastest = c;
                }
            }
        }
        if fastest.0.is_finite() {
            drives.push(((tlat, tlon), fastest.1 / 1000.0, fastest.0 / 60.0));
        }
    }
    Reference {
        origin_off_m,
        drives,
    }
}

/// A position to the 1e-7 degrees answers give (rounding to fewer digits twice could
/// land on two keys).
fn key(lat: f64, lon: f64) -> (i64, i64) {
    ((lat * 1e7).round() as i64, (lon * 1e7).round() as i64)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number: {v}"))
}

#[tokio::test]
async fn drive_distances_agree_with_pgrouting_within_one_percent_on_both_backends() {
    let db = TestDatabase::andorra().await;
    let client = db.client().await;
    // The reference routes whole components with pgRouting: on a loaded test machine
    // that may take longer than the service's statement limit, which is not under test.
    client
        .batch_execute("SET statement_timeout = 0")
        .await
        .unwrap();
    let apps = [
        spawn_app(Backend::Postgres).await,
        spawn_app(Backend::Embedded).await,
    ];
    for (name, lat, lon) in ORIGINS {
        let want = reference(&client, lat, lon).await;
        let by_key: HashMap<(i64, i64), (f64, f64)> = want
            .drives
            .iter()
            .map(|&((a, b), km, min)| (key(a, b), (km, min)))
            .collect();
        let in_range = want.drives.iter().filter(|d| d.1 <= LIMIT_KM).count();
        assert!(in_range >= 20, "{name}: {in_range} trailheads in range");
        for app in &apps {
            let answer: Value = app
                .get(&format!(
                    "/v1/trailheads?lat={lat}&lon={lon}&max_drive_km={LIMIT_KM}&limit=200"
                ))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(
                answer["drive_distance"]["method"], "road_network",
                "{answer}"
            );
            let off_m = f(&answer["drive_distance"]["origin_to_road_km"]) * 1000.0;
            assert!(
                (off_m - want.origin_off_m).abs() < 5.0,
                "{name}: snap {off_m} vs {}",
                want.origin_off_m
            );
            let listed = answer["trailheads"].as_array().unwrap();
            for t in listed {
                let (km, min) = (f(&t["drive_km"]), f(&t["drive_minutes"]));
                assert_eq!(t["drive_method"], "road_network");
                assert!(km <= LIMIT_KM, "{name}: a {km} km drive beyond the limit");
                let (ref_km, ref_min) = by_key[&key(f(&t["lat"]), f(&t["lon"]))];
                assert!(
                    (km - ref_km).abs() <= 0.01 * ref_km + 0.005,
                    "{name}: {km} km vs pgRouting {ref_km} ({ref_min} min): {t}"
                );
                assert!(
                    (min - ref_min).abs() <= 0.01 * ref_min + 0.05,
                    "{name}: {min} min vs pgRouting {ref_min}"
                );
            }
            // Every trailhead the reference puts in range (clear of the edge) is listed,
            // up to the 200 the answer holds, fastest first.
            let mut in_range: Vec<f64> = want
                .drives
                .iter()
                .filter(|d| d.1 <= LIMIT_KM * 0.99)
                .map(|d| d.2)
                .collect();
            in_range.sort_by(f64::total_cmp);
            let expected = in_range.len().min(200);
            assert!(
                listed.len() >= expected,
                "{name}: {} listed, {} in range by pgRouting",
                listed.len(),
                in_range.len()
            );
            if in_range.len() > 200 {
                // Cut at 200: the 200 fastest.
                let slowest = f(&listed[listed.len() - 1]["drive_minutes"]);
                assert!(
                    slowest <= in_range[199] * 1.01 + 0.05,
                    "{name}: not the fastest: {slowest} min listed, the 200th is {} min",
                    in_range[199]
                );
            }
            let minutes: Vec<f64> = listed.iter().map(|t| f(&t["drive_minutes"])).collect();
            assert!(minutes.windows(2).all(|w| w[0] <= w[1]), "fastest first");
        }
    }
}

#[tokio::test]
async fn no_loop_starts_beyond_the_drive_limit_and_a_time_limit_works_alone() {
    let app = spawn_app(Backend::Postgres).await;
    for (name, lat, lon) in ORIGINS {
        for limit in [
            json!({"max_drive_km": 12}),
            json!({"max_drive_minutes": 15}),
        ] {
            let mut body =
                json!({"origin": {"lat": lat, "lon": lon}, "target_km": 10, "max_results": 3});
            body.as_object_mut()
                .unwrap()
                .extend(limit.as_object().unwrap().clone());
            let answer = app.loops(&body).await;
            let loops = answer["loops"].as_array().unwrap();
            assert!(!loops.is_empty(), "{name} {limit}: {answer}");
            for l in loops {
                let t = &l["trailhead"];
                assert_eq!(t["drive_method"], "road_network");
                if let Some(km) = limit["max_drive_km"].as_f64() {
                    assert!(f(&t["drive_km"]) <= km, "{name}: {t}");
                }
                if let Some(min) = limit["max_drive_minutes"].as_f64() {
                    assert!(f(&t["drive_minutes"]) <= min, "{name}: {t}");
                }
            }
        }
    }
}

#[tokio::test]
async fn a_trailhead_the_straight_line_rule_turned_away_is_planned_from() {
    let app = spawn_app(Backend::Embedded).await;
    // Encamp lies on the valley road: a 10 km drive goes farther than 10 / 1.3 km.
    let (lat, lon, limit) = (ORIGINS[1].1, ORIGINS[1].2, 10.0);
    let listed: Value = app
        .get(&format!(
            "/v1/trailheads?lat={lat}&lon={lon}&max_drive_km={limit}&limit=200"
        ))
        .await
        .json()
        .await
        .unwrap();
    let listed = listed["trailheads"].as_array().unwrap();
    let far = listed
        .iter()
        .find(|t| f(&t["distance_km"]) * 1.3 > limit)
        .expect("a trailhead the old rule rejected");
    // And the winding roads: some the old rule let in are beyond 10 km by road.
    let around: Value = app
        .get(&format!(
            "/v1/trailheads?lat={lat}&lon={lon}&radius_km={}&limit=200",
            limit / 1.3
        ))
        .await
        .json()
        .await
        .unwrap();
    let let_in = around["trailheads"].as_array().unwrap();
    let beyond = let_in
        .iter()
        .filter(|t| t["drive_km"].as_f64().is_none_or(|km| km > limit))
        .count();
    assert!(
        beyond > 0,
        "every trailhead within {} km straight is within {limit} km by road",
        limit / 1.3
    );
    for t in let_in
        .iter()
        .filter(|t| t["drive_km"].as_f64().is_none_or(|km| km > limit))
    {
        assert!(
            !listed.iter().any(|l| l["id"] == t["id"]),
            "{t} is beyond the limit by road"
        );
    }
    let body = json!({
        "origin": {"lat": lat, "lon": lon}, "max_drive_km": limit, "target_km": 8,
        "trailhead_id": far["id"], "tolerance": 0.2
    });
    let answer = app.loops(&body).await;
    let loops = answer["loops"].as_array().unwrap();
    assert!(!loops.is_empty(), "{answer}");
    assert_eq!(loops[0]["trailhead"]["id"], far["id"]);
    // With a limit shorter than its drive it is refused, naming the field.
    let refused = app
        .post_json(
            "/v1/loops",
            &json!({"origin": {"lat": lat, "lon": lon}, "max_drive_km": 1, "target_km": 8,
                    "trailhead_id": far["id"]}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "trailhead_id", "{problem}");
}
