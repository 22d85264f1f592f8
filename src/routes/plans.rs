//! Saved plans: `POST /v1/plans`, `GET /v1/plans/{id}` and its GPX 1.1 track.

use std::time::SystemTime;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trailloop_places::PoiKind;
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::ApiJson;
use super::loop_json::{NightJson, StageJson, ATTRIBUTION};
use crate::client::ClientAddr;
use crate::domain::{LoopGeometry, SavePlanBody, SavePlanRequest};
use crate::error::{ApiError, Problem};
use crate::plan::{MapTrails, PlanLimits, SavedPlans};
use crate::store::{PlanRecord, Saved};
use crate::tokens::PlanTokens;

/// A saved plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanJson {
    /// Id.
    pub id: Uuid,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
    /// The name given.
    pub name: Option<String>,
    /// When the plan is deleted (`plans.retention_days` after it was saved).
    pub expires_at: DateTime<Utc>,
    /// The loop exactly as `/v1/loops` answered it, without its token.
    #[serde(rename = "loop")]
    #[schema(value_type = crate::domain::SavedLoop)]
    pub loop_: serde_json::Value,
}

impl From<PlanRecord> for PlanJson {
    fn from(r: PlanRecord) -> PlanJson {
        PlanJson {
            id: r.id,
            created_at: r.created_at,
            name: r.name,
            expires_at: r.expires_at,
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

async fn load(plans: &SavedPlans, raw_id: &str) -> Result<PlanRecord, ApiError> {
    let id = parse_id(raw_id)?;
    plans
        .get(id)
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
        (status = 200, description = "This loop's token was saved before: the plan saved then (the same id; its name as given then), not counted against the quota again", body = PlanJson,
            headers(("Location" = String, description = "/v1/plans/{id}"))),
        (status = 201, description = "Saved; Location names it", body = PlanJson,
            headers(("Location" = String, description = "/v1/plans/{id}"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name, or a loop without a valid token (one the service did not answer, changed, or answered too long ago)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the client's rate limit or its daily plan quota; see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
        (status = 503, description = "Database unreachable, or no room for more plans (`plan-store-full`: `plans.max_stored` reached); see Retry-After", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
    )
)]
pub async fn create(
    plans: web::Data<SavedPlans>,
    limits: web::Data<PlanLimits>,
    tokens: web::Data<PlanTokens>,
    client: ClientAddr,
    body: ApiJson<SavePlanBody>,
) -> Result<HttpResponse, ApiError> {
    // Checking a loop of up to 300,000 vertices and its token (an HMAC over its JSON)
    // takes tens of milliseconds: on the blocking pool, not on the HTTP worker.
    let client_key = tokens.client_key(client);
    let tokens = tokens.into_inner();
    let request = web::block(move || -> Result<SavePlanRequest, ApiError> {
        let request = SavePlanRequest::try_from(body.0).map_err(ApiError::Validation)?;
        let token = request.token.as_deref().ok_or_else(|| {
            ApiError::field(
                "loop.token",
                "is required: save a loop as /v1/loops answered it, token included",
            )
        })?;
        tokens
            .verify(&request.loop_, token, SystemTime::now())
            .map_err(|e| ApiError::field("loop.token", e.to_string()))?;
        Ok(request)
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("checking the plan failed: {e}")))??;
    let (record, created) = match plans.save(request, client_key, &limits).await? {
        Saved::Plan(record) => (record, true),
        Saved::Existing(record) => (record, false),
        Saved::OverQuota(wait) => {
            return Err(ApiError::TooManyRequests {
                detail: format!(
                    "one client may save {} plans a day, and this one has",
                    limits.quota_per_day
                ),
                retry_after_secs: whole_secs(wait),
            })
        }
        Saved::Full(wait) => {
            return Err(ApiError::PlanStoreFull {
                detail: "the service holds all the saved plans it may; room is made as \
                         plans expire"
                    .into(),
                retry_after_secs: whole_secs(wait),
            })
        }
    };
    let location = format!("/v1/plans/{}", record.id);
    // The token's plan saved before: the same plan, not a new one.
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response
        .insert_header((header::LOCATION, location))
        .json(PlanJson::from(record)))
}

/// Seconds to wait, rounded up, as `Retry-After` takes them.
fn whole_secs(wait: std::time::Duration) -> u32 {
    wait.as_secs_f64().ceil().min(f64::from(u32::MAX)) as u32
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
    plans: web::Data<SavedPlans>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let record = load(&plans, &id).await?;
    let body = super::off_worker("writing a plan", move || {
        serde_json::to_vec(&PlanJson::from(record))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
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
    plans: web::Data<SavedPlans>,
    trails: web::Data<MapTrails>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let record = load(&plans, &id).await?;
    let id = record.id;
    // The data's attribution where the plan starts (its trailhead's region).
    let start = LoopGeometry::parse_stored(record.body.get("geometry"), "loop.geometry")
        .ok()
        .and_then(|g| g.coords().first().copied());
    let attribution = match start {
        Some(s) => trails.attribution_in(s, s),
        None => ATTRIBUTION.to_owned(),
    };
    // A long trip's track is megabytes of XML.
    let xml = super::off_worker("writing GPX", move || to_gpx(&record, &attribution)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/gpx+xml"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"trailloop-{id}.gpx\""),
        ))
        .body(xml))
}

/// The GPX document of a plan: one track of the loop's vertices with a segment per day,
/// and a waypoint for each night's place and each water source on the way.
pub fn to_gpx(record: &PlanRecord, attribution: &str) -> Result<Vec<u8>, ApiError> {
    // Saved plans were checked on the way in: a bad geometry here is corrupt data.
    let geometry = LoopGeometry::parse_stored(record.body.get("geometry"), "loop.geometry")
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored plan {}: {e:?}", record.id)))?;
    let name = record
        .name
        .clone()
        .unwrap_or_else(|| format!("TrailLoop plan {}", record.id));
    let coords = geometry.coords();
    let elevations = geometry.elevations();
    let point = |lon: f64, lat: f64| gpx::Waypoint::new(geo_types::Point::new(lon, lat));
    // A plan saved before days had indices, or one a client made up, is one segment.
    let stages: Vec<StageJson> = record
        .body
        .get("stages")
        .and_then(|s| serde_json::from_value(s.clone()).ok())
        .unwrap_or_default();
    let ranges = day_ranges(&stages, coords.len());
    // A dated plan's days are timed: each point at its share of the day's walking time
    // (by the duration model: distance and climb) between its start and end.
    let day_times: Vec<Option<(i64, i64, i32)>> = if ranges.len() == stages.len() {
        stages.iter().map(day_span).collect()
    } else {
        vec![None; ranges.len()]
    };
    // The walk from the car is walked too: out before the first day's loop, back after
    // the last (both every day of a base-camp plan).
    let approach = approach_coords(&record.body);
    let base_camp = record
        .body
        .get("base_camp")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let last = ranges.len().saturating_sub(1);
    let segments = ranges
        .into_iter()
        .zip(day_times)
        .enumerate()
        .map(|(day, ((from, to), span))| {
            let out = if base_camp || day == 0 {
                &approach[..]
            } else {
                &[]
            };
            let back = if base_camp || day == last {
                &approach[..]
            } else {
                &[]
            };
            // The approach ends where the loop starts: that vertex once.
            let walk: Vec<(trailloop_geo::Coord, Option<f64>)> = out
                .iter()
                .take(out.len().saturating_sub(1))
                .map(|&c| (c, None))
                .chain((from..=to).map(|i| (coords[i], elevations.map(|z| z[i]))))
                .chain(back.iter().rev().skip(1).map(|&c| (c, None)))
                .collect();
            let line: Vec<trailloop_geo::Coord> = walk.iter().map(|w| w.0).collect();
            let heights: Option<Vec<f64>> = walk.iter().map(|w| w.1).collect();
            let times = span.map(|span| point_times(&line, heights.as_deref(), span));
            gpx::TrackSegment {
                points: walk
                    .iter()
                    .enumerate()
                    .map(|(i, (c, z))| {
                        let mut p = point(c.lon, c.lat);
                        p.elevation = *z;
                        p.time = times
                            .as_ref()
                            .zip(span)
                            .and_then(|(t, span)| gpx_time(t[i], span.2));
                        p
                    })
                    .collect(),
            }
        })
        .collect();
    let mut waypoints = Vec::new();
    let mut seen_water = std::collections::HashSet::new();
    for s in &stages {
        if let Some(n) = &s.night {
            let mut w = point(n.lon, n.lat);
            w.name = Some(n.name.clone().unwrap_or_else(|| format!("Night {}", s.day)));
            w.description = Some(night_description(s.day, n));
            w.symbol = Some(night_symbol(&n.kind).into());
            w.type_ = Some(n.kind.clone());
            // Arrived at the end of the day.
            w.time = day_span(s).and_then(|(_, end, offset)| gpx_time(end, offset));
            waypoints.push(w);
        }
        for water in &s.water {
            if !seen_water.insert((water.osm_type.clone(), water.osm_id)) {
                continue;
            }
            let mut w = point(water.lon, water.lat);
            w.name = Some(water.name.clone().unwrap_or_else(|| "Water".into()));
            let kind = water.kind.replace('_', " ");
            let what = if PoiKind::parse(&water.kind).is_some_and(PoiKind::is_water) {
                kind
            } else {
                format!("{kind} with drinking water")
            };
            w.description = Some(format!("Water on day {}: {what}", s.day));
            w.symbol = Some("Drinking Water".into());
            w.type_ = Some("water".into());
            waypoints.push(w);
        }
    }
    let document = gpx::Gpx {
        version: gpx::GpxVersion::Gpx11,
        creator: Some("TrailLoop".into()),
        metadata: Some(gpx::Metadata {
            name: Some(name.clone()),
            description: Some(if attribution.contains(ATTRIBUTION) {
                format!("Map data {attribution}, ODbL")
            } else {
                format!("Map data {attribution}")
            }),
            // gpx 0.10 does not write <copyright>: the attribution goes in <desc> and,
            // where OSM data is shown, a <link> to its licence terms.
            links: if attribution.contains(ATTRIBUTION) {
                vec![gpx::Link {
                    href: "https://www.openstreetmap.org/copyright".into(),
                    text: Some(ATTRIBUTION.into()),
                    type_: None,
                }]
            } else {
                Vec::new()
            },
            ..Default::default()
        }),
        waypoints,
        tracks: vec![gpx::Track {
            name: Some(name),
            segments,
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut out = Vec::new();
    gpx::write(&document, &mut out)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("writing GPX: {e}")))?;
    Ok(out)
}

/// A dated stage's start and end (Unix seconds) and its UTC offset (seconds).
/// The approach of a saved loop, from its trailhead to the loop (none when it has none or
/// it does not parse: a plan saved before approaches were kept is its loop alone).
fn approach_coords(body: &serde_json::Value) -> Vec<trailloop_geo::Coord> {
    let Some(points) = body
        .pointer("/approach/geometry/coordinates")
        .and_then(serde_json::Value::as_array)
    else {
        return Vec::new();
    };
    let coords: Option<Vec<trailloop_geo::Coord>> = points
        .iter()
        .map(|p| {
            let (lon, lat) = (p.get(0)?.as_f64()?, p.get(1)?.as_f64()?);
            ((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat))
                .then_some(trailloop_geo::Coord { lat, lon })
        })
        .collect();
    coords.filter(|c| c.len() >= 2).unwrap_or_default()
}

fn day_span(s: &StageJson) -> Option<(i64, i64, i32)> {
    let parse = |t: &Option<String>| chrono::DateTime::parse_from_rfc3339(t.as_deref()?).ok();
    let (start, end) = (parse(&s.start_time)?, parse(&s.end_time)?);
    (end >= start).then(|| {
        (
            start.timestamp(),
            end.timestamp(),
            start.offset().local_minus_utc(),
        )
    })
}

/// The time at each of a day's points (Unix seconds), from its start to its end in
/// proportion to the walking time (distance and climb) up to the point.
fn point_times(
    coords: &[trailloop_geo::Coord],
    elevations: Option<&[f64]>,
    (start, end, _): (i64, i64, i32),
) -> Vec<i64> {
    let mut walked = vec![0.0f64; coords.len()];
    let (mut metres, mut climb) = (0.0, 0.0);
    for i in 1..coords.len() {
        metres += trailloop_geo::distance_m(coords[i - 1], coords[i]);
        if let Some(z) = elevations {
            climb += (z[i] - z[i - 1]).max(0.0);
        }
        walked[i] = trailloop_solver::walking::hours(metres, climb);
    }
    let total = walked.last().copied().unwrap_or(0.0);
    walked
        .iter()
        .map(|w| {
            let share = if total > 0.0 { w / total } else { 0.0 };
            start + ((end - start) as f64 * share).round() as i64
        })
        .collect()
}

/// `unix` seconds as GPX writes a time, at `offset` seconds from UTC.
fn gpx_time(unix: i64, offset: i32) -> Option<gpx::Time> {
    let offset = time::UtcOffset::from_whole_seconds(offset).ok()?;
    Some(
        time::OffsetDateTime::from_unix_timestamp(unix)
            .ok()?
            .to_offset(offset)
            .into(),
    )
}

/// The vertex ranges of the days, when the stages cut `len` vertices into consecutive
/// days from the first vertex to the last; else the whole line as one.
fn day_ranges(stages: &[StageJson], len: usize) -> Vec<(usize, usize)> {
    let whole = vec![(0, len - 1)];
    let mut at = 0;
    for s in stages {
        if s.start_index != at || s.end_index < s.start_index || s.end_index >= len {
            return whole;
        }
        at = s.end_index;
    }
    if stages.len() < 2 || at != len - 1 {
        return whole;
    }
    stages
        .iter()
        .map(|s| (s.start_index, s.end_index))
        .collect()
}

/// The symbol GPS units and apps know a night's place by: its kind's in the list of
/// kinds, or a car park's for a base-camp night at the trailhead.
fn night_symbol(kind: &str) -> &'static str {
    match PoiKind::parse(kind) {
        Some(kind) => kind.gpx_symbol(),
        None if kind == "trailhead" => "Parking Area",
        None => "Lodging",
    }
}

/// What a hiker needs to know of a night's place, in a line.
fn night_description(day: u32, n: &NightJson) -> String {
    let mut parts = vec![format!(
        "Night after day {day}: {}",
        n.kind.replace('_', " ")
    )];
    for (label, value) in [
        ("fee", &n.fee),
        ("access", &n.access),
        ("opening hours", &n.opening_hours),
        ("seasonal", &n.seasonal),
        ("winter room", &n.winter_room),
        ("open that night", &n.open),
        ("capacity", &n.capacity),
        ("drinking water", &n.drinking_water),
        ("website", &n.website),
    ] {
        if let Some(v) = value {
            parts.push(format!("{label}: {v}"));
        }
    }
    if n.off_trail_km > 0.0 {
        parts.push(format!("{:.2} km off the trail", n.off_trail_km));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(day: u32, start_index: usize, end_index: usize) -> StageJson {
        serde_json::from_value(serde_json::json!({
            "day": day, "distance_km": 1.0, "ascent_m": 0.0, "descent_m": 0.0,
            "duration_h": 0.2, "start_index": start_index, "end_index": end_index
        }))
        .unwrap()
    }

    #[test]
    fn nights_get_the_symbol_of_their_kind() {
        assert_eq!(night_symbol("camp_site"), "Campground");
        assert_eq!(night_symbol("hut"), "Lodging");
        assert_eq!(night_symbol("shelter"), "Lodging");
        assert_eq!(night_symbol("lodging"), "Lodging");
        assert_eq!(night_symbol("trailhead"), "Parking Area");
    }

    #[test]
    fn days_that_cut_the_line_become_segments_and_others_do_not() {
        let days = [stage(1, 0, 4), stage(2, 4, 7), stage(3, 7, 9)];
        assert_eq!(day_ranges(&days, 10), [(0, 4), (4, 7), (7, 9)]);
        assert_eq!(day_ranges(&days[..1], 10), [(0, 9)], "a day hike");
        assert_eq!(day_ranges(&days, 12), [(0, 11)], "not to the end");
        let gap = [stage(1, 0, 4), stage(2, 5, 9)];
        assert_eq!(day_ranges(&gap, 10), [(0, 9)]);
        // A plan saved before days had indices: every index 0.
        let old = [stage(1, 0, 0), stage(2, 0, 0)];
        assert_eq!(day_ranges(&old, 10), [(0, 9)]);
    }
}
