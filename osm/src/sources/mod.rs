//! Trail data an operator already has, as lines: GeoJSON (and the OpenTrails layout
//! beside it), GPX, Shapefiles (bare or zipped), or rows the service read from its own
//! database. Every reader hands over [`TrailRecords`]; [`topology`] joins their lines into
//! ways that share vertices where the trails meet, and the network is built from those
//! exactly as from OSM's ways (see [`crate::TrailSource`]).
//!
//! Files from outside are untrusted: every reader checks sizes, coordinates and
//! structure, and fails with an [`OsmError::Source`] naming the file and, where there is
//! one, the feature; none panics on what a file holds.

mod geojson;
pub use geojson::records_from_rows;
mod gpx;
mod shp;
pub mod topology;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use trailloop_geo::Coord;

use crate::{Highway, OsmError, SacScale};

/// Default of [`SourceLimits::max_bytes`]: a state's trails in GeoJSON are tens of
/// megabytes; anything past this is refused before it is read.
pub const MAX_SOURCE_BYTES: u64 = 512 * 1024 * 1024;
/// Default of [`SourceLimits::max_vertices`].
pub const MAX_SOURCE_VERTICES: usize = 50_000_000;

/// How much one source file may hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceLimits {
    /// Bytes of the file (of each member of an archive).
    pub max_bytes: u64,
    /// Vertices of all its lines together.
    pub max_vertices: usize,
}

impl Default for SourceLimits {
    fn default() -> Self {
        SourceLimits {
            max_bytes: MAX_SOURCE_BYTES,
            max_vertices: MAX_SOURCE_VERTICES,
        }
    }
}

/// What a line of a source says of the trail, where it says it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LineAttrs {
    /// The trail's name.
    pub name: Option<String>,
    /// An OSM highway class, where the source gives one (`highway=*` among OpenTrails'
    /// `osm_tags`, or a `highway` field); else a path.
    pub highway: Option<Highway>,
    /// `surface=*` or the source's surface field.
    pub surface: Option<String>,
    /// SAC grade, where given.
    pub sac_scale: Option<SacScale>,
    /// Names of the named trails (routes) the line belongs to.
    pub routes: Vec<String>,
}

/// One line of a source, in WGS 84.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceLine {
    /// The source's own id of the feature (its `id`, else its position in the file),
    /// with the part number for a multi-part feature (`17/2`).
    pub id: String,
    /// Vertices, at least two distinct.
    pub coords: Vec<Coord>,
    /// What the source says of it.
    pub attrs: LineAttrs,
}

/// A trailhead the source names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceTrailhead {
    /// The source's id of it.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Where it is.
    pub coord: Coord,
}

/// Everything one source gave.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrailRecords {
    /// The file (or `sql`) the records came from, as import reports name it.
    pub source: String,
    /// Lines walkers may use.
    pub lines: Vec<SourceLine>,
    /// Lines left out: closed to walkers (`foot=no`) or too short to be a trail.
    pub lines_left_out: usize,
    /// Trailheads the source gives (OpenTrails' `trailheads.geojson`, GPX waypoints
    /// typed as trailheads).
    pub trailheads: Vec<SourceTrailhead>,
    /// How many named trails (OpenTrails' `named_trails.csv`) were read.
    pub named_trails: usize,
}

/// The name import reports use for `path`: its file name.
pub(crate) fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// An error about `file`, at `feature` when there is one.
pub(crate) fn bad(file: &str, feature: Option<String>, reason: impl Into<String>) -> OsmError {
    OsmError::Source {
        file: file.to_owned(),
        feature,
        reason: reason.into(),
    }
}

/// Reads `path` whole, refusing an empty file or one past `limits`.
pub(crate) fn read_bytes(path: &Path, limits: &SourceLimits) -> Result<Vec<u8>, OsmError> {
    let meta = std::fs::metadata(path).map_err(|e| OsmError::io(path, e))?;
    check_size(&file_label(path), meta.len(), limits)?;
    std::fs::read(path).map_err(|e| OsmError::io(path, e))
}

/// Refuses an empty file or one of more than `limits.max_bytes`.
pub(crate) fn check_size(file: &str, bytes: u64, limits: &SourceLimits) -> Result<(), OsmError> {
    if bytes == 0 {
        return Err(bad(file, None, "the file is empty"));
    }
    if bytes > limits.max_bytes {
        return Err(bad(
            file,
            None,
            format!(
                "the file holds {bytes} bytes, more than the {} an import takes",
                limits.max_bytes
            ),
        ));
    }
    Ok(())
}

/// A WGS 84 position checked: finite, longitude in -180..=180, latitude in -90..=90.
pub(crate) fn position(lon: f64, lat: f64) -> Result<Coord, String> {
    if !lon.is_finite() || !lat.is_finite() {
        return Err(format!("a coordinate is not a number ({lon}, {lat})"));
    }
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!(
            "coordinate ({lon}, {lat}) is outside WGS 84's range (longitude -180..180, latitude -90..90)"
        ));
    }
    Ok(Coord { lon, lat })
}

/// A line's vertices without consecutive repeats; `None` when fewer than two remain.
pub(crate) fn clean_line(coords: Vec<Coord>) -> Option<Vec<Coord>> {
    let mut out: Vec<Coord> = Vec::with_capacity(coords.len());
    for c in coords {
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    (out.len() >= 2).then_some(out)
}

/// Whether a source's access value closes the way to walkers, as OSM's `foot=no`.
pub(crate) fn closed_to_walkers(foot: Option<&str>) -> bool {
    matches!(
        foot.map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Some("no" | "private" | "n" | "false" | "0")
    )
}

/// Attributes from an OSM-style `key=value` list (OpenTrails' `osm_tags`: `;`- or
/// `,`-separated), filling what `attrs` lacks.
pub(crate) fn apply_osm_tags(attrs: &mut LineAttrs, tags: &str) {
    for pair in tags.split([';', ',']) {
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim().trim_matches('"'), v.trim().trim_matches('"'));
        match k {
            "highway" if attrs.highway.is_none() => attrs.highway = Highway::from_tag(v),
            "surface" if attrs.surface.is_none() && !v.is_empty() => {
                attrs.surface = Some(v.to_owned())
            }
            "sac_scale" if attrs.sac_scale.is_none() => attrs.sac_scale = SacScale::from_tag(v),
            "name" if attrs.name.is_none() && !v.is_empty() => attrs.name = Some(v.to_owned()),
            _ => {}
        }
    }
}

/// Reads one source file, by its extension: `.geojson`/`.json`, `.gpx`, `.shp`, `.zip`.
pub fn read_file(path: &Path, limits: &SourceLimits) -> Result<TrailRecords, OsmError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let _span = tracing::info_span!("read_trails", file = %path.display()).entered();
    let records = match ext.as_str() {
        "geojson" | "json" => geojson::read(path, limits)?,
        "gpx" => gpx::read(path, limits)?,
        "shp" => shp::read_shp(path, limits)?,
        "zip" => shp::read_zip(path, limits)?,
        _ => {
            return Err(bad(
                &file_label(path),
                None,
                "unknown kind of trail file: give .geojson, .json, .gpx, .shp or .zip",
            ))
        }
    };
    let vertices: usize = records.lines.iter().map(|l| l.coords.len()).sum();
    if vertices > limits.max_vertices {
        return Err(bad(
            &records.source,
            None,
            format!(
                "{vertices} vertices, more than the {} an import takes",
                limits.max_vertices
            ),
        ));
    }
    if records.lines.is_empty() {
        return Err(bad(
            &records.source,
            None,
            "no line walkers may use (the file holds no LineString, MultiLineString, track or route, or every one is closed to walkers)",
        ));
    }
    tracing::info!(
        lines = records.lines.len(),
        left_out = records.lines_left_out,
        trailheads = records.trailheads.len(),
        named_trails = records.named_trails,
        "read the trail file"
    );
    Ok(records)
}

/// A file beside `path` with the given name, if it exists.
pub(crate) fn sibling(path: &Path, name: &str) -> Option<PathBuf> {
    let p = path.parent().unwrap_or(Path::new(".")).join(name);
    p.is_file().then_some(p)
}
