//! `POST /v1/plans`: a loop the API returned, to be kept as it is. Only what a saved plan
//! relies on is checked (a name that fits, a closed line on the globe); the rest of the
//! loop is stored verbatim so that it comes back identical.

use serde::Deserialize;
use trailloop_geo::Coord;
use utoipa::ToSchema;

use super::{FieldError, Problems};

/// Longest plan name, characters (the database enforces it too).
pub const MAX_NAME_CHARS: usize = 200;
/// Unicode's directional formatting characters (embeddings, overrides, isolates and
/// their ends): in a name shown beside other text they can make it read as something
/// else ("Trojan Source"), and no hiker needs one to name a loop.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// More vertices than a 300 km route at one per metre is not a loop we produced.
const MAX_VERTICES: usize = 300_000;
/// First and last vertex closer than this (degrees, about 1 cm) count as the same point.
const CLOSED_EPS_DEG: f64 = 1e-7;

/// Body of `POST /v1/plans`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavePlanBody {
    /// A name for the plan, at most 200 characters, none of them control characters
    /// or directional formatting characters (U+202A-U+202E, U+2066-U+2069).
    #[schema(
        example = "Sunday loop",
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]*$"
    )]
    pub name: Option<String>,
    /// One loop exactly as `/v1/loops` returned it, its `token` included: only loops the
    /// service answered, unchanged and saved within `plans.token_ttl_hours`, are stored.
    #[serde(rename = "loop")]
    #[schema(value_type = SavedLoop, example = json!({
        "rank": 1, "distance_km": 2.1,
        "geometry": {"type": "LineString", "coordinates": [
            [1.5211, 42.5078, 1023.0], [1.53, 42.51, 1040.5], [1.525, 42.515, 1061.0],
            [1.5211, 42.5078, 1023.0]
        ]}
    }))]
    pub loop_: serde_json::Value,
}

/// What `POST /v1/plans` checks of a loop: its `token` matches it (else 422), and an
/// object whose `geometry` is a GeoJSON
/// LineString of 2..=300,000 positions `[lon, lat]` or `[lon, lat, elevation in metres]`
/// (its last position equal to its first, which JSON Schema cannot say: else 422). Its
/// other fields, as `/v1/loops` gave them, are kept as they are. For the OpenAPI
/// document only.
pub struct SavedLoop;

impl utoipa::PartialSchema for SavedLoop {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ArrayItems, ObjectBuilder, Type};
        let number = |min: f64, max: f64| {
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .minimum(Some(min))
                .maximum(Some(max))
        };
        let position = ArrayBuilder::new()
            .prefix_items([
                number(-180.0, 180.0),
                number(-90.0, 90.0),
                number(*ELEVATION_RANGE_M.start(), *ELEVATION_RANGE_M.end()),
            ])
            .items(ArrayItems::False)
            .min_items(Some(2))
            .max_items(Some(3));
        let line = ObjectBuilder::new()
            .property(
                "type",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["LineString"])),
            )
            .required("type")
            .property(
                "coordinates",
                ArrayBuilder::new()
                    .items(position)
                    .min_items(Some(2))
                    .max_items(Some(MAX_VERTICES)),
            )
            .required("coordinates");
        ObjectBuilder::new()
            .description(Some(
                "A loop as /v1/loops returned it, with its token when saved; the token \
                 must match every field (so the loop is the service's own), and is not \
                 kept.",
            ))
            .property("geometry", line)
            .required("geometry")
            .property(
                "token",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(
                        "The token /v1/loops gave the loop; required to save it, \
                         not kept with the saved plan.",
                    )),
            )
            .required("token")
            .into()
    }
}

impl ToSchema for SavedLoop {}

/// A plan ready to be stored once its token is checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SavePlanRequest {
    /// Trimmed, non-empty name.
    pub name: Option<String>,
    /// The loop's `token`, taken out of it.
    pub token: Option<String>,
    /// The loop object, verbatim but for its token.
    pub loop_: serde_json::Value,
    /// Its geometry, checked.
    pub geometry: LoopGeometry,
}

/// Elevations outside this range, metres, are not of this planet's surface.
const ELEVATION_RANGE_M: std::ops::RangeInclusive<f64> = -500.0..=9000.0;

/// A closed line of valid positions with at least two vertices, and their elevations
/// when every position has one.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopGeometry {
    coords: Vec<Coord>,
    elevations: Option<Vec<f64>>,
}

impl LoopGeometry {
    /// Checks a GeoJSON LineString value found at `field`.
    pub fn parse(
        value: Option<&serde_json::Value>,
        field: &str,
    ) -> Result<LoopGeometry, FieldError> {
        let err = |m: String| FieldError::new(field, m);
        let value = value.ok_or_else(|| err("is required".into()))?;
        if value.get("type").and_then(|t| t.as_str()) != Some("LineString") {
            return Err(FieldError::new(
                format!("{field}.type"),
                "must be \"LineString\"",
            ));
        }
        let coords_field = format!("{field}.coordinates");
        let coords = value
            .get("coordinates")
            .and_then(|c| c.as_array())
            .ok_or_else(|| FieldError::new(&coords_field, "must be an array of [lon, lat]"))?;
        if coords.len() < 2 || coords.len() > MAX_VERTICES {
            return Err(FieldError::new(
                &coords_field,
                format!(
                    "must hold 2..={MAX_VERTICES} positions, got {}",
                    coords.len()
                ),
            ));
        }
        let mut line = Vec::with_capacity(coords.len());
        let mut elevations = Vec::with_capacity(coords.len());
        for (i, c) in coords.iter().enumerate() {
            let position = c.as_array().filter(|a| (2..=3).contains(&a.len()));
            let lon = position.and_then(|a| a[0].as_f64());
            let lat = position.and_then(|a| a[1].as_f64());
            let ele = position.map(|a| a.get(2).map(|z| z.as_f64()));
            match (lon, lat, ele) {
                (Some(lon), Some(lat), Some(ele))
                    if (-180.0..=180.0).contains(&lon)
                        && (-90.0..=90.0).contains(&lat)
                        && ele
                            .is_none_or(|z| z.is_some_and(|z| ELEVATION_RANGE_M.contains(&z))) =>
                {
                    line.push(Coord { lon, lat });
                    elevations.extend(ele.flatten());
                }
                _ => {
                    return Err(FieldError::new(
                        format!("{coords_field}[{i}]"),
                        "must be [lon, lat] on the globe, or [lon, lat, elevation in metres]",
                    ))
                }
            }
        }
        let (first, last) = (line[0], line[line.len() - 1]);
        if (first.lon - last.lon).abs() > CLOSED_EPS_DEG
            || (first.lat - last.lat).abs() > CLOSED_EPS_DEG
        {
            return Err(err(
                "must be closed: the last position must equal the first".into(),
            ));
        }
        let elevations = (elevations.len() == line.len()).then_some(elevations);
        Ok(LoopGeometry {
            coords: line,
            elevations,
        })
    }

    /// A stored plan's line: as [`LoopGeometry::parse`], but a plan saved before
    /// elevations were checked may carry third values that do not pass; those are
    /// dropped rather than failing the plan.
    pub fn parse_stored(
        value: Option<&serde_json::Value>,
        field: &str,
    ) -> Result<LoopGeometry, FieldError> {
        LoopGeometry::parse(value, field).or_else(|e| {
            let mut flat = value.cloned().ok_or(e)?;
            if let Some(coords) = flat.get_mut("coordinates").and_then(|c| c.as_array_mut()) {
                for c in coords.iter_mut().filter_map(|c| c.as_array_mut()) {
                    c.truncate(2);
                }
            }
            LoopGeometry::parse(Some(&flat), field)
        })
    }

    /// The vertices, first == last.
    pub fn coords(&self) -> &[Coord] {
        &self.coords
    }

    /// The elevation of every vertex, metres, when the line gave one for each.
    pub fn elevations(&self) -> Option<&[f64]> {
        self.elevations.as_deref()
    }
}

impl TryFrom<SavePlanBody> for SavePlanRequest {
    type Error = Vec<FieldError>;

    fn try_from(b: SavePlanBody) -> Result<SavePlanRequest, Vec<FieldError>> {
        let mut p = Problems::default();
        if let Some(n) = &b.name {
            if n.chars().count() > MAX_NAME_CHARS {
                p.push(
                    "name",
                    format!("must be at most {MAX_NAME_CHARS} characters"),
                );
            }
            // Unicode's Cc: C0 (tab and line breaks included), DEL and C1.
            if n.chars().any(char::is_control) {
                p.push(
                    "name",
                    "must not contain control characters (U+0000-U+001F, U+007F-U+009F)",
                );
            }
            if n.chars().any(is_bidi_control) {
                p.push(
                    "name",
                    "must not contain directional formatting characters (U+202A-U+202E, U+2066-U+2069)",
                );
            }
        }
        let name = b
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        let mut loop_ = b.loop_;
        let token = match loop_
            .as_object_mut()
            .and_then(|l| l.remove(crate::tokens::TOKEN_FIELD))
        {
            None => None,
            Some(serde_json::Value::String(t)) => Some(t),
            Some(_) => {
                p.push(
                    "loop.token",
                    "must be the string /v1/loops gave with the loop",
                );
                None
            }
        };
        let geometry = if loop_.is_object() {
            p.check(LoopGeometry::parse(loop_.get("geometry"), "loop.geometry"))
        } else {
            p.push("loop", "must be a loop object as returned by /v1/loops");
            None
        };
        p.finish(|| SavePlanRequest {
            name,
            token,
            loop_,
            geometry: geometry.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn save(v: serde_json::Value) -> Result<SavePlanRequest, Vec<FieldError>> {
        SavePlanRequest::try_from(serde_json::from_value::<SavePlanBody>(v).unwrap())
    }

    fn field(v: serde_json::Value) -> String {
        save(v).unwrap_err().remove(0).field
    }

    #[test]
    fn names_may_not_turn_their_text_around() {
        let name_errors = |name: &str| {
            let body: SavePlanBody =
                serde_json::from_value(json!({"name": name, "loop": {}})).unwrap();
            match SavePlanRequest::try_from(body) {
                Ok(_) => 0,
                Err(errors) => errors.iter().filter(|e| e.field == "name").count(),
            }
        };
        assert_eq!(name_errors("Sunday loop by the lakes"), 0);
        assert_eq!(name_errors("Estany de l'Estanyó \u{00e9}"), 0);
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            assert_eq!(name_errors(&format!("Loop {c}gnol")), 1, "{c:?}");
        }
    }

    #[test]
    fn names_may_not_hold_control_characters() {
        let refused = |name: String| {
            let body: SavePlanBody =
                serde_json::from_value(json!({"name": name, "loop": {}})).unwrap();
            SavePlanRequest::try_from(body)
                .unwrap_err()
                .iter()
                .any(|e| e.field == "name" && e.message.contains("control characters"))
        };
        // C0 (NUL, tab, line breaks, escape), DEL, C1 (NEL, CSI, the last).
        for c in [
            '\u{0}', '\u{9}', '\u{a}', '\u{d}', '\u{1b}', '\u{1f}', '\u{7f}', '\u{80}', '\u{85}',
            '\u{9b}', '\u{9f}',
        ] {
            assert!(refused(format!("Loop{c}")), "{:#x}", c as u32);
            // Where trimming would take it away, too.
            assert!(refused(format!("{c}Loop")), "{:#x}", c as u32);
        }
        // Their neighbours are letters and spaces.
        for ok in [
            " Loop ",
            "Loop\u{a0}de\u{a0}Sorteny",
            "Pic de l'Estanyó \u{00ff}",
        ] {
            assert!(!refused(ok.to_string()), "{ok:?}");
        }
    }

    #[test]
    fn a_closed_line_is_kept_verbatim() {
        let l = json!({"geometry": {"type": "LineString",
            "coordinates": [[1.5, 42.5], [1.6, 42.5], [1.5, 42.5]]}, "extra": [1]});
        let mut with_token = l.clone();
        with_token["token"] = json!("1.abc");
        let r = save(json!({"name": " Mine ", "loop": with_token})).unwrap();
        assert_eq!(r.loop_, l, "the token is taken out");
        assert_eq!(r.token.as_deref(), Some("1.abc"));
        assert_eq!(r.name.as_deref(), Some("Mine"));
        assert_eq!(r.geometry.coords().len(), 3);
    }

    #[test]
    fn broken_geometries_name_the_part_at_fault() {
        let line = |c: serde_json::Value| json!({"loop": {"geometry": {"type": "LineString", "coordinates": c}}});
        assert_eq!(
            field(line(json!([[1.5, 42.5], [1.6, 42.5]]))),
            "loop.geometry"
        );
        assert_eq!(
            field(line(json!([[1.5, 42.5]]))),
            "loop.geometry.coordinates"
        );
        assert_eq!(
            field(line(json!([[1.5, 42.5], [1.5, 95], [1.5, 42.5]]))),
            "loop.geometry.coordinates[1]"
        );
        assert_eq!(
            field(line(json!([[1.5, 42.5], "x", [1.5, 42.5]]))),
            "loop.geometry.coordinates[1]"
        );
        assert_eq!(
            field(json!({"loop": {"geometry": {"type": "Point", "coordinates": [1, 2]}}})),
            "loop.geometry.type"
        );
        assert_eq!(field(json!({"loop": {}})), "loop.geometry");
        assert_eq!(field(json!({"loop": [1]})), "loop");
        let long = "x".repeat(201);
        assert_eq!(field(json!({"name": long, "loop": {}})), "name");
        // A name's length counts before trimming, as the schema's maxLength does.
        let padded = format!("{}a", " ".repeat(200));
        assert_eq!(field(json!({"name": padded, "loop": {}})), "name");
    }

    #[test]
    fn elevations_are_kept_when_every_position_has_a_sane_one() {
        let parse = |c: serde_json::Value| {
            LoopGeometry::parse(Some(&json!({"type": "LineString", "coordinates": c})), "g")
        };
        let g = parse(json!([
            [1.5, 42.5, 1000],
            [1.6, 42.5, 1010.5],
            [1.5, 42.5, 1000]
        ]))
        .unwrap();
        assert_eq!(g.elevations(), Some(&[1000.0, 1010.5, 1000.0][..]));
        let mixed = parse(json!([[1.5, 42.5, 1000], [1.6, 42.5], [1.5, 42.5, 1000]])).unwrap();
        assert_eq!(mixed.elevations(), None, "not every position has one");
        for bad in [json!(9001), json!(-501), json!("high"), json!(null)] {
            let c = json!([[1.5, 42.5, 1000], [1.6, 42.5, bad], [1.5, 42.5, 1000]]);
            assert_eq!(parse(c.clone()).unwrap_err().field, "g.coordinates[1]");
            // A plan stored before elevations were checked still reads, without them.
            let stored = json!({"type": "LineString", "coordinates": c});
            let g = LoopGeometry::parse_stored(Some(&stored), "g").unwrap();
            assert_eq!((g.coords().len(), g.elevations()), (3, None));
        }
    }
}
