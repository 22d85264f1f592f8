//! The OpenAPI document (`/openapi.json`) and Swagger UI (`/docs/`), generated from the
//! handlers and types themselves so that they cannot drift from the code.

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, HttpResponse};
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::{
    app_config, coverage, geojson, health, loop_json, loops, plans, regions, trailheads, trails,
};
use crate::domain::{
    FieldError, LoopRequestBody, OriginBody, PreferencesBody, SavePlanBody, Units,
};
use crate::error::Problem;

/// Swagger UI's policy: its own bundled scripts and styles only (no inline script; its
/// React components set inline styles), images from itself and `data:` URLs, requests to
/// the API alone, no frames, no plug-ins. The validator badge, which would call
/// validator.swagger.io, is off.
pub const DOCS_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Registers `/openapi.json` and Swagger UI under `/docs/`, each of its files with
/// [`DOCS_CONTENT_SECURITY_POLICY`].
pub fn configure(cfg: &mut web::ServiceConfig) {
    let doc = web::Bytes::from(
        serde_json::to_vec(&ApiDoc::openapi()).expect("the OpenAPI document serializes"),
    );
    cfg.service(
        web::resource("/openapi.json")
            .route(web::get().to(move || {
                let doc = doc.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .body(doc)
                }
            }))
            .default_service(super::not_allowed("GET")),
    )
    // Swagger UI lives under /docs/ (its assets are relative): send /docs there.
    .service(web::resource("/docs").route(web::get().to(|| async {
        HttpResponse::PermanentRedirect()
            .insert_header((header::LOCATION, "/docs/"))
            .finish()
    })))
    .service(
        web::scope("/docs")
            .wrap(
                DefaultHeaders::new()
                    .add((
                        header::CONTENT_SECURITY_POLICY,
                        DOCS_CONTENT_SECURITY_POLICY,
                    ))
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::REFERRER_POLICY, "no-referrer")),
            )
            .service(
                SwaggerUi::new("/{_:.*}")
                    .config(Config::new(["/openapi.json"]).validator_url("none")),
            ),
    );
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "TrailLoop",
        description = "Loop hikes of a target length from trailheads within driving range. \
            Errors are application/problem+json (RFC 9457). Map data © OpenStreetMap contributors (ODbL), and each region's own \
            attribution where an operator imported its own trails (see /v1/regions)."
    ),
    paths(
        loops::post,
        loops::get,
        trails::get,
        coverage::get,
        coverage::places,
        regions::list,
        trailheads::list,
        plans::create,
        plans::get,
        plans::gpx,
        health::healthz,
        health::readyz,
        health::metrics,
        app_config::get,
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
        loop_json::CalendarJson,
        loop_json::SuggestionJson,
        loop_json::SuggestedLoopJson,
        coverage::CoverageCollection,
        coverage::CoverageFeature,
        coverage::CoverageGeometry,
        coverage::CoverageProperties,
        coverage::PlacesResponse,
        regions::RegionsResponse,
        regions::RegionJson,
        coverage::PlaceJson,
        trailheads::TrailheadsResponse,
        trailheads::NearbyTrailheadJson,
        plans::PlanJson,
        health::StatusJson,
        app_config::AppConfig,
        app_config::CountRange,
        app_config::NumberRange,
        app_config::UpperBound,
        app_config::DateRange,
        app_config::NightKind,
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

/// States in the schema what the derive cannot, exactly as the check rules
/// (`src/domain/loop_request/check.rs`, `parse_drive_limit`): a loop request gives
/// exactly one of `target_km`, `target_mi` and `target_hours`; at least one drive
/// limit; and not both `max_drive_km` and `max_drive_mi` (`max_drive_minutes` goes with
/// either: a drive then keeps both). A field given as `null` counts as not given, as
/// the service reads it. (That day limits must cover the target stays in the field
/// descriptions: 422 names the field.)
struct RequiredChoices;

/// `{"required": [fields..], "properties": {field: {"type": "number"}, ..}}`: every one
/// present and a number (a bare `required` would let `null` count as given).
fn all_given(fields: &[&str]) -> ObjectBuilder {
    fields.iter().fold(ObjectBuilder::new(), |b, &field| {
        b.required(field)
            .property(field, ObjectBuilder::new().schema_type(Type::Number))
    })
}

fn one_required(field: &str) -> ObjectBuilder {
    all_given(&[field])
}

/// `{"not": schema}`. utoipa has no builder for `not`: it goes in as a member of the
/// object's flattened extensions, which serialize under their own names.
fn not(schema: ObjectBuilder) -> ObjectBuilder {
    let schema = serde_json::to_value(schema.build()).expect("a schema serializes");
    ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .extensions(Some([("not", schema)].into_iter().collect::<Extensions>()))
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
        // The service answers 422 naming `max_drive_mi` when both are given.
        let one_drive_unit = not(all_given(&["max_drive_km", "max_drive_mi"]));
        let combined = AllOfBuilder::new()
            .description(description)
            // A request as the rules above take it (a sample made up from every field's
            // own example would give both drive distances).
            .examples([serde_json::json!({
                "origin": {"lat": 42.5078, "lon": 1.5211},
                "max_drive_km": 25.0,
                "target_km": 12.0,
                "max_results": 3,
                "preferences": {"avoid_roads": true, "scenery": 0.5}
            })])
            .item(body)
            .item(target)
            .item(drive)
            .item(one_drive_unit);
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
