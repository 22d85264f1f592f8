//! SRTM tiles written to a temporary directory: formats, names, voids and errors.

use std::io::Write;
use std::path::{Path, PathBuf};

use trailloop_geo::Coord;
use trailloop_osm::{Dem, OsmError};

const VOID: i16 = -32768;

/// A fresh directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("trailloop-osm-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An SRTM3 tile whose height is `1000 + row + 2 * col`, with `voids` punched in.
fn tile(size: usize, voids: &[(usize, usize)]) -> Vec<i16> {
    let mut samples: Vec<i16> = (0..size * size)
        .map(|i| (1000 + i / size + 2 * (i % size)) as i16)
        .collect();
    for &(r, c) in voids {
        samples[r * size + c] = VOID;
    }
    samples
}

fn bytes(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn write_hgt(dir: &Path, name: &str, samples: &[i16]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes(samples)).unwrap();
    path
}

fn write_zip(dir: &Path, name: &str, entry: &str, samples: &[i16]) -> PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(entry, options).unwrap();
    zip.write_all(&bytes(samples)).unwrap();
    zip.finish().unwrap();
    path
}

/// The coordinate of sample (`row`, `col`) of a tile with corner (`lat0`, `lon0`).
fn at(lat0: f64, lon0: f64, size: usize, row: f64, col: f64) -> Coord {
    let cells = (size - 1) as f64;
    Coord {
        lon: lon0 + col / cells,
        lat: lat0 + 1.0 - row / cells,
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

/// The checks every tile gets, whatever its format: exact samples, bilinear
/// interpolation, voids interpolated around, void patches filled from the nearest
/// valid sample, large voids and points outside give `None`.
fn check_voids(dem: &Dem, lat0: f64, lon0: f64, size: usize) {
    let p = |r: f64, c: f64| at(lat0, lon0, size, r, c);
    let h = |r: f64, c: f64| 1000.0 + r + 2.0 * c;
    assert!(close(dem.elevation(p(10.0, 10.0)), h(10.0, 10.0)));
    assert!(
        close(dem.elevation(p(10.5, 10.25)), h(10.5, 10.25)),
        "bilinear"
    );
    // (100, 100) is void: around it only the three valid samples count, and on a
    // plane their renormalised weights still give the plane.
    let v = dem.elevation(p(100.25, 100.25)).unwrap();
    assert!(
        (v - h(100.25, 100.25)).abs() < 1.5,
        "one void among four: {v}"
    );
    assert!(close(dem.elevation(p(100.0, 101.0)), h(100.0, 101.0)));
    // A 2x2 void patch at (200..=201, 200..=201): the centre falls back to the nearest
    // valid sample, which is one of the ring around the patch.
    let v = dem.elevation(p(200.5, 200.5)).unwrap();
    assert!((v - h(200.5, 200.5)).abs() <= 4.5, "void patch: {v}");
    // Exactly on a void sample with valid neighbours on the same row and column.
    assert!(dem.elevation(p(100.0, 100.0)).is_some());
    // A 9x9 void patch at (300..=308, 300..=308): nothing valid within a few cells.
    assert_eq!(dem.elevation(p(304.0, 304.0)), None);
    // Outside the tile.
    assert_eq!(
        dem.elevation(Coord {
            lon: lon0 - 0.5,
            lat: lat0 + 0.5
        }),
        None
    );
    assert_eq!(
        dem.elevation(Coord {
            lon: f64::NAN,
            lat: lat0
        }),
        None
    );
    // Row 0 is the north edge.
    assert!(close(
        dem.elevation(Coord {
            lon: lon0,
            lat: lat0 + 1.0
        }),
        1000.0
    ));
    assert!(close(
        dem.elevation(Coord {
            lon: lon0,
            lat: lat0
        }),
        h((size - 1) as f64, 0.0)
    ));
}

fn voids() -> Vec<(usize, usize)> {
    let mut v = vec![(100, 100), (200, 200), (200, 201), (201, 200), (201, 201)];
    for r in 300..=308 {
        for c in 300..=308 {
            v.push((r, c));
        }
    }
    v
}

#[test]
fn plain_srtm3_tiles_interpolate_and_handle_voids() {
    let dir = TempDir::new("plain");
    let path = write_hgt(&dir, "N42E001.hgt", &tile(1201, &voids()));
    let dem = Dem::open(&[path]).unwrap();
    assert_eq!(dem.tile_count(), 1);
    assert!((dem.cell_size_m() - 92.7).abs() < 0.5);
    assert!(
        format!("{dem:?}").len() < 100,
        "Debug lists tiles, not samples"
    );
    check_voids(&dem, 42.0, 1.0, 1201);
}

#[test]
fn zipped_tiles_in_the_southern_and_western_hemispheres_read_the_same() {
    let dir = TempDir::new("zipped");
    let path = write_zip(
        &dir,
        "S08W079.hgt.zip",
        "S08W079.hgt",
        &tile(1201, &voids()),
    );
    let dem = Dem::open(&[path]).unwrap();
    check_voids(&dem, -8.0, -79.0, 1201);
}

#[test]
fn srtm1_is_told_from_srtm3_by_size() {
    let dir = TempDir::new("srtm1");
    let path = write_hgt(&dir, "n45e006.hgt", &tile(3601, &voids()));
    let dem = Dem::open(&[path]).unwrap();
    assert!((dem.cell_size_m() - 30.9).abs() < 0.5);
    check_voids(&dem, 45.0, 6.0, 3601);
}

#[test]
fn neighbouring_tiles_join_at_their_edges() {
    let dir = TempDir::new("neighbours");
    let west = write_hgt(&dir, "N42E001.hgt", &vec![500; 1201 * 1201]);
    let east = write_hgt(&dir, "N42E002.hgt", &vec![700; 1201 * 1201]);
    let dem = Dem::open(&[west, east]).unwrap();
    assert_eq!(dem.tile_count(), 2);
    assert!(close(
        dem.elevation(Coord {
            lon: 1.5,
            lat: 42.5
        }),
        500.0
    ));
    assert!(close(
        dem.elevation(Coord {
            lon: 2.5,
            lat: 42.5
        }),
        700.0
    ));
    assert!(dem
        .elevation(Coord {
            lon: 2.0,
            lat: 42.5
        })
        .is_some());
    assert_eq!(
        dem.elevation(Coord {
            lon: 3.5,
            lat: 42.5
        }),
        None
    );
}

#[test]
fn climb_on_a_tilted_plane_is_the_height_difference() {
    let dir = TempDir::new("climb");
    let path = write_hgt(&dir, "N42E001.hgt", &tile(1201, &[]));
    let dem = Dem::open(&[path]).unwrap();
    // Heights grow eastwards by 2 m per cell: walking east then back climbs and
    // descends the same, and a straight walk east only climbs.
    let (a, b) = (
        at(42.0, 1.0, 1201, 50.0, 10.0),
        at(42.0, 1.0, 1201, 50.0, 60.0),
    );
    let (up, down) = dem.climb(&[a, b]);
    assert!(
        (up - 100.0).abs() < 1e-6 && down.abs() < 1e-6,
        "{up} {down}"
    );
    let (up, down) = dem.climb(&[a, b, a]);
    assert!(
        (up - 100.0).abs() < 1.0 && (down - 100.0).abs() < 1.0,
        "{up} {down}"
    );
    assert!((up - down).abs() < 1e-6);
}

#[test]
fn bad_tiles_are_reported_clearly() {
    let dir = TempDir::new("bad");
    let missing = dir.join("N42E001.hgt");
    assert!(matches!(
        Dem::open(&[&missing]),
        Err(OsmError::NotFound { .. })
    ));
    let short = write_hgt(&dir, "N42E001.hgt", &[0; 1000]);
    let err = Dem::open(&[short]).unwrap_err();
    assert!(matches!(err, OsmError::Dem { .. }), "{err}");
    assert!(err.to_string().contains("SRTM"), "{err}");
    let unnamed = write_hgt(&dir, "elevation.hgt", &tile(1201, &[]));
    assert!(matches!(Dem::open(&[unnamed]), Err(OsmError::Dem { .. })));
    let not_zip = dir.join("N42E001.hgt.zip");
    std::fs::write(&not_zip, b"not a zip").unwrap();
    assert!(matches!(Dem::open(&[not_zip]), Err(OsmError::Dem { .. })));
    let empty: [&Path; 0] = [];
    assert!(matches!(Dem::open(&empty), Err(OsmError::NoDemTiles)));
}
