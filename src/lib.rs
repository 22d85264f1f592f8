//! TrailLoop, the service: settings, database access, imports and (in `serve`) the HTTP
//! API over the loop solver in `trailloop-solver`.

pub mod db;
pub mod import;
pub mod settings;
pub mod telemetry;
pub mod planner;
pub mod store;
