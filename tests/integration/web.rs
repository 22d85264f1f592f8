//! What a web app on another origin needs: CORS, compressed answers, miles and hours,
//! GeoJSON with elevations and a profile, the trails around a place, and the map page.

use std::io::Read;

use reqwest::header::{HeaderMap, ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{data, spawn_app, spawn_app_with, Backend, TestApp};
use crate::judge::elevation::Srtm;

/// A 10 km request from Encamp.
fn encamp(extra: Value) -> Value {
    let mut body = json!({
        "origin": {"lat": 42.536, "lon": 1.583}, "max_drive_km": 25, "max_results": 3
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn preflight(app: &TestApp, path: &str, origin: &str, method: &str) -> HeaderMap {
    app.client
        .request(Method::OPTIONS, format!("{}{path}", app.address))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap()
        .headers()
        .clone()
}

fn allowed_origin(h: &HeaderMap) -> Option<&str> {
    h.get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn pages_of_allowed_origins_may_call_the_api_and_others_get_no_cors_headers() {
    let app = spawn_app_with(
        Backend::Embedded,
        &[("TRAILLOOP__SERVER__CORS_ORIGINS", "https://app.example.org")],
    )
    .await;
    let ok = preflight(&app, "/v1/loops", "https://app.example.org", "POST").await;
    assert_eq!(allowed_origin(&ok), Some("https://app.example.org"));
    let methods = ok["access-control-allow-methods"].to_str().unwrap();
    assert!(methods.contains("POST"), "{methods}");
    assert!(ok["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("content-type"));
    assert!(ok.contains_key("access-control-max-age"));
    let save = preflight(&app, "/v1/plans", "https://app.example.org", "POST").await;
    assert_eq!(allowed_origin(&save), Some("https://app.example.org"));

    let other = preflight(&app, "/v1/loops", "https://elsewhere.example", "POST").await;
    assert_eq!(allowed_origin(&other), None);
    assert!(!other.contains_key("access-control-allow-methods"));

    // The actual request: the browser may read the answer and its request id.
    let r = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("origin", "https://app.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed_origin(r.headers()), Some("https://app.example.org"));
    let exposed = r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    // Another origin is still served (not every client is a browser), without leave to
    // read the answer.
    let r = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(allowed_origin(r.headers()), None);
}

#[tokio::test]
async fn a_wildcard_opens_reading_to_any_origin_but_not_saving() {
    let app = spawn_app_with(
        Backend::Embedded,
        &[("TRAILLOOP__SERVER__CORS_ORIGINS", "*")],
    )
    .await;
    let read = preflight(&app, "/v1/loops", "https://anyone.example", "POST").await;
    assert_eq!(allowed_origin(&read), Some("https://anyone.example"));
    let save = preflight(&app, "/v1/plans", "https://anyone.example", "POST").await;
    assert_eq!(allowed_origin(&save), None);
}

#[tokio::test]
async fn without_settings_only_the_services_own_pages_call_it() {
    let app = spawn_app(Backend::Embedded).await;
    let other = preflight(&app, "/v1/loops", "https://app.example.org", "POST").await;
    assert_eq!(allowed_origin(&other), None);
    // A same-origin page's POST carries an Origin header too: it must be served.
    let r = app
        .client
        .post(format!("{}/v1/loops", app.address))
        .header("origin", &app.address)
        .json(&encamp(json!({"target_km": 5, "max_results": 1})))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn fetch(app: &TestApp, path: &str, encoding: &str) -> (Option<String>, Vec<u8>) {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .header(ACCEPT_ENCODING, encoding)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let enc = r
        .headers()
        .get(CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap().to_owned());
    (enc, r.bytes().await.unwrap().to_vec())
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(b, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

async fn answers_are_compressed_as_the_client_accepts_and_decode_to_the_plain_body(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    // A 40 km answer: large, and compressed.
    let r = app
        .client
        .post(format!("{}/v1/loops", app.address))
        .header(ACCEPT_ENCODING, "gzip")
        .json(&encamp(json!({"target_km": 40})))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
    let vary = r.headers()["vary"].to_str().unwrap().to_ascii_lowercase();
    assert!(vary.contains("accept-encoding"), "{vary}");
    let zipped = r.bytes().await.unwrap();
    let answer: Value = serde_json::from_slice(&gunzip(&zipped)).unwrap();
    assert_eq!(answer["loops"].as_array().unwrap().len(), 3, "{answer}");
    let plain_len = serde_json::to_vec(&answer).unwrap().len();
    assert!(
        zipped.len() * 2 < plain_len,
        "{} bytes gzipped of {plain_len}",
        zipped.len()
    );

    // A saved plan is the same every time: each encoding decodes to the plain bytes.
    let saved: Value = app
        .post_json(
            "/v1/plans",
            &json!({"name": "Compressed", "loop": answer["loops"][0]}),
        )
        .await
        .json()
        .await
        .unwrap();
    for path in [
        format!("/v1/plans/{}", saved["id"].as_str().unwrap()),
        format!("/v1/plans/{}/gpx", saved["id"].as_str().unwrap()),
        "/openapi.json".to_string(),
        "/vendor/leaflet/leaflet.js".to_string(),
    ] {
        let (none, plain) = fetch(&app, &path, "identity").await;
        assert_eq!(none, None, "{path}");
        let (gz, zipped) = fetch(&app, &path, "gzip").await;
        assert_eq!(gz.as_deref(), Some("gzip"), "{path}");
        assert_eq!(gunzip(&zipped), plain, "{path}");
        let (br, squeezed) = fetch(&app, &path, "br;q=1.0, gzip;q=0.5").await;
        assert_eq!(br.as_deref(), Some("br"), "{path}");
        assert_eq!(unbrotli(&squeezed), plain, "{path}");
    }
    // Small bodies go as they are.
    let (enc, body) = fetch(&app, "/healthz", "gzip, br").await;
    assert_eq!(enc, None);
    assert!(body.starts_with(b"{"));
}

async fn miles_and_hours_are_asked_for_and_both_units_answered(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app
        .loops(&json!({
            "origin": {"lat": 42.536, "lon": 1.583}, "max_drive_mi": 15, "target_mi": 6.2,
            "max_results": 2, "units": "imperial"
        }))
        .await;
    assert_eq!(a["units"], "imperial");
    let loops = a["loops"].as_array().unwrap();
    assert_eq!(loops.len(), 2, "{a}");
    for l in loops {
        let km = l["distance_km"].as_f64().unwrap();
        let mi = l["distance_mi"].as_f64().unwrap();
        assert!((mi * 1.609_344 - km).abs() < 0.01, "{km} km is not {mi} mi");
        assert!((l["target_km"].as_f64().unwrap() - 9.978).abs() < 0.001);
        let (m, ft) = (
            l["ascent_m"].as_f64().unwrap(),
            l["ascent_ft"].as_f64().unwrap(),
        );
        assert!((m / 0.3048 - ft).abs() <= 1.0, "{m} m is not {ft} ft");
        let summary = l["summary"].as_str().unwrap();
        assert!(
            summary.contains(" mi") && !summary.contains(" km") && summary.contains(" ft of climb"),
            "{summary}"
        );
        assert!(l["trailhead"]["drive_mi"].as_f64().unwrap() <= 15.0);
        for s in l["stages"].as_array().unwrap() {
            assert!(s["distance_mi"].as_f64().unwrap() > 0.0);
        }
    }

    // Four hours by the duration model: Andorra climbs, so less than the 20 km of the
    // flat, and the loops' walking times are near four hours.
    let a = app
        .loops(&encamp(json!({"target_hours": 4, "max_results": 3})))
        .await;
    let loops = a["loops"].as_array().unwrap();
    assert_eq!(loops.len(), 3, "{a}");
    for l in loops {
        let target = l["target_km"].as_f64().unwrap();
        assert!((8.0..19.0).contains(&target), "4 h planned as {target} km");
        let h = l["duration_h"].as_f64().unwrap();
        assert!((3.0..=5.0).contains(&h), "a 4 h request gave {h} h");
    }
}

async fn geojson_answers_follow_rfc_7946_with_elevations_and_a_profile(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .client
        .post(format!("{}/v1/loops", app.address))
        .header(ACCEPT, "application/geo+json")
        .json(&encamp(json!({"target_km": 10})))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/geo+json");
    let fc: Value = r.json().await.unwrap();
    assert_eq!(fc["type"], "FeatureCollection");
    assert!(fc.get("crs").is_none(), "RFC 7946 has no crs member");
    assert_eq!(
        fc["calendar"]["planned_for_date"], false,
        "{}",
        fc["calendar"]
    );
    assert!(fc["attribution"]
        .as_str()
        .unwrap()
        .contains("OpenStreetMap"));
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 3);
    let dem = Srtm::read(&data("N42E001.hgt.zip"));
    let mut judged = 0;
    for (i, f) in features.iter().enumerate() {
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["id"], i + 1);
        assert_eq!(f["properties"]["rank"], i + 1);
        assert!(f["properties"].get("geometry").is_none());
        assert_eq!(f["geometry"]["type"], "LineString");
        let coords = f["geometry"]["coordinates"].as_array().unwrap();
        assert!(coords.len() >= 4, "a line needs two positions, a loop more");
        for c in coords {
            let c: Vec<f64> = c
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            assert_eq!(c.len(), 3, "lon, lat, elevation");
            // Longitude first: Andorra is at 1.4..1.8 E, 42.4..42.7 N.
            assert!(
                (1.3..1.9).contains(&c[0]) && (42.3..42.8).contains(&c[1]),
                "{c:?}"
            );
            assert!((800.0..3000.0).contains(&c[2]), "{c:?}");
            // The tile's own elevation there, read without the importer's code.
            if let Some(z) = dem.elevation(c[0], c[1]) {
                assert!((c[2] - z).abs() < 1.0, "{c:?}: the tile says {z:.1} m");
                judged += 1;
            }
        }
        assert_eq!(coords.first(), coords.last(), "closed");

        let p = &f["properties"];
        let profile = &p["profile"];
        assert_eq!(profile["step_m"], 50.0);
        let points = profile["points"].as_array().unwrap();
        let d = |k: usize| points[k][0].as_f64().unwrap();
        let z = |k: usize| points[k][1].as_f64().unwrap();
        assert_eq!(d(0), 0.0);
        assert_eq!(z(0), coords[0][2].as_f64().unwrap());
        for k in 1..points.len() - 1 {
            assert!((d(k) - d(k - 1) - 0.05).abs() < 1e-3, "every 50 m");
        }
        let length = p["distance_km"].as_f64().unwrap();
        let end = d(points.len() - 1);
        assert!((end - length).abs() / length < 0.01, "{end} km of {length}");
        // The profile's climb is of the reported ascent's size (the ascent is smoothed).
        let up: f64 = (1..points.len()).map(|k| (z(k) - z(k - 1)).max(0.0)).sum();
        let ascent = p["ascent_m"].as_f64().unwrap();
        assert!(
            (up - ascent).abs() < 0.25 * ascent + 30.0,
            "profile climbs {up} m, ascent {ascent} m"
        );
    }
    assert!(judged > 300, "{judged} vertices judged against the tile");
}

async fn the_trails_around_a_place_are_served_as_geojson(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/v1/network?bbox=1.55,42.52,1.60,42.56").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/geo+json");
    let fc: Value = r.json().await.unwrap();
    assert_eq!(fc["type"], "FeatureCollection");
    assert_eq!(fc["truncated"], false);
    let features = fc["features"].as_array().unwrap();
    assert!(
        features.len() > 100,
        "{} trails around Encamp",
        features.len()
    );
    let roads = features
        .iter()
        .filter(|f| f["properties"]["road"] == true)
        .count();
    assert!(roads > 0 && roads < features.len(), "trails and roads both");
    for f in features {
        let line = f["geometry"]["coordinates"].as_array().unwrap();
        assert!(line.len() >= 2);
        let inside = line.iter().any(|c| {
            let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            (1.549..=1.601).contains(&lon) && (42.519..=42.561).contains(&lat)
        });
        // A line may cross the box without a vertex in it, but then it spans it.
        let (lons, lats): (Vec<f64>, Vec<f64>) = line
            .iter()
            .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
            .unzip();
        let spans = lons.iter().cloned().fold(f64::MAX, f64::min) <= 1.60
            && lons.iter().cloned().fold(f64::MIN, f64::max) >= 1.55
            && lats.iter().cloned().fold(f64::MAX, f64::min) <= 42.56
            && lats.iter().cloned().fold(f64::MIN, f64::max) >= 42.52;
        assert!(inside || spans, "{f}");
    }
    // Far from every region: nothing, not an error.
    let empty: Value = app
        .get("/v1/network?bbox=10,10,10.1,10.1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["features"].as_array().unwrap().len(), 0);
    let bad = app.get("/v1/network?bbox=1,2,3").await;
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "bbox");
}

on_both_backends!(
    answers_are_compressed_as_the_client_accepts_and_decode_to_the_plain_body,
    miles_and_hours_are_asked_for_and_both_units_answered,
    geojson_answers_follow_rfc_7946_with_elevations_and_a_profile,
    the_trails_around_a_place_are_served_as_geojson,
);

#[tokio::test]
async fn the_map_page_and_its_files_are_served_from_the_binary() {
    let app = spawn_app(Backend::Embedded).await;
    let r = app.get("/").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("https://tile.openstreetmap.org"), "{csp}");
    let html = r.text().await.unwrap();
    for asset in ["/js/main.js", "/app.css", "/vendor/leaflet/leaflet.js"] {
        assert!(html.contains(asset), "the page loads {asset}");
        assert_eq!(app.get(asset).await.status(), 200, "{asset}");
    }
    // The entry module's imports are served too, as JavaScript, revalidated like the page.
    let main = app.get("/js/main.js").await.text().await.unwrap();
    let imports: Vec<&str> = main
        .split("from './")
        .skip(1)
        .map(|rest| rest.split('\'').next().unwrap())
        .collect();
    assert!(imports.len() >= 5, "{imports:?}");
    for module in imports {
        let r = app.get(&format!("/js/{module}")).await;
        assert_eq!(r.status(), 200, "{module}");
        assert_eq!(
            r.headers()[CONTENT_TYPE],
            "text/javascript; charset=utf-8",
            "{module}"
        );
        assert_eq!(r.headers()["cache-control"], "no-cache", "{module}");
    }
    assert!(
        !html.contains("unpkg") && !html.contains("cdn"),
        "no CDN at run time"
    );
    let config: Value = app.get("/app-config.json").await.json().await.unwrap();
    assert_eq!(
        config["tile_url"],
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    );
    let offline = spawn_app_with(Backend::Embedded, &[("TRAILLOOP__WEB__TILE_URL", "")]).await;
    let config: Value = offline.get("/app-config.json").await.json().await.unwrap();
    assert_eq!(config["tile_url"], Value::Null);
}

#[tokio::test]
async fn units_and_targets_are_checked_naming_the_field() {
    let app = spawn_app(Backend::Embedded).await;
    let field = |r: Value| r["errors"][0]["field"].as_str().unwrap().to_owned();
    for (body, expected) in [
        (
            encamp(json!({"target_km": 10, "target_mi": 6})),
            "target_mi",
        ),
        (
            encamp(json!({"target_km": 10, "target_hours": 3})),
            "target_hours",
        ),
        (encamp(json!({})), "target_km"),
        (encamp(json!({"target_mi": 200})), "target_mi"),
        (encamp(json!({"target_hours": 61})), "target_hours"),
        (
            encamp(json!({"target_km": 10, "max_drive_mi": 10})),
            "max_drive_mi",
        ),
        (
            encamp(json!({"target_km": 10, "units": "furlongs"})),
            "units",
        ),
    ] {
        let r = app.post_json("/v1/loops", &body).await;
        assert_eq!(r.status(), 422, "{body}");
        assert_eq!(field(r.json().await.unwrap()), expected, "{body}");
    }
    let r = app
        .get("/v1/loops?lat=42.536&lon=1.583&max_drive_mi=10&target_mi=5&units=imperial")
        .await;
    assert_eq!(r.status(), 200);
}
