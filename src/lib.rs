//! TrailLoop, the service: settings, database access, imports and (in `serve`) the HTTP
//! API over the loop solver in `trailloop-solver`.

#![warn(missing_docs)]

pub mod client;
pub mod codes;
pub mod cors;
pub mod dates;
pub mod db;
pub mod disconnect;
pub mod domain;
pub mod error;
pub mod healthcheck;
pub mod import;
pub mod metrics;
pub mod middleware;
pub mod network;
pub mod plan;
pub mod rate_limit;
pub mod routes;
pub mod settings;
pub mod solver_pool;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod tokens;
