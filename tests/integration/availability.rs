//! Fair and available: a client cannot hold planning up for the others, a closed
//! connection stops its plan, and the network held in memory plans while the database
//! is away (a real PostGIS, cut by a TCP relay the test controls).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use trailloop::store::{PgStore, Store};

use crate::helpers::*;

/// The costliest request the schema allows on the sample: seconds of solver time.
fn costly() -> serde_json::Value {
    json!({"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 300,
           "target_km": 200, "days": 10, "max_results": 10, "tolerance": 0.2})
}

fn ordinary() -> serde_json::Value {
    json!({"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 25,
           "target_km": 10, "max_results": 3})
}

/// A metric's value in the app's `/metrics` text.
async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// Until a plan is admitted to the solver.
async fn until_in_flight(app: &TestApp) {
    let started = Instant::now();
    while metric(app, "solver_pool_in_flight").await < 1.0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never admitted"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_client_plans_one_costly_request_at_a_time_and_its_ordinary_ones_meanwhile() {
    let app = spawn_app(Backend::Embedded).await;
    let first = {
        let (client, url) = (app.client.clone(), format!("{}/v1/loops", app.address));
        tokio::spawn(async move { client.post(url).json(&costly()).send().await.unwrap() })
    };
    until_in_flight(&app).await;
    let second = app.post_json("/v1/loops", &costly()).await;
    assert_eq!(second.status(), 429);
    assert!(second.headers().contains_key("retry-after"));
    let problem: serde_json::Value = second.json().await.unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("ask for less than"), "{detail}");
    // What it suggests is an ordinary request: planned at once, while the first runs.
    let km: f64 = detail
        .split("ask for less than ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no length in {detail}"));
    let mut smaller = costly();
    smaller["target_km"] = json!(km);
    smaller["max_drive_km"] = json!(25);
    // Admitted (a request that odd may still find no plan in time on a busy machine).
    let answer = app.post_json("/v1/loops", &smaller).await;
    assert!(
        [200, 503].contains(&answer.status().as_u16()),
        "{:?}",
        answer.text().await
    );
    let ordinary_answer = app.post_json("/v1/loops", &ordinary()).await;
    assert_eq!(ordinary_answer.status(), 200);
    let timing = ordinary_answer.headers()["server-timing"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(timing.contains("ordinary lane"), "{timing}");
    let first = first.await.unwrap();
    assert!(
        [200, 503].contains(&first.status().as_u16()),
        "{}",
        first.status()
    );
    if first.status() == 200 {
        let timing = first.headers()["server-timing"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(timing.contains("costly lane"), "{timing}");
    }
    // Its share is back: the client may ask again.
    let again = app.post_json("/v1/loops", &costly()).await;
    assert_ne!(again.status(), 429);
}

#[tokio::test]
async fn a_client_that_closes_its_connection_stops_its_plan() {
    // At the usual priority: on a machine busy with other tests a lowered one would
    // measure the scheduler, not the cancel.
    let app = spawn_app_with(
        Backend::Embedded,
        &[("TRAILLOOP__SOLVER__COSTLY_NICE", "0")],
    )
    .await;
    let body = serde_json::to_vec(&costly()).unwrap();
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /v1/loops HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    until_in_flight(&app).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(stream);
    let dropped = Instant::now();
    // The plan ends (its slot is free) long before the seconds it would have taken.
    while metric(&app, "solver_pool_in_flight").await > 0.0 {
        assert!(
            dropped.elapsed() < Duration::from_secs(1),
            "the plan still runs 1 s after its client went away"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(metric(&app, "plans_cancelled_total").await, 1.0);
}

/// A TCP relay to the database that the test can cut (refusing and dropping every
/// connection) and restore.
struct Relay {
    port: u16,
    cut: Arc<AtomicBool>,
}

impl Relay {
    async fn to(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let flag = cut.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if flag.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is closed at once
                }
                let (flag, target) = (flag.clone(), target.clone());
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    let copy = tokio::io::copy_bidirectional(&mut inbound, &mut outbound);
                    let watch = async {
                        while !flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                    };
                    tokio::select! { _ = copy => {}, _ = watch => {} }
                });
            }
        });
        Relay { port, cut }
    }
}

async fn readyz(app: &TestApp) -> (u16, serde_json::Value) {
    let r = app.get("/readyz").await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn loops_are_planned_from_memory_while_the_database_is_away() {
    let db = TestDatabase::andorra().await;
    let mut url = url::Url::parse(&db.url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let relay = Relay::to(target).await;
    url.set_port(Some(relay.port)).unwrap();
    let settings = trailloop::settings::Settings::load_from(None, database_env(url.as_str()))
        .unwrap()
        .database;
    let store = Store::Postgres(PgStore::new(trailloop::db::pool(&settings).unwrap()));
    let app = spawn_app_on(store, Some(db), &[("TRAILLOOP__NETWORK__PRELOAD", "true")]);
    let started = Instant::now();
    while readyz(&app).await.1["status"] != "ready" {
        assert!(started.elapsed() < Duration::from_secs(60), "never ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A plan saved before the cut.
    let loops = app.loops(&ordinary()).await;
    let saved = app
        .post_json("/v1/plans", &json!({"loop": loops["loops"][0]}))
        .await;
    assert_eq!(saved.status(), 201);
    let saved: serde_json::Value = saved.json().await.unwrap();
    let id = saved["id"].as_str().unwrap().to_string();

    relay.cut.store(true, Ordering::SeqCst);
    let mut planned = 0;
    for (i, km) in [8.0, 10.0, 12.0, 15.0, 20.0].iter().enumerate() {
        let mut body = ordinary();
        body["target_km"] = json!(km);
        body["origin"]["lat"] = json!(42.5078 + 0.01 * i as f64);
        let r = app.post_json("/v1/loops", &body).await;
        assert_eq!(r.status(), 200, "loops while the database is away");
        let answer: serde_json::Value = r.json().await.unwrap();
        planned += answer["loops"].as_array().unwrap().len();
    }
    assert!(planned >= 10, "only {planned} loops planned from memory");
    let near = app
        .get("/v1/trailheads?lat=42.5078&lon=1.5211&radius_km=10")
        .await;
    assert_eq!(near.status(), 200, "trailheads while the database is away");
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(metric(&app, "store_degraded").await, 1.0);
    // What needs the database says so, and when to come back.
    for r in [
        app.get(&format!("/v1/plans/{id}")).await,
        app.post_json("/v1/plans", &json!({"loop": loops["loops"][1]}))
            .await,
    ] {
        assert_eq!(r.status(), 503);
        assert!(r.headers().contains_key("retry-after"));
    }

    relay.cut.store(false, Ordering::SeqCst);
    let back = Instant::now();
    while readyz(&app).await.1["status"] != "ready" {
        assert!(back.elapsed() < Duration::from_secs(30), "not ready again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Nothing lost; full service.
    let plan = app.get(&format!("/v1/plans/{id}")).await;
    assert_eq!(plan.status(), 200);
    let plan: serde_json::Value = plan.json().await.unwrap();
    assert_eq!(plan["loop"], saved["loop"]);
    assert_eq!(app.post_json("/v1/loops", &ordinary()).await.status(), 200);
    // Plan reads, and the loops' version check, are on the database again.
    let started = Instant::now();
    while metric(&app, "store_degraded").await != 0.0 {
        assert!(started.elapsed() < Duration::from_secs(5), "still degraded");
        app.post_json("/v1/loops", &ordinary()).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
