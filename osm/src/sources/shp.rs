//! ESRI Shapefiles, given as the `.shp` (its `.dbf`, `.prj` and `.shx` beside it) or as a
//! `.zip` holding one: polylines with their attributes, reprojected from the coordinate
//! system the `.prj` names to WGS 84.

use std::io::{Cursor, Read};
use std::path::Path;

use proj4rs::Proj;
use shapefile::dbase::{FieldValue, Record};
use shapefile::Shape;

use super::{
    apply_osm_tags, bad, check_size, clean_line, closed_to_walkers, file_label, position,
    read_bytes, LineAttrs, SourceLimits, SourceLine, TrailRecords,
};
use crate::{Coord, Highway, OsmError, SacScale};

/// The parts of one Shapefile, read into memory.
struct Parts {
    /// What errors name: the `.shp`, or `archive.zip:member.shp`.
    label: String,
    shp: Vec<u8>,
    dbf: Option<Vec<u8>>,
    prj: Option<Vec<u8>>,
}

/// Reads `trails.shp` with the `.dbf` and `.prj` of the same name beside it.
pub(super) fn read_shp(path: &Path, limits: &SourceLimits) -> Result<TrailRecords, OsmError> {
    let beside = |ext: &str| -> Result<Option<Vec<u8>>, OsmError> {
        // The sidecar's extension in either case, as written by Windows or Unix tools.
        for e in [ext.to_owned(), ext.to_ascii_uppercase()] {
            let p = path.with_extension(e);
            if p.is_file() {
                return read_bytes(&p, limits).map(Some);
            }
        }
        Ok(None)
    };
    let parts = Parts {
        label: file_label(path),
        shp: read_bytes(path, limits)?,
        dbf: beside("dbf")?,
        prj: beside("prj")?,
    };
    decode(parts)
}

/// Reads the one Shapefile a `.zip` holds (in any folder of it).
pub(super) fn read_zip(path: &Path, limits: &SourceLimits) -> Result<TrailRecords, OsmError> {
    let file = file_label(path);
    let bytes = read_bytes(path, limits)?;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(&file, None, format!("not a readable zip archive: {e}")))?;
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    let shps: Vec<&String> = names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".shp") && !n.starts_with("__MACOSX"))
        .collect();
    let shp_name = match shps.as_slice() {
        [one] => (*one).clone(),
        [] => return Err(bad(&file, None, "the archive holds no .shp file")),
        many => {
            return Err(bad(
                &file,
                None,
                format!(
                    "the archive holds {} .shp files ({}): give one Shapefile an archive",
                    many.len(),
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    };
    let stem = &shp_name[..shp_name.len() - 4];
    let mut member = |name: &str| -> Result<Option<Vec<u8>>, OsmError> {
        let Some(found) = names.iter().find(|n| n.eq_ignore_ascii_case(name)).cloned() else {
            return Ok(None);
        };
        let label = format!("{file}:{found}");
        let entry = archive.by_name(&found).map_err(|e| {
            bad(
                &label,
                None,
                format!("cannot read it from the archive: {e}"),
            )
        })?;
        check_size(&label, entry.size(), limits)?;
        let mut out = Vec::with_capacity(entry.size() as usize);
        entry
            .take(limits.max_bytes + 1)
            .read_to_end(&mut out)
            .map_err(|e| bad(&label, None, format!("cannot inflate it: {e}")))?;
        check_size(&label, out.len() as u64, limits)?;
        Ok(Some(out))
    };
    let shp = member(&shp_name)?.ok_or_else(|| bad(&file, None, "the .shp is unreadable"))?;
    let parts = Parts {
        label: format!("{file}:{shp_name}"),
        shp,
        dbf: member(&format!("{stem}.dbf"))?,
        prj: member(&format!("{stem}.prj"))?,
    };
    decode(parts)
}

/// The coordinate system of a `.prj`, and whether it is geographic (degrees).
fn projection(label: &str, prj: Option<&[u8]>) -> Result<Proj, OsmError> {
    let Some(prj) = prj else {
        return Err(bad(
            label,
            None,
            "no .prj beside it: the coordinate system is unknown (give the .prj the Shapefile came with)",
        ));
    };
    let wkt = String::from_utf8_lossy(prj);
    let wkt = wkt.trim();
    if wkt.is_empty() {
        return Err(bad(
            label,
            None,
            "its .prj is empty: the coordinate system is unknown",
        ));
    }
    let proj = proj4wkt::wkt_to_projstring(wkt).map_err(|e| {
        bad(
            label,
            None,
            format!("its .prj names a coordinate system that cannot be read ({e}): {wkt:.120}"),
        )
    })?;
    Proj::from_proj_string(&proj).map_err(|e| {
        bad(
            label,
            None,
            format!("its .prj's coordinate system ({proj}) is not supported: {e}"),
        )
    })
}

fn field_text(record: &Record, names: &[&str]) -> Option<String> {
    let map: &std::collections::HashMap<String, FieldValue> = record.as_ref();
    for want in names {
        let found = map
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(want))
            .map(|(_, v)| v);
        let value = match found {
            Some(FieldValue::Character(Some(s))) | Some(FieldValue::Memo(s)) => {
                Some(s.trim().to_owned())
            }
            Some(FieldValue::Numeric(Some(n))) => Some(format!("{n}")),
            Some(FieldValue::Integer(n)) => Some(n.to_string()),
            Some(FieldValue::Logical(Some(b))) => Some(if *b { "yes" } else { "no" }.into()),
            _ => None,
        };
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            return Some(v);
        }
    }
    None
}

fn decode(parts: Parts) -> Result<TrailRecords, OsmError> {
    let label = parts.label.clone();
    // The decoders are not ours: whatever a malformed file makes them do, it ends as
    // this file's error, not the importer's panic.
    std::panic::catch_unwind(move || decode_inner(parts)).unwrap_or_else(|_| {
        Err(bad(
            &label,
            None,
            "the Shapefile is malformed (its decoder gave up)",
        ))
    })
}

fn decode_inner(parts: Parts) -> Result<TrailRecords, OsmError> {
    let label = parts.label.as_str();
    let src = projection(label, parts.prj.as_deref())?;
    let wgs84 = Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
        .expect("WGS 84 is a valid PROJ definition");
    let shapes = shapefile::ShapeReader::new(Cursor::new(parts.shp))
        .and_then(|r| r.read())
        .map_err(|e| bad(label, None, format!("not a readable .shp: {e}")))?;
    let records: Vec<Record> = match parts.dbf {
        Some(dbf) => shapefile::dbase::Reader::new(Cursor::new(dbf))
            .and_then(|mut r| r.read())
            .map_err(|e| bad(label, None, format!("its .dbf is not readable: {e}")))?,
        None => Vec::new(),
    };
    if !records.is_empty() && records.len() != shapes.len() {
        return Err(bad(
            label,
            None,
            format!(
                "its parts disagree: the .shp holds {} shapes and the .dbf {} records",
                shapes.len(),
                records.len()
            ),
        ));
    }
    let to_wgs84 = |x: f64, y: f64| -> Result<Coord, String> {
        if !x.is_finite() || !y.is_finite() {
            return Err(format!("a coordinate is not a number ({x}, {y})"));
        }
        let (x, y) = if src.is_latlong() {
            (x.to_radians(), y.to_radians())
        } else {
            (x, y)
        };
        let (lon, lat) = proj4rs::adaptors::transform_xy(&src, &wgs84, x, y)
            .map_err(|e| format!("coordinate ({x}, {y}) cannot be reprojected: {e}"))?;
        position(lon.to_degrees(), lat.to_degrees())
    };
    let mut out = TrailRecords {
        source: label.to_owned(),
        ..TrailRecords::default()
    };
    for (i, shape) in shapes.iter().enumerate() {
        let record = records.get(i);
        let id = record
            .and_then(|r| field_text(r, &["id", "trail_id", "objectid", "fid"]))
            .unwrap_or_else(|| format!("#{}", i + 1));
        let at = || Some(format!("shape {} (id {id})", i + 1));
        let line_parts: Vec<Vec<(f64, f64)>> = match shape {
            Shape::Polyline(p) => p
                .parts()
                .iter()
                .map(|ps| ps.iter().map(|q| (q.x, q.y)).collect())
                .collect(),
            Shape::PolylineM(p) => p
                .parts()
                .iter()
                .map(|ps| ps.iter().map(|q| (q.x, q.y)).collect())
                .collect(),
            Shape::PolylineZ(p) => p
                .parts()
                .iter()
                .map(|ps| ps.iter().map(|q| (q.x, q.y)).collect())
                .collect(),
            _ => continue,
        };
        let foot = record.and_then(|r| field_text(r, &["foot"]));
        if closed_to_walkers(foot.as_deref()) {
            out.lines_left_out += line_parts.len();
            continue;
        }
        let mut attrs = LineAttrs {
            name: record.and_then(|r| {
                field_text(r, &["name", "trail_name", "trailname", "trl_name", "label"])
            }),
            highway: record
                .and_then(|r| field_text(r, &["highway"]))
                .and_then(|h| Highway::from_tag(&h)),
            surface: record.and_then(|r| field_text(r, &["surface"])),
            sac_scale: record
                .and_then(|r| field_text(r, &["sac_scale"]))
                .and_then(|s| SacScale::from_tag(&s)),
            routes: Vec::new(),
        };
        if let Some(tags) = record.and_then(|r| field_text(r, &["osm_tags"])) {
            apply_osm_tags(&mut attrs, &tags);
        }
        let many = line_parts.len() > 1;
        for (p, part) in line_parts.into_iter().enumerate() {
            let coords = part
                .into_iter()
                .map(|(x, y)| to_wgs84(x, y))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(label, at(), e))?;
            let Some(coords) = clean_line(coords) else {
                out.lines_left_out += 1;
                continue;
            };
            out.lines.push(SourceLine {
                id: if many {
                    format!("{id}/{}", p + 1)
                } else {
                    id.clone()
                },
                coords,
                attrs: attrs.clone(),
            });
        }
    }
    Ok(out)
}
