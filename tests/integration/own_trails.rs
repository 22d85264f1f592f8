//! An operator's own trails on both backends: Albuquerque's published trail segments
//! (not OSM) imported from the file, from a PostGIS table in UTM with `--trails-sql`,
//! and served from memory; loops on them follow the source's lines and carry the given
//! attribution; bad files leave the region as it was.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Value};
use trailloop::import::{build_sources, read_trail_files, BuildSources, ImportRequest};
use trailloop::store::{EmbeddedStore, PgStore, Store};
use trailloop_geo::{local_metres, Coord};

use crate::helpers::{data, spawn_app_on, Backend, TestDatabase};

const ATTRIBUTION: &str = "City of Albuquerque open data (ABQOpenData/ABQGeoJSON)";

fn abq() -> PathBuf {
    data("abq-trails/trail_segments.geojson")
}

/// The source's lines, read independently of the importer: `[lon, lat]` vertices.
fn source_lines() -> Vec<Vec<[f64; 2]>> {
    let doc: Value = serde_json::from_slice(&std::fs::read(abq()).unwrap()).unwrap();
    let mut out = Vec::new();
    for f in doc["features"].as_array().unwrap() {
        let g = &f["geometry"];
        let parts: Vec<&Value> = match g["type"].as_str().unwrap() {
            "LineString" => vec![&g["coordinates"]],
            _ => g["coordinates"].as_array().unwrap().iter().collect(),
        };
        for p in parts {
            out.push(
                p.as_array()
                    .unwrap()
                    .iter()
                    .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
                    .collect(),
            );
        }
    }
    out
}

/// Metres from `p` to the nearest of `lines`.
fn off_lines(p: [f64; 2], lines: &[Vec<[f64; 2]>]) -> f64 {
    let mut best = f64::INFINITY;
    for line in lines {
        for w in line.windows(2) {
            let a = local_metres(p, w[0]);
            let b = local_metres(p, w[1]);
            let ab = [b[0] - a[0], b[1] - a[1]];
            let len2 = ab[0] * ab[0] + ab[1] * ab[1];
            let t = if len2 > 0.0 {
                (-(a[0] * ab[0] + a[1] * ab[1]) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let q = [a[0] + t * ab[0], a[1] + t * ab[1]];
            best = best.min((q[0] * q[0] + q[1] * q[1]).sqrt());
        }
    }
    best
}

async fn store(backend: Backend) -> (Store, Option<TestDatabase>) {
    match backend {
        Backend::Postgres => {
            let db = TestDatabase::migrated().await;
            let mut client = db.client().await;
            let mut request = ImportRequest::osm("albuquerque", PathBuf::new(), Vec::new());
            request.pbf = None;
            request.trails = vec![abq()];
            request.attribution = Some(ATTRIBUTION.into());
            let summary = trailloop::import::run(&mut client, &request)
                .await
                .expect("importing Albuquerque's trails");
            assert!(summary.origin.own_trails);
            let pool = trailloop::db::pool(&db.settings()).unwrap();
            (Store::Postgres(PgStore::new(pool)), Some(db))
        }
        Backend::Embedded => {
            let network = tokio::task::spawn_blocking(|| {
                build_sources(BuildSources {
                    pbf: None,
                    own: read_trail_files(&[abq()]).unwrap(),
                    own_trails: true,
                    dem: Vec::new(),
                    attribution: Some(ATTRIBUTION.into()),
                    snap_tolerance_m: trailloop_osm::SNAP_TOLERANCE_M,
                })
            })
            .await
            .unwrap()
            .expect("building Albuquerque's trails");
            (Store::Embedded(Arc::new(EmbeddedStore::new(network))), None)
        }
    }
}

async fn albuquerques_own_trails_plan_loops_on_the_sources_lines(backend: Backend) {
    let (store, db) = store(backend).await;
    let app = spawn_app_on(store, db, &[]);

    // The import's report.
    let regions: Value = app.get("/v1/regions").await.json().await.unwrap();
    let region = &regions["regions"][0];
    assert_eq!(region["attribution"], ATTRIBUTION, "{region}");
    assert_eq!(region["uses_osm"], false);
    let import = &region["import"];
    assert_eq!(import["own_trails"], true, "{import}");
    assert_eq!(import["trailheads_from"], "derived", "{import}");
    assert_eq!(import["files"][0], "trail_segments.geojson");
    let topology = &import["topology"];
    assert_eq!(topology["lines"], 521, "{topology}");
    assert!(topology["ends_snapped"].as_u64().unwrap() > 0, "{topology}");
    assert!(topology["split_points"].as_u64().unwrap() > 0, "{topology}");
    assert!(topology["pieces"].as_u64().unwrap() >= 1, "{topology}");

    // Loops from the valley's west side (the Bosque trails) and from the foothills.
    let lines = source_lines();
    let mut planned = 0;
    for (lat, lon) in [(35.09, -106.68), (35.16, -106.47)] {
        let answer = app
            .loops(&json!({
                "origin": {"lat": lat, "lon": lon},
                "max_drive_km": 25,
                "target_km": 6,
                "max_results": 3
            }))
            .await;
        assert_eq!(
            answer["attribution"], ATTRIBUTION,
            "{}",
            answer["attribution"]
        );
        assert_eq!(answer["drive_distance"]["method"], "straight_line_estimate");
        for l in answer["loops"].as_array().unwrap() {
            planned += 1;
            assert!(l["trailhead"]["name"].is_string(), "{}", l["trailhead"]);
            let coords: Vec<[f64; 2]> = l["geometry"]["coordinates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
                .collect();
            let (first, last) = (coords[0], coords[coords.len() - 1]);
            assert!(
                trailloop_geo::distance_m(
                    Coord {
                        lon: first[0],
                        lat: first[1]
                    },
                    Coord {
                        lon: last[0],
                        lat: last[1]
                    }
                ) < 1.0,
                "the loop closes"
            );
            // Every vertex lies on a line of the source (or where an end was snapped
            // to one, within the tolerance).
            let worst = coords
                .iter()
                .map(|&p| off_lines(p, &lines))
                .fold(0.0, f64::max);
            assert!(
                worst <= 15.5,
                "a vertex {worst:.1} m off the source's lines"
            );
        }
    }
    assert!(
        planned >= 2,
        "{planned} loops planned on Albuquerque's trails"
    );

    // The trailheads found are named (from the trails they start).
    let heads: Value = app
        .get("/v1/trailheads?lat=35.09&lon=-106.68&radius_km=20&limit=50")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(heads["attribution"], ATTRIBUTION);
    let heads = heads["trailheads"].as_array().unwrap();
    assert!(!heads.is_empty());
    assert!(heads
        .iter()
        .all(|t| t["name"].is_string() && t["kind"] == "trail_end"));
}

on_both_backends!(albuquerques_own_trails_plan_loops_on_the_sources_lines);

#[tokio::test]
async fn a_postgis_table_in_utm_imports_with_trails_sql_and_bad_files_change_nothing() {
    let db = TestDatabase::empty().await;
    let run = |args: &[&str]| db.cli(args);
    let migrate = run(&["migrate"]);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let client = db.client().await;
    // The operator's own table: NAD83 / UTM 13N, its own column names and extra ones.
    client
        .batch_execute(
            "CREATE TABLE agency_trails (gid serial PRIMARY KEY, trail_name text,
                 walkers text, maintained_by text, geom geometry(LineString, 26913));",
        )
        .await
        .unwrap();
    let doc: Value = serde_json::from_slice(&std::fs::read(abq()).unwrap()).unwrap();
    let mut inserted = 0;
    for f in doc["features"].as_array().unwrap() {
        if f["geometry"]["type"] != "LineString" {
            continue;
        }
        let foot = f["properties"]["foot"].as_str().unwrap_or("yes");
        client
            .execute(
                "INSERT INTO agency_trails (trail_name, walkers, maintained_by, geom)
                 VALUES ($1, $2, 'parks', ST_Transform(ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON($3)), 4326), 26913))",
                &[
                    &f["properties"]["name"].as_str(),
                    &foot,
                    &f["geometry"].to_string(),
                ],
            )
            .await
            .unwrap();
        inserted += 1;
    }
    let sql = "SELECT gid AS id, trail_name AS name, walkers AS foot, maintained_by, geom FROM agency_trails";
    let import = run(&[
        "import",
        "--region",
        "abq",
        "--trails-sql",
        sql,
        "--attribution",
        "Parks department",
    ]);
    let out = String::from_utf8_lossy(&import.stdout);
    assert!(
        import.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert!(
        out.contains("own trails  sql") && out.contains("snapped"),
        "{out}"
    );
    assert!(out.contains("trailheads from derived"), "{out}");
    let before = counts(&client).await;
    assert!(
        before.1 > inserted as i64 / 2,
        "{before:?} from {inserted} rows"
    );
    assert_eq!(before.1, before.2, "every edge names its source row");
    assert_eq!(before.3.as_deref(), Some("Parks department"));
    // The rows landed where the file's lines are: an edge passes within a metre of a
    // middle vertex of the file's first segment, after UTM and back.
    let first = doc["features"][0]["geometry"]["coordinates"]
        .as_array()
        .unwrap();
    let mid = &first[first.len() / 2];
    let (lon, lat) = (mid[0].as_f64().unwrap(), mid[1].as_f64().unwrap());
    let near: i64 = client
        .query_one(
            "SELECT count(*) FROM edges WHERE region = 'abq'
               AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, 1.0)",
            &[&lon, &lat],
        )
        .await
        .unwrap()
        .get(0);
    assert!(near >= 1, "no edge within 1 m of ({lon}, {lat})");

    // Bad sources: each refused with the file named, and the region as it was.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.geojson");
    std::fs::write(&broken, b"{\"type\":\"FeatureCollection\",\"features\":[").unwrap();
    let noprj = dir.path().join("trails.shp");
    std::fs::write(&noprj, b"not really a shapefile").unwrap();
    let empty = dir.path().join("empty.gpx");
    std::fs::write(&empty, b"").unwrap();
    let far = dir.path().join("far.geojson");
    std::fs::write(
        &far,
        br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"x"},"geometry":{"type":"LineString","coordinates":[[-106.5,35.1],[-306.5,35.1]]}}]}"#,
    )
    .unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--trails".into(), broken.display().to_string()],
            "broken.geojson",
        ),
        (
            vec!["--trails".into(), noprj.display().to_string()],
            "trails.shp",
        ),
        (
            vec!["--trails".into(), empty.display().to_string()],
            "empty.gpx: the file is empty",
        ),
        (
            // A good file beside a bad one: nothing of either is written.
            vec![
                "--trails".into(),
                abq().display().to_string(),
                "--trails".into(),
                far.display().to_string(),
            ],
            "far.geojson, feature 1 (id x)",
        ),
        (
            vec![
                "--trails-sql".into(),
                "SELECT ST_SetSRID(geom, 0) AS geom FROM agency_trails".into(),
            ],
            "SRID",
        ),
        (
            vec!["--trails-sql".into(), "SELECT 1 AS nothing".into()],
            "geom",
        ),
        (
            vec![
                "--trails-sql".into(),
                "DELETE FROM agency_trails RETURNING geom".into(),
            ],
            "--trails-sql",
        ),
    ];
    for (args, named) in cases {
        let mut all = vec!["import", "--region", "abq"];
        all.extend(args.iter().map(String::as_str));
        let bad = run(&all);
        let err = String::from_utf8_lossy(&bad.stderr);
        assert!(!bad.status.success(), "{args:?} was imported");
        assert!(err.contains(named), "{args:?}: {err}");
        assert_eq!(counts(&client).await, before, "{args:?} changed the region");
    }
    let rows: i64 = client
        .query_one("SELECT count(*) FROM agency_trails", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, inserted as i64, "--trails-sql is read-only");
}

/// The live import of region `abq`, its edges, those naming a source row, and its
/// attribution.
async fn counts(client: &tokio_postgres::Client) -> (i64, i64, i64, Option<String>) {
    let r = client
        .query_one(
            "SELECT (SELECT import_id FROM regions WHERE name = 'abq'),
                    (SELECT count(*) FROM edges WHERE region = 'abq'),
                    (SELECT count(*) FROM edges WHERE region = 'abq'
                        AND osm_way_id IS NULL AND source_ref LIKE 'sql#%'),
                    (SELECT attribution FROM imports i JOIN regions r ON r.import_id = i.id
                        WHERE r.name = 'abq')",
            &[],
        )
        .await
        .unwrap();
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

/// `trailloop serve --trails FILE --attribution TEXT`: the binary serves own trails from
/// memory, whatever database the environment names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_trails_serves_them_from_memory() {
    use std::process::{Command, Stdio};
    use std::time::Duration;

    let port = crate::helpers::free_port();
    let _child = crate::helpers::Running(
        Command::new(env!("CARGO_BIN_EXE_trailloop"))
            .args(["serve", "--trails"])
            .arg(abq())
            .args(["--attribution", ATTRIBUTION, "--snap-tolerance-m", "10"])
            .env("TRAILLOOP__SERVER__HOST", "127.0.0.1")
            .env("TRAILLOOP__SERVER__PORT", port.to_string())
            .env("TRAILLOOP__RATE_LIMIT__PER_SECOND", "0")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .spawn()
            .expect("starting trailloop serve"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    crate::helpers::wait_until_up(&base, Duration::from_secs(60)).await;
    let regions: Value = client
        .get(format!("{base}/v1/regions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let region = &regions["regions"][0];
    assert_eq!(region["attribution"], ATTRIBUTION, "{region}");
    assert_eq!(
        region["import"]["topology"]["tolerance_m"], 10.0,
        "{region}"
    );
    assert_eq!(region["import"]["files"][0], "trail_segments.geojson");
    let answer: Value = client
        .post(format!("{base}/v1/loops"))
        .json(
            &json!({"origin": {"lat": 35.09, "lon": -106.68}, "max_drive_km": 25, "target_km": 6}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!answer["loops"].as_array().unwrap().is_empty(), "{answer}");
    assert_eq!(answer["attribution"], ATTRIBUTION);
}
