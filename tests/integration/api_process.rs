//! The `trailloop` binary as a container runs it: `serve` stops gracefully on SIGTERM
//! (in-flight requests finish, exit 0) and `healthcheck` reports through its exit code.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{spawn_app, Backend, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_trailloop");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills the child if a test fails before it exits.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_requests_finish_and_exits_0() {
    let db = TestDatabase::andorra().await;
    let port = free_port();
    let mut child = Running(
        Command::new(BIN)
            .arg("serve")
            .env("TRAILLOOP__DATABASE__URL", &db.url)
            .env("TRAILLOOP__SERVER__HOST", "127.0.0.1")
            .env("TRAILLOOP__SERVER__PORT", port.to_string())
            .env("TRAILLOOP__SERVER__SHUTDOWN_TIMEOUT_SECS", "20")
            // A budget the search will use up, so the request is surely in flight.
            .env("TRAILLOOP__SOLVER__TIME_BUDGET_MS", "3000")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .spawn()
            .expect("starting trailloop serve"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = json!({"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 30,
        "target_km": 80, "days": 4, "max_results": 10, "tolerance": 0.01});
    let in_flight = tokio::spawn({
        let client = client.clone();
        let url = format!("{base}/v1/loops");
        async move {
            let t = Instant::now();
            let r = client.post(url).json(&body).send().await.unwrap();
            (r.status().as_u16(), t.elapsed())
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    let (status, took) = in_flight.await.unwrap();
    assert_eq!(status, 200, "the in-flight request finished");
    assert!(
        took > Duration::from_millis(500),
        "it was in flight at SIGTERM ({took:?})"
    );
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
    let ready = loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            break r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(ready.status(), 200);
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
