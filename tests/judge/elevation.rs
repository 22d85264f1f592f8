//! Elevations judged against the SRTM tile itself, read here without the importer's
//! DEM code: a `.hgt` (SRTM1 or SRTM3) inside its zip, big-endian 16-bit samples, rows
//! from north to south, -32768 for a void.

use std::io::Read;
use std::path::Path;

/// One SRTM tile.
pub struct Srtm {
    /// Latitude of its southern edge.
    south: f64,
    /// Longitude of its western edge.
    west: f64,
    /// Samples per side.
    size: usize,
    samples: Vec<i16>,
}

const VOID: i16 = -32768;

impl Srtm {
    /// Reads `N42E001.hgt.zip` and the like; the corner comes from the name.
    pub fn read(path: &Path) -> Srtm {
        let name = path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_ascii_uppercase();
        let sign = |c: char, neg: char| if c == neg { -1.0 } else { 1.0 };
        let south = sign(name.chars().next().unwrap(), 'S') * name[1..3].parse::<f64>().unwrap();
        let west = sign(name.chars().nth(3).unwrap(), 'W') * name[4..7].parse::<f64>().unwrap();
        let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut bytes = Vec::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            if entry.name().to_ascii_lowercase().ends_with(".hgt") {
                entry.read_to_end(&mut bytes).unwrap();
                break;
            }
        }
        let size = ((bytes.len() / 2) as f64).sqrt() as usize;
        assert_eq!(
            size * size * 2,
            bytes.len(),
            "{} is no square tile",
            path.display()
        );
        let samples = bytes
            .chunks_exact(2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .collect();
        Srtm {
            south,
            west,
            size,
            samples,
        }
    }

    /// Bilinear elevation at a point, metres; `None` outside the tile or when a sample
    /// around the point is void.
    pub fn elevation(&self, lon: f64, lat: f64) -> Option<f64> {
        let n = (self.size - 1) as f64;
        let x = (lon - self.west) * n;
        let y = (self.south + 1.0 - lat) * n;
        if !(0.0..=n).contains(&x) || !(0.0..=n).contains(&y) {
            return None;
        }
        let (c, r) = (
            (x.floor() as usize).min(self.size - 2),
            (y.floor() as usize).min(self.size - 2),
        );
        let (fx, fy) = (x - c as f64, y - r as f64);
        let at = |r: usize, c: usize| {
            let z = self.samples[r * self.size + c];
            (z != VOID).then_some(f64::from(z))
        };
        let (a, b) = (at(r, c)?, at(r, c + 1)?);
        let (d, e) = (at(r + 1, c)?, at(r + 1, c + 1)?);
        let top = a + (b - a) * fx;
        let bottom = d + (e - d) * fx;
        Some(top + (bottom - top) * fy)
    }
}
