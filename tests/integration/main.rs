//! Black-box tests of the service against a real PostGIS (see `scripts/test.sh`), all in
//! one binary so they share one build.

#[macro_use]
mod helpers;
mod api_loops;
mod api_ops;
mod api_plans;
mod api_process;
mod api_validation;
mod app_config;
mod architecture;
mod availability;
mod drive;
mod far_drives;
mod grades;
mod hikes;
mod import;
#[path = "../judge/mod.rs"]
mod judge;
mod least_privilege;
mod limits;
mod network;
mod own_trails;
mod page_api;
mod seasons;
mod survey;
mod tls;
mod trips;
mod valley;
mod web;
