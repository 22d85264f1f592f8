//! The embedded network kept beside its extract: building a region the size of a small
//! state from OSM takes twenty seconds (noding, nature, every trailhead's surroundings,
//! the road graph), reading back what was built takes a few. The snapshot
//! (`<extract>.snapshot`) holds the built network after a header naming what it was
//! built from and by: the extract's and the elevation tiles' sizes and modification
//! times, and this very binary's. Any of them changed, or the file unreadable, and the
//! network is built again and the snapshot replaced; one that cannot be written (a
//! read-only file system) is only a warning.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use trailloop_osm::TrailData;

/// Bumped when the file's layout changes.
const FORMAT: u32 = 1;
/// What a snapshot starts with, before its header.
const MAGIC: &[u8; 8] = b"TLSNAP\0\0";

/// A file as the header names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    path: String,
    bytes: u64,
    modified_ns: u128,
}

impl Stamp {
    fn of(path: &Path) -> anyhow::Result<Stamp> {
        let meta = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Ok(Stamp {
            path: std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .display()
                .to_string(),
            bytes: meta.len(),
            modified_ns,
        })
    }
}

/// What a snapshot was built from and by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: u32,
    binary: Stamp,
    pbf: Stamp,
    dem: Vec<Stamp>,
}

impl Header {
    fn of(pbf: &Path, dem: &[PathBuf]) -> anyhow::Result<Header> {
        let exe = std::env::current_exe().context("finding the running binary")?;
        Ok(Header {
            format: FORMAT,
            binary: Stamp::of(&exe)?,
            pbf: Stamp::of(pbf)?,
            dem: dem
                .iter()
                .map(|d| Stamp::of(d))
                .collect::<anyhow::Result<_>>()?,
        })
    }
}

/// Where the snapshot of `pbf` lives.
pub fn path_of(pbf: &Path) -> PathBuf {
    let mut name = pbf.as_os_str().to_owned();
    name.push(".snapshot");
    PathBuf::from(name)
}

/// The network of `pbf` and `dem` as `build` makes it: read from the snapshot beside
/// the extract when that was made from the same files by this binary, else built and
/// the snapshot written for the next start.
pub fn load_or_build(
    pbf: &Path,
    dem: &[PathBuf],
    build: impl FnOnce() -> anyhow::Result<TrailData>,
) -> anyhow::Result<TrailData> {
    let path = path_of(pbf);
    let header = Header::of(pbf, dem)?;
    match read(&path, &header) {
        Ok(Some(network)) => {
            tracing::info!(snapshot = %path.display(), "read the network from its snapshot");
            return Ok(network);
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(
            snapshot = %path.display(),
            error = format!("{e:#}"),
            "the snapshot could not be read; building the network"
        ),
    }
    let network = build()?;
    match write(&path, &header, &network) {
        Ok(bytes) => tracing::info!(snapshot = %path.display(), bytes, "wrote the snapshot"),
        Err(e) => tracing::warn!(
            snapshot = %path.display(),
            error = format!("{e:#}"),
            "the snapshot could not be written; the next start builds the network again"
        ),
    }
    Ok(network)
}

/// The snapshot's network when its header is `header`; `None` when there is none or it
/// was made from other files.
fn read(path: &Path, header: &Header) -> anyhow::Result<Option<TrailData>> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        anyhow::bail!("not a snapshot");
    };
    let (found, rest): (Header, &[u8]) = postcard::take_from_bytes(rest).context("its header")?;
    if found != *header {
        tracing::info!(
            snapshot = %path.display(),
            "the snapshot was made from other files or by another build; building the network"
        );
        return Ok(None);
    }
    let network: TrailData = postcard::from_bytes(rest).context("its network")?;
    Ok(Some(network))
}

/// Writes the snapshot whole or not at all (a file beside it, renamed into place), and
/// says how many bytes it holds.
fn write(path: &Path, header: &Header, network: &TrailData) -> anyhow::Result<u64> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let mut temp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))?;
    {
        let mut out = BufWriter::with_capacity(1 << 20, temp.as_file_mut());
        out.write_all(MAGIC)?;
        let mut out = postcard::to_io(header, out)?;
        out = postcard::to_io(network, out)?;
        out.flush()?;
    }
    temp.as_file().sync_all()?;
    let bytes = temp.as_file().metadata()?.len();
    temp.persist(path)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network() -> TrailData {
        let mut n = TrailData::default();
        n.nodes.push(trailloop_osm::Node {
            osm_id: 7,
            coord: trailloop_geo::Coord {
                lon: 1.5,
                lat: 42.5,
            },
            elevation_m: Some(1200.0),
        });
        n
    }

    #[test]
    fn a_snapshot_is_read_back_whole_and_only_for_the_same_files() {
        let dir = tempfile::tempdir().unwrap();
        let pbf = dir.path().join("region.osm.pbf");
        std::fs::write(&pbf, b"an extract").unwrap();
        let mut builds = 0;
        let load = |builds: &mut u32| {
            load_or_build(&pbf, &[], || {
                *builds += 1;
                Ok(network())
            })
            .unwrap()
        };
        assert_eq!(load(&mut builds), network());
        assert!(path_of(&pbf).exists());
        assert_eq!(load(&mut builds), network());
        assert_eq!(builds, 1, "the second start read the snapshot");
        // Another extract under the same name: built again.
        std::fs::write(&pbf, b"another, longer extract").unwrap();
        assert_eq!(load(&mut builds), network());
        assert_eq!(builds, 2);
        // A damaged snapshot is built again too, and replaced.
        std::fs::write(path_of(&pbf), b"TLSNAP\0\0garbage").unwrap();
        assert_eq!(load(&mut builds), network());
        assert_eq!(builds, 3);
        assert_eq!(load(&mut builds), network());
        assert_eq!(builds, 3);
    }
}
