//! GPX 1.0/1.1: each track segment and each route is a line, named by its track or
//! route; waypoints whose type or symbol says trailhead are trailheads.

use std::path::Path;

use super::{
    bad, clean_line, file_label, position, read_bytes, LineAttrs, SourceLimits, SourceLine,
    SourceTrailhead, TrailRecords,
};
use crate::{Coord, OsmError};

fn point(w: &gpx::Waypoint) -> Result<Coord, String> {
    let p = w.point();
    position(p.x(), p.y())
}

fn is_trailhead(w: &gpx::Waypoint) -> bool {
    [w.type_.as_deref(), w.symbol.as_deref()]
        .into_iter()
        .flatten()
        .any(|t| t.to_ascii_lowercase().replace([' ', '_', '-'], "") == "trailhead")
}

pub(super) fn read(path: &Path, limits: &SourceLimits) -> Result<TrailRecords, OsmError> {
    let file = file_label(path);
    let bytes = read_bytes(path, limits)?;
    let doc = gpx::read(bytes.as_slice())
        .map_err(|e| bad(&file, None, format!("not a valid GPX file: {e}")))?;
    let mut out = TrailRecords {
        source: file.clone(),
        ..TrailRecords::default()
    };
    let mut push = |id: String, name: Option<String>, points: &[gpx::Waypoint]| {
        let line = points
            .iter()
            .map(point)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(&file, Some(id.clone()), e))?;
        match clean_line(line) {
            Some(coords) => out.lines.push(SourceLine {
                id,
                coords,
                attrs: LineAttrs {
                    name,
                    ..LineAttrs::default()
                },
            }),
            None => out.lines_left_out += 1,
        }
        Ok::<(), OsmError>(())
    };
    for (t, track) in doc.tracks.iter().enumerate() {
        let name = track.name.clone().filter(|n| !n.trim().is_empty());
        for (s, seg) in track.segments.iter().enumerate() {
            push(
                format!("track {}/{}", t + 1, s + 1),
                name.clone(),
                &seg.points,
            )?;
        }
    }
    for (r, route) in doc.routes.iter().enumerate() {
        let name = route.name.clone().filter(|n| !n.trim().is_empty());
        push(format!("route {}", r + 1), name, &route.points)?;
    }
    for (i, w) in doc
        .waypoints
        .iter()
        .enumerate()
        .filter(|(_, w)| is_trailhead(w))
    {
        let id = format!("waypoint {}", i + 1);
        let coord = point(w).map_err(|e| bad(&file, Some(id.clone()), e))?;
        out.trailheads.push(SourceTrailhead {
            id,
            name: w.name.clone(),
            coord,
        });
    }
    Ok(out)
}
