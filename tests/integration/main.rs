//! Black-box tests of the service against a real PostGIS (see `scripts/test.sh`), all in
//! one binary so they share one build.

mod helpers;
mod import;
