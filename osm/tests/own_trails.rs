//! An operator's own trails: GeoJSON (OpenTrails), GPX, Shapefiles in a projected
//! system, joined into one network; and the files that must be refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use trailloop_geo::{distance_m, Coord};
use trailloop_osm::{
    build, read_file, BuildOptions, OsmError, OwnTrails, SourceLimits, TrailData, TrailheadKind,
    TrailheadsFrom, SNAP_TOLERANCE_M,
};

fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data")
        .join(file)
}

fn own(files: &[&Path], extract: Option<PathBuf>) -> Result<TrailData, OsmError> {
    let limits = SourceLimits::default();
    let sources = files
        .iter()
        .map(|f| read_file(f, &limits))
        .collect::<Result<Vec<_>, _>>()?;
    build(
        &OwnTrails {
            sources,
            extract,
            tolerance_m: SNAP_TOLERANCE_M,
        },
        &BuildOptions::default(),
    )
}

/// A point `east_m` east and `north_m` north of (-106.5 E, 35.1 N).
fn at(east_m: f64, north_m: f64) -> [f64; 2] {
    let m_lat = 110_950.0;
    let m_lon = m_lat * 35.1f64.to_radians().cos();
    [-106.5 + east_m / m_lon, 35.1 + north_m / m_lat]
}

fn feature(id: &str, name: &str, pts: &[(f64, f64)], extra: &str) -> String {
    let coords: Vec<String> = pts
        .iter()
        .map(|&(e, n)| {
            let p = at(e, n);
            format!("[{:.9},{:.9}]", p[0], p[1])
        })
        .collect();
    format!(
        r#"{{"type":"Feature","properties":{{"id":"{id}","name":"{name}"{extra}}},"geometry":{{"type":"LineString","coordinates":[{}]}}}}"#,
        coords.join(",")
    )
}

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Connected pieces of a built network, by union-find over its edges.
fn pieces(net: &TrailData) -> usize {
    let mut parent: Vec<usize> = (0..net.nodes.len()).collect();
    fn root(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for e in &net.edges {
        let (a, b) = (
            root(&mut parent, e.source as usize),
            root(&mut parent, e.target as usize),
        );
        parent[a] = b;
    }
    let mut roots: Vec<usize> = (0..net.nodes.len())
        .filter(|&n| {
            net.edges
                .iter()
                .any(|e| e.source as usize == n || e.target as usize == n)
        })
        .map(|n| root(&mut parent, n))
        .collect();
    roots.sort_unstable();
    roots.dedup();
    roots.len()
}

/// A made-up park: a rectangle of trails whose corners and tees meet the way digitised
/// data does: one end on a line between its vertices, others a few metres short of it,
/// one a few metres past the corner; a spur crossing a trail on a bridge; a closed trail.
fn made_up_park(dir: &Path) -> PathBuf {
    let features = [
        // South side, vertices only at its ends.
        feature("s", "South Rim", &[(0.0, 0.0), (2000.0, 0.0)], ""),
        // East side starts 4 m short of the south side's end.
        feature("e", "East Wash", &[(2000.0, 4.0), (2000.0, 1500.0)], ""),
        // North side starts 7 m past the east side's end.
        feature("n", "North Ridge", &[(2007.0, 1500.0), (0.0, 1500.0)], ""),
        // West side ends on the south side's first vertex, and starts 3 m off the north.
        feature("w", "West Fork", &[(0.0, 1497.0), (0.0, 0.0)], ""),
        // A tee: ends exactly on the south side between its vertices...
        feature("t1", "Middle Trail", &[(900.0, 0.0), (900.0, 700.0)], ""),
        // ... and one that stops 9 m short of the north side, mid-segment.
        feature("t2", "Middle Trail", &[(900.0, 700.0), (900.0, 1491.0)], ""),
        // A bridge: crosses the middle trail with no shared vertex; its ends are on the
        // west and east sides, 12 m short of each.
        feature(
            "b",
            "Bridge Cutoff",
            &[(12.0, 1000.0), (1988.0, 1000.0)],
            "",
        ),
        // Closed to walkers: left out.
        feature(
            "x",
            "Bike Only",
            &[(100.0, 100.0), (300.0, 300.0)],
            r#","foot":"no""#,
        ),
    ];
    write(dir, "trail_segments.geojson", &collection(&features))
}

#[test]
fn a_made_up_park_whose_ends_miss_and_touch_lines_is_one_network() {
    let dir = tempfile::tempdir().unwrap();
    let path = made_up_park(dir.path());
    let net = own(&[&path], None).expect("the park builds");
    let report = net.origin.topology.as_ref().expect("a topology report");
    assert_eq!(report.lines, 7, "{report:?}");
    assert_eq!(net.origin.lines_left_out, 1, "foot=no is left out");
    assert_eq!(report.pieces, 1, "{report:?}");
    assert_eq!(pieces(&net), 1, "the built network is one piece");
    assert!(report.ends_snapped >= 5, "{report:?}");
    assert!(report.ends_touching >= 1, "{report:?}");
    assert!(report.split_points >= 4, "{report:?}");
    // The bridge crosses the middle trail without a junction: no node lies at the
    // crossing.
    let crossing = Coord {
        lon: at(900.0, 1000.0)[0],
        lat: at(900.0, 1000.0)[1],
    };
    assert!(net
        .nodes
        .iter()
        .all(|n| distance_m(n.coord, crossing) > 5.0));
    // Ids are the source's own, not OSM's.
    assert!(net.edges.iter().all(|e| e.osm_way_id.is_none()));
    assert!(net
        .edges
        .iter()
        .any(|e| e.source_ref.as_deref() == Some("trail_segments.geojson#t2")));
    // No trailheads given and no extract: derived from the trails, and said so.
    assert_eq!(net.origin.trailheads_from, TrailheadsFrom::Derived);
    assert!(!net.origin.uses_osm);
    // A loop around the park has no dead ends: the derived trailheads are the ends of
    // the named trails.
    assert!(!net.trailheads.is_empty());
    assert!(net
        .trailheads
        .iter()
        .all(|t| t.kind == TrailheadKind::TrailEnd));
    assert!(net.trailheads.iter().all(|t| t.name.is_some()));
}

#[test]
fn opentrails_named_trails_and_trailheads_beside_the_segments_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = made_up_park(dir.path());
    write(
        dir.path(),
        "named_trails.csv",
        "id,name,segment_ids,description\n1,Park Loop,s;e;n;w,\"Around, all of it\"\n2,Middle Way,t1;t2,\n",
    );
    let heads = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"id":"th1","name":"South Gate"}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}]}}"#,
        at(950.0, -40.0)[0],
        at(950.0, -40.0)[1]
    );
    write(dir.path(), "trailheads.geojson", &heads);
    let net = own(&[&path], None).unwrap();
    assert_eq!(net.origin.named_trails, 2);
    assert_eq!(net.origin.trailheads_from, TrailheadsFrom::Source);
    assert_eq!(net.trailheads.len(), 1);
    assert_eq!(net.trailheads[0].name.as_deref(), Some("South Gate"));
    assert_eq!(net.trailheads[0].kind, TrailheadKind::Trailhead);
    let routes: Vec<&str> = net
        .edges
        .iter()
        .filter(|e| e.name.as_deref() == Some("North Ridge"))
        .flat_map(|e| e.routes.iter().map(String::as_str))
        .collect();
    assert!(!routes.is_empty() && routes.iter().all(|r| *r == "Park Loop"));
}

#[test]
fn gpx_tracks_and_routes_are_trails() {
    let dir = tempfile::tempdir().unwrap();
    let pt = |e: f64, n: f64| {
        let p = at(e, n);
        format!(r#"<trkpt lat="{:.9}" lon="{:.9}"/>"#, p[1], p[0])
    };
    let rpt = |e: f64, n: f64| {
        let p = at(e, n);
        format!(r#"<rtept lat="{:.9}" lon="{:.9}"/>"#, p[1], p[0])
    };
    let head = at(0.0, -20.0);
    let gpx = format!(
        r#"<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<wpt lat="{}" lon="{}"><name>Ridge Trailhead</name><type>Trailhead</type></wpt>
<trk><name>Ridge Trail</name><trkseg>{}{}{}</trkseg></trk>
<rte><name>Canyon Route</name>{}{}{}</rte>
</gpx>"#,
        head[1],
        head[0],
        pt(0.0, 0.0),
        pt(1500.0, 0.0),
        pt(1500.0, 1500.0),
        rpt(1500.0, 1505.0),
        rpt(0.0, 1500.0),
        rpt(0.0, 6.0),
    );
    let path = write(dir.path(), "ridge.gpx", &gpx);
    let net = own(&[&path], None).unwrap();
    let report = net.origin.topology.as_ref().unwrap();
    assert_eq!(report.lines, 2);
    assert_eq!(report.pieces, 1, "{report:?}");
    assert_eq!(net.origin.trailheads_from, TrailheadsFrom::Source);
    assert_eq!(net.trailheads[0].name.as_deref(), Some("Ridge Trailhead"));
    assert!(net
        .edges
        .iter()
        .any(|e| e.name.as_deref() == Some("Canyon Route")));
}

/// NAD83 / UTM zone 13N as ESRI writes it in a `.prj`.
const UTM13N_NAD83: &str = r#"PROJCS["NAD_1983_UTM_Zone_13N",GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-105.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

/// Writes a Shapefile of `lines` (projected x, y) with a name each, and the `.prj`.
fn write_shapefile(path: &Path, lines: &[(String, Vec<(f64, f64)>)], prj: Option<&str>) {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let table = TableWriterBuilder::new()
        .add_character_field(FieldName::try_from("id").unwrap(), 20)
        .add_character_field(FieldName::try_from("name").unwrap(), 60);
    let mut writer = shapefile::Writer::from_path(path, table).unwrap();
    for (i, (name, pts)) in lines.iter().enumerate() {
        let shape = shapefile::Polyline::new(
            pts.iter()
                .map(|&(x, y)| shapefile::Point::new(x, y))
                .collect(),
        );
        let mut record = Record::default();
        record.insert(
            "id".into(),
            FieldValue::Character(Some(format!("{}", i + 1))),
        );
        record.insert("name".into(), FieldValue::Character(Some(name.clone())));
        writer.write_shape_and_record(&shape, &record).unwrap();
    }
    drop(writer);
    if let Some(prj) = prj {
        std::fs::write(path.with_extension("prj"), prj).unwrap();
    }
}

#[test]
fn a_utm_shapefile_lands_on_a_known_point() {
    // PROJ (pyproj 3, EPSG:4326 -> EPSG:26913) puts -106.5 E, 35.1 N at
    // 363283.915 E, 3885161.949 N in NAD83 / UTM 13N.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("known.shp");
    write_shapefile(
        &path,
        &[(
            "Known".into(),
            vec![(363283.915, 3885161.949), (363383.915, 3885161.949)],
        )],
        Some(UTM13N_NAD83),
    );
    let records = read_file(&path, &SourceLimits::default()).unwrap();
    let first = records.lines[0].coords[0];
    let known = Coord {
        lon: -106.5,
        lat: 35.1,
    };
    assert!(distance_m(first, known) < 1.0, "{first:?}");
    assert_eq!(records.lines[0].attrs.name.as_deref(), Some("Known"));
}

/// Named lines of projected (x, y) vertices, as a Shapefile holds them.
type ProjectedLines = Vec<(String, Vec<(f64, f64)>)>;

/// The Albuquerque segments in WGS 84 and projected to UTM 13N.
fn abq_lines() -> (Vec<Vec<Coord>>, ProjectedLines) {
    let geojson = read_file(
        &data("abq-trails/trail_segments.geojson"),
        &SourceLimits::default(),
    )
    .unwrap();
    let wgs84 = proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").unwrap();
    let utm = proj4rs::Proj::from_proj_string(
        "+proj=tmerc +lat_0=0 +lon_0=-105 +k=0.9996 +x_0=500000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0 +units=m",
    )
    .unwrap();
    let lines: Vec<Vec<Coord>> = geojson
        .lines
        .iter()
        .take(60)
        .map(|l| l.coords.clone())
        .collect();
    let projected = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let pts = l
                .iter()
                .map(|c| {
                    proj4rs::adaptors::transform_xy(
                        &wgs84,
                        &utm,
                        c.lon.to_radians(),
                        c.lat.to_radians(),
                    )
                    .unwrap()
                })
                .collect();
            (format!("segment {i}"), pts)
        })
        .collect();
    (lines, projected)
}

#[test]
fn a_utm_shapefile_lands_within_a_metre_of_the_same_trails_in_geojson() {
    let (lines, projected) = abq_lines();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("abq_utm.shp");
    write_shapefile(&path, &projected, Some(UTM13N_NAD83));
    let shp = read_file(&path, &SourceLimits::default()).unwrap();
    assert_eq!(shp.lines.len(), lines.len());
    let mut worst: f64 = 0.0;
    // Every vertex of each line lies within a metre of a vertex of the other (two
    // vertices a hair apart may come back as one).
    let off = |p: &Coord, line: &[Coord]| {
        line.iter()
            .map(|q| distance_m(*p, *q))
            .fold(f64::INFINITY, f64::min)
    };
    for (a, b) in lines.iter().zip(&shp.lines) {
        for p in a {
            worst = worst.max(off(p, &b.coords));
        }
        for q in &b.coords {
            worst = worst.max(off(q, a));
        }
    }
    assert!(worst < 1.0, "worst vertex {worst} m off");

    // The same, zipped (in a folder, as agencies publish them).
    let zip_path = dir.path().join("abq_utm.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for ext in ["shp", "shx", "dbf", "prj"] {
        zip.start_file(
            format!("trails/abq_utm.{ext}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(&std::fs::read(path.with_extension(ext)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    let zipped = read_file(&zip_path, &SourceLimits::default()).unwrap();
    assert_eq!(zipped.lines, shp.lines);
}

#[test]
fn albuquerques_published_segments_join_into_a_network_with_trailheads() {
    let path = data("abq-trails/trail_segments.geojson");
    let net = own(&[&path], None).expect("Albuquerque builds");
    let r = net.origin.topology.as_ref().unwrap();
    eprintln!("{r:#?}");
    // README: 303 features, 521 lines, 183.7 km.
    assert_eq!(r.lines, 521, "{r:?}");
    assert!((r.length_km - 183.7).abs() < 1.5, "{r:?}");
    // README: 19 ends within 1-5 m and 23 within 5-15 m of another line; with 441
    // within a metre, some snap too.
    assert!(r.ends_snapped >= 40, "{r:?}");
    assert!(r.split_points > 0 && r.lines_split > 0, "{r:?}");
    // The city's open spaces are apart from each other (79 ends lie farther than 50 m
    // from any line): the largest piece is under half, but joining at coinciding
    // vertices alone leaves it far smaller.
    assert!(r.largest_shares[0] > 0.4, "{r:?}");
    let exact = {
        let records = read_file(&path, &SourceLimits::default()).unwrap();
        let refs: Vec<&trailloop_osm::SourceLine> = records.lines.iter().collect();
        trailloop_osm::sources::topology::join(&refs, 0.0).report
    };
    assert!(
        exact.largest_shares[0] < r.largest_shares[0] * 0.75 && exact.pieces > r.pieces * 2,
        "exact {exact:?} snapped {r:?}"
    );
    assert_eq!(net.origin.trailheads_from, TrailheadsFrom::Derived);
    assert!(
        net.trailheads.len() >= 10,
        "{} trailheads",
        net.trailheads.len()
    );
    assert!(net.trailheads.iter().all(|t| t.name.is_some()));
}

fn refused(name: &str, contents: &[u8], limits: SourceLimits) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    match read_file(&path, &limits) {
        Ok(r) => panic!("{name} was read: {} lines", r.lines.len()),
        Err(e) => {
            let text = e.to_string();
            assert!(text.starts_with(name), "{text}");
            text
        }
    }
}

#[test]
fn bad_files_are_refused_with_the_file_and_feature_named() {
    let d = SourceLimits::default();
    let e = refused(
        "broken.geojson",
        br#"{"type":"FeatureCollection","features":[{"#,
        d,
    );
    assert!(e.contains("not valid GeoJSON"), "{e}");
    let e = refused("empty.geojson", b"", d);
    assert!(e.contains("empty"), "{e}");
    let small = SourceLimits {
        max_bytes: 100,
        ..d
    };
    let big = collection(&[feature("1", "A", &[(0.0, 0.0), (10.0, 0.0)], "")]);
    let e = refused("big.geojson", big.as_bytes(), small);
    assert!(e.contains("more than the 100"), "{e}");
    let out_of_range = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},{"type":"Feature","properties":{"id":"far"},"geometry":{"type":"LineString","coordinates":[[200.0,95.0],[1,1]]}}]}"#;
    let e = refused("range.geojson", out_of_range.as_bytes(), d);
    assert!(
        e.contains("feature 2 (id far)") && e.contains("outside"),
        "{e}"
    );
    let nan = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[NaN,0],[1,1]]}}]}"#;
    let e = refused("nan.geojson", nan.as_bytes(), d);
    assert!(e.contains("not valid GeoJSON"), "{e}");
    let projected = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::26913"}},"features":[]}"#;
    let e = refused("utm.geojson", projected.as_bytes(), d);
    assert!(e.contains("WGS 84"), "{e}");
    let points = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,1]}}]}"#;
    let e = refused("points.geojson", points.as_bytes(), d);
    assert!(e.contains("no line"), "{e}");
    let e = refused("bad.gpx", b"<gpx><trk><trkseg><trkpt lat=\"x\"", d);
    assert!(e.contains("GPX"), "{e}");
    let e = refused("trails.kml", b"<kml/>", d);
    assert!(e.contains("unknown kind"), "{e}");
    let e = refused("not.zip", b"PK\x03\x04 nonsense", d);
    assert!(e.contains("zip"), "{e}");
}

#[test]
fn bad_shapefiles_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let lines = vec![
        (
            "a".to_string(),
            vec![(363283.9, 3885161.9), (363383.9, 3885161.9)],
        ),
        (
            "b".to_string(),
            vec![(363383.9, 3885161.9), (363383.9, 3885261.9)],
        ),
    ];
    // No .prj: the coordinate system is unknown.
    let path = dir.path().join("noprj.shp");
    write_shapefile(&path, &lines, None);
    let e = read_file(&path, &SourceLimits::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("noprj.shp") && e.contains("coordinate system is unknown"),
        "{e}"
    );
    // A .prj that names nothing known.
    let path = dir.path().join("badprj.shp");
    write_shapefile(
        &path,
        &lines,
        Some("PROJCS[\"Nowhere\",GEOGCS[\"?\"],PROJECTION[\"Banana\"]]"),
    );
    let e = read_file(&path, &SourceLimits::default())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("badprj.shp") && e.contains(".prj"), "{e}");
    // Parts that disagree: the .dbf of a one-line file beside a two-line .shp.
    let path = dir.path().join("parts.shp");
    write_shapefile(&path, &lines, Some(UTM13N_NAD83));
    let other = dir.path().join("one.shp");
    write_shapefile(&other, &lines[..1], Some(UTM13N_NAD83));
    std::fs::copy(other.with_extension("dbf"), path.with_extension("dbf")).unwrap();
    let e = read_file(&path, &SourceLimits::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("disagree") && e.contains("2 shapes") && e.contains("1 records"),
        "{e}"
    );
    // A truncated .shp.
    let path = dir.path().join("cut.shp");
    write_shapefile(&path, &lines, Some(UTM13N_NAD83));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 30]).unwrap();
    let e = read_file(&path, &SourceLimits::default())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("cut.shp"), "{e}");
}

#[test]
fn own_trails_with_an_osm_extract_take_its_roads_nature_places_and_trailheads() {
    // Own trails made from the extract's own paths and tracks around Andorra la Vella,
    // written as a GeoJSON file: as an operator's copy would be.
    let osm = trailloop_osm::build_trail_data(&data("andorra.osm.pbf"), &BuildOptions::default())
        .expect("Andorra builds");
    let inside = |c: &Coord| (1.45..1.60).contains(&c.lon) && (42.48..42.58).contains(&c.lat);
    let features: Vec<String> = osm
        .edges
        .iter()
        .filter(|e| {
            matches!(
                e.highway,
                trailloop_osm::Highway::Path | trailloop_osm::Highway::Track
            ) && e.geometry.iter().all(inside)
        })
        .enumerate()
        .map(|(i, e)| {
            let coords: Vec<String> = e
                .geometry
                .iter()
                .map(|c| format!("[{:.7},{:.7}]", c.lon, c.lat))
                .collect();
            format!(
                r#"{{"type":"Feature","properties":{{"id":"{i}","name":{}}},"geometry":{{"type":"LineString","coordinates":[{}]}}}}"#,
                serde_json::to_string(&e.name).unwrap(),
                coords.join(",")
            )
        })
        .collect();
    assert!(features.len() > 100, "{} lines", features.len());
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "andorra_trails.geojson", &collection(&features));
    let net = own(&[&path], Some(data("andorra.osm.pbf"))).unwrap();
    assert!(net.origin.own_trails && net.origin.uses_osm);
    assert_eq!(net.origin.trailheads_from, TrailheadsFrom::Osm);
    assert!(net.edges.iter().all(|e| e.osm_way_id.is_none()));
    assert!(!net.roads.edges.is_empty(), "the extract's roads");
    assert!(
        net.trailheads
            .iter()
            .any(|t| matches!(t.kind, TrailheadKind::Parking | TrailheadKind::Trailhead)),
        "the extract's car parks and trailheads"
    );
    assert!(
        net.trailheads
            .iter()
            .any(|t| t.kind == TrailheadKind::RoadJunction),
        "junctions of the own trails with the extract's roads, found by distance"
    );
    assert!(
        net.trailheads.iter().any(|t| t.road.is_some()),
        "trailheads a car reaches"
    );
    let nature: f64 = net
        .edges
        .iter()
        .map(|e| e.nature.any as f64 * e.length_m)
        .sum();
    assert!(
        nature > 0.0,
        "nature measured from the extract's land cover"
    );
    assert!(!net.pois.is_empty(), "places from the extract");
}
