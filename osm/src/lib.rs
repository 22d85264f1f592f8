//! Builds TrailLoop's walking network from OpenStreetMap.
pub mod model;
pub use model::*;
