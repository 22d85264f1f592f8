//! Multi-day plans judged from their lines and the extract alone: the figures of
//! `docs/benchmarks.md`, "Trip report".
//!
//! `cargo run --release --example trip_report -- http://127.0.0.1:8080` sends a fixed
//! set of multi-day requests (Andorra: six origins; 2 days of 30 km, 3 of 60, 4 of 80;
//! drive 30 km; k = 3) to a running service and prints, over every answer:
//! - nights at a place to sleep: the share of nights whose day ends within 150 m (plus
//!   the walk off the trail the answer gives) of a hut, camp site or shelter as the PBF
//!   tags them (read with osmpbf, past the importer);
//! - the day balance: per plan, the longest day's walking time over the shortest's;
//! - days passing water: a drinking-water source, spring, tap or water point (or a hut
//!   tagged with water) within 200 m of the day's line;
//! - true loops and length error, as in the hike report.
//!
//! Stages are read in either shape the API has had: `end {lat, lon}` (nights cut where
//! the split fell) or `end_index` and `night` (nights planned).

#[path = "../tests/judge/mod.rs"]
mod judge;

use std::path::PathBuf;

use serde_json::{json, Value};

use judge::line::haversine_m;
use judge::places::{gives_water, overnight_kind, Place, Places};
use judge::{quantile, to_line_m};

const ORIGINS: [(&str, f64, f64); 6] = [
    ("Andorra la Vella", 42.5078, 1.5211),
    ("Encamp", 42.5344, 1.5810),
    ("Sant Julia de Loria", 42.4637, 1.4913),
    ("Ordino", 42.5562, 1.5331),
    ("Arinsal", 42.5720, 1.4848),
    ("Soldeu", 42.5766, 1.6676),
];
const TRIPS: [(u32, f64); 3] = [(2, 30.0), (3, 60.0), (4, 80.0)];
/// A night is at a place when the day ends this near it (beyond the walk off the trail).
const AT_PLACE_M: f64 = 150.0;
/// Water this near a day's line is on the way.
const WATER_M: f64 = 200.0;

fn coords(l: &Value) -> Vec<[f64; 2]> {
    l["geometry"]["coordinates"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
                .collect()
        })
        .unwrap_or_default()
}

/// One day: its stretch of the line, where it ends, the walk off the trail there, and
/// its walking hours.
struct Day {
    line: Vec<[f64; 2]>,
    end: [f64; 2],
    off_m: f64,
    hours: f64,
}

/// The days of a plan, from either shape of stage.
fn days(l: &Value) -> Vec<Day> {
    let line = coords(l);
    let stages = l["stages"].as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    let mut from = 0;
    for s in &stages {
        let hours = s["duration_h"].as_f64().unwrap_or(0.0);
        let to = match s["end_index"].as_u64() {
            Some(i) => i as usize,
            None => {
                // The old shape: the day ended at a vertex of the line.
                let end = [
                    s["end"]["lon"].as_f64().unwrap(),
                    s["end"]["lat"].as_f64().unwrap(),
                ];
                (from..line.len())
                    .skip(1)
                    .find(|&i| haversine_m(line[i], end) < 1.0)
                    .unwrap_or(line.len() - 1)
            }
        };
        let to = to.min(line.len() - 1).max(from);
        out.push(Day {
            line: line[from..=to].to_vec(),
            end: line[to],
            off_m: s["night"]["off_trail_km"].as_f64().unwrap_or(0.0) * 1000.0,
            hours,
        });
        from = to;
    }
    out
}

#[tokio::main]
async fn main() {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    let places = Places::read(&data.join("andorra.osm.pbf"));
    let beds: Vec<&Place> = places
        .iter()
        .filter(|p| overnight_kind(p).is_some())
        .collect();
    let waters: Vec<&Place> = places.iter().filter(|p| gives_water(p)).collect();
    let client = reqwest::Client::new();

    let (mut nights, mut at_place, mut plans, mut loops, mut nearby, mut empty) =
        (0, 0, 0, 0, 0, 0);
    let (mut days_total, mut days_water) = (0, 0);
    let (mut ratios, mut errors, mut longest) = (Vec::new(), Vec::new(), Vec::new());
    for &(name, lat, lon) in &ORIGINS {
        for &(d, km) in &TRIPS {
            let req = json!({
                "origin": {"lat": lat, "lon": lon}, "max_drive_km": 30, "target_km": km,
                "days": d, "max_results": 3
            });
            let sent = client.post(format!("{base}/v1/loops")).json(&req).send();
            let answer: Value = match sent.await {
                Ok(r) => r.json().await,
                Err(e) => Err(e),
            }
            .unwrap_or_else(|e| panic!("{name} {d} days {km} km: {e}"));
            let list = answer["loops"].as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                empty += 1;
            }
            if answer["message"]
                .as_str()
                .is_some_and(|m| m.contains("nearest plans"))
            {
                nearby += 1;
            }
            for l in &list {
                plans += 1;
                if l["kind"] == "loop" {
                    loops += 1;
                }
                errors.push(l["length_error"].as_f64().unwrap_or(1.0));
                let ds = days(l);
                for (k, day) in ds.iter().enumerate() {
                    days_total += 1;
                    if waters
                        .iter()
                        .any(|w| to_line_m(w.centre(), &day.line) <= WATER_M)
                    {
                        days_water += 1;
                    }
                    if k + 1 < ds.len() {
                        nights += 1;
                        if beds
                            .iter()
                            .any(|b| haversine_m(b.centre(), day.end) <= AT_PLACE_M + day.off_m)
                        {
                            at_place += 1;
                        }
                    }
                }
                let hours: Vec<f64> = ds.iter().map(|d| d.hours).collect();
                let max = hours.iter().cloned().fold(0.0, f64::max);
                let min = hours.iter().cloned().fold(f64::INFINITY, f64::min);
                ratios.push(max / min.max(1e-9));
                longest.push(max);
            }
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "requests {}  plans {plans}  empty answers {empty}  answered with nearby plans {nearby}",
        ORIGINS.len() * TRIPS.len()
    );
    println!(
        "nights at a hut, camp site or shelter: {at_place}/{nights} ({:.0} %)",
        pct(at_place, nights)
    );
    println!(
        "day balance (longest / shortest walking time): median {:.2}, p90 {:.2}, max {:.2}; plans within 1.5: {:.0} %",
        quantile(&ratios, 0.5),
        quantile(&ratios, 0.9),
        quantile(&ratios, 1.0),
        pct(ratios.iter().filter(|&&r| r <= 1.5 + 1e-6).count(), ratios.len())
    );
    println!(
        "longest day: median {:.1} h, p90 {:.1} h",
        quantile(&longest, 0.5),
        quantile(&longest, 0.9)
    );
    println!(
        "days passing water: {days_water}/{days_total} ({:.0} %)",
        pct(days_water, days_total)
    );
    println!(
        "true loops {:.0} %  length error median {:.2} %  p90 {:.2} %",
        pct(loops, plans),
        100.0 * quantile(&errors, 0.5),
        100.0 * quantile(&errors, 0.9)
    );
}
