//! A hiker's steepest grade is kept, end to end: asked with `max_grade_pct`, no loop
//! climbs or descends more steeply over 100 m than that, measured here from the
//! answer's own `[lon, lat, ele]` vertices with geodesic distances (not with the
//! service's code); asked without it, the same request's loops do.

use geographiclib_rs::{Geodesic, InverseGeodesic};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend};

/// Grades are held over at least this many metres, as the request's field says.
const WINDOW_M: f64 = 100.0;

/// The service grades each way on its own; a stretch across a junction may join the
/// steep ends of two ways. Percentage points allowed for that.
const ACROSS_JUNCTIONS_PCT: f64 = 5.0;

/// The steepest grade, percent, held over `WINDOW_M` along a loop's geometry.
fn steepest_pct(l: &Value) -> f64 {
    let wgs84 = Geodesic::wgs84();
    let coords = l["geometry"]["coordinates"]
        .as_array()
        .expect("coordinates");
    let mut at = 0.0;
    let mut points: Vec<(f64, f64)> = Vec::with_capacity(coords.len());
    for (i, c) in coords.iter().enumerate() {
        let p = |c: &Value, k: usize| c[k].as_f64().expect("a number");
        if i > 0 {
            let prev = &coords[i - 1];
            let d: f64 = wgs84.inverse(p(prev, 1), p(prev, 0), p(c, 1), p(c, 0));
            at += d;
        }
        points.push((at, p(c, 2)));
    }
    let mut steepest: f64 = 0.0;
    let mut j = 0;
    for i in 0..points.len() {
        j = j.max(i + 1);
        while j < points.len() && points[j].0 - points[i].0 < WINDOW_M {
            j += 1;
        }
        let Some(&(dj, zj)) = points.get(j) else {
            break;
        };
        steepest = steepest.max((zj - points[i].1).abs() / (dj - points[i].0));
    }
    100.0 * steepest
}

async fn a_steepest_grade_is_never_exceeded(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut request = json!({
        "origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 25,
        "target_km": 10, "max_results": 3
    });
    let free = app.loops(&request).await;
    let free_loops = free["loops"].as_array().expect("loops");
    assert!(!free_loops.is_empty(), "{free}");
    let free_steepest = free_loops.iter().map(steepest_pct).fold(0.0, f64::max);
    // A limit well under what the unlimited answer climbs, so that it has to act.
    let limit = (0.6 * free_steepest).round();
    assert!(
        free_steepest > limit + ACROSS_JUNCTIONS_PCT,
        "the unlimited loops ({free_steepest:.1} %) are too gentle to test a limit"
    );
    request["preferences"] = json!({ "max_grade_pct": limit });
    let limited = app.loops(&request).await;
    let loops = limited["loops"].as_array().expect("loops");
    assert!(!loops.is_empty(), "no loop within {limit} %: {limited}");
    for l in loops {
        let g = steepest_pct(l);
        assert!(
            g <= limit + ACROSS_JUNCTIONS_PCT,
            "a loop holds {g:.1} % over {WINDOW_M} m against a limit of {limit} %"
        );
    }
}

on_both_backends!(a_steepest_grade_is_never_exceeded);
