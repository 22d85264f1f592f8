//! The judge's own reading of the extract's places to sleep and water: every element's
//! tags and points, straight from the PBF (osmpbf's element reader, not the product's
//! importer), and what the OSM wiki says those tags make of it.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use osmpbf::{Element, ElementReader, RelMemberType};

/// An element's tags, as read.
type Tags = Vec<(String, String)>;

/// `node`, `way` or `relation`, and the id.
pub type ElementId = (&'static str, i64);

/// An element with the tags of a place to sleep or of water.
#[derive(Debug, Clone)]
pub struct Place {
    /// Every tag.
    pub tags: HashMap<String, String>,
    /// Its point (a node), or the points of its ways (an area).
    pub points: Vec<[f64; 2]>,
}

impl Place {
    /// A tag's value.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.get(key).map(String::as_str)
    }

    /// The middle of its points' box.
    pub fn centre(&self) -> [f64; 2] {
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for p in &self.points {
            for i in 0..2 {
                lo[i] = lo[i].min(p[i]);
                hi[i] = hi[i].max(p[i]);
            }
        }
        [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0]
    }
}

/// Whether tags make an element a place to sleep or water.
fn interesting(tags: &[(&str, &str)]) -> bool {
    tags.iter().any(|&(k, v)| {
        matches!(
            (k, v),
            (
                "tourism",
                "alpine_hut"
                    | "wilderness_hut"
                    | "camp_site"
                    | "camp_pitch"
                    | "hostel"
                    | "guest_house"
                    | "hotel"
            ) | ("amenity", "shelter" | "drinking_water" | "water_point")
                | ("natural", "spring")
                | ("man_made", "water_tap")
        )
    })
}

/// The kind of night a place offers by its tags, as the request names kinds: `hut`,
/// `camp_site`, `shelter` (only a basic hut or a lean-to: not a bus stop or a picnic
/// roof) or `lodging`.
pub fn overnight_kind(p: &Place) -> Option<&'static str> {
    match (p.tag("tourism"), p.tag("amenity"), p.tag("shelter_type")) {
        (Some("alpine_hut" | "wilderness_hut"), _, _) => Some("hut"),
        (Some("camp_site" | "camp_pitch"), _, _) => Some("camp_site"),
        (_, Some("shelter"), Some("basic_hut" | "lean_to")) => Some("shelter"),
        (Some("hostel" | "guest_house" | "hotel"), _, _) => Some("lodging"),
        _ => None,
    }
}

/// Whether a place gives drinking water by its tags.
pub fn gives_water(p: &Place) -> bool {
    matches!(p.tag("amenity"), Some("drinking_water" | "water_point"))
        || p.tag("natural") == Some("spring")
        || p.tag("man_made") == Some("water_tap")
        || p.tag("drinking_water") == Some("yes")
}

/// Every place to sleep and every water source of an extract.
pub struct Places {
    by_id: HashMap<ElementId, Place>,
}

impl Places {
    /// Reads `pbf` in three passes: relations, then ways, then nodes.
    pub fn read(pbf: &Path) -> Places {
        let tags_of = |t: &mut dyn Iterator<Item = (&str, &str)>| -> Vec<(String, String)> {
            t.map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
        };
        let owned =
            |t: &[(String, String)]| -> HashMap<String, String> { t.iter().cloned().collect() };
        let borrowed = |t: &[(String, String)]| -> bool {
            let v: Vec<(&str, &str)> = t.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            interesting(&v)
        };
        // Relations and their member ways.
        let mut relations: Vec<(i64, Tags, Vec<i64>)> = Vec::new();
        ElementReader::from_path(pbf)
            .expect("the extract")
            .for_each(|e| {
                if let Element::Relation(r) = e {
                    let tags = tags_of(&mut r.tags());
                    if borrowed(&tags) {
                        let ways = r
                            .members()
                            .filter(|m| m.member_type == RelMemberType::Way)
                            .map(|m| m.member_id)
                            .collect();
                        relations.push((r.id(), tags, ways));
                    }
                }
            })
            .expect("reading relations");
        let member_ways: HashSet<i64> = relations.iter().flat_map(|r| r.2.clone()).collect();
        // Ways of interest or of those relations, with their node refs.
        let mut ways: HashMap<i64, (Tags, Vec<i64>)> = HashMap::new();
        ElementReader::from_path(pbf)
            .expect("the extract")
            .for_each(|e| {
                if let Element::Way(w) = e {
                    let tags = tags_of(&mut w.tags());
                    if borrowed(&tags) || member_ways.contains(&w.id()) {
                        ways.insert(w.id(), (tags, w.refs().collect()));
                    }
                }
            })
            .expect("reading ways");
        let wanted_nodes: HashSet<i64> = ways.values().flat_map(|w| w.1.clone()).collect();
        let mut coords: HashMap<i64, [f64; 2]> = HashMap::new();
        let mut by_id: HashMap<ElementId, Place> = HashMap::new();
        let mut node = |id: i64, lon: f64, lat: f64, tags: Vec<(String, String)>| {
            if wanted_nodes.contains(&id) {
                coords.insert(id, [lon, lat]);
            }
            if borrowed(&tags) {
                by_id.insert(
                    ("node", id),
                    Place {
                        tags: owned(&tags),
                        points: vec![[lon, lat]],
                    },
                );
            }
        };
        ElementReader::from_path(pbf)
            .expect("the extract")
            .for_each(|e| match e {
                Element::Node(n) => node(n.id(), n.lon(), n.lat(), tags_of(&mut n.tags())),
                Element::DenseNode(n) => node(n.id(), n.lon(), n.lat(), tags_of(&mut n.tags())),
                _ => {}
            })
            .expect("reading nodes");
        let points = |refs: &[i64]| -> Vec<[f64; 2]> {
            refs.iter().filter_map(|r| coords.get(r).copied()).collect()
        };
        for (id, (tags, refs)) in &ways {
            if borrowed(tags) {
                by_id.insert(
                    ("way", *id),
                    Place {
                        tags: owned(tags),
                        points: points(refs),
                    },
                );
            }
        }
        for (id, tags, members) in &relations {
            let pts = members
                .iter()
                .filter_map(|w| ways.get(w))
                .flat_map(|w| points(&w.1))
                .collect();
            by_id.insert(
                ("relation", *id),
                Place {
                    tags: owned(tags),
                    points: pts,
                },
            );
        }
        Places { by_id }
    }

    /// The element `osm_type` (`node`, `way`, `relation`) `id`, if it is a place to
    /// sleep or water.
    pub fn get(&self, osm_type: &str, id: i64) -> Option<&Place> {
        let t = match osm_type {
            "node" => "node",
            "way" => "way",
            "relation" => "relation",
            _ => return None,
        };
        self.by_id.get(&(t, id))
    }

    /// Every place.
    pub fn iter(&self) -> impl Iterator<Item = &Place> + '_ {
        self.by_id.values()
    }

    /// How many places of each night kind there are.
    pub fn count_overnight(&self, kind: &str) -> usize {
        self.by_id
            .values()
            .filter(|p| overnight_kind(p) == Some(kind))
            .count()
    }
}
