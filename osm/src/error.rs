//! The one error type of the crate.

use std::path::PathBuf;

/// Why a network could not be built or a DEM could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OsmError {
    /// An input file does not exist.
    #[error("file not found: {}", path.display())]
    NotFound {
        /// The missing file.
        path: PathBuf,
    },
    /// An input file exists but could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The unreadable file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The OSM file is not a valid PBF extract.
    #[error("bad OSM PBF file {}", path.display())]
    Pbf {
        /// The PBF file.
        path: PathBuf,
        /// What the decoder said.
        #[source]
        source: osmpbf::Error,
    },
    /// The OSM file decodes but is not a usable extract (no header block, for one).
    #[error("bad OSM PBF file {}: {reason}", path.display())]
    PbfInvalid {
        /// The PBF file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A DEM tile is unusable: wrong size, unknown name, empty or corrupt archive.
    #[error("bad DEM tile {}: {reason}", path.display())]
    Dem {
        /// The tile file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A trail file (or rows) from outside is unusable: malformed, empty, too large,
    /// without a known coordinate system, with coordinates that are not positions.
    #[error("{file}{}: {reason}", feature.as_ref().map(|f| format!(", {f}")).unwrap_or_default())]
    Source {
        /// The file (or `sql`), as the import names it.
        file: String,
        /// The feature, shape, row or track at fault, where there is one.
        feature: Option<String>,
        /// What is wrong.
        reason: String,
    },
    /// [`Dem::open`](crate::Dem::open) was given no tiles.
    #[error("no DEM tiles given")]
    NoDemTiles,
}

impl OsmError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> OsmError {
        if source.kind() == std::io::ErrorKind::NotFound {
            OsmError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            OsmError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }

    pub(crate) fn dem(path: &std::path::Path, reason: impl Into<String>) -> OsmError {
        OsmError::Dem {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}
