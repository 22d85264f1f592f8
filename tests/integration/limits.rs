//! Limits a public service needs, on loopback: a body trickled in is cut off, a flood
//! from one client is refused while another client is served, the metrics and the docs
//! stay off the public port when told to.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::helpers::{free_port, spawn_app_with, Backend, TestApp};

/// `host:port` of an app.
fn authority(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_sent_byte_by_byte_is_cut_off_within_the_timeout() {
    let app = spawn_app_with(
        Backend::Embedded,
        &[("TRAILLOOP__SERVER__BODY_TIMEOUT_SECS", "2")],
    )
    .await;
    let address = authority(&app);
    let (status, elapsed, sent) = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(&address).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let started = Instant::now();
        write!(
            s,
            "POST /v1/loops HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{{"
        )
        .unwrap();
        // One byte every 300 ms, as the audit's client sent one every 2 s, until the
        // service answers or closes.
        let mut sent = 1;
        s.set_nonblocking(true).unwrap();
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        while started.elapsed() < Duration::from_secs(15) {
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if s.write_all(b" ").is_err() {
                        break;
                    }
                    sent += 1;
                    std::thread::sleep(Duration::from_millis(300));
                }
                Err(_) => break,
            }
        }
        let text = String::from_utf8_lossy(&answer).to_string();
        (text.lines().next().unwrap_or("").to_string(), started.elapsed(), sent)
    })
    .await
    .unwrap();
    assert!(status.starts_with("HTTP/1.1 408"), "answered {status:?}");
    assert!(
        elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_secs(5),
        "cut off after {elapsed:?} ({sent} bytes sent)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_head_that_never_ends_is_dropped() {
    let app = spawn_app_with(
        Backend::Embedded,
        &[("TRAILLOOP__SERVER__REQUEST_HEAD_TIMEOUT_MS", "1000")],
    )
    .await;
    let address = authority(&app);
    let elapsed = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(&address).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let started = Instant::now();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        let mut rest = Vec::new();
        // The service answers 408 and closes, or closes: either ends the read.
        let _ = s.read_to_end(&mut rest);
        started.elapsed()
    })
    .await
    .unwrap();
    assert!(elapsed < Duration::from_secs(4), "held {elapsed:?}");
}

/// A client bound to its own loopback address (Linux routes all of 127/8 to lo).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(Some(ip.parse().unwrap()))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_client_gets_429_while_another_is_served() {
    let app = spawn_app_with(
        Backend::Embedded,
        &[
            ("TRAILLOOP__RATE_LIMIT__PER_SECOND", "5"),
            ("TRAILLOOP__RATE_LIMIT__BURST", "10"),
        ],
    )
    .await;
    let flood = client_from("127.0.0.2");
    let calm = client_from("127.0.0.3");
    let url = format!(
        "{}/v1/trailheads?lat=42.5078&lon=1.5211&radius_km=5",
        app.address
    );
    let mut codes = Vec::new();
    let mut retry_after = None;
    for _ in 0..60 {
        let r = flood.get(&url).send().await.unwrap();
        if r.status() == 429 {
            assert_eq!(r.headers()["content-type"], "application/problem+json");
            retry_after = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let p: serde_json::Value = r.json().await.unwrap();
            assert_eq!(p["status"], 429);
            codes.push(429);
        } else {
            codes.push(r.status().as_u16());
        }
    }
    let refused = codes.iter().filter(|c| **c == 429).count();
    let served = codes.iter().filter(|c| **c == 200).count();
    assert!(
        served >= 10 && refused >= 30,
        "{served} served, {refused} refused: {codes:?}"
    );
    assert_eq!(served + refused, 60, "{codes:?}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    // The other client is served as if nothing happened; the flooder's probes too.
    for _ in 0..5 {
        assert_eq!(calm.get(&url).send().await.unwrap().status(), 200);
    }
    let health = flood
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "health checks are not limited");
    // After a second the flooder has a few requests again.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(flood.get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_their_own_port_and_docs_turned_off_are_not_on_the_public_one() {
    let metrics_port = free_port();
    let app = spawn_app_with(
        Backend::Embedded,
        &[
            ("TRAILLOOP__SERVER__METRICS_PORT", &metrics_port.to_string()),
            ("TRAILLOOP__SERVER__DOCS", "false"),
        ],
    )
    .await;
    assert_eq!(app.get("/metrics").await.status(), 404);
    assert_eq!(app.get("/docs/").await.status(), 404);
    assert_eq!(app.get("/openapi.json").await.status(), 404);
    assert_eq!(app.get("/healthz").await.status(), 200);
    let private = format!("http://127.0.0.1:{metrics_port}");
    let r = app
        .client
        .get(format!("{private}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("http_requests_total"));
    let r = app
        .client
        .get(format!(
            "{private}/v1/trailheads?lat=42.5&lon=1.5&radius_km=5"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "the metrics port serves the metrics alone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loop_request_reads_no_more_of_the_network_than_its_cap() {
    let request = serde_json::json!({
        "origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 40, "target_km": 12,
        "max_results": 5
    });
    let open = spawn_app_with(Backend::Embedded, &[]).await;
    let open_answer = open.loops(&request).await;
    let all_warnings = open_answer["warnings"].to_string();
    assert!(!all_warnings.contains("not solved from"), "{all_warnings}");
    let held_open = open.planner.cache().tiles_held();

    let capped = spawn_app_with(
        Backend::Embedded,
        &[("TRAILLOOP__PLANNER__MAX_TILES_PER_REQUEST", "1")],
    )
    .await;
    let answer = capped.loops(&request).await;
    let warnings = answer["warnings"].to_string();
    assert!(warnings.contains("not solved from"), "{answer}");
    assert!(!answer["loops"].as_array().unwrap().is_empty(), "{answer}");
    // The best start alone (always solved): a 12 km loop's surroundings meet at most
    // the four tiles round one corner.
    let held = capped.planner.cache().tiles_held();
    assert!(held <= 4, "{held} tiles read, {held_open} uncapped");
    let starts = |a: &serde_json::Value| {
        a["loops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["trailhead"]["id"].as_i64().unwrap())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (from_open, from_capped) = (starts(&open_answer), starts(&answer));
    assert!(
        from_capped.len() < from_open.len(),
        "capped {from_capped:?}, uncapped {from_open:?}"
    );
}
