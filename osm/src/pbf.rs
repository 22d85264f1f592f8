//! Reads what the network needs out of an OSM PBF file, in three parallel passes over
//! its blobs: relations and tagged nodes, then ways, then the locations of the nodes
//! those ways use. Blobs are decoded on rayon's pool; results are sorted by OSM id
//! afterwards so thread scheduling never shows in the output.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use osmpbf::{Blob, BlobDecode, BlobReader, PrimitiveBlock, RelMemberType};
use rayon::prelude::*;

use crate::relations::{centroid, close_rings, route_names};
use crate::tags::{self, FeatureKind, WayAttrs};
use crate::{Coord, LandKind, OsmError, PoiDetails};

/// A way walkers may use.
#[derive(Debug, Clone)]
pub(crate) struct WalkWay {
    /// The OSM way id; negative for a line of an operator's own source.
    pub id: i64,
    pub refs: Vec<i64>,
    pub attrs: WayAttrs,
    /// For a source's line: `file#id`.
    pub source_ref: Option<String>,
}

/// A way cars may drive.
#[derive(Debug, Clone)]
pub(crate) struct RoadWay {
    pub id: i64,
    pub refs: Vec<i64>,
    pub attrs: crate::roads::RoadAttrs,
    /// `name=*`, else `ref=*`: what a trailhead on it is called after.
    pub name: Option<String>,
}

/// Which kind of OSM element a feature is; orders features node, way, relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum ElementType {
    Node,
    Way,
    Relation,
}

/// A trailhead, car park or point of interest, mapped as a node or an area.
#[derive(Debug, Clone)]
pub(crate) struct Feature {
    pub element: ElementType,
    pub id: i64,
    pub kind: FeatureKind,
    pub name: Option<String>,
    /// The node's location, or the centroid of the area's vertices once known.
    pub coord: Option<Coord>,
    /// Vertices of an area (all outer rings of a multipolygon).
    pub refs: Vec<i64>,
    /// `ele=*`, metres, when it parses.
    pub elevation_m: Option<f64>,
    /// For points of interest: what OSM says of them.
    pub details: Option<PoiDetails>,
}

/// Everything the network is built from.
#[derive(Debug, Default)]
pub(crate) struct OsmData {
    /// Sorted by id.
    pub ways: Vec<WalkWay>,
    /// Nodes on roads cars drive, sorted and deduplicated.
    pub car_nodes: Vec<i64>,
    /// Ways cars may drive (motorways included), sorted by id.
    pub road_ways: Vec<RoadWay>,
    /// Sorted by element type and id, with coordinates resolved (features whose
    /// location is unknown are dropped).
    pub features: Vec<Feature>,
    /// Hiking route names of each way, sorted and deduplicated.
    pub routes: HashMap<i64, Vec<String>>,
    /// Locations of every node the kept ways and areas use.
    pub coords: NodeCoords,
    /// Land-cover areas, rings resolved to node ids (closed), sorted by OSM element.
    pub areas: Vec<RawArea>,
    /// Watercourses, as node id lists.
    pub waterways: Vec<Vec<i64>>,
}

/// Node locations by id: a sorted list, which holds tens of millions of nodes in far
/// less memory than a hash map.
#[derive(Debug, Default)]
pub(crate) struct NodeCoords(Vec<(i64, Coord)>);

impl NodeCoords {
    /// Adds (id, location) pairs; an id given twice keeps one.
    pub fn extend(&mut self, pairs: impl IntoIterator<Item = (i64, Coord)>) {
        let mut all = std::mem::take(&mut self.0);
        all.extend(pairs);
        *self = NodeCoords::new(all);
    }

    /// From (id, location) pairs in any order; an id given twice keeps one.
    fn new(mut pairs: Vec<(i64, Coord)>) -> NodeCoords {
        pairs.sort_unstable_by_key(|p| p.0);
        pairs.dedup_by_key(|p| p.0);
        NodeCoords(pairs)
    }

    pub fn get(&self, id: &i64) -> Option<&Coord> {
        self.0
            .binary_search_by_key(id, |p| p.0)
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, id: &i64) -> bool {
        self.get(id).is_some()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl std::ops::Index<&i64> for NodeCoords {
    type Output = Coord;

    fn index(&self, id: &i64) -> &Coord {
        self.get(id).expect("a node the extract locates")
    }
}

/// A land-cover area as read: closed rings of node ids.
#[derive(Debug, Clone)]
pub(crate) struct RawArea {
    pub element: ElementType,
    pub id: i64,
    pub kind: LandKind,
    /// A named lake, reservoir or pond: a highlight too.
    pub lake_name: Option<String>,
    pub outer: Vec<Vec<i64>>,
    pub inner: Vec<Vec<i64>>,
}

/// A land-cover relation before its member ways are known.
#[derive(Debug)]
struct AreaRelation {
    id: i64,
    kind: LandKind,
    lake_name: Option<String>,
    outer: Vec<i64>,
    inner: Vec<i64>,
}

/// A `route=hiking|foot` relation (or superroute) and what it contains.
#[derive(Debug)]
pub(crate) struct RouteRelation {
    pub id: i64,
    pub name: Option<String>,
    pub ways: Vec<i64>,
    pub relations: Vec<i64>,
}

#[derive(Debug, Default)]
struct FirstPass {
    blob: usize,
    has_nodes: bool,
    has_ways: bool,
    routes: Vec<RouteRelation>,
    features: Vec<Feature>,
    /// Outer ways of area relations, to fetch in the second pass.
    member_ways: Vec<i64>,
    areas: Vec<AreaRelation>,
}

#[derive(Debug, Default)]
struct SecondPass {
    ways: Vec<WalkWay>,
    road_ways: Vec<RoadWay>,
    car_nodes: Vec<i64>,
    features: Vec<Feature>,
    member_ways: Vec<(i64, Vec<i64>)>,
    areas: Vec<RawArea>,
    waterways: Vec<Vec<i64>>,
}

/// Reads the file. Errors name the file.
pub(crate) fn read(path: &Path) -> Result<OsmData, OsmError> {
    std::fs::metadata(path).map_err(|e| OsmError::io(path, e))?;
    let started = std::time::Instant::now();

    let first: Vec<FirstPass> = par_blocks(path, |_, _| true, first_pass)?;
    if first.is_empty() {
        return Err(OsmError::PbfInvalid {
            path: path.to_path_buf(),
            reason: "no data blocks".into(),
        });
    }
    let way_blobs: HashSet<usize> = first
        .iter()
        .filter(|p| p.has_ways)
        .map(|p| p.blob)
        .collect();
    let node_blobs: HashSet<usize> = first
        .iter()
        .filter(|p| p.has_nodes)
        .map(|p| p.blob)
        .collect();
    let mut route_relations = Vec::new();
    let mut features = Vec::new();
    let mut member_ways = HashSet::new();
    let mut area_relations = Vec::new();
    for pass in first {
        route_relations.extend(pass.routes);
        features.extend(pass.features);
        member_ways.extend(pass.member_ways);
        area_relations.extend(pass.areas);
    }
    tracing::info!(
        route_relations = route_relations.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "read OSM relations and tagged nodes"
    );

    let second: Vec<SecondPass> = par_blocks(
        path,
        |blob, _| way_blobs.contains(&blob),
        |_, block| Ok(second_pass(block, &member_ways)),
    )?;
    let mut data = OsmData::default();
    let mut area_members: HashMap<i64, Vec<i64>> = HashMap::new();
    for pass in second {
        data.ways.extend(pass.ways);
        data.road_ways.extend(pass.road_ways);
        data.car_nodes.extend(pass.car_nodes);
        features.extend(pass.features);
        area_members.extend(pass.member_ways);
        data.areas.extend(pass.areas);
        data.waterways.extend(pass.waterways);
    }
    for rel in area_relations {
        let rings = |ways: &[i64]| {
            let parts: Vec<&Vec<i64>> = ways.iter().filter_map(|w| area_members.get(w)).collect();
            close_rings(&parts)
        };
        let outer = rings(&rel.outer);
        if outer.is_empty() {
            continue;
        }
        data.areas.push(RawArea {
            element: ElementType::Relation,
            id: rel.id,
            kind: rel.kind,
            lake_name: rel.lake_name,
            outer,
            inner: rings(&rel.inner),
        });
    }
    data.areas.sort_by_key(|a| (a.element, a.id));
    data.ways.sort_by_key(|w| w.id);
    data.road_ways.sort_by_key(|w| w.id);
    data.car_nodes.sort_unstable();
    data.car_nodes.dedup();
    for f in features
        .iter_mut()
        .filter(|f| f.element == ElementType::Relation)
    {
        let outer = std::mem::take(&mut f.refs);
        f.refs = outer
            .iter()
            .filter_map(|w| area_members.get(w))
            .flatten()
            .copied()
            .collect();
    }
    tracing::info!(
        walkable_ways = data.ways.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "read OSM ways"
    );

    let mut needed: Vec<i64> = data
        .ways
        .iter()
        .flat_map(|w| w.refs.iter())
        .chain(data.road_ways.iter().flat_map(|w| w.refs.iter()))
        .chain(features.iter().flat_map(|f| f.refs.iter()))
        .chain(
            data.areas
                .iter()
                .flat_map(|a| a.outer.iter().chain(&a.inner))
                .flatten(),
        )
        .chain(data.waterways.iter().flatten())
        .copied()
        .collect();
    needed.sort_unstable();
    needed.dedup();
    let third: Vec<Vec<(i64, Coord)>> = par_blocks(
        path,
        |blob, _| node_blobs.contains(&blob),
        |_, block| Ok(third_pass(block, &needed)),
    )?;
    // One allocation: blob results concatenated, then sorted in place.
    let total = third.iter().map(Vec::len).sum();
    let mut pairs = Vec::with_capacity(total);
    for part in third {
        pairs.extend(part);
    }
    data.coords = NodeCoords::new(pairs);
    tracing::info!(
        nodes = data.coords.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "read OSM node locations"
    );

    for f in &mut features {
        if f.coord.is_none() {
            f.coord = centroid(&f.refs, &data.coords);
        }
    }
    features.retain(|f| f.coord.is_some());
    features.sort_by_key(|f| (f.element, f.id));
    data.features = features;
    data.routes = route_names(route_relations);
    Ok(data)
}

/// Decodes the blobs that `wanted` accepts, in parallel, and maps each data block with
/// `map`. Results come back in file order.
fn par_blocks<T, W, M>(path: &Path, wanted: W, map: M) -> Result<Vec<T>, OsmError>
where
    T: Send,
    W: Fn(usize, &Blob) -> bool + Sync + Send,
    M: Fn(usize, &PrimitiveBlock) -> Result<T, osmpbf::Error> + Sync + Send,
{
    let pbf_error = |source| OsmError::Pbf {
        path: path.to_path_buf(),
        source,
    };
    let reader = BlobReader::from_path(path).map_err(pbf_error)?;
    let mut results: Vec<(usize, T)> = reader
        .enumerate()
        .par_bridge()
        .map(|(i, blob)| -> Result<Option<(usize, T)>, osmpbf::Error> {
            let blob = blob?;
            if !wanted(i, &blob) {
                return Ok(None);
            }
            match blob.decode()? {
                BlobDecode::OsmData(block) => Ok(Some((i, map(i, &block)?))),
                BlobDecode::OsmHeader(_) | BlobDecode::Unknown(_) => Ok(None),
            }
        })
        .filter_map(Result::transpose)
        .collect::<Result<_, _>>()
        .map_err(pbf_error)?;
    results.sort_unstable_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, t)| t).collect())
}

fn first_pass(blob: usize, block: &PrimitiveBlock) -> Result<FirstPass, osmpbf::Error> {
    let mut out = FirstPass {
        blob,
        ..FirstPass::default()
    };
    let mut tags_buf = Vec::new();
    for group in block.groups() {
        for node in group.dense_nodes() {
            out.has_nodes = true;
            if node.raw_tags().len() == 0 {
                continue;
            }
            tags_buf.clear();
            tags_buf.extend(node.tags());
            push_point_feature(
                &mut out.features,
                node.id(),
                &tags_buf,
                node.lon(),
                node.lat(),
            );
        }
        for node in group.nodes() {
            out.has_nodes = true;
            tags_buf.clear();
            tags_buf.extend(node.tags());
            push_point_feature(
                &mut out.features,
                node.id(),
                &tags_buf,
                node.lon(),
                node.lat(),
            );
        }
        out.has_ways |= group.ways().len() > 0;
        for rel in group.relations() {
            tags_buf.clear();
            tags_buf.extend(rel.tags());
            let tags = &tags_buf;
            let name = tags::tag(tags, "name")
                .or_else(|| tags::tag(tags, "ref"))
                .map(str::to_owned);
            let kind = tags::tag(tags, "type");
            if matches!(kind, Some("route" | "superroute"))
                && matches!(tags::tag(tags, "route"), Some("hiking" | "foot"))
            {
                let mut route = RouteRelation {
                    id: rel.id(),
                    name,
                    ways: Vec::new(),
                    relations: Vec::new(),
                };
                for m in rel.members() {
                    match m.member_type {
                        RelMemberType::Way => route.ways.push(m.member_id),
                        RelMemberType::Relation => route.relations.push(m.member_id),
                        RelMemberType::Node => {}
                    }
                }
                out.routes.push(route);
            } else if matches!(kind, Some("multipolygon" | "boundary")) {
                if let Some(land) = tags::land_kind(tags) {
                    let mut area = AreaRelation {
                        id: rel.id(),
                        kind: land,
                        lake_name: tags::is_lake(tags)
                            .then(|| tags::tag(tags, "name").map(str::to_owned))
                            .flatten(),
                        outer: Vec::new(),
                        inner: Vec::new(),
                    };
                    for m in rel.members() {
                        if m.member_type != RelMemberType::Way {
                            continue;
                        }
                        match m.role()? {
                            "inner" => area.inner.push(m.member_id),
                            "outer" | "" => area.outer.push(m.member_id),
                            _ => {}
                        }
                    }
                    out.member_ways.extend(area.outer.iter().chain(&area.inner));
                    out.areas.push(area);
                }
                if kind != Some("multipolygon") {
                    continue;
                }
                let Some(feature) = tags::feature(tags) else {
                    continue;
                };
                let mut outer = Vec::new();
                for m in rel.members() {
                    if m.member_type == RelMemberType::Way && matches!(m.role()?, "outer" | "") {
                        outer.push(m.member_id);
                    }
                }
                out.member_ways.extend(&outer);
                out.features.push(Feature {
                    element: ElementType::Relation,
                    id: rel.id(),
                    kind: feature,
                    name: tags::tag(tags, "name").map(str::to_owned),
                    coord: None,
                    refs: outer,
                    elevation_m: None,
                    details: details(tags),
                });
            }
        }
    }
    Ok(out)
}

fn push_point_feature(out: &mut Vec<Feature>, id: i64, tags: &[(&str, &str)], lon: f64, lat: f64) {
    if let Some(kind) = tags::feature(tags) {
        out.push(Feature {
            element: ElementType::Node,
            id,
            kind,
            name: tags::tag(tags, "name").map(str::to_owned),
            coord: Some(Coord { lon, lat }),
            refs: Vec::new(),
            elevation_m: tags::elevation(tags),
            details: details(tags),
        });
    }
}

fn second_pass(block: &PrimitiveBlock, member_ways: &HashSet<i64>) -> SecondPass {
    let mut out = SecondPass::default();
    let mut tags_buf = Vec::new();
    for group in block.groups() {
        for way in group.ways() {
            tags_buf.clear();
            tags_buf.extend(way.tags());
            let tags = &tags_buf;
            let id = way.id();
            if let Some(attrs) = tags::walkable(tags) {
                out.ways.push(WalkWay {
                    source_ref: None,
                    id,
                    refs: way.refs().collect(),
                    attrs,
                });
            }
            if tags::car_road(tags) {
                out.car_nodes.extend(way.refs());
            }
            if let Some(attrs) = crate::roads::drivable(tags) {
                out.road_ways.push(RoadWay {
                    id,
                    refs: way.refs().collect(),
                    attrs,
                    name: tags::tag(tags, "name")
                        .or(tags::tag(tags, "ref"))
                        .map(str::to_owned),
                });
            }
            if let Some(kind) = tags::feature(tags) {
                out.features.push(Feature {
                    element: ElementType::Way,
                    id,
                    kind,
                    name: tags::tag(tags, "name").map(str::to_owned),
                    coord: None,
                    refs: way.refs().collect(),
                    elevation_m: None,
                    details: details(tags),
                });
            }
            if member_ways.contains(&id) {
                out.member_ways.push((id, way.refs().collect()));
            }
            if let Some(land) = tags::land_kind(tags) {
                let refs: Vec<i64> = way.refs().collect();
                if refs.len() >= 4 && refs.first() == refs.last() {
                    out.areas.push(RawArea {
                        element: ElementType::Way,
                        id,
                        kind: land,
                        lake_name: tags::is_lake(tags)
                            .then(|| tags::tag(tags, "name").map(str::to_owned))
                            .flatten(),
                        outer: vec![refs],
                        inner: Vec::new(),
                    });
                }
            } else if tags::waterway_line(tags) {
                out.waterways.push(way.refs().collect());
            }
        }
    }
    out
}

fn third_pass(block: &PrimitiveBlock, needed: &[i64]) -> Vec<(i64, Coord)> {
    let mut out = Vec::new();
    let mut keep = |id: i64, lon: f64, lat: f64| {
        if needed.binary_search(&id).is_ok() {
            out.push((id, Coord { lon, lat }));
        }
    };
    for group in block.groups() {
        for node in group.dense_nodes() {
            keep(node.id(), node.lon(), node.lat());
        }
        for node in group.nodes() {
            keep(node.id(), node.lon(), node.lat());
        }
    }
    out
}

fn details(tags: &[(&str, &str)]) -> Option<PoiDetails> {
    tags::poi_kind(tags).map(|(_, osm_tag)| tags::poi_details(tags, osm_tag))
}
