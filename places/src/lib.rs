//! The kinds of place TrailLoop knows: places to sleep and water sources.
//!
//! [`KINDS`] is the one list of them. Each row says what the kind is called on the wire
//! and in the database (`hut`, `camp_site`, ...), what people call it ("Hut", "huts"),
//! whether one sleeps there, whether it is water, whether a trip's nights go there when
//! the hiker does not say, the symbol GPS units know it by, and which OpenStreetMap tags
//! make an element one. The rows are in the order the tags are tried. Everything else
//! reads the list: the OSM importer, the store, the API (names, defaults, the OpenAPI
//! document), the GPX export and a plan's messages.
//!
//! # A new kind of place
//!
//! A new kind (to sleep at, or of water) is three files:
//!
//! 1. this one: a variant at the end of [`PoiKind`] (the embedded network's snapshot
//!    stores a kind by its position) and its row in [`KINDS`], where its tags rank among
//!    the others';
//! 2. the solver's `night_cost` (`solver/src/days.rs`): how much a night there is
//!    wanted against the other kinds;
//! 3. a migration that lets its name into the `pois.kind` column (its `CHECK`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use serde::{Deserialize, Serialize};

/// Kinds of points of interest that matter when planning a multi-day trip: places to
/// sleep and water. What each is, and the OSM tags it comes from, is its row in
/// [`KINDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoiKind {
    /// `tourism=alpine_hut|wilderness_hut`
    Hut,
    /// `tourism=camp_site|camp_pitch`
    CampSite,
    /// `amenity=shelter` with `shelter_type=basic_hut|lean_to` (not a bus stop, a
    /// picnic roof or a weather shelter).
    Shelter,
    /// `tourism=hostel|guest_house|hotel`: a fallback the hiker may allow.
    Lodging,
    /// `amenity=drinking_water`
    DrinkingWater,
    /// `natural=spring`
    Spring,
    /// `man_made=water_tap`
    WaterTap,
    /// `amenity=water_point`
    WaterPoint,
}

/// One kind of place, as every part of TrailLoop knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The kind.
    pub kind: PoiKind,
    /// Its name on the wire and in the database (`camp_site`); serde's name of the
    /// variant.
    pub name: &'static str,
    /// What a person calls one ("Camp site").
    pub label: &'static str,
    /// What a person calls several, in a sentence ("camp sites").
    pub plural: &'static str,
    /// Whether one can sleep there.
    pub overnight: bool,
    /// Whether it is a water source (huts with `drinking_water=yes` give water too).
    pub water: bool,
    /// Whether a trip's nights may be spent there when the hiker does not say where.
    pub default_night: bool,
    /// The waypoint symbol GPS units and apps know it by in a GPX file (`<sym>`).
    pub gpx_symbol: &'static str,
    /// The OSM tags that make an element one.
    pub osm: OsmTags,
}

/// A tag key and the values of it that count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagValues {
    /// The key (`tourism`).
    pub key: &'static str,
    /// The values that count (`alpine_hut`, `wilderness_hut`).
    pub values: &'static [&'static str],
}

impl TagValues {
    /// The element's value of the key, when it is one that counts (`tag` looks a key up
    /// in the element's tags).
    pub fn find<'a>(&self, tag: impl Fn(&str) -> Option<&'a str>) -> Option<&'a str> {
        tag(self.key).filter(|v| self.values.contains(v))
    }
}

/// Which OSM tags make an element a kind of place: a tag, and optionally a second one
/// that must also hold (`amenity=shelter` is a place to sleep only with
/// `shelter_type=basic_hut|lean_to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OsmTags {
    /// The tag that says what the element is.
    pub tag: TagValues,
    /// A second tag that must also hold. An element with the first tag but not this one
    /// is no place at all (a bus shelter is no lodging even when also tagged a hotel):
    /// the rows after this one are not tried.
    pub and: Option<TagValues>,
}

const fn tags(key: &'static str, values: &'static [&'static str]) -> OsmTags {
    OsmTags {
        tag: TagValues { key, values },
        and: None,
    }
}

/// Every kind of place, in the order OSM tags are tried: an element that is several
/// things is the first of them (a wilderness hut also tagged a shelter is a hut).
pub const KINDS: &[Kind] = &[
    Kind {
        kind: PoiKind::Hut,
        name: "hut",
        label: "Hut",
        plural: "huts",
        overnight: true,
        water: false,
        default_night: true,
        gpx_symbol: "Lodging",
        osm: tags("tourism", &["alpine_hut", "wilderness_hut"]),
    },
    Kind {
        kind: PoiKind::CampSite,
        name: "camp_site",
        label: "Camp site",
        plural: "camp sites",
        overnight: true,
        water: false,
        default_night: true,
        gpx_symbol: "Campground",
        osm: tags("tourism", &["camp_site", "camp_pitch"]),
    },
    Kind {
        kind: PoiKind::Shelter,
        name: "shelter",
        label: "Shelter",
        plural: "shelters",
        overnight: true,
        water: false,
        default_night: true,
        gpx_symbol: "Lodging",
        // Only shelters one can sleep in: not a bus stop, a picnic roof or a storm roof.
        osm: OsmTags {
            tag: TagValues {
                key: "amenity",
                values: &["shelter"],
            },
            and: Some(TagValues {
                key: "shelter_type",
                values: &["basic_hut", "lean_to"],
            }),
        },
    },
    Kind {
        kind: PoiKind::Lodging,
        name: "lodging",
        label: "Lodging",
        plural: "hostels, guest houses or hotels",
        overnight: true,
        water: false,
        default_night: false,
        gpx_symbol: "Lodging",
        osm: tags("tourism", &["hostel", "guest_house", "hotel"]),
    },
    Kind {
        kind: PoiKind::DrinkingWater,
        name: "drinking_water",
        label: "Drinking water",
        plural: "drinking fountains",
        overnight: false,
        water: true,
        default_night: false,
        gpx_symbol: "Drinking Water",
        osm: tags("amenity", &["drinking_water"]),
    },
    Kind {
        kind: PoiKind::WaterPoint,
        name: "water_point",
        label: "Water point",
        plural: "water points",
        overnight: false,
        water: true,
        default_night: false,
        gpx_symbol: "Drinking Water",
        osm: tags("amenity", &["water_point"]),
    },
    Kind {
        kind: PoiKind::Spring,
        name: "spring",
        label: "Spring",
        plural: "springs",
        overnight: false,
        water: true,
        default_night: false,
        gpx_symbol: "Drinking Water",
        osm: tags("natural", &["spring"]),
    },
    Kind {
        kind: PoiKind::WaterTap,
        name: "water_tap",
        label: "Water tap",
        plural: "water taps",
        overnight: false,
        water: true,
        default_night: false,
        gpx_symbol: "Drinking Water",
        osm: tags("man_made", &["water_tap"]),
    },
];

/// How many kinds are nights by default.
const fn default_nights() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < KINDS.len() {
        if KINDS[i].default_night {
            n += 1;
        }
        i += 1;
    }
    n
}

impl PoiKind {
    /// Every kind, in the order of [`KINDS`].
    pub const ALL: [PoiKind; KINDS.len()] = {
        let mut all = [PoiKind::Hut; KINDS.len()];
        let mut i = 0;
        while i < KINDS.len() {
            all[i] = KINDS[i].kind;
            i += 1;
        }
        all
    };

    /// Where a trip's nights may be spent when the hiker does not say, in the order of
    /// [`KINDS`].
    pub const DEFAULT_NIGHTS: [PoiKind; default_nights()] = {
        let mut out = [PoiKind::Hut; default_nights()];
        let (mut i, mut n) = (0, 0);
        while i < KINDS.len() {
            if KINDS[i].default_night {
                out[n] = KINDS[i].kind;
                n += 1;
            }
            i += 1;
        }
        out
    };

    /// Its row in [`KINDS`].
    pub const fn row(self) -> &'static Kind {
        let mut i = 0;
        while i < KINDS.len() {
            if KINDS[i].kind as u8 == self as u8 {
                return &KINDS[i];
            }
            i += 1;
        }
        panic!("a kind of place without its row in KINDS")
    }

    /// The kind named by [`PoiKind::as_str`].
    pub fn parse(name: &str) -> Option<PoiKind> {
        KINDS.iter().find(|r| r.name == name).map(|r| r.kind)
    }

    /// The name stored in the database and shown in the API (`camp_site`).
    pub const fn as_str(self) -> &'static str {
        self.row().name
    }

    /// What a person calls one ("Camp site").
    pub const fn label(self) -> &'static str {
        self.row().label
    }

    /// What a person calls several, in a sentence ("camp sites").
    pub const fn plural(self) -> &'static str {
        self.row().plural
    }

    /// Whether one can sleep there.
    pub const fn is_overnight(self) -> bool {
        self.row().overnight
    }

    /// Whether it is a water source (huts with `drinking_water=yes` give water too).
    pub const fn is_water(self) -> bool {
        self.row().water
    }

    /// Whether a trip's nights may be spent there when the hiker does not say where.
    pub const fn is_default_night(self) -> bool {
        self.row().default_night
    }

    /// The waypoint symbol GPS units and apps know it by (`Campground`).
    pub const fn gpx_symbol(self) -> &'static str {
        self.row().gpx_symbol
    }

    /// The kinds one can sleep at, in the order of [`KINDS`].
    pub fn nights() -> impl Iterator<Item = PoiKind> {
        KINDS.iter().filter(|r| r.overnight).map(|r| r.kind)
    }

    /// What kind of place an OSM element is, and the tag value it is recognised by
    /// (`alpine_hut`, `camp_pitch`, `lean_to`: the second tag's value where the row has
    /// one); `tag` looks a key up in the element's tags. The rows of [`KINDS`] are tried
    /// in order: the first whose tag the element has decides.
    pub fn from_osm<'a>(tag: impl Fn(&str) -> Option<&'a str>) -> Option<(PoiKind, &'a str)> {
        for row in KINDS {
            let Some(value) = row.osm.tag.find(&tag) else {
                continue;
            };
            return match &row.osm.and {
                None => Some((row.kind, value)),
                Some(and) => and.find(&tag).map(|v| (row.kind, v)),
            };
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails to compile when a variant is added: give it its row in [`KINDS`] (the
    /// tests below then check the row).
    fn listed(kind: PoiKind) -> bool {
        match kind {
            PoiKind::Hut
            | PoiKind::CampSite
            | PoiKind::Shelter
            | PoiKind::Lodging
            | PoiKind::DrinkingWater
            | PoiKind::Spring
            | PoiKind::WaterTap
            | PoiKind::WaterPoint => PoiKind::ALL.contains(&kind),
        }
    }

    fn of(tags: &[(&'static str, &'static str)]) -> Option<(PoiKind, &'static str)> {
        PoiKind::from_osm(|key| tags.iter().find(|(k, _)| *k == key).map(|&(_, v)| v))
    }

    #[test]
    fn every_kind_has_one_row_and_round_trips_by_name() {
        assert_eq!(PoiKind::ALL.len(), 8);
        for (i, kind) in PoiKind::ALL.into_iter().enumerate() {
            assert!(listed(kind));
            assert_eq!(kind.row(), &KINDS[i]);
            assert_eq!(PoiKind::ALL.iter().filter(|&&k| k == kind).count(), 1);
            assert_eq!(PoiKind::parse(kind.as_str()), Some(kind));
            // The wire and the database name a kind as serde does.
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<PoiKind>(&json).unwrap(), kind);
            assert!(!kind.label().is_empty() && !kind.plural().is_empty());
            assert!(!kind.gpx_symbol().is_empty());
            assert!(kind.is_overnight() != kind.is_water(), "{kind:?}");
            assert!(!kind.is_default_night() || kind.is_overnight(), "{kind:?}");
        }
        assert_eq!(PoiKind::parse("campsite"), None);
        assert_eq!(PoiKind::parse("Hut"), None);
        assert_eq!(PoiKind::CampSite.as_str(), "camp_site");
        assert_eq!(PoiKind::CampSite.label(), "Camp site");
        assert_eq!(PoiKind::CampSite.plural(), "camp sites");
    }

    #[test]
    fn the_nights_are_the_places_to_sleep_and_default_to_all_but_lodging() {
        let nights: Vec<PoiKind> = PoiKind::nights().collect();
        assert_eq!(
            nights,
            [
                PoiKind::Hut,
                PoiKind::CampSite,
                PoiKind::Shelter,
                PoiKind::Lodging
            ]
        );
        assert_eq!(
            PoiKind::DEFAULT_NIGHTS,
            [PoiKind::Hut, PoiKind::CampSite, PoiKind::Shelter]
        );
        assert!(PoiKind::Spring.is_water() && !PoiKind::Spring.is_overnight());
    }

    #[test]
    fn gpx_symbols_tell_camp_sites_from_roofs() {
        assert_eq!(PoiKind::CampSite.gpx_symbol(), "Campground");
        for kind in [PoiKind::Hut, PoiKind::Shelter, PoiKind::Lodging] {
            assert_eq!(kind.gpx_symbol(), "Lodging");
        }
        assert_eq!(PoiKind::Spring.gpx_symbol(), "Drinking Water");
    }

    #[test]
    fn osm_tags_give_the_kind_and_the_value_it_is_recognised_by() {
        assert_eq!(
            of(&[("tourism", "alpine_hut")]),
            Some((PoiKind::Hut, "alpine_hut"))
        );
        assert_eq!(
            of(&[("tourism", "camp_pitch")]),
            Some((PoiKind::CampSite, "camp_pitch"))
        );
        assert_eq!(
            of(&[("amenity", "shelter"), ("shelter_type", "lean_to")]),
            Some((PoiKind::Shelter, "lean_to"))
        );
        assert_eq!(
            of(&[("tourism", "guest_house")]),
            Some((PoiKind::Lodging, "guest_house"))
        );
        assert_eq!(
            of(&[("man_made", "water_tap")]),
            Some((PoiKind::WaterTap, "water_tap"))
        );
        assert_eq!(of(&[("tourism", "viewpoint")]), None);
        assert_eq!(of(&[("natural", "peak"), ("name", "Pic")]), None);
    }

    #[test]
    fn an_element_that_is_several_things_is_the_first_in_the_list() {
        let hut_and_shelter = [
            ("amenity", "shelter"),
            ("shelter_type", "basic_hut"),
            ("tourism", "wilderness_hut"),
        ];
        assert_eq!(of(&hut_and_shelter), Some((PoiKind::Hut, "wilderness_hut")));
        let camp_with_water = [("amenity", "drinking_water"), ("tourism", "camp_site")];
        assert_eq!(of(&camp_with_water), Some((PoiKind::CampSite, "camp_site")));
        let lean_to_hotel = [
            ("tourism", "hotel"),
            ("amenity", "shelter"),
            ("shelter_type", "lean_to"),
        ];
        assert_eq!(of(&lean_to_hotel), Some((PoiKind::Shelter, "lean_to")));
        let tapped_spring = [("man_made", "water_tap"), ("natural", "spring")];
        assert_eq!(of(&tapped_spring), Some((PoiKind::Spring, "spring")));
        let point_at_spring = [("natural", "spring"), ("amenity", "water_point")];
        assert_eq!(
            of(&point_at_spring),
            Some((PoiKind::WaterPoint, "water_point"))
        );
    }

    #[test]
    fn a_shelter_of_no_sleeping_type_is_no_place_whatever_else_it_is() {
        assert_eq!(of(&[("amenity", "shelter")]), None);
        let bus = [("amenity", "shelter"), ("shelter_type", "public_transport")];
        assert_eq!(of(&bus), None);
        // The first tag decided what it is: the rows after the shelter's are not tried.
        let hotel_roof = [
            ("amenity", "shelter"),
            ("shelter_type", "weather_shelter"),
            ("tourism", "hotel"),
        ];
        assert_eq!(of(&hotel_roof), None);
        let spring_roof = [("amenity", "shelter"), ("natural", "spring")];
        assert_eq!(of(&spring_roof), None);
    }
}
