//! The `trailloop` binary as a container runs it: `serve` stops gracefully on SIGTERM
//! (in-flight requests finish, exit 0) and `healthcheck` reports through its exit code.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{free_port, spawn_app, Backend, Running, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_trailloop");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_requests_finish_and_exits_0() {
    let db = TestDatabase::andorra().await;
    let port = free_port();
    let mut child = Running(
        Command::new(BIN)
            .arg("serve")
            .envs(db.env())
            .env("TRAILLOOP__SERVER__HOST", "127.0.0.1")
            .env("TRAILLOOP__SERVER__PORT", port.to_string())
            .env("TRAILLOOP__SERVER__SHUTDOWN_TIMEOUT_SECS", "20")
            // One plan at a time: the requests below queue, so some are surely still in
            // flight when SIGTERM arrives, however fast a single solve is.
            .env("TRAILLOOP__SOLVER__THREADS", "1")
            .env("TRAILLOOP__SOLVER__TIME_BUDGET_MS", "20000")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .spawn()
            .expect("starting trailloop serve"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    crate::helpers::wait_until_up(&base, Duration::from_secs(30)).await;
    let mut in_flight = Vec::new();
    for target_km in [20, 22, 24, 26, 28, 30] {
        let body = json!({"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 30,
            "target_km": target_km, "max_results": 3});
        let (client, url) = (client.clone(), format!("{base}/v1/loops"));
        in_flight.push(tokio::spawn(async move {
            let r = client.post(url).json(&body).send().await.unwrap();
            (r.status().as_u16(), Instant::now())
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed_at = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    let mut finished_after_sigterm = 0;
    for request in in_flight {
        let (status, done_at) = request.await.unwrap();
        assert_eq!(status, 200, "every in-flight request finished");
        finished_after_sigterm += usize::from(done_at > killed_at);
    }
    assert!(finished_after_sigterm > 0, "none was in flight at SIGTERM");
    // No new connections once stopping.
    assert!(client.get(format!("{base}/healthz")).send().await.is_err());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = child.0.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "exit status {exit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_exits_0_when_the_service_answers_and_1_when_not() {
    let app = spawn_app(Backend::Embedded).await;
    let ok = Command::new(BIN)
        .args(["healthcheck", "--url", &format!("{}/healthz", app.address)])
        .status()
        .unwrap();
    assert_eq!(ok.code(), Some(0));
    let not_found = Command::new(BIN)
        .args(["healthcheck", "--url", &format!("{}/nothing", app.address)])
        .status()
        .unwrap();
    assert_eq!(not_found.code(), Some(1));
    let closed = Command::new(BIN)
        .arg("healthcheck")
        .env("TRAILLOOP__SERVER__PORT", free_port().to_string())
        .status()
        .unwrap();
    assert_eq!(closed.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_pbf_runs_embedded_whatever_the_database_settings_say() {
    let port = free_port();
    let data = |f: &str| crate::helpers::data(f).display().to_string();
    let _child = Running(
        Command::new(BIN)
            .args(["serve", "--pbf", &data("andorra.osm.pbf")])
            .args(["--dem", &data("N42E001.hgt.zip")])
            // Unreachable on purpose: --pbf must not even try it.
            .env(
                "TRAILLOOP__DATABASE__URL",
                "postgres://nobody@127.0.0.1:1/none",
            )
            .env("TRAILLOOP__SERVER__HOST", "127.0.0.1")
            .env("TRAILLOOP__SERVER__PORT", port.to_string())
            .stdout(Stdio::null())
            .spawn()
            .expect("starting trailloop serve --pbf"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    // Until the network is loaded into memory the task is up but not ready.
    let ready = loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status() == 200 {
                break r;
            }
            assert_eq!(r.status(), 503);
            assert!(r.headers().contains_key("retry-after"));
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "serve did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["backend"], "embedded");
    let r = client
        .post(format!("{base}/v1/loops"))
        .json(
            &json!({"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 25,
            "target_km": 10, "max_results": 1}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let answer: serde_json::Value = r.json().await.unwrap();
    assert_eq!(answer["loops"].as_array().unwrap().len(), 1);
}
