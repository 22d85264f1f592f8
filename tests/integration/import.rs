//! The import writes a noded, routable network that matches independent counts, and
//! replaces a region atomically.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use trailloop::db::region_writer::{replace_region, ImportSource};
use trailloop_osm::TrailData;

use crate::helpers::{data, TestDatabase, ANDORRA};

const TRAIL_CLASSES: &str = "('path', 'footway', 'track', 'bridleway', 'steps', 'cycleway')";

fn source(region: &str) -> ImportSource {
    ImportSource {
        region: region.into(),
        source: "andorra.osm.pbf".into(),
        sha256: "test".into(),
        dem_sources: vec![],
        started_at: Utc::now(),
    }
}

async fn counts(client: &tokio_postgres::Client, region: &str) -> [i64; 4] {
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM nodes WHERE region = $1),
                    (SELECT count(*) FROM edges WHERE region = $1),
                    (SELECT count(*) FROM trailheads WHERE region = $1),
                    (SELECT count(*) FROM pois WHERE region = $1)",
            &[&region],
        )
        .await
        .unwrap();
    [row.get(0), row.get(1), row.get(2), row.get(3)]
}

#[tokio::test]
async fn migrations_apply_once_and_then_do_nothing() {
    let db = TestDatabase::empty().await;
    let mut client = db.client().await;
    assert!(trailloop::db::migrate(&mut client).await.unwrap() > 0);
    assert_eq!(trailloop::db::migrate(&mut client).await.unwrap(), 0);
    let postgis: String = client
        .query_one("SELECT postgis_lib_version()", &[])
        .await
        .unwrap()
        .get(0);
    assert!(postgis.starts_with('3'), "{postgis}");
}

#[tokio::test]
async fn andorra_imports_as_a_routable_network_matching_independent_counts() {
    let db = TestDatabase::migrated().await;
    let mut client = db.client().await;
    let record = replace_region(&mut client, &source("andorra"), &ANDORRA)
        .await
        .unwrap();
    assert_eq!(counts(&client, "andorra").await[1], record.edges as i64);

    // Length measured by PostGIS on the spheroid, independently of the importer's own.
    let trail_km: f64 = client
        .query_one(
            &format!(
                "SELECT sum(ST_Length(geom::geography)) / 1000 FROM edges
                 WHERE region = 'andorra' AND highway IN {TRAIL_CLASSES}"
            ),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!((1500.0..=1560.0).contains(&trail_km), "trail km {trail_km}");

    let gr11: i64 = client
        .query_one(
            "SELECT count(*) FROM edges WHERE region = 'andorra'
             AND EXISTS (SELECT 1 FROM unnest(routes) r WHERE r ILIKE 'GR 11%' OR r ILIKE 'GR11%')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(gr11 > 50, "GR 11 edges: {gr11}");

    // Each edge starts at its source node and ends at its target node.
    let misplaced: i64 = client
        .query_one(
            "SELECT count(*) FROM edges e
             JOIN nodes s ON s.region = e.region AND s.id = e.source
             JOIN nodes t ON t.region = e.region AND t.id = e.target
             WHERE e.region = 'andorra'
               AND NOT (ST_Equals(ST_StartPoint(e.geom), s.geom) AND ST_Equals(ST_EndPoint(e.geom), t.geom))",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(misplaced, 0);

    // Trailheads start from a node some edge touches, near the trailhead itself.
    let off_network: i64 = client
        .query_one(
            "SELECT count(*) FROM trailheads t JOIN nodes n ON n.region = t.region AND n.id = t.node_id
             WHERE t.region = 'andorra' AND (
                NOT EXISTS (SELECT 1 FROM edges e WHERE e.region = t.region
                            AND (e.source = t.node_id OR e.target = t.node_id))
                OR ST_Distance(t.geom::geography, n.geom::geography) > 300)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(off_network, 0);
    assert!(record.trailheads >= 10, "{} trailheads", record.trailheads);

    assert!(largest_component_share(&client).await > 0.8);
}

/// Share of trail length in the largest connected component, computed from the rows.
async fn largest_component_share(client: &tokio_postgres::Client) -> f64 {
    let rows = client
        .query(
            "SELECT source, target, length_m FROM edges WHERE region = 'andorra'",
            &[],
        )
        .await
        .unwrap();
    let mut index = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut id = |n: i64, parent: &mut Vec<usize>| {
        *index.entry(n).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut edges = Vec::new();
    for row in &rows {
        let (a, b) = (id(row.get(0), &mut parent), id(row.get(1), &mut parent));
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        parent[ra] = rb;
        edges.push((a, row.get::<_, f64>(2)));
    }
    let mut by_root: HashMap<usize, f64> = HashMap::new();
    let total: f64 = edges.iter().map(|e| e.1).sum();
    for (a, len) in edges {
        *by_root.entry(find(&mut parent, a)).or_default() += len;
    }
    by_root.values().cloned().fold(0.0, f64::max) / total
}

/// A smaller network of the same region: the first `n` edges and what they use.
fn subset(network: &TrailData, n: usize) -> TrailData {
    let mut out = network.clone();
    out.edges.truncate(n);
    let used: std::collections::HashSet<u32> = out
        .edges
        .iter()
        .flat_map(|e| [e.source, e.target])
        .collect();
    out.trailheads.retain(|t| used.contains(&t.node));
    out.pois.retain(|p| used.contains(&p.node));
    out
}

#[tokio::test]
async fn readers_see_the_old_region_or_the_new_one_never_a_mix() {
    let db = TestDatabase::migrated().await;
    let mut client = db.client().await;
    replace_region(&mut client, &source("andorra"), &ANDORRA)
        .await
        .unwrap();
    let full = counts(&client, "andorra").await;

    let small = subset(&ANDORRA, ANDORRA.edges.len() / 3);
    let reader = db.client().await;
    let writer = async { replace_region(&mut client, &source("andorra"), &small).await };
    let poll = async {
        let mut seen = Vec::new();
        for _ in 0..200 {
            seen.push(counts(&reader, "andorra").await[1]);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        seen
    };
    let (written, seen) = tokio::join!(writer, poll);
    let written = written.unwrap();
    for edges in seen {
        assert!(
            edges == full[1] || edges == written.edges as i64,
            "saw {edges} edges"
        );
    }
    assert_eq!(counts(&reader, "andorra").await[1], written.edges as i64);

    // Importing the full network again gives exactly the first counts back.
    let again = replace_region(&mut client, &source("andorra"), &ANDORRA)
        .await
        .unwrap();
    assert_eq!(counts(&reader, "andorra").await, full);
    let (imports, live): (i64, i64) = {
        let row = reader
            .query_one(
                "SELECT (SELECT count(*) FROM imports WHERE region = 'andorra'),
                        (SELECT import_id FROM regions WHERE name = 'andorra')",
                &[],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(imports, 3);
    assert_eq!(live, again.import_id);
}

#[tokio::test]
async fn an_import_that_fails_halfway_leaves_the_previous_one_intact() {
    let db = TestDatabase::migrated().await;
    let mut client = db.client().await;
    let first = replace_region(&mut client, &source("andorra"), &ANDORRA)
        .await
        .unwrap();
    let before = counts(&client, "andorra").await;

    // The nodes go in, then the last edge breaks a constraint.
    let mut broken = ANDORRA.clone();
    broken.edges.last_mut().unwrap().length_m = -1.0;
    let err = replace_region(&mut client, &source("andorra"), &broken)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("length_m"), "{err:#}");
    assert_eq!(counts(&client, "andorra").await, before);

    // An import killed mid-COPY (the client goes away) rolls back as well.
    let killed = tokio::time::timeout(
        Duration::from_millis(150),
        replace_region(&mut client, &source("andorra"), &ANDORRA),
    )
    .await;
    assert!(killed.is_err(), "the import should still have been running");
    drop(client);
    let client = db.client().await;
    assert_eq!(counts(&client, "andorra").await, before);
    let live: i64 = client
        .query_one("SELECT import_id FROM regions WHERE name = 'andorra'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(live, first.import_id);
}

#[tokio::test]
async fn the_cli_migrates_and_imports_with_settings_from_the_environment() {
    let db = TestDatabase::empty().await;
    let run = |args: &[&str]| db.cli(args);
    let migrate = run(&["migrate"]);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let pbf = data("andorra.osm.pbf");
    let dem = data("N42E001.hgt.zip");
    let import = run(&[
        "import",
        "--region",
        "andorra",
        "--pbf",
        pbf.to_str().unwrap(),
        "--dem",
        dem.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&import.stdout);
    assert!(
        import.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&import.stderr)
    );
    for word in [
        "nodes",
        "edges",
        "trailheads",
        "POIs",
        "path",
        "total",
        "seconds",
    ] {
        assert!(out.contains(word), "summary lacks {word}: {out}");
    }
    let client = db.client().await;
    let (climb, dem_sources): (f64, Vec<String>) = {
        let row = client
            .query_one(
                "SELECT (SELECT sum(ascent_m)::float8 FROM edges),
                        (SELECT dem_sources FROM imports)",
                &[],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert!(
        climb > 10_000.0,
        "total ascent {climb} m: the DEM was not applied"
    );
    assert_eq!(dem_sources, vec!["N42E001.hgt.zip".to_string()]);

    let bad = run(&[
        "import",
        "--region",
        "Bad Name",
        "--pbf",
        pbf.to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--region"));
}
