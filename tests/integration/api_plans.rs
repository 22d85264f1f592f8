//! A saved plan comes back identical, and as a valid GPX 1.1 track of the same line.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Backend};

async fn a_saved_plan_comes_back_identical_and_as_gpx(backend: Backend) {
    let app = spawn_app(backend).await;
    let answer = app
        .loops(&json!({
            "origin": {"lat": 42.5667, "lon": 1.6000}, "max_drive_km": 20, "target_km": 10,
            "max_results": 1
        }))
        .await;
    let the_loop = answer["loops"][0].clone();
    assert!(the_loop.is_object(), "{answer}");

    let r = app
        .post_json(
            "/v1/plans",
            &json!({"name": "Canillo circuit", "loop": the_loop}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let saved: Value = r.json().await.unwrap();
    let id = saved["id"].as_str().unwrap();
    assert_eq!(location, format!("/v1/plans/{id}"));
    assert_eq!(saved["loop"], the_loop);
    assert!(saved["created_at"].is_string());

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

async fn plans_without_a_name_and_with_extra_fields_are_kept_whole(backend: Backend) {
    let app = spawn_app(backend).await;
    // A client may add its own fields to a loop: they are stored, not judged.
    let the_loop = json!({
        "geometry": {"type": "LineString",
            "coordinates": [[1.5211, 42.5078], [1.5300, 42.5100], [1.5250, 42.5150], [1.5211, 42.5078]]},
        "distance_km": 2.1, "my_notes": {"bring": ["water", "map"]}, "unicode": "Pic de l'Estanyó ⛰"
    });
    let r = app.post_json("/v1/plans", &json!({"loop": the_loop})).await;
    assert_eq!(r.status(), 201);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(saved["name"], Value::Null);
    let fetched: Value = app
        .get(&format!("/v1/plans/{}", saved["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["loop"], the_loop);
    let gpx = app
        .get(&format!("/v1/plans/{}/gpx", saved["id"].as_str().unwrap()))
        .await
        .bytes()
        .await
        .unwrap();
    let doc = gpx::read(gpx.as_ref()).unwrap();
    assert_eq!(doc.tracks[0].segments[0].points.len(), 4);
}

on_both_backends!(
    a_saved_plan_comes_back_identical_and_as_gpx,
    plans_without_a_name_and_with_extra_fields_are_kept_whole,
);
