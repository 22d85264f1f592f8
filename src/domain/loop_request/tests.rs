use trailloop_osm::SacScale;
use trailloop_places::PoiKind;

use super::check::parse_sac_scale;
use super::wire::parse_avoid_roads;
use super::*;
use serde_json::json;

fn body(json: serde_json::Value) -> Result<LoopRequest, Vec<FieldError>> {
    LoopRequest::try_from(serde_json::from_value::<LoopRequestBody>(json).unwrap())
}

fn fields(r: Result<LoopRequest, Vec<FieldError>>) -> Vec<String> {
    r.unwrap_err().into_iter().map(|e| e.field).collect()
}

#[test]
fn the_example_request_gets_the_defaults() {
    let r = body(serde_json::json!({
        "origin": {"lat": 42.5078, "lon": 1.5211},
        "max_drive_km": 25, "target_km": 20, "max_results": 3
    }))
    .unwrap();
    assert_eq!(r.hike.target_m, 20_000.0);
    assert_eq!(r.hike.tolerance, 0.05);
    assert_eq!((r.hike.max_results, r.hike.days, r.hike.seed), (3, 1, 0));
    assert_eq!(
        (
            r.hike.preferences.avoid_roads,
            r.hike.preferences.scenery,
            r.hike.preferences.hills
        ),
        (1.0, 0.5, 0.0),
        "a good hike without being asked: roads avoided, some scenery"
    );
    assert!(r.hike.preferences.max_sac_grade.is_none());
}

#[test]
fn every_bad_field_is_named_at_once() {
    let f = fields(body(serde_json::json!({
        "origin": {"lat": 95, "lon": 1},
        "max_drive_km": -3, "target_km": 301, "max_results": 0, "tolerance": 0.9,
        "days": 20, "preferences": {"max_sac_scale": "T9", "max_ascent_m": -1}
    })));
    assert_eq!(
        f,
        [
            "origin.lat",
            "max_drive_km",
            "target_km",
            "tolerance",
            "max_results",
            "days",
            "preferences.max_sac_scale",
            "preferences.max_ascent_m"
        ]
    );
}

#[test]
fn preferences_take_flags_strengths_and_bounded_numbers() {
    let with = |p: serde_json::Value| {
        body(serde_json::json!({
            "origin": {"lat": 42.5, "lon": 1.5}, "max_drive_km": 25, "target_km": 10,
            "preferences": p
        }))
    };
    assert_eq!(
        with(json!({"avoid_roads": false}))
            .unwrap()
            .hike
            .preferences
            .avoid_roads,
        0.0
    );
    assert_eq!(
        with(json!({"avoid_roads": 0.3}))
            .unwrap()
            .hike
            .preferences
            .avoid_roads,
        0.3
    );
    let r = with(json!({"scenery": 1, "hills": -1})).unwrap();
    assert_eq!(
        (r.hike.preferences.scenery, r.hike.preferences.hills),
        (1.0, -1.0)
    );
    assert_eq!(
        fields(with(
            json!({"avoid_roads": 2, "scenery": -0.1, "hills": 1.5})
        )),
        [
            "preferences.avoid_roads",
            "preferences.scenery",
            "preferences.hills"
        ]
    );
    let q: LoopQuery =
        serde_urlencoded::from_str("lat=42.5&lon=1.5&max_drive_km=5&target_km=5&avoid_roads=0.5")
            .unwrap();
    assert_eq!(
        LoopRequest::try_from(q)
            .unwrap()
            .hike
            .preferences
            .avoid_roads,
        0.5
    );
    let q: LoopQuery =
        serde_urlencoded::from_str("lat=42.5&lon=1.5&max_drive_km=5&target_km=5&avoid_roads=maybe")
            .unwrap();
    assert_eq!(fields(LoopRequest::try_from(q)), ["avoid_roads"]);
    // Exactly the schema's pattern: what it refuses, the service refuses.
    assert_eq!(parse_avoid_roads("0.25"), AvoidRoads::Strength(0.25));
    assert_eq!(parse_avoid_roads("1"), AvoidRoads::Strength(1.0));
    for off_pattern in ["1e-1", ".5", " 0.5", "0.", "0.1234567", "TRUE"] {
        assert!(
            matches!(parse_avoid_roads(off_pattern), AvoidRoads::Strength(x) if x.is_nan()),
            "{off_pattern}"
        );
    }
}

#[test]
fn days_times_max_day_must_reach_the_target() {
    let base = serde_json::json!({
        "origin": {"lat": 42.5, "lon": 1.5}, "max_drive_km": 25, "target_km": 60,
        "days": 2, "max_day_km": 20
    });
    assert_eq!(fields(body(base.clone())), ["max_day_km"]);
    let mut ok = base;
    ok["days"] = 3.into();
    assert_eq!(
        body(ok).unwrap().hike.day_limits.max_m.unwrap() / 1000.0,
        20.0
    );
}

#[test]
fn day_limits_are_checked_against_each_other_and_the_target() {
    let with = |extra: serde_json::Value| {
        let mut b = json!({
            "origin": {"lat": 42.5, "lon": 1.5}, "max_drive_km": 25, "target_km": 60,
            "days": 3
        });
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        body(b)
    };
    let r = with(json!({"max_day_hours": 7, "max_day_ascent_m": 1200})).unwrap();
    assert_eq!(r.hike.day_limits.max_hours, Some(7.0));
    assert_eq!(r.hike.day_limits.max_ascent_m, Some(1200.0));
    // Three days of 3 h walk 45 km at most on the flat: not 60.
    assert_eq!(fields(with(json!({"max_day_hours": 3}))), ["max_day_hours"]);
    assert_eq!(
        fields(with(json!({"max_day_hours": 0, "max_day_ascent_m": -5}))),
        ["max_day_hours", "max_day_ascent_m"]
    );
    // A day that may not climb at all is no plan: a 422 naming it, never the solver's
    // refusal (which answered 500).
    assert_eq!(
        fields(with(json!({"max_day_ascent_m": 0}))),
        ["max_day_ascent_m"]
    );
    assert!(with(json!({"max_day_ascent_m": 0.5})).is_ok());
}

#[test]
fn overnight_kinds_default_to_wild_places_and_reject_others() {
    let with = |p: serde_json::Value| {
        body(json!({
            "origin": {"lat": 42.5, "lon": 1.5}, "max_drive_km": 25, "target_km": 40,
            "days": 2, "preferences": p
        }))
    };
    let r = with(json!({})).unwrap();
    assert_eq!(r.hike.overnight, DEFAULT_OVERNIGHT);
    assert!(!r.hike.base_camp);
    let r = with(json!({"overnight": ["lodging", "hut", "hut"], "base_camp": true})).unwrap();
    assert_eq!(r.hike.overnight, [PoiKind::Lodging, PoiKind::Hut]);
    assert!(r.hike.base_camp);
    assert_eq!(
        fields(with(json!({"overnight": ["spring"]}))),
        ["preferences.overnight"],
        "a spring is water, not a bed"
    );
    assert_eq!(
        fields(with(json!({"overnight": []}))),
        ["preferences.overnight"]
    );
    let q: LoopQuery = serde_urlencoded::from_str(
        "lat=42.5&lon=1.5&max_drive_km=5&target_km=30&days=2&overnight=camp_site,shelter",
    )
    .unwrap();
    assert_eq!(
        LoopRequest::try_from(q).unwrap().hike.overnight,
        [PoiKind::CampSite, PoiKind::Shelter]
    );
}

#[test]
fn sac_grades_parse_by_osm_name_or_t_number() {
    assert_eq!(parse_sac_scale("T2"), Some(SacScale::MountainHiking));
    assert_eq!(parse_sac_scale("T6"), Some(SacScale::DifficultAlpineHiking));
    assert_eq!(parse_sac_scale("t6"), None, "as the schema's enum has it");
    assert_eq!(parse_sac_scale(" T2"), None);
    assert_eq!(
        parse_sac_scale("alpine_hiking"),
        Some(SacScale::AlpineHiking)
    );
    assert_eq!(parse_sac_scale("T0"), None);
    assert_eq!(parse_sac_scale("easy"), None);
}

#[test]
fn query_fields_are_named_as_in_the_query() {
    let q: LoopQuery = serde_urlencoded::from_str(
        "origin.lat=NaN&lon=1&max_drive_km=inf&target_km=10&max_sac_scale=x",
    )
    .unwrap();
    assert_eq!(
        fields(LoopRequest::try_from(q)),
        ["lat", "max_drive_km", "max_sac_scale"]
    );
}

#[test]
fn the_steepest_grade_is_a_bounded_percentage_in_both_forms() {
    let with = |g: serde_json::Value| {
        body(json!({
            "origin": {"lat": 42.5, "lon": 1.5}, "max_drive_km": 25, "target_km": 10,
            "preferences": {"max_grade_pct": g}
        }))
    };
    let r = with(json!(25)).unwrap();
    assert_eq!(r.hike.preferences.max_grade_pct, Some(25.0));
    assert_eq!(fields(with(json!(0.5))), ["preferences.max_grade_pct"]);
    assert_eq!(fields(with(json!(101))), ["preferences.max_grade_pct"]);
    let q: LoopQuery = serde_urlencoded::from_str(
        "lat=42.5&lon=1.5&max_drive_km=25&target_km=10&max_grade_pct=18.5",
    )
    .unwrap();
    let r = LoopRequest::try_from(q).unwrap();
    assert_eq!(r.hike.preferences.max_grade_pct, Some(18.5));
    let q: LoopQuery = serde_urlencoded::from_str(
        "lat=42.5&lon=1.5&max_drive_km=25&target_km=10&max_grade_pct=200",
    )
    .unwrap();
    assert_eq!(fields(LoopRequest::try_from(q)), ["max_grade_pct"]);
}
