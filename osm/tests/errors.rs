//! Unusable inputs give errors that say what is wrong with which file.

use trailloop_osm::{build_trail_data, BuildOptions, OsmError};

#[test]
fn a_missing_extract_is_not_found() {
    let path = std::env::temp_dir().join("trailloop-osm-does-not-exist.osm.pbf");
    let err = build_trail_data(&path, &BuildOptions::default()).unwrap_err();
    assert!(matches!(err, OsmError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("does-not-exist"), "{err}");
}

#[test]
fn a_file_that_is_not_pbf_is_a_bad_pbf() {
    let dir = std::env::temp_dir().join(format!("trailloop-osm-{}-errors", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, content) in [
        (
            "garbage.osm.pbf",
            &b"this is not an OpenStreetMap file at all"[..],
        ),
        ("empty.osm.pbf", &b""[..]),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let err = build_trail_data(&path, &BuildOptions::default()).unwrap_err();
        assert!(
            matches!(err, OsmError::Pbf { .. } | OsmError::PbfInvalid { .. }),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains(name), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
