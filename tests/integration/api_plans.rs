//! A saved plan is a loop the service answered: it comes back identical (but for its
//! token), and as a valid GPX 1.1 track of the same line. Forged or altered loops are
//! refused; saving is capped in bytes and per client; plans expire.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp};

/// A loop of Canillo as `/v1/loops` answers it, token included.
async fn a_loop(app: &TestApp) -> Value {
    let answer = app
        .loops(&json!({
            "origin": {"lat": 42.5667, "lon": 1.6000}, "max_drive_km": 20, "target_km": 10,
            "max_results": 1
        }))
        .await;
    let the_loop = answer["loops"][0].clone();
    assert!(the_loop["token"].is_string(), "{answer}");
    the_loop
}

/// The loop without its token: what a saved plan holds.
fn untokened(l: &Value) -> Value {
    let mut l = l.clone();
    l.as_object_mut().unwrap().remove("token");
    l
}

/// Equal as JSON values, numbers compared as the f64 they stand for (`2` and `2.0`).
fn same_numbers(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_numbers(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_numbers(v, w)))
        }
        _ => a == b,
    }
}

/// `POST /v1/plans` as the client at `ip` (the app is told it is behind a proxy).
async fn save_as(app: &TestApp, ip: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}/v1/plans", app.address))
        .header("x-forwarded-for", format!("10.9.9.9, {ip}"))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The field a 422's problem names, asserting it is one.
async fn refused_field(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    p["errors"][0]["field"].as_str().unwrap().to_string()
}

async fn a_saved_plan_comes_back_identical_and_as_gpx(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokened = a_loop(&app).await;
    let the_loop = untokened(&tokened);

    let r = app
        .post_json(
            "/v1/plans",
            &json!({"name": "Canillo circuit", "loop": tokened}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let saved: Value = r.json().await.unwrap();
    let id = saved["id"].as_str().unwrap();
    assert_eq!(location, format!("/v1/plans/{id}"));
    assert_eq!(saved["loop"], the_loop);
    assert!(saved["created_at"].is_string());
    let expires: chrono::DateTime<chrono::Utc> =
        saved["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_days();
    assert!((363..=365).contains(&days), "kept {days} days");

    let r = app.get(&location).await;
    assert_eq!(r.status(), 200);
    let fetched: Value = r.json().await.unwrap();
    assert_eq!(fetched, saved, "GET returns the plan exactly as saved");
    assert_eq!(fetched["loop"], the_loop);
    assert_eq!(fetched["name"], "Canillo circuit");

    let r = app.get(&format!("{location}/gpx")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/gpx+xml");
    let xml = r.bytes().await.unwrap();
    let text = String::from_utf8(xml.to_vec()).unwrap();
    assert!(
        text.contains("version=\"1.1\""),
        "{}",
        &text[..200.min(text.len())]
    );
    let doc = gpx::read(xml.as_ref()).expect("valid GPX");
    assert_eq!(doc.version, gpx::GpxVersion::Gpx11);
    let meta = doc.metadata.as_ref().unwrap();
    assert_eq!(meta.name.as_deref(), Some("Canillo circuit"));
    assert!(meta
        .description
        .as_deref()
        .unwrap()
        .contains("© OpenStreetMap contributors"));
    assert_eq!(
        meta.links[0].href,
        "https://www.openstreetmap.org/copyright"
    );
    assert_eq!(doc.tracks.len(), 1);
    let points = &doc.tracks[0].segments[0].points;
    let coords = the_loop["geometry"]["coordinates"].as_array().unwrap();
    assert_eq!(points.len(), coords.len());
    for (p, c) in points.iter().zip(coords) {
        let (x, y) = (p.point().x(), p.point().y());
        assert!((x - c[0].as_f64().unwrap()).abs() < 1e-9);
        assert!((y - c[1].as_f64().unwrap()).abs() < 1e-9);
        // Every vertex of an Andorra loop has its elevation, and the track keeps it.
        let z = c[2].as_f64().expect("[lon, lat, elevation]");
        assert_eq!(p.elevation, Some(z));
        assert!((800.0..3000.0).contains(&z), "{z} m is not in Andorra");
    }
}

async fn forged_and_altered_loops_are_refused_and_reserialised_ones_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let genuine = a_loop(&app).await;
    let token = genuine["token"].clone();

    // Made up from nothing, as the audit's "Official TrailLoop route" was.
    let made_up = json!({
        "geometry": {"type": "LineString",
            "coordinates": [[1.5211, 42.5078], [-70.0, -10.0], [120.0, 35.0], [1.5211, 42.5078]]},
        "difficulty": "easy", "distance_km": 2.1
    });
    let r = app
        .post_json(
            "/v1/plans",
            &json!({"name": "Official TrailLoop route", "loop": made_up}),
        )
        .await;
    assert_eq!(refused_field(r).await, "loop.token");
    // The same with a genuine loop's token.
    let mut borrowed = made_up.clone();
    borrowed["token"] = token.clone();
    let r = app.post_json("/v1/plans", &json!({"loop": borrowed})).await;
    assert_eq!(refused_field(r).await, "loop.token");
    // A genuine loop changed in one field, in one vertex, or with a field added.
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 4] = [
        ("difficulty", |l| l["difficulty"] = json!("easy")),
        ("distance", |l| {
            l["distance_km"] = json!(l["distance_km"].as_f64().unwrap() * 0.5)
        }),
        ("vertex", |l| {
            l["geometry"]["coordinates"][3][0] = json!(2.0)
        }),
        ("field added", |l| l["official"] = json!(true)),
    ];
    for (what, edit) in edits {
        let mut altered = genuine.clone();
        edit(&mut altered);
        let r = app.post_json("/v1/plans", &json!({"loop": altered})).await;
        assert_eq!(refused_field(r).await, "loop.token", "{what}");
    }
    for bad in [json!("1700000000.AAAA"), json!("garbage"), json!(42)] {
        let mut l = genuine.clone();
        l["token"] = bad.clone();
        let r = app.post_json("/v1/plans", &json!({"loop": l})).await;
        assert_eq!(refused_field(r).await, "loop.token", "{bad}");
    }
    // Another process's key (a task configured apart from this one) does not vouch.
    let other = spawn_app_with(backend, &[("TRAILLOOP__PLANS__TOKEN_KEY", &"x".repeat(40))]).await;
    let r = other
        .post_json("/v1/plans", &json!({"loop": genuine}))
        .await;
    assert_eq!(refused_field(r).await, "loop.token");

    // The genuine loop as a browser sends it back: keys reordered, 2.0 written as 2.
    let mut text = String::from("{");
    let map = genuine.as_object().unwrap();
    let mut keys: Vec<&String> = map.keys().collect();
    keys.reverse();
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let v = serde_json::to_string(&map[*k]).unwrap().replace(".0,", ",");
        text.push_str(&format!("{}:{v}", serde_json::to_string(k).unwrap()));
    }
    text.push('}');
    let body = format!("{{\"loop\":{text}}}");
    let r = app
        .client
        .post(format!("{}/v1/plans", app.address))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let saved: Value = r.json().await.unwrap();
    assert!(
        same_numbers(&saved["loop"], &untokened(&genuine)),
        "stored as computed"
    );
    assert!(
        saved["loop"].get("token").is_none(),
        "the token is not kept"
    );
}

async fn plans_are_capped_in_bytes_and_per_client(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("TRAILLOOP__PLANS__QUOTA_PER_DAY", "2"),
            ("TRAILLOOP__SERVER__BEHIND_PROXY", "true"),
        ],
    )
    .await;
    let the_loop = a_loop(&app).await;
    let body = json!({"loop": the_loop});
    for _ in 0..2 {
        assert_eq!(save_as(&app, "203.0.113.5", &body).await.status(), 201);
    }
    let r = save_as(&app, "203.0.113.5", &body).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (23 * 3600..=24 * 3600).contains(&retry),
        "the first plan leaves the day's window in {retry} s"
    );
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["status"], 429);
    assert!(
        p["detail"].as_str().unwrap().contains("2 plans a day"),
        "{p}"
    );
    // Another client is served; forging the left of X-Forwarded-For changes nothing.
    assert_eq!(save_as(&app, "203.0.113.6", &body).await.status(), 201);

    let small = spawn_app_with(backend, &[("TRAILLOOP__SERVER__MAX_PLAN_BYTES", "20000")]).await;
    let big = a_loop(&small).await;
    let size = serde_json::to_vec(&big).unwrap().len();
    assert!(size > 20_000, "the loop is {size} bytes");
    let r = small.post_json("/v1/plans", &json!({"loop": big})).await;
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

async fn expired_plans_are_gone(backend: Backend) {
    // Kept 2 seconds.
    let app = spawn_app_with(
        backend,
        &[("TRAILLOOP__PLANS__RETENTION_DAYS", "0.0000232")],
    )
    .await;
    let the_loop = a_loop(&app).await;
    let r = app.post_json("/v1/plans", &json!({"loop": the_loop})).await;
    assert_eq!(r.status(), 201);
    let saved: Value = r.json().await.unwrap();
    let id = saved["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/v1/plans/{id}")).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(app.get(&format!("/v1/plans/{id}")).await.status(), 404);
    assert_eq!(app.get(&format!("/v1/plans/{id}/gpx")).await.status(), 404);
    let purged = app.plans.purge_expired().await.unwrap();
    assert_eq!(purged, 1);
    if let Some(db) = &app._db {
        let left: i64 = db
            .client()
            .await
            .query_one("SELECT count(*) FROM plans", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(left, 0, "the row is deleted, not hidden");
    }
}

on_both_backends!(
    a_saved_plan_comes_back_identical_and_as_gpx,
    forged_and_altered_loops_are_refused_and_reserialised_ones_kept,
    plans_are_capped_in_bytes_and_per_client,
    expired_plans_are_gone,
);
