//! Probes, metrics, the OpenAPI document, request ids, admission control, and readiness
//! that follows the database without a restart.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use trailloop::store::{PgStore, Store};

use crate::helpers::{spawn_app, spawn_app_on, spawn_app_with, Backend, TestDatabase};

async fn health_and_readiness_answer_200(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let expected = match backend {
        Backend::Postgres => "postgres",
        Backend::Embedded => "embedded",
    };
    assert_eq!(body["backend"], expected);
}

async fn metrics_parse_as_prometheus_text_labelled_by_route_pattern(backend: Backend) {
    let app = spawn_app(backend).await;
    app.get("/healthz").await;
    app.get(&format!("/v1/plans/{}", uuid::Uuid::new_v4()))
        .await;
    app.get("/no/such/route").await;
    app.loops(
        &json!({"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 10,
        "target_km": 6, "max_results": 1}),
    )
    .await;
    let r = app.get("/metrics").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();

    // Strictly: every line is a comment or `name{labels} value`.
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
    }
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text");
    let value = |name: &str, labels: &[(&str, &str)]| -> Option<f64> {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                prometheus_parse::Value::Histogram(ref h) => h.last().map_or(0.0, |b| b.count),
                prometheus_parse::Value::Summary(_) => 0.0,
            })
    };
    let requests = "http_requests_total";
    assert_eq!(
        value(requests, &[("route", "/healthz"), ("status", "200")]),
        Some(1.0)
    );
    // prometheus-parse cuts label values at '}', so the pattern is checked on the text.
    assert!(
        text.lines()
            .any(|l| l
                == r#"http_requests_total{method="GET",route="/v1/plans/{id}",status="404"} 1"#),
        "labelled by pattern, not by path: {text}"
    );
    assert_eq!(
        value(requests, &[("route", "unmatched"), ("status", "404")]),
        Some(1.0)
    );
    assert_eq!(
        value(
            requests,
            &[
                ("route", "/v1/loops"),
                ("method", "POST"),
                ("status", "200")
            ]
        ),
        Some(1.0)
    );
    assert!(scrape
        .samples
        .iter()
        .all(|s| !s.labels.get("route").is_some_and(|r| r.contains("no/such"))));
    assert!(
        value(
            "http_request_duration_seconds_count",
            &[("route", "/v1/loops")]
        )
        .is_some()
            || value("http_request_duration_seconds", &[("route", "/v1/loops")]).is_some()
    );
    assert!(value("solver_work_total", &[]).unwrap() > 0.0);
    // The one loop request loaded the tiles it needed, nothing was there before.
    assert!(value("network_cache_misses_total", &[]).unwrap() >= 1.0);
    assert_eq!(value("network_cache_hits_total", &[]), Some(0.0));
    assert!(value("network_cache_bytes", &[]).unwrap() > 1e6);
    assert!(value("network_cache_tiles", &[]).unwrap() >= 1.0);
    // What an edge costs in memory, reported and bounded (765 bytes on the sample
    // region: the solver's graph, per-edge facts, elevations, places and highlights).
    let edges = value("network_cache_edges", &[]).unwrap();
    assert!(edges >= 1000.0, "{edges} edges held");
    let per_edge = value("network_cache_bytes", &[]).unwrap() / edges;
    assert!(
        (100.0..=1_200.0).contains(&per_edge),
        "{per_edge} bytes per edge"
    );
    assert!(value("network_tile_load_seconds_count", &[]).unwrap() >= 1.0);
    assert_eq!(value("trailhead_query_seconds_count", &[]), Some(1.0));
    assert!(value("solver_pool_capacity", &[]).unwrap() >= 1.0);
    assert_eq!(value("solver_pool_in_flight", &[]), Some(0.0));
    if backend == Backend::Postgres {
        assert!(value("db_pool_connections", &[]).unwrap() >= 1.0);
    }
}

async fn the_api_describes_itself(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/openapi.json").await;
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with('3'));
    let paths = &doc["paths"];
    for (path, method) in [
        ("/v1/loops", "post"),
        ("/v1/loops", "get"),
        ("/v1/trailheads", "get"),
        ("/v1/plans", "post"),
        ("/v1/plans/{id}", "get"),
        ("/v1/plans/{id}/gpx", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} undocumented"
        );
    }
    let schemas = &doc["components"]["schemas"];
    // The body's fields, and the choices among them the schema states: exactly one
    // target, at least one drive limit.
    let body = &schemas["LoopRequestBody"]["allOf"][0];
    assert!(body["properties"]["origin"].is_object());
    let choice = |k: usize, of: &str| -> Vec<String> {
        schemas["LoopRequestBody"]["allOf"][k][of]
            .as_array()
            .unwrap_or_else(|| panic!("allOf[{k}].{of}"))
            .iter()
            .map(|b| b["required"][0].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        choice(1, "oneOf"),
        ["target_km", "target_mi", "target_hours"]
    );
    assert_eq!(
        choice(2, "anyOf"),
        ["max_drive_km", "max_drive_mi", "max_drive_minutes"]
    );
    assert_eq!(body["properties"]["target_mi"]["maximum"], 186.4);
    assert_eq!(body["properties"]["days"]["maximum"], 14);
    for limit in ["max_drive_km", "max_drive_mi", "max_drive_minutes"] {
        assert!(
            body["properties"][limit].is_object(),
            "{limit} undocumented"
        );
        let required = body["required"].as_array().unwrap();
        assert!(
            !required.iter().any(|r| r == limit),
            "{limit} is one of two"
        );
    }
    for field in ["drive_km", "drive_minutes", "drive_method"] {
        assert!(
            schemas["TrailheadJson"]["properties"][field].is_object(),
            "TrailheadJson.{field} undocumented"
        );
    }
    assert!(schemas["DriveDistanceJson"]["properties"]["origin_to_road_km"].is_object());
    let trailhead_params = paths["/v1/trailheads"]["get"]["parameters"]
        .as_array()
        .unwrap();
    for p in ["radius_km", "max_drive_km", "max_drive_minutes"] {
        assert!(
            trailhead_params.iter().any(|q| q["name"] == p),
            "/v1/trailheads {p}"
        );
    }
    assert!(schemas["Problem"].is_object());
    // reqwest follows the redirect from /docs to /docs/.
    let r = app.get("/docs").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().to_lowercase().contains("swagger"));
}

async fn request_ids_are_echoed_or_made_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let send = |id: Option<&'static str>| {
        let mut r = app.client.get(format!("{}/healthz", app.address));
        if let Some(id) = id {
            r = r.header("x-request-id", id);
        }
        r.send()
    };
    let r = send(Some("client-id-42")).await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "client-id-42");
    for id in [None, Some("bad id with spaces {}")] {
        let r = send(id).await.unwrap();
        let echoed = r.headers()["x-request-id"].to_str().unwrap();
        assert!(uuid::Uuid::parse_str(echoed).is_ok(), "{echoed}");
    }
    // Errors carry it too.
    let r = app.get("/nowhere").await;
    assert!(r.headers().contains_key("x-request-id"));
}

async fn a_saturated_solver_answers_503_with_retry_after(backend: Backend) {
    let app = Arc::new(
        spawn_app_with(
            backend,
            &[
                ("TRAILLOOP__SOLVER__THREADS", "1"),
                ("TRAILLOOP__SOLVER__MAX_QUEUE", "1"),
                // The requests below are costly, all from one client: the lane's
                // queue is what is saturated here, not the client's share.
                ("TRAILLOOP__SOLVER__COSTLY_MAX_QUEUE", "1"),
                ("TRAILLOOP__SOLVER__COSTLY_PER_CLIENT", "100"),
            ],
        )
        .await,
    );
    // Long loops from the busiest area, many at once, into a queue of one.
    let body = json!({"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 30,
        "target_km": 60, "max_results": 10, "tolerance": 0.01});
    let mut tasks = Vec::new();
    for seed in 0..12u64 {
        let app = app.clone();
        let mut body = body.clone();
        body["seed"] = seed.into();
        tasks.push(tokio::spawn(async move {
            let r = app.post_json("/v1/loops", &body).await;
            let retry = r.headers().get("retry-after").cloned();
            let ct = r.headers().get("content-type").cloned();
            (r.status().as_u16(), retry, ct)
        }));
    }
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for t in tasks {
        let (status, retry, ct) = t.await.unwrap();
        *statuses.entry(status).or_default() += 1;
        if status == 503 {
            assert!(retry.is_some(), "503 without Retry-After");
            assert_eq!(ct.unwrap(), "application/problem+json");
        }
    }
    assert!(statuses.get(&503).is_some_and(|&n| n > 0), "{statuses:?}");
    assert!(statuses.get(&200).is_some_and(|&n| n > 0), "{statuses:?}");
    assert!(
        statuses.keys().all(|s| [200, 503].contains(s)),
        "{statuses:?}"
    );
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        !metrics.contains("solver_pool_rejections_total 0\n"),
        "{metrics}"
    );
}

on_both_backends!(
    health_and_readiness_answer_200,
    metrics_parse_as_prometheus_text_labelled_by_route_pattern,
    the_api_describes_itself,
    request_ids_are_echoed_or_made_up,
    a_saturated_solver_answers_503_with_retry_after,
);

/// A TCP proxy in front of the test cluster that can cut every connection and refuse new
/// ones, and later let them through again: the database "goes away" without touching it.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (cut, _) = watch::channel(0u64);
        let (up2, cut2) = (up.clone(), cut.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !up2.load(Ordering::SeqCst) {
                    let _ = client.shutdown().await;
                    continue;
                }
                let upstream = upstream.clone();
                let mut cut_rx = cut2.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut_rx.changed() => {}
                    }
                });
            }
        });
        Proxy { port, up, cut }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_while_the_database_is_unreachable_and_recovers_without_restart() {
    let db = TestDatabase::andorra().await;
    let url = url::Url::parse(&db.url).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let proxy = Proxy::start(upstream).await;
    let mut via_proxy = url.clone();
    via_proxy.set_port(Some(proxy.port)).unwrap();
    let mut env = crate::helpers::database_env(via_proxy.as_str());
    env.push((
        "TRAILLOOP__DATABASE__CONNECT_TIMEOUT_SECS".to_string(),
        "2".to_string(),
    ));
    let settings = trailloop::settings::Settings::load_from(None, env).unwrap();
    let store = Store::Postgres(PgStore::new(
        trailloop::db::pool(&settings.database).unwrap(),
    ));
    let app = spawn_app_on(store, Some(db), &[]);

    assert_eq!(app.get("/readyz").await.status(), 200);

    proxy.down();
    let r = app.get("/readyz").await;
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // Liveness does not depend on the database: the orchestrator must not restart us.
    assert_eq!(app.get("/healthz").await.status(), 200);
    // Requests that need the database say so, with a 503 too.
    let r = app.get("/v1/trailheads?lat=42.5&lon=1.5&radius_km=5").await;
    assert_eq!(r.status(), 503);

    proxy.up();
    let mut status = 0;
    for _ in 0..50 {
        status = app.get("/readyz").await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "ready again once the database is back");
    let r = app.get("/v1/trailheads?lat=42.5&lon=1.5&radius_km=5").await;
    assert_eq!(r.status(), 200);
}
