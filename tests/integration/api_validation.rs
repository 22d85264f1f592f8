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

// ---------------------------------------------------------------------------------------
// Every numeric bound the OpenAPI document states for a loop request, walked against the
// service.

/// One bound of one numeric field, as the served document states it.
#[derive(Debug, Clone)]
struct Bound {
    /// The field as a problem names it: `target_km`, `origin.lat`, `preferences.hills`.
    field: String,
    /// `minimum`/`exclusiveMinimum` (false) or `maximum`/`exclusiveMaximum` (true).
    upper: bool,
    value: f64,
    exclusive: bool,
    /// For an integer field, the bound exactly (2^63-1 is no f64).
    integer: Option<i128>,
}

/// `schema` with its `$ref` followed into `components.schemas`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/schemas/")
                .expect("a local $ref");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The numeric schema of a property: itself, or one of its `oneOf`/`anyOf`/`allOf`
/// branches (`avoid_roads` is a boolean or a number).
fn numeric<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    let schema = resolve(doc, schema);
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if types.iter().any(|t| *t == "number" || *t == "integer") {
        return Some(schema);
    }
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| schema[*k].as_array())
        .flatten()
        .find_map(|branch| numeric(doc, branch))
}

/// The object schema of a request type: itself, or the `allOf` member with the
/// properties (the loop request's other members state the choices among fields).
fn object_of<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let schema = &doc["components"]["schemas"][name];
    match schema["allOf"].as_array() {
        Some(members) => members
            .iter()
            .map(|m| resolve(doc, m))
            .find(|m| m["properties"].is_object())
            .unwrap_or_else(|| panic!("{name}: no member with properties")),
        None => schema,
    }
}

/// Every bound of every numeric property of the loop request, its origin and its
/// preferences. A numeric property with no bound fails here (but the trailhead id, any
/// int64).
fn bounds_of(doc: &Value) -> Vec<Bound> {
    let mut bounds = Vec::new();
    for (prefix, name) in [
        ("", "LoopRequestBody"),
        ("origin.", "OriginBody"),
        ("preferences.", "PreferencesBody"),
    ] {
        let properties = object_of(doc, name)["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has no properties"));
        for (property, schema) in properties {
            let Some(n) = numeric(doc, schema) else {
                continue;
            };
            let field = format!("{prefix}{property}");
            let integer = n["type"] == "integer"
                || n["type"]
                    .as_array()
                    .is_some_and(|ts| ts.iter().any(|t| t == "integer"));
            let exact = |v: &Value| {
                let exact = v.as_i64().map(i128::from).or(v.as_u64().map(i128::from));
                integer.then(|| exact.unwrap_or_else(|| panic!("{field}: bound {v} of an integer")))
            };
            let before = bounds.len();
            for (key, upper, exclusive) in [
                ("minimum", false, false),
                ("exclusiveMinimum", false, true),
                ("maximum", true, false),
                ("exclusiveMaximum", true, true),
            ] {
                if let Some(value) = n[key].as_f64() {
                    bounds.push(Bound {
                        field: field.clone(),
                        upper,
                        value,
                        exclusive,
                        integer: exact(&n[key]),
                    });
                }
            }
            assert!(
                bounds.len() > before || field == "trailhead_id",
                "{field} is a number with no bound in the document: {n}"
            );
        }
    }
    bounds
}

/// A cheap valid request (a 5 km loop within 5 km of Andorra la Vella) with `field` set
/// to `value`: the field under test takes the place of the others of its choice (one
/// target, one drive distance), and a day's distance limit goes with a target by time
/// (a distance target would have to fit in the days: a rule of its own).
fn probe(field: &str, value: &Value) -> Value {
    let mut body = json!({"origin": {"lat": 42.5078, "lon": 1.5211}, "max_results": 1});
    if !field.starts_with("max_drive_") {
        body["max_drive_km"] = json!(5);
    }
    if !field.starts_with("target_") {
        body[if field == "max_day_km" {
            "target_hours"
        } else {
            "target_km"
        }] = json!(if field == "max_day_km" { 1 } else { 5 });
    }
    // Rests lengthen the days of a dated plan: they come with a date.
    if field == "rest_minutes_per_hour" {
        body["start_date"] = json!("2026-07-15");
    }
    match field.split_once('.') {
        Some((outer, inner)) => {
            if body.get(outer).is_none() {
                body[outer] = json!({});
            }
            body[outer][inner] = value.clone();
        }
        None => body[field] = value.clone(),
    }
    body
}

/// A JSON number `steps` of `step` away from `bound` (integers exactly, as i64 or u64).
fn near(b: &Bound, steps: i32) -> Value {
    if let Some(bound) = b.integer {
        let n = bound + i128::from(steps);
        return match u64::try_from(n) {
            Ok(u) => json!(u),
            Err(_) => json!(i64::try_from(n).unwrap()),
        };
    }
    json!(b.value + f64::from(steps) * 1e-6 * b.value.abs().max(1.0))
}

/// The fields whose upper bound is a long search (a 300 km loop, 14 days, a 300 km
/// drive): those may run out of the time budget (503) instead of answering 200.
const COSTLY_AT_THE_TOP: [&str; 7] = [
    "target_km",
    "target_mi",
    "target_hours",
    "days",
    "max_drive_km",
    "max_drive_mi",
    "max_drive_minutes",
];

/// Sends, for each bound in `doc` (of `only` when given), a request at the bound, one
/// just inside and one just outside; the disagreements between the document and the
/// service's answers, each said in a line.
async fn walk_bounds(app: &TestApp, doc: &Value, only: Option<&str>) -> (usize, Vec<String>) {
    let mut sent = 0;
    let mut wrong = Vec::new();
    for b in bounds_of(doc) {
        if only.is_some_and(|f| f != b.field) {
            continue;
        }
        // Inward is up from a minimum, down from a maximum.
        let inward = if b.upper { -1 } else { 1 };
        let cases = [
            (near(&b, 0), !b.exclusive, "at"),
            (near(&b, inward), true, "just inside"),
            (near(&b, -inward), false, "just outside"),
        ];
        for (value, accepted, where_) in cases {
            let body = probe(&b.field, &value);
            let r = app.post_json("/v1/loops", &body).await;
            sent += 1;
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            let case = format!(
                "{} = {value} ({where_} the {} {}{}): {status} {}",
                b.field,
                if b.upper { "maximum" } else { "minimum" },
                b.integer.map_or(b.value.to_string(), |i| i.to_string()),
                if b.exclusive { ", exclusive" } else { "" },
                &text[..text.len().min(300)]
            );
            let named = |text: &str| -> Option<String> {
                let p: Value = serde_json::from_str(text).ok()?;
                p["errors"]
                    .as_array()?
                    .iter()
                    .find(|e| e["field"] == b.field.as_str())
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            };
            // A day's walking time near 0 is within the schema's bound but cannot walk
            // the shortest target in the most days: the service says so, naming the
            // field, with that reason (not the bound's).
            if accepted && b.field == "max_day_hours" && !b.upper && where_ == "just inside" {
                let reason = named(&text);
                if status != 422
                    || !reason
                        .as_deref()
                        .is_some_and(|m| m.contains("less than the target"))
                {
                    wrong.push(format!(
                        "{case}: expected 422 for the target, not the bound"
                    ));
                }
                continue;
            }
            let ok = if accepted {
                let costly = b.upper && COSTLY_AT_THE_TOP.contains(&b.field.as_str());
                let answered = status == 200
                    && serde_json::from_str::<Value>(&text).is_ok_and(|a| a["loops"].is_array());
                answered || (costly && status == 503)
            } else {
                status == 422 && named(&text).is_some()
            };
            if !ok {
                wrong.push(case);
            }
        }
    }
    (sent, wrong)
}

/// The OpenAPI document's numeric bounds are the service's: at each one (and just
/// inside) a request is answered, just outside it is a 422 naming the field, never a
/// 500. And a document that disagreed would fail the walk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_numeric_bound_in_the_document_is_the_services() {
    let app = spawn_app(Backend::Embedded).await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "exclusive bounds are numbers"
    );
    let bounds = bounds_of(&doc);
    let fields: std::collections::BTreeSet<&str> =
        bounds.iter().map(|b| b.field.as_str()).collect();
    for expected in [
        "origin.lat",
        "origin.lon",
        "max_drive_km",
        "max_drive_mi",
        "max_drive_minutes",
        "target_km",
        "target_mi",
        "target_hours",
        "max_results",
        "tolerance",
        "days",
        "max_day_km",
        "max_day_hours",
        "max_day_ascent_m",
        "seed",
        "preferences.avoid_roads",
        "preferences.scenery",
        "preferences.hills",
        "preferences.max_ascent_m",
        "preferences.max_grade_pct",
    ] {
        assert!(
            fields.contains(expected),
            "{expected} has no bound in the document: {fields:?}"
        );
    }
    let (sent, wrong) = walk_bounds(&app, &doc, None).await;
    assert!(
        sent >= 3 * 2 * fields.len(),
        "{sent} requests for {} fields",
        fields.len()
    );
    assert!(
        wrong.is_empty(),
        "{} of {sent} answers disagree with the document:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // The same walk over a document whose bound is not the service's finds it.
    let mut doctored = doc.clone();
    let body = doctored["components"]["schemas"]["LoopRequestBody"]["allOf"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["properties"].is_object())
        .unwrap();
    body["properties"]["target_km"]["maximum"] = json!(250);
    let (_, wrong) = walk_bounds(&app, &doctored, Some("target_km")).await;
    assert!(
        wrong
            .iter()
            .any(|w| w.contains("target_km = 250.00025 (just outside")),
        "a wrong maximum went unnoticed: {wrong:?}"
    );
}

/// Swagger UI (`/docs/`) carries a Content-Security-Policy of its own: scripts only
/// from the service (none inline: the page has none), inline styles (its components
/// set them), requests to the API only, no framing; and everything the page loads is
/// there under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_page_has_a_content_security_policy_it_loads_under() {
    let app = spawn_app(Backend::Embedded).await;
    let r = app.get("/docs/").await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let directive = |name: &str| -> Vec<String> {
        csp.split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(name).filter(|rest| rest.starts_with(' ')))
            .unwrap_or_else(|| panic!("no {name} in {csp}"))
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(directive("default-src"), ["'none'"]);
    assert_eq!(directive("script-src"), ["'self'"]);
    assert_eq!(directive("style-src"), ["'self'", "'unsafe-inline'"]);
    assert_eq!(directive("connect-src"), ["'self'"]);
    assert_eq!(directive("frame-ancestors"), ["'none'"]);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let html = r.text().await.unwrap();
    // Every script is a file (inline ones would be refused), each served here with the
    // same policy, as are the stylesheets and icons.
    let attributes = |name: &str| -> Vec<String> {
        html.split(&format!("{name}=\""))
            .skip(1)
            .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
            .collect()
    };
    let scripts = html.matches("<script").count();
    let sources = attributes("src");
    assert!(scripts >= 2 && sources.len() == scripts, "{html}");
    assert!(
        html.split("<script").skip(1).all(|s| s
            [s.find('>').unwrap() + 1..s.find("</script>").unwrap()]
            .trim()
            .is_empty()),
        "an inline script: {html}"
    );
    let files: Vec<String> = sources.into_iter().chain(attributes("href")).collect();
    assert!(files.iter().any(|f| f.ends_with(".css")), "{files:?}");
    for file in &files {
        assert!(!file.contains("//"), "{file} is from another host");
        let path = format!("/docs/{}", file.trim_start_matches("./"));
        let r = app.get(&path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(
            r.headers()["content-security-policy"],
            csp.as_str(),
            "{path}"
        );
    }
    // The page asks this service for the document (connect-src 'self') and nobody
    // for validation.
    let init = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("\"url\": \"/openapi.json\""), "{init}");
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
    assert_eq!(app.get("/openapi.json").await.status(), 200);
    // /docs still leads there.
    let r = app.get("/docs").await;
    assert_eq!(r.url().path(), "/docs/");
    assert!(r.text().await.unwrap().contains("swagger-ui"));
}

/// Whether `body` meets `branch` of the loop request's choices: its `required` fields
/// present, each of its `properties` there of the type it says.
fn meets(branch: &Value, body: &Value) -> bool {
    let required = branch["required"].as_array().into_iter().flatten();
    let present = required
        .filter_map(Value::as_str)
        .all(|f| body.get(f).is_some());
    let typed = branch["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(f, s)| match (body.get(f), s["type"].as_str()) {
            (Some(v), Some("number")) => v.is_number(),
            (Some(v), Some("null")) => v.is_null(),
            _ => true,
        });
    present && typed
}

/// Whether the document's choices among the loop request's fields (the `oneOf`,
/// `anyOf` and `not` members of its `allOf`) take `body`.
fn choices_take(doc: &Value, body: &Value) -> bool {
    let members = doc["components"]["schemas"]["LoopRequestBody"]["allOf"]
        .as_array()
        .expect("the loop request is an allOf of its fields and the choices among them");
    let mut choices = 0;
    let mut taken = true;
    for m in members {
        if let Some(branches) = m["oneOf"].as_array() {
            taken &= branches.iter().filter(|b| meets(b, body)).count() == 1;
        } else if let Some(branches) = m["anyOf"].as_array() {
            taken &= branches.iter().any(|b| meets(b, body));
        } else if m.get("not").is_some() {
            taken &= !meets(&m["not"], body);
        } else {
            continue;
        }
        choices += 1;
    }
    assert!(
        choices >= 3,
        "the target, the drive limit, not both distances: {members:?}"
    );
    taken
}

/// The choices the document states among the drive limits and among the targets (one
/// target, a drive limit, not both drive distances; `null` is not given) are the
/// service's: every mix of absent, given and `null` is answered as the document says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_choices_among_fields_in_the_document_are_the_services() {
    let app = spawn_app(Backend::Embedded).await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let groups = [
        (
            [
                ("max_drive_km", 5.0),
                ("max_drive_mi", 3.0),
                ("max_drive_minutes", 10.0),
            ],
            ("target_km", 5.0),
        ),
        (
            [
                ("target_km", 5.0),
                ("target_mi", 3.0),
                ("target_hours", 1.0),
            ],
            ("max_drive_km", 5.0),
        ),
    ];
    let (mut taken, mut refused) = (0, 0);
    for (fields, (other, other_value)) in groups {
        // Each field absent (0), given (1) or null (2).
        for mix in 0..27 {
            let mut body = json!({
                "origin": {"lat": 42.5078, "lon": 1.5211}, "max_results": 1,
                other: other_value
            });
            for (k, (field, value)) in fields.iter().enumerate() {
                match mix / 3usize.pow(k as u32) % 3 {
                    1 => body[*field] = json!(value),
                    2 => body[*field] = Value::Null,
                    _ => {}
                }
            }
            let says = choices_take(&doc, &body);
            let r = app.post_json("/v1/loops", &body).await;
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            if says {
                taken += 1;
                assert_eq!(status, 200, "{body}: the document takes it: {text}");
            } else {
                refused += 1;
                assert_eq!(status, 422, "{body}: the document refuses it: {text}");
            }
        }
    }
    // Both kinds met, each group: a drive limit alone or with the time; two drive
    // distances; two targets; none.
    assert!(
        taken >= 10 && refused >= 20,
        "{taken} taken, {refused} refused"
    );
    let both = json!({"origin": {"lat": 42.5078, "lon": 1.5211}, "target_km": 5,
        "max_drive_km": 5, "max_drive_mi": 3});
    assert!(!choices_take(&doc, &both));
    assert_problem(
        app.post_json("/v1/loops", &both).await,
        422,
        "max_drive_mi",
        "both distances",
    )
    .await;
}
