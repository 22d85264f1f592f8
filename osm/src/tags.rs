//! What OSM tags mean for the walking network: which ways walkers may use, which roads
//! cars drive, which features are trailheads or points of interest.

use trailloop_places::PoiKind;

use crate::{
    HighlightKind, Highway, LandKind, PoiDetails, SacScale, SettlementKind, WayConditions,
};

/// Looks a key up in a tag list.
pub(crate) fn tag<'a>(tags: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| *k == key).map(|&(_, v)| v)
}

/// The attributes a kept way passes on to its edges.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WayAttrs {
    pub highway: Highway,
    pub name: Option<String>,
    pub sac_scale: Option<SacScale>,
    pub surface: Option<String>,
    pub trail_visibility: Option<String>,
    pub access: Option<String>,
    /// A sidewalk or crossing: walkable, but no one starts a hike from it.
    pub urban_footway: bool,
    /// What may close it to walkers on some dates.
    pub conditions: WayConditions,
}

/// The highway classes hikers come for, as opposed to roads that link them.
pub(crate) fn is_trail_class(h: Highway) -> bool {
    matches!(
        h,
        Highway::Path
            | Highway::Footway
            | Highway::Track
            | Highway::Bridleway
            | Highway::Steps
            | Highway::Cycleway
    )
}

fn forbids(value: Option<&str>) -> bool {
    matches!(value, Some("no" | "private"))
}

/// The attributes of a way walkers may use, `None` for any other way.
pub(crate) fn walkable(tags: &[(&str, &str)]) -> Option<WayAttrs> {
    let highway = Highway::from_tag(tag(tags, "highway")?)?;
    if tag(tags, "area") == Some("yes") {
        return None;
    }
    let foot = tag(tags, "foot");
    if forbids(foot) {
        return None;
    }
    let access = tag(tags, "access");
    let foot_allowed = matches!(foot, Some("yes" | "designated" | "permissive"));
    if forbids(access) && !foot_allowed {
        return None;
    }
    let owned = |key: &str| tag(tags, key).map(str::to_owned);
    Some(WayAttrs {
        highway,
        name: owned("name").or_else(|| owned("ref")),
        sac_scale: tag(tags, "sac_scale").and_then(SacScale::from_tag),
        surface: owned("surface"),
        trail_visibility: owned("trail_visibility"),
        access: access.map(str::to_owned),
        urban_footway: highway == Highway::Footway
            && matches!(tag(tags, "footway"), Some("sidewalk" | "crossing")),
        conditions: WayConditions {
            foot_conditional: owned("foot:conditional"),
            // `foot=yes` allows walkers whatever `access` says, on any date.
            access_conditional: owned("access:conditional").filter(|_| !foot_allowed),
            seasonal: owned("seasonal"),
        },
    })
}

/// Whether a way is a road that cars may drive and stop by, walkable or not.
///
/// Motorways are left out: nobody parks on one to start a hike.
pub(crate) fn car_road(tags: &[(&str, &str)]) -> bool {
    let Some(highway) = tag(tags, "highway") else {
        return false;
    };
    let drivable = matches!(
        highway,
        "trunk"
            | "trunk_link"
            | "primary"
            | "primary_link"
            | "secondary"
            | "secondary_link"
            | "tertiary"
            | "tertiary_link"
            | "unclassified"
            | "residential"
            | "living_street"
            | "service"
            | "road"
    );
    drivable
        && tag(tags, "area") != Some("yes")
        && !forbids(tag(tags, "access"))
        && !forbids(tag(tags, "vehicle"))
        && !forbids(tag(tags, "motor_vehicle"))
        && !forbids(tag(tags, "motorcar"))
}

/// What kind of place to sleep or water an element is, and the tag value that says so
/// (`alpine_hut`, `lean_to`, ...), by the tags of [`trailloop_places::KINDS`]: a place
/// that is several things counts as the first of them there (hut, camp site, shelter,
/// lodging, water).
pub(crate) fn poi_kind<'a>(tags: &[(&'a str, &'a str)]) -> Option<(PoiKind, &'a str)> {
    PoiKind::from_osm(|key| tag(tags, key))
}

/// What OSM says of a place beyond its kind.
pub(crate) fn poi_details(tags: &[(&str, &str)], osm_tag: &str) -> PoiDetails {
    let owned = |key: &str| tag(tags, key).map(str::to_owned);
    PoiDetails {
        osm_tag: osm_tag.to_owned(),
        fee: owned("fee"),
        access: owned("access"),
        opening_hours: owned("opening_hours"),
        capacity: owned("capacity"),
        drinking_water: owned("drinking_water"),
        website: owned("website").or_else(|| owned("contact:website")),
        seasonal: owned("seasonal"),
        winter_room: owned("winter_room"),
    }
}

/// A mapped feature the network cares about besides ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FeatureKind {
    Trailhead,
    Parking,
    Poi(PoiKind),
    Highlight(HighlightKind),
    /// A named town, village, ... (`place=*`), for the place search.
    Settlement(SettlementKind),
}

/// What kind of nature an area is, if any: the land cover that makes a walk "in nature".
pub(crate) fn land_kind(tags: &[(&str, &str)]) -> Option<LandKind> {
    match (
        tag(tags, "landuse"),
        tag(tags, "natural"),
        tag(tags, "leisure"),
    ) {
        (Some("forest"), _, _) | (_, Some("wood"), _) => Some(LandKind::Forest),
        (_, Some("water"), _) => Some(LandKind::Water),
        (_, Some("wetland"), _) => Some(LandKind::Water),
        (
            _,
            Some(
                "grassland" | "heath" | "scrub" | "bare_rock" | "glacier" | "scree" | "fell"
                | "shingle" | "rock",
            ),
            _,
        )
        | (Some("meadow"), _, _) => Some(LandKind::Open),
        (_, _, Some("park" | "nature_reserve")) => Some(LandKind::Protected),
        _ if matches!(
            tag(tags, "boundary"),
            Some("protected_area" | "national_park")
        ) =>
        {
            Some(LandKind::Protected)
        }
        _ => None,
    }
}

/// `ele=*` in metres, when it is a plain number (`2942`, `2942.5`, `2942 m`).
pub(crate) fn elevation(tags: &[(&str, &str)]) -> Option<f64> {
    let v = tag(tags, "ele")?.trim().trim_end_matches('m').trim();
    v.parse::<f64>()
        .ok()
        .filter(|e| e.is_finite() && (-500.0..9000.0).contains(e))
}

/// Whether a way is a watercourse a walk beside counts as "by the water".
pub(crate) fn waterway_line(tags: &[(&str, &str)]) -> bool {
    matches!(
        tag(tags, "waterway"),
        Some("river" | "stream" | "canal" | "brook")
    )
}

/// A lake (or reservoir, or pond) worth naming as a highlight.
pub(crate) fn is_lake(tags: &[(&str, &str)]) -> bool {
    tag(tags, "natural") == Some("water")
        && matches!(
            tag(tags, "water"),
            None | Some("lake" | "reservoir" | "pond")
        )
        && tag(tags, "name").is_some()
}

/// What a tagged element is for us, if anything. One element yields one feature; a hut
/// that is also tagged as a shelter counts as a hut.
pub(crate) fn feature(tags: &[(&str, &str)]) -> Option<FeatureKind> {
    if tag(tags, "highway") == Some("trailhead") {
        return Some(FeatureKind::Trailhead);
    }
    if tag(tags, "natural") == Some("peak") {
        return Some(FeatureKind::Highlight(HighlightKind::Peak));
    }
    if tag(tags, "tourism") == Some("viewpoint") {
        return Some(FeatureKind::Highlight(HighlightKind::Viewpoint));
    }
    if tag(tags, "waterway") == Some("waterfall") || tag(tags, "natural") == Some("waterfall") {
        return Some(FeatureKind::Highlight(HighlightKind::Waterfall));
    }
    let poi = poi_kind(tags).map(|(kind, _)| kind);
    let amenity = tag(tags, "amenity");
    match (poi, amenity) {
        (Some(p), _) => Some(FeatureKind::Poi(p)),
        // A car park hikers may not use is no trailhead.
        (None, Some("parking"))
            if !matches!(tag(tags, "access"), Some("private" | "no" | "customers")) =>
        {
            Some(FeatureKind::Parking)
        }
        // A place a hiker types the name of: only named, only when it is nothing else.
        _ => tag(tags, "place")
            .and_then(SettlementKind::from_tag)
            .filter(|_| tag(tags, "name").is_some_and(|n| !n.trim().is_empty()))
            .map(FeatureKind::Settlement),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foot_and_access_decide_walkability() {
        assert!(walkable(&[("highway", "path")]).is_some());
        assert!(walkable(&[("highway", "primary")]).is_none());
        assert!(walkable(&[("highway", "path"), ("foot", "no")]).is_none());
        assert!(walkable(&[("highway", "track"), ("access", "private")]).is_none());
        assert!(walkable(&[("highway", "track"), ("access", "no"), ("foot", "yes")]).is_some());
        assert!(walkable(&[("highway", "pedestrian"), ("area", "yes")]).is_none());
        let attrs = walkable(&[("highway", "path"), ("ref", "GR 11")]).unwrap();
        assert_eq!(attrs.name.as_deref(), Some("GR 11"));
    }

    #[test]
    fn car_roads_exclude_motorways_and_closed_roads() {
        assert!(car_road(&[("highway", "primary")]));
        assert!(car_road(&[("highway", "service")]));
        assert!(!car_road(&[("highway", "motorway")]));
        assert!(!car_road(&[("highway", "track")]));
        assert!(!car_road(&[("highway", "service"), ("access", "private")]));
    }

    #[test]
    fn land_cover_is_read_from_landuse_natural_leisure_and_boundary() {
        assert_eq!(land_kind(&[("landuse", "forest")]), Some(LandKind::Forest));
        assert_eq!(land_kind(&[("natural", "wood")]), Some(LandKind::Forest));
        assert_eq!(land_kind(&[("natural", "water")]), Some(LandKind::Water));
        assert_eq!(land_kind(&[("natural", "scree")]), Some(LandKind::Open));
        assert_eq!(
            land_kind(&[("boundary", "protected_area")]),
            Some(LandKind::Protected)
        );
        assert_eq!(land_kind(&[("landuse", "residential")]), None);
        assert!(waterway_line(&[("waterway", "stream")]));
        assert!(!waterway_line(&[("waterway", "ditch")]));
        assert!(is_lake(&[("natural", "water"), ("name", "Estany")]));
        assert!(!is_lake(&[
            ("natural", "water"),
            ("water", "river"),
            ("name", "x")
        ]));
    }

    #[test]
    fn features_prefer_the_most_specific_kind() {
        let hut = [("tourism", "wilderness_hut"), ("amenity", "shelter")];
        assert_eq!(feature(&hut), Some(FeatureKind::Poi(PoiKind::Hut)));
        assert_eq!(
            feature(&[("amenity", "parking")]),
            Some(FeatureKind::Parking)
        );
        assert_eq!(
            feature(&[("highway", "trailhead")]),
            Some(FeatureKind::Trailhead)
        );
        assert_eq!(
            feature(&[("natural", "peak")]),
            Some(FeatureKind::Highlight(HighlightKind::Peak))
        );
        assert_eq!(feature(&[("natural", "tree")]), None);
        let bus = [("amenity", "shelter"), ("shelter_type", "public_transport")];
        assert_eq!(feature(&bus), None);
        let picnic = [("amenity", "shelter"), ("shelter_type", "picnic_shelter")];
        assert_eq!(feature(&picnic), None);
        assert_eq!(
            feature(&[("amenity", "shelter")]),
            None,
            "a shelter of no known type"
        );
        let lean_to = [("amenity", "shelter"), ("shelter_type", "lean_to")];
        assert_eq!(feature(&lean_to), Some(FeatureKind::Poi(PoiKind::Shelter)));
        assert_eq!(
            feature(&[("tourism", "camp_pitch")]),
            Some(FeatureKind::Poi(PoiKind::CampSite))
        );
        assert_eq!(
            feature(&[("tourism", "guest_house")]),
            Some(FeatureKind::Poi(PoiKind::Lodging))
        );
        assert_eq!(
            feature(&[("man_made", "water_tap")]),
            Some(FeatureKind::Poi(PoiKind::WaterTap))
        );
        let hut = [
            ("tourism", "alpine_hut"),
            ("fee", "yes"),
            ("drinking_water", "yes"),
        ];
        let d = poi_details(&hut, "alpine_hut");
        assert_eq!(d.fee.as_deref(), Some("yes"));
        assert!(d.has_water(PoiKind::Hut));
        let private = [("amenity", "parking"), ("access", "private")];
        assert_eq!(feature(&private), None);
    }
}
