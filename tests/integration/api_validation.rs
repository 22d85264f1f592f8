//! Bad input of every kind is a 4xx `application/problem+json` naming what is at fault;
//! no input is a 500.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend, TestApp};

fn valid() -> Value {
    json!({
        "origin": {"lat": 42.5078, "lon": 1.5211},
        "max_drive_km": 25, "target_km": 8, "max_results": 1
    })
}

fn with(path: &[&str], value: Value) -> Value {
    let mut v = valid();
    let mut target = &mut v;
    for p in &path[..path.len() - 1] {
        target = target.get_mut(*p).unwrap();
    }
    target[path[path.len() - 1]] = value;
    v
}

/// The valid request with `max_drive_minutes` instead of `max_drive_km` (none when
/// null).
fn without_drive(minutes: Value) -> Value {
    let mut v = valid();
    v.as_object_mut().unwrap().remove("max_drive_km");
    if !minutes.is_null() {
        v["max_drive_minutes"] = minutes;
    }
    v
}

/// Asserts a problem document with `status` that names `field`.
pub async fn assert_problem(r: reqwest::Response, status: u16, field: &str, case: &str) {
    assert_eq!(r.status(), status, "{case}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(ct, "application/problem+json", "{case}");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["status"], status, "{case}: {p}");
    assert!(
        p["type"]
            .as_str()
            .unwrap()
            .starts_with("https://trailloop.dev/problems/"),
        "{case}: {p}"
    );
    assert!(
        p["title"].is_string() && p["detail"].is_string(),
        "{case}: {p}"
    );
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert!(fields.contains(&field), "{case}: {field} not named in {p}");
}

async fn post_raw(app: &TestApp, body: impl Into<reqwest::Body>, ct: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/v1/loops", app.address))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn every_invalid_loop_request_is_a_problem_naming_its_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "latitude above 90",
            with(&["origin", "lat"], json!(91)),
            "origin.lat",
        ),
        (
            "longitude below -180",
            with(&["origin", "lon"], json!(-180.5)),
            "origin.lon",
        ),
        (
            "latitude as a string",
            with(&["origin", "lat"], json!("NaN")),
            "origin.lat",
        ),
        (
            "latitude null",
            with(&["origin", "lat"], Value::Null),
            "origin.lat",
        ),
        (
            "negative drive",
            with(&["max_drive_km"], json!(-5)),
            "max_drive_km",
        ),
        (
            "a day that may not climb at all (the schema's bound; the solver refused it: 500)",
            with(&["max_day_ascent_m"], json!(0)),
            "max_day_ascent_m",
        ),
        (
            "zero drive",
            with(&["max_drive_km"], json!(0)),
            "max_drive_km",
        ),
        (
            "absurd drive",
            with(&["max_drive_km"], json!(5000)),
            "max_drive_km",
        ),
        ("no drive limit", without_drive(json!(null)), "max_drive_km"),
        (
            "zero drive time",
            without_drive(json!(0)),
            "max_drive_minutes",
        ),
        (
            "absurd drive time",
            without_drive(json!(301)),
            "max_drive_minutes",
        ),
        (
            "absurd target",
            with(&["target_km"], json!(301)),
            "target_km",
        ),
        (
            "negative target",
            with(&["target_km"], json!(-1)),
            "target_km",
        ),
        (
            "zero tolerance",
            with(&["tolerance"], json!(0)),
            "tolerance",
        ),
        (
            "huge tolerance",
            with(&["tolerance"], json!(3)),
            "tolerance",
        ),
        (
            "no results",
            with(&["max_results"], json!(0)),
            "max_results",
        ),
        (
            "too many results",
            with(&["max_results"], json!(11)),
            "max_results",
        ),
        (
            "fractional results",
            with(&["max_results"], json!(2.5)),
            "max_results",
        ),
        ("zero days", with(&["days"], json!(0)), "days"),
        ("too many days", with(&["days"], json!(15)), "days"),
        (
            "days too short for the target",
            {
                let mut v = with(&["days"], json!(2));
                v["max_day_km"] = json!(3);
                v
            },
            "max_day_km",
        ),
        (
            "negative day",
            with(&["max_day_km"], json!(-3)),
            "max_day_km",
        ),
        ("negative seed", with(&["seed"], json!(-1)), "seed"),
        (
            "trailhead id as text",
            with(&["trailhead_id"], json!("x")),
            "trailhead_id",
        ),
        ("unknown field", with(&["colour"], json!("red")), "colour"),
        (
            "unknown origin field",
            with(&["origin", "alt"], json!(1)),
            "origin.alt",
        ),
        (
            "unknown grade",
            with(&["preferences"], json!({"max_sac_scale": "T7"})),
            "preferences.max_sac_scale",
        ),
        (
            "negative ascent",
            with(&["preferences"], json!({"max_ascent_m": -1})),
            "preferences.max_ascent_m",
        ),
        (
            "unknown preference",
            with(&["preferences"], json!({"dogs": true})),
            "preferences.dogs",
        ),
        (
            "roads as text",
            with(&["preferences"], json!({"avoid_roads": "no"})),
            "preferences.avoid_roads",
        ),
        (
            "origin missing",
            {
                let mut v = valid();
                v.as_object_mut().unwrap().remove("origin");
                v
            },
            "origin",
        ),
        (
            "target missing",
            {
                let mut v = valid();
                v.as_object_mut().unwrap().remove("target_km");
                v
            },
            "target_km",
        ),
    ];
    for (case, body, field) in cases {
        let r = app.post_json("/v1/loops", &body).await;
        assert_problem(r, 422, field, case).await;
    }

    // Not JSON at all, or JSON numbers no float can hold.
    let raw: Vec<(&str, String, u16, &str)> = vec![
        (
            "truncated",
            "{\"origin\": {\"lat\": 42".into(),
            400,
            "origin",
        ),
        ("empty", String::new(), 400, "body"),
        ("a string", "\"hello\"".into(), 422, "body"),
        ("trailing garbage", format!("{} x", valid()), 400, "body"),
        (
            "number overflow",
            valid().to_string().replace("42.5078", "1e999"),
            400,
            "origin.lat",
        ),
        (
            "NaN literal",
            valid().to_string().replace("42.5078", "NaN"),
            400,
            "origin.lat",
        ),
    ];
    for (case, body, status, field) in raw {
        let r = post_raw(&app, body, "application/json").await;
        assert_problem(r, status, field, case).await;
    }

    let r = post_raw(&app, valid().to_string(), "text/plain").await;
    assert_problem(r, 415, "content-type", "wrong content type").await;
    let big = format!(
        "{{\"origin\": {{\"lat\": 42.5, \"lon\": 1.5}}, \"pad\": \"{}\"}}",
        "x".repeat(70 * 1024)
    );
    let r = post_raw(&app, big, "application/json").await;
    assert_problem(r, 413, "body", "oversized body").await;
}

async fn every_invalid_query_is_a_problem_naming_its_parameter(backend: Backend) {
    let app = spawn_app(backend).await;
    let ok = "lat=42.5&lon=1.5&max_drive_km=25&target_km=8";
    let cases = [
        (
            "/v1/loops?lat=NaN&lon=1.5&max_drive_km=25&target_km=8",
            "lat",
        ),
        (
            "/v1/loops?lat=42.5&lon=inf&max_drive_km=25&target_km=8",
            "lon",
        ),
        (
            "/v1/loops?lat=95&lon=1.5&max_drive_km=25&target_km=8",
            "lat",
        ),
        (
            "/v1/loops?lat=abc&lon=1.5&max_drive_km=25&target_km=8",
            "lat",
        ),
        ("/v1/loops?lon=1.5&max_drive_km=25&target_km=8", "lat"),
        (
            "/v1/loops?lat=42.5&lon=1.5&max_drive_km=-1&target_km=8",
            "max_drive_km",
        ),
        (
            "/v1/loops?lat=42.5&lon=1.5&max_drive_km=25&target_km=1e9",
            "target_km",
        ),
        (
            "/v1/loops?lat=42.5&lon=1.5&max_drive_km=25&target_km=8&days=x",
            "days",
        ),
        (
            "/v1/loops?lat=42.5&lon=1.5&max_drive_km=25&target_km=8&max_sac_scale=T0",
            "max_sac_scale",
        ),
        (
            "/v1/loops?lat=42.5&lon=1.5&max_drive_km=25&target_km=8&avoid_roads=maybe",
            "avoid_roads",
        ),
        ("/v1/trailheads?lat=42.5&lon=1.5&radius_km=-2", "radius_km"),
        ("/v1/trailheads?lat=42.5&lon=1.5&radius_km=400", "radius_km"),
        ("/v1/trailheads?lat=42.5&radius_km=2", "lon"),
        (
            "/v1/trailheads?lat=42.5&lon=1.5&radius_km=2&limit=0",
            "limit",
        ),
        (
            "/v1/trailheads?lat=42.5&lon=1.5&radius_km=2&near=me",
            "near",
        ),
    ];
    for (path, field) in cases {
        assert_problem(app.get(path).await, 422, field, path).await;
    }
    let unknown = format!("/v1/loops?{ok}&colour=red");
    assert_problem(app.get(&unknown).await, 422, "colour", &unknown).await;
}

async fn unknown_routes_methods_and_plans_are_problems_too(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/v2/nothing").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    let r = app
        .client
        .delete(format!("{}/v1/loops", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, POST");
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    assert_problem(app.get("/v1/plans/not-a-uuid").await, 400, "id", "bad id").await;
    assert_problem(app.get("/v1/plans/42/gpx").await, 400, "id", "bad gpx id").await;
    let r = app
        .get(&format!("/v1/plans/{}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    let open = json!({"loop": {"geometry": {"type": "LineString",
        "coordinates": [[1.5, 42.5], [1.6, 42.5]]}}});
    assert_problem(
        app.post_json("/v1/plans", &open).await,
        422,
        "loop.geometry",
        "open line",
    )
    .await;
    let no_loop = json!({"name": "x"});
    assert_problem(
        app.post_json("/v1/plans", &no_loop).await,
        422,
        "loop",
        "no loop",
    )
    .await;

    let mut unknown_th = valid();
    unknown_th["trailhead_id"] = json!(987_654_321);
    let r = app.post_json("/v1/loops", &unknown_th).await;
    assert_problem(r, 422, "trailhead_id", "unknown trailhead").await;
}

/// Every field of a valid request replaced by every odd value: never a 5xx.
async fn odd_values_anywhere_never_cause_a_server_error(backend: Backend) {
    let app = spawn_app(backend).await;
    let odd = [
        Value::Null,
        json!("x"),
        json!(-1),
        json!(0),
        json!(-0.0),
        json!(1e308),
        json!(u64::MAX),
        json!([]),
        json!({}),
        json!(true),
    ];
    let paths: &[&[&str]] = &[
        &["origin"],
        &["origin", "lat"],
        &["origin", "lon"],
        &["max_drive_km"],
        &["target_km"],
        &["max_results"],
        &["tolerance"],
        &["days"],
        &["max_day_km"],
        &["max_day_hours"],
        &["max_day_ascent_m"],
        &["trailhead_id"],
        &["preferences"],
        &["seed"],
    ];
    for path in paths {
        for v in &odd {
            let body = with(path, v.clone());
            let r = app.post_json("/v1/loops", &body).await;
            let status = r.status();
            assert!(
                status.is_success() || status.is_client_error(),
                "{body} gave {status}: {}",
                r.text().await.unwrap()
            );
        }
    }
}

/// A request with thousands of faults (6,000 unknown `overnight` kinds in 45 KB) gets a
/// problem document of bounded size: the first faults, each field named once, and how many more there were.
async fn a_request_with_thousands_of_faults_gets_a_small_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let names: Vec<String> = (0..6000).map(|i| format!("n{i}")).collect();
    let body = with(&["preferences"], json!({ "overnight": names }));
    let r = app.post_json("/v1/loops", &body).await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.len() < 16_384, "{} bytes", text.len());
    let problem: Value = serde_json::from_str(&text).unwrap();
    let errors = problem["errors"].as_array().expect("errors");
    assert!(
        !errors.is_empty() && errors.len() <= 20,
        "{} faults",
        errors.len()
    );
    assert!(
        errors.iter().all(|e| e["field"] == "preferences.overnight"),
        "{problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("more faults not listed"),
        "{problem}"
    );
}

on_both_backends!(
    every_invalid_loop_request_is_a_problem_naming_its_field,
    every_invalid_query_is_a_problem_naming_its_parameter,
    unknown_routes_methods_and_plans_are_problems_too,
    odd_values_anywhere_never_cause_a_server_error,
    a_request_with_thousands_of_faults_gets_a_small_problem,
);
