//! RFC 7946 GeoJSON: a FeatureCollection of LineStrings and MultiLineStrings in WGS 84,
//! with the OpenTrails layout's files beside it when they are there: `named_trails.csv`
//! (named trails name their segments and count as routes) and `trailheads.geojson`.

use std::collections::HashMap;
use std::path::Path;

use geojson::{GeoJson, JsonObject, Value};

use super::{
    apply_osm_tags, bad, clean_line, closed_to_walkers, file_label, position, read_bytes, sibling,
    LineAttrs, SourceLimits, SourceLine, SourceTrailhead, TrailRecords,
};
use crate::{Coord, Highway, OsmError, SacScale};

/// The OpenTrails file that names trails by the segments they run on.
const NAMED_TRAILS: &str = "named_trails.csv";
/// The OpenTrails file of trailheads.
const TRAILHEADS: &str = "trailheads.geojson";

fn text(props: Option<&JsonObject>, key: &str) -> Option<String> {
    match props?.get(key)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
        _ => None,
    }
}

fn feature_id(f: &geojson::Feature, index: usize) -> String {
    match &f.id {
        Some(geojson::feature::Id::String(s)) => s.clone(),
        Some(geojson::feature::Id::Number(n)) => n.to_string(),
        None => text(f.properties.as_ref(), "id").unwrap_or_else(|| format!("#{}", index + 1)),
    }
}

fn parse(file: &str, bytes: &[u8]) -> Result<Vec<geojson::Feature>, OsmError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| bad(file, None, format!("not UTF-8 text: {e}")))?;
    let parsed: GeoJson = text
        .parse()
        .map_err(|e| bad(file, None, format!("not valid GeoJSON: {e}")))?;
    match parsed {
        GeoJson::FeatureCollection(fc) => {
            if let Some(crs) = fc.foreign_members.as_ref().and_then(|m| m.get("crs")) {
                let name = crs.to_string();
                let wgs84 = ["CRS84", "EPSG::4326", "EPSG:4326", "CRS:84"]
                    .iter()
                    .any(|n| name.contains(n));
                if !wgs84 {
                    return Err(bad(
                        file,
                        None,
                        format!("its \"crs\" names {name}: GeoJSON (RFC 7946) is in WGS 84 longitude/latitude; reproject the file or give it as a Shapefile with its .prj"),
                    ));
                }
            }
            Ok(fc.features)
        }
        GeoJson::Feature(f) => Ok(vec![f]),
        GeoJson::Geometry(_) => Err(bad(
            file,
            None,
            "a bare geometry: give a FeatureCollection of trail lines",
        )),
    }
}

fn coords(positions: &[Vec<f64>]) -> Result<Vec<Coord>, String> {
    positions
        .iter()
        .map(|p| match p.as_slice() {
            [lon, lat, ..] => position(*lon, *lat),
            _ => Err(format!("a position has {} numbers, not 2 or 3", p.len())),
        })
        .collect()
}

/// Reads a trail-segment file and the OpenTrails files beside it.
pub(super) fn read(path: &Path, limits: &SourceLimits) -> Result<TrailRecords, OsmError> {
    let file = file_label(path);
    let features = parse(&file, &read_bytes(path, limits)?)?;
    let mut out = from_features(&file, &features)?;
    if let Some(named) = sibling(path, NAMED_TRAILS) {
        out.named_trails = apply_named_trails(&named, limits, &mut out.lines)?;
    }
    if file != TRAILHEADS {
        if let Some(heads) = sibling(path, TRAILHEADS) {
            out.trailheads = read_trailheads(&heads, limits)?;
        }
    }
    Ok(out)
}

/// Rows of a table or query: each its geometry as GeoJSON (in WGS 84) and its other
/// columns by name (`name`, `foot`, `surface`, `highway`, `sac_scale`, `osm_tags`,
/// `id` are read; any other is ignored), read as the features of a file named `source`.
pub fn records_from_rows(
    source: &str,
    rows: Vec<(String, JsonObject)>,
) -> Result<TrailRecords, OsmError> {
    let features = rows
        .into_iter()
        .enumerate()
        .map(|(i, (geometry, properties))| {
            let geometry: geojson::Geometry = geometry.parse().map_err(|e: geojson::Error| {
                bad(source, Some(format!("row {}", i + 1)), e.to_string())
            })?;
            Ok(geojson::Feature {
                bbox: None,
                geometry: Some(geometry),
                id: None,
                properties: Some(properties),
                foreign_members: None,
            })
        })
        .collect::<Result<Vec<_>, OsmError>>()?;
    let records = from_features(source, &features)?;
    if records.lines.is_empty() {
        return Err(bad(
            source,
            None,
            "no line walkers may use (no LineString or MultiLineString, or every one closed to walkers)",
        ));
    }
    Ok(records)
}

/// The lines of `features`, from a file (or rows) named `file`.
fn from_features(file: &str, features: &[geojson::Feature]) -> Result<TrailRecords, OsmError> {
    let file = file.to_owned();
    let mut out = TrailRecords {
        source: file.clone(),
        ..TrailRecords::default()
    };
    for (i, f) in features.iter().enumerate() {
        let id = feature_id(f, i);
        let at = || Some(format!("feature {} (id {id})", i + 1));
        let props = f.properties.as_ref();
        let Some(geometry) = &f.geometry else {
            continue;
        };
        let parts: Vec<&Vec<Vec<f64>>> = match &geometry.value {
            Value::LineString(l) => vec![l],
            Value::MultiLineString(ls) => ls.iter().collect(),
            // Points, polygons: not trails (trailheads come from their own file).
            _ => continue,
        };
        if closed_to_walkers(text(props, "foot").as_deref()) {
            out.lines_left_out += parts.len();
            continue;
        }
        let mut attrs = LineAttrs {
            name: text(props, "name"),
            highway: text(props, "highway").and_then(|h| Highway::from_tag(&h)),
            surface: text(props, "surface"),
            sac_scale: text(props, "sac_scale").and_then(|s| SacScale::from_tag(&s)),
            routes: Vec::new(),
        };
        if let Some(tags) = text(props, "osm_tags") {
            apply_osm_tags(&mut attrs, &tags);
        }
        for (p, part) in parts.iter().enumerate() {
            let line = coords(part).map_err(|e| bad(&file, at(), e))?;
            let Some(line) = clean_line(line) else {
                out.lines_left_out += 1;
                continue;
            };
            out.lines.push(SourceLine {
                id: if parts.len() > 1 {
                    format!("{id}/{}", p + 1)
                } else {
                    id.clone()
                },
                coords: line,
                attrs: attrs.clone(),
            });
        }
    }
    Ok(out)
}

/// The segment id a line was cut from (without a part number).
fn segment_of(line: &SourceLine) -> &str {
    line.id.split('/').next().unwrap_or(&line.id)
}

/// Reads OpenTrails' `named_trails.csv` (`name`, `segment_ids` separated by `;`) and
/// names the lines: each named trail is a route of its segments, and names a segment
/// that has no name of its own. Returns how many named trails it read.
fn apply_named_trails(
    path: &Path,
    limits: &SourceLimits,
    lines: &mut [SourceLine],
) -> Result<usize, OsmError> {
    let file = file_label(path);
    let bytes = read_bytes(path, limits)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| bad(&file, None, format!("not a CSV file: {e}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(name_col), Some(segments_col)) = (column("name"), column("segment_ids")) else {
        return Err(bad(
            &file,
            None,
            "needs the OpenTrails columns \"name\" and \"segment_ids\"",
        ));
    };
    let mut routes: HashMap<String, Vec<String>> = HashMap::new();
    let mut count = 0;
    for (row, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| bad(&file, Some(format!("row {}", row + 2)), e.to_string()))?;
        let name = record.get(name_col).unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        count += 1;
        for seg in record
            .get(segments_col)
            .unwrap_or("")
            .split([';', ' ', ','])
        {
            let seg = seg.trim();
            if !seg.is_empty() {
                routes
                    .entry(seg.to_owned())
                    .or_default()
                    .push(name.to_owned());
            }
        }
    }
    for line in lines.iter_mut() {
        if let Some(names) = routes.get(segment_of(line)) {
            let mut names = names.clone();
            names.sort();
            names.dedup();
            if line.attrs.name.is_none() {
                line.attrs.name = names.first().cloned();
            }
            line.attrs.routes = names;
        }
    }
    Ok(count)
}

/// Reads OpenTrails' `trailheads.geojson`: Point features, named.
fn read_trailheads(path: &Path, limits: &SourceLimits) -> Result<Vec<SourceTrailhead>, OsmError> {
    let file = file_label(path);
    let features = parse(&file, &read_bytes(path, limits)?)?;
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let id = feature_id(f, i);
        let points: Vec<&Vec<f64>> = match f.geometry.as_ref().map(|g| &g.value) {
            Some(Value::Point(p)) => vec![p],
            Some(Value::MultiPoint(ps)) => ps.iter().collect(),
            _ => continue,
        };
        for p in points {
            let coord = coords(std::slice::from_ref(p))
                .map_err(|e| bad(&file, Some(format!("feature {} (id {id})", i + 1)), e))?[0];
            out.push(SourceTrailhead {
                id: id.clone(),
                name: text(f.properties.as_ref(), "name"),
                coord,
            });
        }
    }
    Ok(out)
}
