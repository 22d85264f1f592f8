//! Request latency of `POST /v1/loops` on one or more running services, one request at a
//! time, with the requests of each round sent to every service in turn (so machine noise
//! falls on all of them alike). The first request each service gets is reported on its
//! own: after a start or an import it loads the tiles it needs.
//!
//! ```text
//! cargo run --release --example latency -- [--rounds N] [--origins "lat,lon;lat,lon"]
//!     [--targets "5,10,20"] [--drive KM] NAME=URL [NAME=URL ...]
//! ```
//!
//! Defaults: 5 Andorra origins (Andorra la Vella, Canillo, Arinsal, Soldeu, Encamp),
//! targets 5, 10, 15, 20, 30 and 40 km, a 20 km drive, 5 measured rounds after one
//! round that warms the services up. Prints p50, p95 and max per service, and the
//! ratio of each p50 and p95 to the first service's.

use std::time::{Duration, Instant};

use serde_json::json;

struct Service {
    name: String,
    url: String,
    first: Option<Duration>,
    times: Vec<Duration>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn arg_value(args: &mut Vec<String>, flag: &str) -> Option<String> {
    let i = args.iter().position(|a| a == flag)?;
    args.remove(i);
    (i < args.len()).then(|| args.remove(i))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let rounds: usize = arg_value(&mut args, "--rounds").map_or(Ok(5), |r| r.parse())?;
    let drive: f64 = arg_value(&mut args, "--drive").map_or(Ok(20.0), |r| r.parse())?;
    let origins: Vec<(f64, f64)> = arg_value(&mut args, "--origins")
        .unwrap_or_else(|| {
            "42.5078,1.5211;42.5667,1.6000;42.5720,1.4848;42.5766,1.6676;42.5344,1.5810".into()
        })
        .split(';')
        .map(|p| {
            let (lat, lon) = p.split_once(',').expect("lat,lon");
            (lat.trim().parse().unwrap(), lon.trim().parse().unwrap())
        })
        .collect();
    let targets: Vec<f64> = arg_value(&mut args, "--targets")
        .unwrap_or_else(|| "5,10,15,20,30,40".into())
        .split(',')
        .map(|t| t.trim().parse().unwrap())
        .collect();
    let mut services: Vec<Service> = args
        .iter()
        .map(|a| {
            let (name, url) = a.split_once('=').expect("NAME=URL");
            Service {
                name: name.into(),
                url: url.trim_end_matches('/').into(),
                first: None,
                times: Vec::new(),
            }
        })
        .collect();
    anyhow::ensure!(!services.is_empty(), "give at least one NAME=URL");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()?;
    let bodies: Vec<serde_json::Value> = origins
        .iter()
        .flat_map(|&(lat, lon)| {
            targets.iter().map(move |&t| {
                json!({"origin": {"lat": lat, "lon": lon}, "max_drive_km": drive,
                    "target_km": t, "max_results": 3})
            })
        })
        .collect();
    let mut failures = 0;
    for round in 0..=rounds {
        for body in &bodies {
            for s in services.iter_mut() {
                let started = Instant::now();
                let r = client
                    .post(format!("{}/v1/loops", s.url))
                    .json(body)
                    .send()
                    .await?;
                let status = r.status();
                let _ = r.bytes().await?;
                let took = started.elapsed();
                if !status.is_success() {
                    failures += 1;
                    eprintln!("{}: {status} for {body}", s.name);
                }
                if s.first.is_none() {
                    s.first = Some(took);
                } else if round > 0 {
                    s.times.push(took);
                }
            }
        }
    }
    println!(
        "{} requests ({} origins x {} targets) x {rounds} rounds, one at a time, after a warm-up round",
        bodies.len(),
        origins.len(),
        targets.len()
    );
    println!("service | first ms | p50 ms | p95 ms | max ms | p50 / first's | p95 / first's");
    let mut base = None;
    for s in services.iter_mut() {
        s.times.sort();
        let (p50, p95) = (percentile(&s.times, 0.5), percentile(&s.times, 0.95));
        let (b50, b95) = *base.get_or_insert((p50, p95));
        println!(
            "{} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2}",
            s.name,
            ms(s.first.unwrap_or_default()),
            ms(p50),
            ms(p95),
            ms(*s.times.last().unwrap()),
            p50.as_secs_f64() / b50.as_secs_f64(),
            p95.as_secs_f64() / b95.as_secs_f64(),
        );
    }
    anyhow::ensure!(failures == 0, "{failures} requests failed");
    Ok(())
}
