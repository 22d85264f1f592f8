//! The OpenAPI document (`/openapi.json`) and Swagger UI (`/docs/`), generated from the
//! handlers and types themselves so that they cannot drift from the code.

use utoipa::OpenApi;

use super::{geojson, health, loop_json, loops, network, plans, trailheads};
use crate::domain::{
    FieldError, LoopRequestBody, OriginBody, PreferencesBody, SavePlanBody, Units,
};
use crate::error::Problem;

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "TrailLoop",
        description = "Loop hikes of a target length from trailheads within driving range. \
            Errors are application/problem+json (RFC 9457). Map data © OpenStreetMap contributors (ODbL)."
    ),
    paths(
        loops::post,
        loops::get,
        network::get,
        trailheads::list,
        plans::create,
        plans::get,
        plans::gpx,
        health::healthz,
        health::readyz,
        health::metrics,
    ),
    components(schemas(
        LoopRequestBody,
        OriginBody,
        PreferencesBody,
        SavePlanBody,
        Units,
        loop_json::LoopsResponse,
        loop_json::ProfileJson,
        geojson::LoopFeatureCollection,
        geojson::LoopFeature,
        network::TrailsCollection,
        network::TrailFeature,
        network::TrailLineGeometry,
        network::TrailProperties,
        loop_json::LoopJson,
        loop_json::TrailheadJson,
        loop_json::LineStringJson,
        loop_json::ApproachJson,
        loop_json::BreakdownJson,
        loop_json::HighlightJson,
        crate::domain::AvoidRoads,
        loop_json::SegmentJson,
        loop_json::StageJson,
        loop_json::NightJson,
        loop_json::WaterJson,
        loop_json::DriveDistanceJson,
        trailheads::TrailheadsResponse,
        trailheads::NearbyTrailheadJson,
        plans::PlanJson,
        health::StatusJson,
        Problem,
        FieldError,
    )),
    tags(
        (name = "loops", description = "Plan loops"),
        (name = "trailheads", description = "Find places to start"),
        (name = "plans", description = "Save loops, export GPX"),
        (name = "operations", description = "Probes and metrics"),
    )
)]
pub struct ApiDoc;
