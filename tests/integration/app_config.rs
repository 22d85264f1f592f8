//! `/app-config.json`, what the map page reads at start: its bounds are the constants the
//! service validates with, and a request just past one of them is refused naming its
//! field, while one at the bound is not, so that the page and the service cannot drift
//! apart.

use chrono::{Days, NaiveDate};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use serde_json::{json, Value};
use trailloop::domain::{
    Area, DistanceKm, FIRST_DATE, LAST_DATE, MAX_MI, MAX_NAME_CHARS, MAX_RESULTS, MIN_DAYS,
    MIN_TARGET_KM, MIN_TARGET_MI,
};
use trailloop::routes::coverage::{MAX_PLACES, MAX_QUERY_CHARS};
use trailloop_places::PoiKind;

use crate::helpers::{spawn_app, Backend, TestApp};

async fn config(app: &TestApp) -> Value {
    let r = app.get("/app-config.json").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
    assert_eq!(r.headers()[CACHE_CONTROL], "no-cache");
    r.json().await.unwrap()
}

fn ymd((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

#[tokio::test]
async fn the_config_states_the_bounds_the_service_checks_with() {
    let app = spawn_app(Backend::Embedded).await;
    let c = config(&app).await;
    assert_eq!(
        c["days"],
        json!({"min": MIN_DAYS, "max": trailloop_solver::MAX_DAYS})
    );
    assert_eq!(c["max_results"], MAX_RESULTS);
    assert_eq!(
        c["target_km"],
        json!({"min": MIN_TARGET_KM, "max": DistanceKm::MAX_KM})
    );
    assert_eq!(c["target_mi"], json!({"min": MIN_TARGET_MI, "max": MAX_MI}));
    assert_eq!(c["max_drive_km"], json!({"max": DistanceKm::MAX_KM}));
    assert_eq!(c["max_drive_mi"], json!({"max": MAX_MI}));
    assert_eq!(
        c["start_date"],
        json!({"min": ymd(FIRST_DATE), "max": ymd(LAST_DATE)})
    );
    assert_eq!(c["network_max_span_deg"], Area::MAX_SPAN_DEG);
    assert_eq!(c["plan_name_max_chars"], MAX_NAME_CHARS);
    assert_eq!(c["place_query_max_chars"], MAX_QUERY_CHARS);
    assert_eq!(c["places_max"], MAX_PLACES);
    let kinds: Vec<&str> = c["night_kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    let overnight: Vec<&str> = PoiKind::ALL
        .into_iter()
        .filter(|k| k.is_overnight())
        .map(PoiKind::as_str)
        .collect();
    assert_eq!(kinds, overnight);
    for n in c["night_kinds"].as_array().unwrap() {
        assert!(!n["label"].as_str().unwrap().is_empty(), "{n}");
    }
    // The tiles, as before.
    assert_eq!(
        c["tile_url"],
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    );
    // Only GET.
    let r = app
        .client
        .post(format!("{}/app-config.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET");
    // And documented.
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    assert!(doc["paths"]["/app-config.json"]["get"].is_object());
}

/// The fields a 422 names (none for another status).
async fn rejected(r: reqwest::Response) -> Vec<String> {
    if r.status() != 422 {
        return Vec::new();
    }
    let problem: Value = r.json().await.unwrap();
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// A loop request with `field` set to `value`, from a start off the globe: the answer is
/// a 422 in any case (nothing is planned), naming every field out of bounds.
async fn loop_fields(app: &TestApp, field: &str, value: Value) -> Vec<String> {
    let mut body = json!({
        "origin": {"lat": 91.0, "lon": 1.583}, "max_drive_km": 25, "target_km": 10
    });
    if field.starts_with("max_drive_") {
        body.as_object_mut().unwrap().remove("max_drive_km");
    }
    if field.starts_with("target_") {
        body.as_object_mut().unwrap().remove("target_km");
    }
    body[field] = value;
    let r = app.post_json("/v1/loops", &body).await;
    assert_eq!(r.status(), 422, "{body}");
    rejected(r).await
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[tokio::test]
async fn a_value_just_past_a_bound_the_config_states_is_refused() {
    let app = spawn_app(Backend::Embedded).await;
    let c = config(&app).await;
    let (days_min, days_max) = (
        c["days"]["min"].as_u64().unwrap(),
        c["days"]["max"].as_u64().unwrap(),
    );
    let day = |v: &Value| NaiveDate::parse_from_str(v.as_str().unwrap(), "%Y-%m-%d").unwrap();
    let (first, last) = (day(&c["start_date"]["min"]), day(&c["start_date"]["max"]));
    let eps = 1e-3;
    // (field, a value at the bound, one just past it)
    let cases: Vec<(&str, Value, Value)> = vec![
        ("days", json!(days_max), json!(days_max + 1)),
        ("days", json!(days_min), json!(days_min - 1)),
        (
            "max_results",
            c["max_results"].clone(),
            json!(c["max_results"].as_u64().unwrap() + 1),
        ),
        (
            "target_km",
            c["target_km"]["max"].clone(),
            json!(f(&c["target_km"]["max"]) + eps),
        ),
        (
            "target_km",
            c["target_km"]["min"].clone(),
            json!(f(&c["target_km"]["min"]) - eps),
        ),
        (
            "target_mi",
            c["target_mi"]["max"].clone(),
            json!(f(&c["target_mi"]["max"]) + eps),
        ),
        (
            "target_mi",
            c["target_mi"]["min"].clone(),
            json!(f(&c["target_mi"]["min"]) - eps),
        ),
        (
            "max_drive_km",
            c["max_drive_km"]["max"].clone(),
            json!(f(&c["max_drive_km"]["max"]) + eps),
        ),
        (
            "max_drive_mi",
            c["max_drive_mi"]["max"].clone(),
            json!(f(&c["max_drive_mi"]["max"]) + eps),
        ),
        (
            "start_date",
            json!(last.to_string()),
            json!((last + Days::new(1)).to_string()),
        ),
        (
            "start_date",
            json!(first.to_string()),
            json!((first - Days::new(1)).to_string()),
        ),
    ];
    for (field, at, past) in cases {
        let fields = loop_fields(&app, field, at.clone()).await;
        assert!(
            !fields.iter().any(|f| f == field),
            "{field} = {at} is taken: {fields:?}"
        );
        let fields = loop_fields(&app, field, past.clone()).await;
        assert!(
            fields.iter().any(|f| f == field),
            "{field} = {past} is refused: {fields:?}"
        );
    }

    // Places: the query's length and the number asked for.
    let q_max = c["place_query_max_chars"].as_u64().unwrap() as usize;
    let places_max = c["places_max"].as_u64().unwrap();
    let places = |q: String, limit: u64| {
        let app = &app;
        async move { app.get(&format!("/v1/places?q={q}&limit={limit}")).await }
    };
    assert_eq!(places("a".repeat(q_max), places_max).await.status(), 200);
    assert_eq!(
        rejected(places("a".repeat(q_max + 1), 5).await).await,
        ["q"]
    );
    assert_eq!(
        rejected(places("encamp".into(), places_max + 1).await).await,
        ["limit"]
    );

    // A saved plan's name.
    let name_max = c["plan_name_max_chars"].as_u64().unwrap() as usize;
    let answer = app
        .loops(&json!({
            "origin": {"lat": 42.536, "lon": 1.583}, "max_drive_km": 25, "target_km": 5,
            "max_results": 1
        }))
        .await;
    let the_loop = &answer["loops"][0];
    let save = |name: String| {
        let app = &app;
        let body = json!({"name": name, "loop": the_loop});
        async move { app.post_json("/v1/plans", &body).await }
    };
    assert_eq!(
        rejected(save("é".repeat(name_max + 1)).await).await,
        ["name"]
    );
    assert_eq!(save("é".repeat(name_max)).await.status(), 201);

    // The network's box: one of the stated span is served whole.
    let span = f(&c["network_max_span_deg"]);
    let r = app
        .get(&format!(
            "/v1/network?bbox=1.4,42.4,{},{}",
            1.4 + span,
            42.4 + span
        ))
        .await;
    assert_eq!(r.status(), 200);
}
