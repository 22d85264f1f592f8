//! SRTM elevation tiles (`.hgt`, plain or zipped) and elevation lookup.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use crate::{Coord, OsmError};

/// SRTM marks cells without data with this value.
const VOID: i16 = -32768;

/// How far (in cells) to look for a valid cell when all four around a point are void.
const VOID_SEARCH_CELLS: i64 = 3;

/// A digital elevation model made of one or more SRTM tiles.
///
/// Tiles are one degree square, named after their south-west corner (`N42E001`,
/// `S08W079`). SRTM1 (3601 x 3601 samples, 1 arc-second) and SRTM3 (1201 x 1201,
/// 3 arc-seconds) are told apart by size; samples are big-endian `i16` metres, row 0 on
/// the north edge.
#[derive(Clone, PartialEq)]
pub struct Dem {
    tiles: Vec<Tile>,
    by_corner: HashMap<(i32, i32), usize>,
}

#[derive(Clone, PartialEq)]
struct Tile {
    /// South edge, degrees.
    lat0: i32,
    /// West edge, degrees.
    lon0: i32,
    /// Samples per row and per column (1201 or 3601).
    size: usize,
    samples: Vec<i16>,
}

/// Lists the tiles, not their millions of samples: options holding a DEM get logged.
impl std::fmt::Debug for Dem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tiles: Vec<String> = self
            .tiles
            .iter()
            .map(|t| format!("({}, {}) {}x{}", t.lat0, t.lon0, t.size, t.size))
            .collect();
        f.debug_struct("Dem").field("tiles", &tiles).finish()
    }
}

impl Dem {
    /// Reads the given tiles (`.hgt` or `.hgt.zip`). Later tiles for the same square
    /// replace earlier ones.
    pub fn open(paths: &[impl AsRef<Path>]) -> Result<Dem, OsmError> {
        if paths.is_empty() {
            return Err(OsmError::NoDemTiles);
        }
        let mut dem = Dem {
            tiles: Vec::new(),
            by_corner: HashMap::new(),
        };
        for path in paths {
            let tile = Tile::read(path.as_ref())?;
            let corner = (tile.lat0, tile.lon0);
            match dem.by_corner.get(&corner) {
                Some(&i) => dem.tiles[i] = tile,
                None => {
                    dem.by_corner.insert(corner, dem.tiles.len());
                    dem.tiles.push(tile);
                }
            }
        }
        Ok(dem)
    }

    /// Number of tiles loaded.
    pub fn tile_count(&self) -> usize {
        self.tiles.len()
    }

    /// Size of the finest grid cell north-south, in metres (about 92 m for SRTM3, 31 m
    /// for SRTM1). Elevation profiles are sampled relative to it.
    pub fn cell_size_m(&self) -> f64 {
        let finest = self.tiles.iter().map(|t| t.size).max().unwrap_or(1201);
        crate::geo::METRES_PER_DEGREE / (finest - 1) as f64
    }

    /// Ascent and descent in metres walking `line` from its first vertex to its last; edge
    /// climb is measured this way.
    ///
    /// The line is resampled every third of a DEM cell (about 30 m for SRTM3) and the
    /// profile's interior smoothed with a triangular window one cell wide on each side,
    /// so SRTM noise does not add up to phantom climb. The ends are the DEM elevations of
    /// the line's ends, so `ascent - descent` is their difference, and walking the line
    /// backwards swaps ascent and descent.
    pub fn climb(&self, line: &[Coord]) -> (f64, f64) {
        crate::elevation::climb(self, line, self.cell_size_m() / 3.0, self.cell_size_m())
    }

    /// Elevation in metres at `coord`, bilinearly interpolated.
    ///
    /// Void samples are left out of the interpolation (the weights of the valid ones are
    /// renormalised); when all four samples around the point are void, the nearest valid
    /// sample within a few cells is used. `None` outside every tile or when nothing
    /// valid is near.
    pub fn elevation(&self, coord: Coord) -> Option<f64> {
        if !(coord.lat.is_finite() && coord.lon.is_finite()) {
            return None;
        }
        let lat_floor = coord.lat.floor() as i32;
        let lon_floor = coord.lon.floor() as i32;
        // A point on a tile's north or east edge belongs to the neighbour by `floor` but
        // is also the last row/column of this one, so look there too.
        let candidates = [
            (lat_floor, lon_floor),
            (lat_floor - 1, lon_floor),
            (lat_floor, lon_floor - 1),
            (lat_floor - 1, lon_floor - 1),
        ];
        candidates
            .iter()
            .filter_map(|corner| self.by_corner.get(corner))
            .map(|&i| &self.tiles[i])
            .find(|t| t.contains(coord))
            .and_then(|t| t.elevation(coord))
    }
}

impl Tile {
    fn read(path: &Path) -> Result<Tile, OsmError> {
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let is_zip = file_name.to_ascii_lowercase().ends_with(".zip");
        let (bytes, inner_name) = if is_zip {
            read_zipped_hgt(path)?
        } else {
            (
                std::fs::read(path).map_err(|e| OsmError::io(path, e))?,
                None,
            )
        };
        let (lat0, lon0) = parse_corner(&file_name)
            .or_else(|| inner_name.as_deref().and_then(parse_corner))
            .ok_or_else(|| {
                OsmError::dem(
                    path,
                    "file name does not start with a tile corner like N42E001",
                )
            })?;
        let size = match bytes.len() {
            n if n == 2 * 3601 * 3601 => 3601,
            n if n == 2 * 1201 * 1201 => 1201,
            n => {
                return Err(OsmError::dem(
                    path,
                    format!("{n} bytes is neither SRTM1 (3601x3601) nor SRTM3 (1201x1201)"),
                ))
            }
        };
        let samples = bytes
            .chunks_exact(2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .collect();
        Ok(Tile {
            lat0,
            lon0,
            size,
            samples,
        })
    }

    fn contains(&self, c: Coord) -> bool {
        let (lat0, lon0) = (f64::from(self.lat0), f64::from(self.lon0));
        (lat0..=lat0 + 1.0).contains(&c.lat) && (lon0..=lon0 + 1.0).contains(&c.lon)
    }

    fn sample(&self, row: i64, col: i64) -> Option<f64> {
        let n = self.size as i64;
        if !(0..n).contains(&row) || !(0..n).contains(&col) {
            return None;
        }
        let v = self.samples[(row * n + col) as usize];
        (v != VOID).then_some(f64::from(v))
    }

    fn elevation(&self, c: Coord) -> Option<f64> {
        let cells = (self.size - 1) as f64;
        let row = (f64::from(self.lat0) + 1.0 - c.lat) * cells;
        let col = (c.lon - f64::from(self.lon0)) * cells;
        let r0 = (row.floor() as i64).clamp(0, self.size as i64 - 2);
        let c0 = (col.floor() as i64).clamp(0, self.size as i64 - 2);
        let (fr, fc) = (row - r0 as f64, col - c0 as f64);
        let corners = [
            (r0, c0, (1.0 - fr) * (1.0 - fc)),
            (r0, c0 + 1, (1.0 - fr) * fc),
            (r0 + 1, c0, fr * (1.0 - fc)),
            (r0 + 1, c0 + 1, fr * fc),
        ];
        let (mut sum, mut weight, mut valid, mut plain) = (0.0, 0.0, 0, 0.0);
        for (r, cc, w) in corners {
            if let Some(v) = self.sample(r, cc) {
                sum += v * w;
                weight += w;
                valid += 1;
                plain += v;
            }
        }
        if weight > 1e-9 {
            Some(sum / weight)
        } else if valid > 0 {
            // The point sits exactly on void samples; the valid ones carry no weight.
            Some(plain / f64::from(valid))
        } else {
            self.nearest_valid(row, col)
        }
    }

    /// The valid sample closest to fractional position (`row`, `col`), within
    /// [`VOID_SEARCH_CELLS`].
    fn nearest_valid(&self, row: f64, col: f64) -> Option<f64> {
        let (rc, cc) = (row.round() as i64, col.round() as i64);
        let mut best: Option<(f64, f64)> = None;
        for r in rc - VOID_SEARCH_CELLS..=rc + VOID_SEARCH_CELLS {
            for c in cc - VOID_SEARCH_CELLS..=cc + VOID_SEARCH_CELLS {
                if let Some(v) = self.sample(r, c) {
                    let d2 = (r as f64 - row).powi(2) + (c as f64 - col).powi(2);
                    // Strict `<` plus the fixed scan order keeps ties deterministic.
                    if best.is_none_or(|(bd, _)| d2 < bd) {
                        best = Some((d2, v));
                    }
                }
            }
        }
        best.map(|(_, v)| v)
    }
}

/// Reads the first `.hgt` entry of a zip archive; also returns its name.
fn read_zipped_hgt(path: &Path) -> Result<(Vec<u8>, Option<String>), OsmError> {
    let file = std::fs::File::open(path).map_err(|e| OsmError::io(path, e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| OsmError::dem(path, format!("not a readable zip archive: {e}")))?;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| OsmError::dem(path, format!("corrupt zip entry: {e}")))?;
        let name = entry.name().to_owned();
        if !name.to_ascii_lowercase().ends_with(".hgt") {
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| OsmError::dem(path, format!("cannot inflate {name}: {e}")))?;
        let base = name.rsplit('/').next().unwrap_or(&name).to_owned();
        return Ok((bytes, Some(base)));
    }
    Err(OsmError::dem(path, "zip archive holds no .hgt file"))
}

/// Parses the south-west corner from a name starting like `N42E001` or `s08w079`.
fn parse_corner(name: &str) -> Option<(i32, i32)> {
    let b = name.as_bytes();
    if b.len() < 7 {
        return None;
    }
    let digits = |s: &[u8]| -> Option<i32> {
        s.iter().try_fold(0i32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i32::from(d - b'0'))
        })
    };
    let lat = digits(&b[1..3])?;
    let lon = digits(&b[4..7])?;
    let lat = match b[0].to_ascii_uppercase() {
        b'N' => lat,
        b'S' => -lat,
        _ => return None,
    };
    let lon = match b[3].to_ascii_uppercase() {
        b'E' => lon,
        b'W' => -lon,
        _ => return None,
    };
    ((-90..90).contains(&lat) && (-180..180).contains(&lon)).then_some((lat, lon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_parse_in_every_hemisphere() {
        assert_eq!(parse_corner("N42E001.hgt"), Some((42, 1)));
        assert_eq!(parse_corner("S08W079.hgt.zip"), Some((-8, -79)));
        assert_eq!(parse_corner("n00w000.SRTMGL1.hgt"), Some((0, 0)));
        assert_eq!(parse_corner("X42E001.hgt"), None);
        assert_eq!(parse_corner("N4"), None);
        assert_eq!(parse_corner("N42E1.hgt"), None);
    }
}
