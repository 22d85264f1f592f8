//! What the map page asks besides loops, on both backends: the covered areas, places by
//! name, each loop's name and the drive's way.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend};

fn inside(square: &Value, lon: f64, lat: f64) -> bool {
    let ring = square[0].as_array().unwrap();
    let xs: Vec<f64> = ring.iter().map(|p| p[0].as_f64().unwrap()).collect();
    let ys: Vec<f64> = ring.iter().map(|p| p[1].as_f64().unwrap()).collect();
    let (w, e) = (
        xs.iter().cloned().fold(f64::MAX, f64::min),
        xs.iter().cloned().fold(f64::MIN, f64::max),
    );
    let (s, n) = (
        ys.iter().cloned().fold(f64::MAX, f64::min),
        ys.iter().cloned().fold(f64::MIN, f64::max),
    );
    (w - 1e-7..=e + 1e-7).contains(&lon) && (s - 1e-7..=n + 1e-7).contains(&lat)
}

async fn the_coverage_holds_every_trailhead(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/v1/coverage").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/geo+json"
    );
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["type"], "FeatureCollection");
    let features = c["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "{c}");
    let squares = features[0]["geometry"]["coordinates"].as_array().unwrap();
    assert!(!squares.is_empty());
    for sq in squares {
        let ring = sq[0].as_array().unwrap();
        assert_eq!(ring.len(), 5);
        assert_eq!(ring[0], ring[4], "closed");
    }
    let bbox: Vec<f64> = c["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // Every trailhead the service knows lies in a covered square and the box.
    // (A radius search answers the nearest 50: four of them over the country.)
    let mut trailheads: Vec<Value> = Vec::new();
    for (lat, lon) in [(42.45, 1.45), (42.45, 1.70), (42.62, 1.45), (42.62, 1.70)] {
        let t: Value = app
            .get(&format!("/v1/trailheads?lat={lat}&lon={lon}&radius_km=40"))
            .await
            .json()
            .await
            .unwrap();
        trailheads.extend(t["trailheads"].as_array().unwrap().iter().cloned());
    }
    assert!(trailheads.len() >= 150, "{}", trailheads.len());
    for th in &trailheads {
        let (lon, lat) = (th["lon"].as_f64().unwrap(), th["lat"].as_f64().unwrap());
        assert!(squares.iter().any(|sq| inside(sq, lon, lat)), "{th}");
        assert!(bbox[0] <= lon && lon <= bbox[2] && bbox[1] <= lat && lat <= bbox[3]);
    }
    assert!(features[0]["properties"]["trailheads"].as_u64().unwrap() >= 150);
    // Andorra la Vella is covered; Barcelona is not.
    assert!(squares.iter().any(|sq| inside(sq, 1.5211, 42.5078)));
    assert!(!squares.iter().any(|sq| inside(sq, 2.17, 41.39)));
}

async fn places_are_found_by_name_as_typed(backend: Backend) {
    let app = spawn_app(backend).await;
    let find = |q: &str| {
        let path = format!("/v1/places?q={}&limit=10", urlencoding(q));
        let app = &app;
        async move {
            let r = app.get(&path).await;
            assert_eq!(r.status(), 200, "{path}");
            r.json::<Value>().await.unwrap()["places"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    // Without its accent and in capitals: the extract's "Càmping Janramon".
    let found = find("CAMPING JANRAMON").await;
    assert_eq!(found[0]["name"], "Càmping Janramon", "{found:?}");
    assert_eq!(found[0]["kind"], "camp_site");
    // Every answer holds the query, names starting with it first.
    let found = find("refugi").await;
    assert_eq!(found.len(), 10, "{found:?}");
    for p in &found {
        let name = p["name"].as_str().unwrap().to_lowercase();
        assert!(name.contains("refugi"), "{p}");
        let (lat, lon) = (p["lat"].as_f64().unwrap(), p["lon"].as_f64().unwrap());
        assert!(
            (42.4..42.7).contains(&lat) && (1.4..1.8).contains(&lon),
            "{p}"
        );
    }
    assert!(found[0]["name"].as_str().unwrap().starts_with("Refugi"));
    // A town by its name, first and as a town, though hotels and car parks carry it too
    // (the extract tags Encamp place=town and Soldeu place=village); as typed, without
    // capitals.
    let found = find("encamp").await;
    assert_eq!(found[0]["name"], "Encamp", "{found:?}");
    assert_eq!(found[0]["kind"], "town", "{found:?}");
    let (lat, lon) = (
        found[0]["lat"].as_f64().unwrap(),
        found[0]["lon"].as_f64().unwrap(),
    );
    assert!(
        (42.52..42.55).contains(&lat) && (1.57..1.60).contains(&lon),
        "{}",
        found[0]
    );
    let found = find("soldeu").await;
    assert_eq!(
        (&found[0]["name"], &found[0]["kind"]),
        (&json!("Soldeu"), &json!("village")),
        "{found:?}"
    );
    // A peak by part of its name, a trailhead by its own.
    assert!(find("casamanya").await.iter().any(|p| p["kind"] == "peak"));
    let th: Value = app
        .get("/v1/trailheads?lat=42.5078&lon=1.5211&radius_km=20")
        .await
        .json()
        .await
        .unwrap();
    let named = th["trailheads"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|t| t["name"].as_str().filter(|n| n.len() > 5))
        .expect("a named trailhead")
        .to_owned();
    assert!(find(&named).await.iter().any(|p| p["name"] == json!(named)));
    assert!(find("x").await.is_empty(), "one letter finds nothing");
    assert!(find("zzzqqq").await.is_empty());
    for bad in ["limit=0", "limit=51", "q=a&nope=1"] {
        let r = app.get(&format!("/v1/places?q=pic&{bad}")).await;
        assert_eq!(r.status(), 422, "{bad}");
    }
}

fn urlencoding(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

/// The names of an answer's loops: distinct, and each made only of what its loop
/// passes (highlight, trail and trailhead names from the answer) or its length.
fn check_names(a: &Value) -> usize {
    let loops = a["loops"].as_array().unwrap();
    assert!(!loops.is_empty(), "an answer with loops to name: {a}");
    let names: Vec<&str> = loops.iter().map(|l| l["name"].as_str().unwrap()).collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "names shared: {names:?}");
    for l in loops {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(
            l["highlights"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|h| h["name"].as_str().map(String::from)),
        );
        parts.extend(
            l["segments"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s["name"].as_str().map(String::from)),
        );
        parts.extend(l["trailhead"]["name"].as_str().map(String::from));
        let name = l["name"].as_str().unwrap();
        assert!(!name.is_empty());
        // Take out every known name and the joining words: nothing made up is left.
        let mut rest = name.to_owned();
        parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in &parts {
            rest = rest.replace(p.as_str(), "");
        }
        let rest: String = rest
            .replace(" and ", " ")
            .replace(" from ", " ")
            .replace(" via ", " ")
            .replace("Loop", "")
            .replace(" km loop", "")
            .replace(" km", "")
            .chars()
            .filter(|c| !c.is_ascii_digit() && !matches!(c, '.' | ',' | '(' | ')' | ' '))
            .collect();
        assert!(
            rest.is_empty(),
            "{name:?} has {rest:?} not from its data {parts:?}"
        );
    }
    loops.len()
}

async fn loops_have_distinct_names_made_of_their_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut named = 0;
    let mut answers = 0;
    for (lat, lon) in [
        (42.5078, 1.5211),
        (42.57, 1.60),
        (42.46, 1.49),
        (42.53, 1.58),
    ] {
        for (km, days) in [(8.0, 1), (15.0, 1), (25.0, 1), (40.0, 3)] {
            let a = app
                .loops(&json!({
                    "origin": {"lat": lat, "lon": lon}, "max_drive_km": 30,
                    "target_km": km, "days": days, "max_results": 5
                }))
                .await;
            named += check_names(&a);
            answers += 1;
        }
    }
    // Names are told apart within answers of several loops, not only one each.
    assert!(named > answers, "{named} loops named in {answers} answers");
}

fn haversine(a: &Value, b: &Value) -> f64 {
    crate::judge::line::haversine_m(
        [a[0].as_f64().unwrap(), a[1].as_f64().unwrap()],
        [b[0].as_f64().unwrap(), b[1].as_f64().unwrap()],
    )
}

/// Each loop's drive, by road: a line from the origin to its trailhead whose length on
/// the roads is the drive's `drive_km`.
async fn the_drive_to_each_trailhead_is_drawn_along_its_roads(backend: Backend) {
    let app = spawn_app(backend).await;
    let (lat, lon) = (42.5078, 1.5211);
    let a = app
        .loops(&json!({
            "origin": {"lat": lat, "lon": lon}, "max_drive_km": 30,
            "target_km": 12, "max_results": 5
        }))
        .await;
    let loops = a["loops"].as_array().unwrap();
    assert!(!loops.is_empty());
    for l in loops {
        let th = &l["trailhead"];
        assert_eq!(th["drive_method"], "road_network", "{th}");
        let line = th["drive_geometry"]["coordinates"]
            .as_array()
            .unwrap_or_else(|| panic!("a drive line: {th}"));
        assert_eq!(th["drive_geometry"]["type"], "LineString");
        assert!(line.len() >= 3, "{line:?}");
        assert_eq!(line[0], json!([lon, lat]), "from the origin");
        assert_eq!(
            *line.last().unwrap(),
            json!([th["lon"], th["lat"]]),
            "to the trailhead"
        );
        // Between the walks off the road at either end, the line is the drive.
        let on_road: f64 = line[1..line.len() - 1]
            .windows(2)
            .map(|w| haversine(&w[0], &w[1]))
            .sum();
        let km = th["drive_km"].as_f64().unwrap();
        assert!(
            (on_road / 1000.0 - km).abs() <= 0.01 * km + 0.05,
            "line {:.3} km, drive {km} km",
            on_road / 1000.0
        );
    }
}

on_both_backends!(
    the_drive_to_each_trailhead_is_drawn_along_its_roads,
    the_coverage_holds_every_trailhead,
    places_are_found_by_name_as_typed,
    loops_have_distinct_names_made_of_their_data,
);
