//! Saved plans: `POST /v1/plans`, `GET /v1/plans/{id}` and its GPX 1.1 track.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::ApiJson;
use super::loop_json::ATTRIBUTION;
use crate::domain::{LoopGeometry, SavePlanBody, SavePlanRequest};
use crate::error::{ApiError, Problem};
use crate::startup::AppState;
use crate::store::PlanRecord;

/// A saved plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanJson {
    /// Id.
    pub id: Uuid,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
    /// The name given.
    pub name: Option<String>,
    /// The loop, exactly as saved.
    #[serde(rename = "loop")]
    #[schema(value_type = super::LoopJson)]
    pub loop_: serde_json::Value,
}

impl From<PlanRecord> for PlanJson {
    fn from(r: PlanRecord) -> PlanJson {
        PlanJson {
            id: r.id,
            created_at: r.created_at,
            name: r.name,
            loop_: r.body,
        }
    }
}

fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::Malformed {
        detail: "the plan id must be a UUID".into(),
        field: Some("id".into()),
    })
}

async fn load(state: &AppState, raw_id: &str) -> Result<PlanRecord, ApiError> {
    let id = parse_id(raw_id)?;
    state
        .planner
        .saved_plan(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no plan {id}")))
}

/// Save a loop.
#[utoipa::path(
    post,
    path = "/v1/plans",
    tag = "plans",
    request_body = SavePlanBody,
    responses(
        (status = 201, description = "Saved; Location names it", body = PlanJson,
            headers(("Location" = String, description = "/v1/plans/{id}"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid loop or name", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    body: ApiJson<SavePlanBody>,
) -> Result<HttpResponse, ApiError> {
    let request = SavePlanRequest::try_from(body.0).map_err(ApiError::Validation)?;
    let record = state.planner.save_plan(request).await?;
    let location = format!("/v1/plans/{}", record.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(PlanJson::from(record)))
}

/// A saved plan.
#[utoipa::path(
    get,
    path = "/v1/plans/{id}",
    tag = "plans",
    params(("id" = Uuid, Path, description = "Plan id")),
    responses(
        (status = 200, description = "The plan as saved", body = PlanJson),
        (status = 400, description = "Not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let record = load(&state, &id).await?;
    Ok(HttpResponse::Ok().json(PlanJson::from(record)))
}

/// A saved plan as a GPX 1.1 track.
#[utoipa::path(
    get,
    path = "/v1/plans/{id}/gpx",
    tag = "plans",
    params(("id" = Uuid, Path, description = "Plan id")),
    responses(
        (status = 200, description = "GPX 1.1 track", content_type = "application/gpx+xml", body = String),
        (status = 400, description = "Not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn gpx(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let record = load(&state, &id).await?;
    let xml = to_gpx(&record)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/gpx+xml"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"trailloop-{}.gpx\"", record.id),
        ))
        .body(xml))
}

/// The GPX document of a plan: one track, one segment, the loop's vertices.
pub fn to_gpx(record: &PlanRecord) -> Result<Vec<u8>, ApiError> {
    // Saved plans were checked on the way in: a bad geometry here is corrupt data.
    let geometry = LoopGeometry::parse(record.body.get("geometry"), "loop.geometry")
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored plan {}: {e:?}", record.id)))?;
    let name = record
        .name
        .clone()
        .unwrap_or_else(|| format!("TrailLoop plan {}", record.id));
    let points = geometry
        .coords()
        .iter()
        .map(|c| gpx::Waypoint::new(geo_types::Point::new(c.lon, c.lat)))
        .collect();
    let document = gpx::Gpx {
        version: gpx::GpxVersion::Gpx11,
        creator: Some("TrailLoop".into()),
        metadata: Some(gpx::Metadata {
            name: Some(name.clone()),
            description: Some(format!("Map data {ATTRIBUTION}, ODbL")),
            // gpx 0.10 does not write <copyright>: the attribution goes in <desc> and a
            // <link> to the licence terms.
            links: vec![gpx::Link {
                href: "https://www.openstreetmap.org/copyright".into(),
                text: Some(ATTRIBUTION.into()),
                type_: None,
            }],
            ..Default::default()
        }),
        tracks: vec![gpx::Track {
            name: Some(name),
            segments: vec![gpx::TrackSegment { points }],
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut out = Vec::new();
    gpx::write(&document, &mut out)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("writing GPX: {e}")))?;
    Ok(out)
}
