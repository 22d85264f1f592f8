//! A saved plan is a loop the service answered: it comes back identical (but for its
//! token), and as a valid GPX 1.1 track of the same line. Forged or altered loops are
//! refused; a token saves once; saving is capped in bytes, per client (also when one
//! client's saves race) and in all; plans expire; in memory, a client filling the
//! store pushes out its own plans, not others'.

use serde_json::{json, Value};

use trailloop::store::{EmbeddedStore, PgStore, Store};

use crate::helpers::{
    spawn_app, spawn_app_on, spawn_app_with, Backend, TestApp, TestDatabase, ANDORRA,
};

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

/// `n` loops of Canillo as `/v1/loops` answers them, each with a token of its own.
async fn distinct_loops(app: &TestApp, n: usize) -> Vec<Value> {
    let mut loops: Vec<Value> = Vec::new();
    for target_km in [10, 8, 12, 6, 14, 9, 11, 7, 13, 5] {
        let answer = app
            .loops(&json!({
                "origin": {"lat": 42.5667, "lon": 1.6000}, "max_drive_km": 20,
                "target_km": target_km, "max_results": 10
            }))
            .await;
        for l in answer["loops"].as_array().unwrap() {
            if loops.iter().all(|k| k["token"] != l["token"]) {
                loops.push(l.clone());
            }
        }
        if loops.len() >= n {
            loops.truncate(n);
            return loops;
        }
    }
    panic!("only {} distinct loops around Canillo", loops.len());
}

/// The app on `backend`, on a store of its own in memory too (the embedded apps of a
/// test process share one otherwise): for tests of what all the plans stored may be.
async fn spawn_app_apart(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    match backend {
        Backend::Postgres => spawn_app_with(backend, extra).await,
        Backend::Embedded => spawn_app_on(embedded_store(None).await, None, extra),
    }
}

/// `n` apps on one store, as `n` tasks of the service are on one database, under one
/// token key (the first holds the database): saves sent to different apps race in
/// the database, not in one process.
async fn tasks(backend: Backend, n: usize, extra: &[(&str, &str)]) -> Vec<TestApp> {
    let key = "t".repeat(40);
    let mut settings = vec![("TRAILLOOP__PLANS__TOKEN_KEY", key.as_str())];
    settings.extend_from_slice(extra);
    match backend {
        Backend::Postgres => {
            let db = TestDatabase::andorra().await;
            let mut apps: Vec<TestApp> = (0..n)
                .map(|_| {
                    let store =
                        Store::Postgres(PgStore::new(trailloop::db::pool(&db.settings()).unwrap()));
                    spawn_app_on(store, None, &settings)
                })
                .collect();
            apps[0]._db = Some(db);
            apps
        }
        Backend::Embedded => {
            let store = embedded_store(None).await;
            (0..n)
                .map(|_| spawn_app_on(store.clone(), None, &settings))
                .collect()
        }
    }
}

/// A store in memory of its own, with room for `plan_bytes` of plans when given.
async fn embedded_store(plan_bytes: Option<usize>) -> Store {
    let store = tokio::task::spawn_blocking(move || {
        let store = EmbeddedStore::new(ANDORRA.clone());
        match plan_bytes {
            Some(bytes) => store.with_plan_bytes(bytes),
            None => store,
        }
    })
    .await
    .unwrap();
    Store::Embedded(std::sync::Arc::new(store))
}

/// The number a response's `Retry-After` gives.
fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A row count of the app's database.
async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app._db.as_ref().expect("a PostGIS app");
    db.client().await.query_one(sql, &[]).await.unwrap().get(0)
}

/// On PostGIS, the plans counted for the cap are the plans in the table.
async fn assert_counted(app: &TestApp) {
    if app._db.is_some() {
        assert_eq!(
            count(app, "SELECT stored FROM plan_totals").await,
            count(app, "SELECT count(*) FROM plans").await,
            "plan_totals"
        );
    }
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
    // The walk from the car out before the loop and back after it (each approach
    // vertex but the loop's own), then the loop's vertices with their elevations.
    let approach: Vec<Value> = the_loop["approach"]["geometry"]["coordinates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let out = approach.len().saturating_sub(1);
    assert_eq!(points.len(), coords.len() + 2 * out);
    for (p, c) in points.iter().zip(approach.iter().take(out)) {
        assert!((p.point().x() - c[0].as_f64().unwrap()).abs() < 1e-9);
        assert!((p.point().y() - c[1].as_f64().unwrap()).abs() < 1e-9);
    }
    for (p, c) in points.iter().rev().zip(approach.iter().take(out)) {
        assert!((p.point().x() - c[0].as_f64().unwrap()).abs() < 1e-9);
        assert!((p.point().y() - c[1].as_f64().unwrap()).abs() < 1e-9);
    }
    for (p, c) in points[out..].iter().zip(coords) {
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
    let loops = distinct_loops(&app, 4).await;
    let body = |i: usize| json!({"loop": loops[i]});
    for i in 0..2 {
        assert_eq!(save_as(&app, "203.0.113.5", &body(i)).await.status(), 201);
    }
    let r = save_as(&app, "203.0.113.5", &body(2)).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let retry = retry_after(&r);
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
    assert_eq!(save_as(&app, "203.0.113.6", &body(3)).await.status(), 201);

    let small = spawn_app_with(backend, &[("TRAILLOOP__SERVER__MAX_PLAN_BYTES", "20000")]).await;
    let big = a_loop(&small).await;
    let size = serde_json::to_vec(&big).unwrap().len();
    assert!(size > 20_000, "the loop is {size} bytes");
    let r = small.post_json("/v1/plans", &json!({"loop": big})).await;
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

async fn a_token_saves_once_and_counts_once(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("TRAILLOOP__PLANS__QUOTA_PER_DAY", "2"),
            ("TRAILLOOP__SERVER__BEHIND_PROXY", "true"),
        ],
    )
    .await;
    let loops = distinct_loops(&app, 3).await;
    let first = json!({"name": "Canillo", "loop": loops[0]});
    let r = save_as(&app, "203.0.113.5", &first).await;
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let saved: Value = r.json().await.unwrap();

    // The same token again: as it was sent, under another name, its seconds written
    // with a leading zero (which the token's check reads as the same number), and from
    // another client. Each time the plan saved first, name and all.
    let mut renamed = first.clone();
    renamed["name"] = json!("Mine now");
    let mut zero = first.clone();
    zero["loop"]["token"] = json!(format!("0{}", loops[0]["token"].as_str().unwrap()));
    for (what, body, ip) in [
        ("again", &first, "203.0.113.5"),
        ("renamed", &renamed, "203.0.113.5"),
        ("leading zero", &zero, "203.0.113.5"),
        ("another client", &first, "203.0.113.9"),
    ] {
        let r = save_as(&app, ip, body).await;
        assert_eq!(r.status(), 200, "{what}");
        assert_eq!(r.headers()["location"], location.as_str(), "{what}");
        let again: Value = r.json().await.unwrap();
        assert_eq!(again, saved, "{what}");
    }
    // None of the repeats counted: the client still has a plan of its quota of two.
    assert_eq!(
        save_as(&app, "203.0.113.5", &json!({"loop": loops[1]}))
            .await
            .status(),
        201
    );
    let r = save_as(&app, "203.0.113.5", &json!({"loop": loops[2]})).await;
    assert_eq!(r.status(), 429);
    // Its plan saved before is still answered while it is over its quota.
    let r = save_as(&app, "203.0.113.5", &first).await;
    assert_eq!(r.status(), 200);
    if app._db.is_some() {
        assert_eq!(count(&app, "SELECT count(*) FROM plans").await, 2);
        assert_eq!(
            count(&app, "SELECT count(DISTINCT token_hash) FROM plans").await,
            2
        );
    }
    assert_counted(&app).await;
}

async fn racing_saves_of_one_token_make_one_plan(backend: Backend) {
    let apps = tasks(backend, 4, &[("TRAILLOOP__SERVER__BEHIND_PROXY", "true")]).await;
    let body = json!({"loop": a_loop(&apps[0]).await});
    // Eight clients on four tasks at once.
    let ips: Vec<String> = (0..8).map(|i| format!("203.0.113.{}", 10 + i)).collect();
    let saves = ips
        .iter()
        .enumerate()
        .map(|(i, ip)| save_as(&apps[i % apps.len()], ip, &body));
    let mut created = 0;
    let mut ids = std::collections::HashSet::new();
    for r in futures_util::future::join_all(saves).await {
        match r.status().as_u16() {
            201 => created += 1,
            200 => {}
            other => panic!("{other}: {}", r.text().await.unwrap()),
        }
        let plan: Value = r.json().await.unwrap();
        ids.insert(plan["id"].as_str().unwrap().to_string());
    }
    assert_eq!((created, ids.len()), (1, 1), "one plan, created once");
    if apps[0]._db.is_some() {
        assert_eq!(count(&apps[0], "SELECT count(*) FROM plans").await, 1);
    }
    assert_counted(&apps[0]).await;
}

async fn racing_saves_of_one_client_stop_at_its_quota(backend: Backend) {
    let apps = tasks(
        backend,
        5,
        &[
            ("TRAILLOOP__PLANS__QUOTA_PER_DAY", "3"),
            ("TRAILLOOP__SERVER__BEHIND_PROXY", "true"),
        ],
    )
    .await;
    let loops = distinct_loops(&apps[0], 10).await;
    let bodies: Vec<Value> = loops.iter().map(|l| json!({"loop": l})).collect();
    // Ten saves of one client at once, two on each of five tasks.
    let saves = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| save_as(&apps[i % apps.len()], "203.0.113.5", b));
    let (mut created, mut refused) = (0, 0);
    for r in futures_util::future::join_all(saves).await {
        match r.status().as_u16() {
            201 => created += 1,
            429 => {
                let retry = retry_after(&r);
                assert!(
                    (23 * 3600..=24 * 3600).contains(&retry),
                    "Retry-After {retry}"
                );
                refused += 1;
            }
            other => panic!("{other}: {}", r.text().await.unwrap()),
        }
    }
    assert_eq!((created, refused), (3, 7));
    if apps[0]._db.is_some() {
        assert_eq!(count(&apps[0], "SELECT count(*) FROM plans").await, 3);
    }
    assert_counted(&apps[0]).await;
}

async fn racing_saves_of_many_clients_stop_at_the_cap(backend: Backend) {
    let apps = tasks(
        backend,
        5,
        &[
            ("TRAILLOOP__PLANS__MAX_STORED", "3"),
            ("TRAILLOOP__SERVER__BEHIND_PROXY", "true"),
        ],
    )
    .await;
    let loops = distinct_loops(&apps[0], 10).await;
    let bodies: Vec<Value> = loops.iter().map(|l| json!({"loop": l})).collect();
    let ips: Vec<String> = (0..10).map(|i| format!("203.0.113.{}", 20 + i)).collect();
    // Ten clients at once, on five tasks.
    let saves = bodies
        .iter()
        .zip(&ips)
        .enumerate()
        .map(|(i, (b, ip))| save_as(&apps[i % apps.len()], ip, b));
    let (mut created, mut refused) = (0, 0);
    for r in futures_util::future::join_all(saves).await {
        match r.status().as_u16() {
            201 => created += 1,
            503 => {
                assert_eq!(retry_after(&r), 3600);
                refused += 1;
            }
            other => panic!("{other}: {}", r.text().await.unwrap()),
        }
    }
    assert_eq!((created, refused), (3, 7));
    if apps[0]._db.is_some() {
        assert_eq!(count(&apps[0], "SELECT count(*) FROM plans").await, 3);
    }
    assert_counted(&apps[0]).await;
}

async fn saves_past_the_cap_are_refused_until_plans_expire(backend: Backend) {
    let app = spawn_app_apart(backend, &[("TRAILLOOP__PLANS__MAX_STORED", "2")]).await;
    let loops = distinct_loops(&app, 3).await;
    for l in &loops[..2] {
        let r = app.post_json("/v1/plans", &json!({"loop": l})).await;
        assert_eq!(r.status(), 201);
    }
    let r = app.post_json("/v1/plans", &json!({"loop": loops[2]})).await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // The plans saved expire in a year: a retry is worth it within the hour at most.
    assert_eq!(retry_after(&r), 3600);
    let p: Value = r.json().await.unwrap();
    assert_eq!(
        p["type"], "https://trailloop.dev/problems/plan-store-full",
        "{p}"
    );
    assert!(p["detail"].as_str().unwrap().contains("saved plans"), "{p}");
    // A token saved before still answers its plan: that takes no room.
    let r = app.post_json("/v1/plans", &json!({"loop": loops[0]})).await;
    assert_eq!(r.status(), 200);
    assert_counted(&app).await;

    // Plans kept 2 seconds: once the first has expired (not yet purged), it does not
    // count.
    let app = spawn_app_apart(
        backend,
        &[
            ("TRAILLOOP__PLANS__MAX_STORED", "1"),
            ("TRAILLOOP__PLANS__RETENTION_DAYS", "0.0000232"),
        ],
    )
    .await;
    let loops = distinct_loops(&app, 2).await;
    let r = app.post_json("/v1/plans", &json!({"loop": loops[0]})).await;
    assert_eq!(r.status(), 201);
    let r = app.post_json("/v1/plans", &json!({"loop": loops[1]})).await;
    assert_eq!(r.status(), 503);
    let retry = retry_after(&r);
    assert!(
        (60..=63).contains(&retry),
        "the first plan expires in 2 s, purged within the minute after: {retry}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let r = app.post_json("/v1/plans", &json!({"loop": loops[1]})).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assert_counted(&app).await;
}

async fn names_with_control_characters_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let the_loop = a_loop(&app).await;
    // NUL (which PostgreSQL's text cannot hold), escape, DEL, and C1's CSI.
    for name in ["Loop\u{0}", "\u{1b}[31mLoop", "Loop\u{7f}", "Loop \u{9b}2J"] {
        let r = app
            .post_json("/v1/plans", &json!({"name": name, "loop": the_loop}))
            .await;
        assert_eq!(refused_field(r).await, "name", "{name:?}");
    }
    let r = app
        .post_json("/v1/plans", &json!({"name": "Loop", "loop": the_loop}))
        .await;
    assert_eq!(r.status(), 201);
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
    a_token_saves_once_and_counts_once,
    racing_saves_of_one_token_make_one_plan,
    racing_saves_of_one_client_stop_at_its_quota,
    racing_saves_of_many_clients_stop_at_the_cap,
    saves_past_the_cap_are_refused_until_plans_expire,
    names_with_control_characters_are_refused,
    expired_plans_are_gone,
);

/// In memory, a store with room for three loops: one client saving past it pushes out
/// its own oldest plans, never another client's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_filling_the_embedded_store_pushes_out_only_its_own_plans() {
    // Tokens of one key, good on both apps.
    let key = "k".repeat(40);
    let settings = [
        ("TRAILLOOP__PLANS__TOKEN_KEY", key.as_str()),
        ("TRAILLOOP__SERVER__BEHIND_PROXY", "true"),
    ];
    let planner = spawn_app_with(Backend::Embedded, &settings).await;
    let loops = distinct_loops(&planner, 6).await;
    // What the store counts a plan as: its JSON text, without the token.
    let size = |l: &Value| untokened(l).to_string().len();
    let bound = size(&loops[0]) + size(&loops[1]) + size(&loops[2]) + 64;
    assert!(
        loops.iter().all(|l| size(l) * 2 > size(&loops[0])),
        "alike sizes"
    );
    let app = spawn_app_on(embedded_store(Some(bound)).await, None, &settings);
    let save = |ip: &'static str, l: &Value| {
        let body = json!({"loop": l});
        let app = &app;
        async move {
            let r = save_as(app, ip, &body).await;
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
            let plan: Value = r.json().await.unwrap();
            format!("/v1/plans/{}", plan["id"].as_str().unwrap())
        }
    };
    let theirs = save("203.0.113.1", &loops[0]).await;
    let mut mine = Vec::new();
    for l in &loops[1..] {
        mine.push(save("203.0.113.2", l).await);
    }
    assert_eq!(
        app.get(&theirs).await.status(),
        200,
        "another's plan is kept"
    );
    assert_eq!(
        app.get(&mine[0]).await.status(),
        404,
        "the filler's oldest went"
    );
    assert_eq!(app.get(mine.last().unwrap()).await.status(), 200);
}
