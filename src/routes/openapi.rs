//! The OpenAPI document (`/openapi.json`) and Swagger UI (`/docs/`), generated from the
//! handlers and types themselves so that they cannot drift from the code.

use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi};

use super::{geojson, health, loop_json, loops, plans, trailheads, trails};
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
        trails::get,
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
        loop_json::TrailheadCountsJson,
        loop_json::ProfileJson,
        geojson::LoopFeatureCollection,
        geojson::LoopFeature,
        trails::TrailsCollection,
        trails::TrailFeature,
        trails::TrailLineGeometry,
        trails::TrailProperties,
        loop_json::LoopJson,
        loop_json::ScoreJson,
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
    modifiers(&RequiredChoices, &RateLimited),
    tags(
        (name = "loops", description = "Plan loops"),
        (name = "trailheads", description = "Find places to start"),
        (name = "plans", description = "Save loops, export GPX"),
        (name = "operations", description = "Probes and metrics"),
    )
)]
pub struct ApiDoc;

/// States in the schema what the derive cannot: a loop request gives exactly one of
/// `target_km`, `target_mi` and `target_hours`, and at least one drive limit. (That
/// `max_drive_km` and `max_drive_mi` exclude each other, and that day limits must
/// cover the target, stay in the field descriptions: 422 names the field.)
struct RequiredChoices;

/// `{"required": [field], "properties": {field: {"type": "number"}}}`: present and a
/// number (a bare `required` would let `null` count as given).
fn one_required(field: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .required(field)
        .property(field, ObjectBuilder::new().schema_type(Type::Number))
}

impl Modify for RequiredChoices {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let Some(components) = api.components.as_mut() else {
            return;
        };
        let Some(body) = components.schemas.remove("LoopRequestBody") else {
            return;
        };
        let target = ["target_km", "target_mi", "target_hours"]
            .into_iter()
            .fold(OneOfBuilder::new(), |b, f| b.item(one_required(f)));
        let drive = ["max_drive_km", "max_drive_mi", "max_drive_minutes"]
            .into_iter()
            .fold(AnyOfBuilder::new(), |b, f| b.item(one_required(f)));
        let description = match &body {
            RefOr::T(Schema::Object(o)) => o.description.clone(),
            _ => None,
        };
        let combined = AllOfBuilder::new()
            .description(description)
            .item(body)
            .item(target)
            .item(drive);
        components
            .schemas
            .insert("LoopRequestBody".into(), combined.into());
    }
}

/// Every route but the probes and the metrics may answer 429 (the per-client rate
/// limit), with `Retry-After`: said once here rather than on every handler.
struct RateLimited;

impl Modify for RateLimited {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::{ContentBuilder, ResponseBuilder};
        let response = ResponseBuilder::new()
            .description(
                "Over the client's rate limit (or, saving plans, its daily quota); see Retry-After",
            )
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                        "Problem",
                    ))))
                    .build(),
            )
            .header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(1)),
                    ))
                    .description(Some("Seconds to wait before trying again"))
                    .build(),
            )
            .build();
        for (path, item) in api.paths.paths.iter_mut() {
            if ["/healthz", "/readyz", "/metrics"].contains(&path.as_str()) {
                continue;
            }
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                op.responses
                    .responses
                    .entry("429".into())
                    .or_insert_with(|| response.clone().into());
            }
        }
    }
}
