//! What the reader assembles from ways and relations once every element is read:
//! closed rings from way pieces (multipolygons), an area's centroid, and the names of
//! the hiking routes each way belongs to.

use std::collections::{HashMap, HashSet};

use crate::pbf::{NodeCoords, RouteRelation};
use crate::Coord;

/// Joins way pieces (node id lists) end to end into closed rings; pieces that close
/// no ring are dropped (an area cut by the extract's border).
pub(crate) fn close_rings(parts: &[&Vec<i64>]) -> Vec<Vec<i64>> {
    let mut used = vec![false; parts.len()];
    let mut rings = Vec::new();
    for start in 0..parts.len() {
        if used[start] || parts[start].len() < 2 {
            continue;
        }
        used[start] = true;
        let mut ring: Vec<i64> = parts[start].clone();
        while ring.first() != ring.last() {
            let end = *ring.last().expect("non-empty");
            let next = (0..parts.len()).find(|&i| {
                !used[i]
                    && parts[i].len() >= 2
                    && (parts[i][0] == end || parts[i][parts[i].len() - 1] == end)
            });
            let Some(i) = next else { break };
            used[i] = true;
            if parts[i][0] == end {
                ring.extend_from_slice(&parts[i][1..]);
            } else {
                ring.extend(parts[i].iter().rev().skip(1));
            }
        }
        if ring.len() >= 4 && ring.first() == ring.last() {
            rings.push(ring);
        }
    }
    rings
}

/// Mean of the distinct vertices of an area (a closed ring repeats its first vertex).
pub(crate) fn centroid(refs: &[i64], coords: &NodeCoords) -> Option<Coord> {
    let mut ids = refs.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let (mut lon, mut lat, mut n) = (0.0, 0.0, 0usize);
    for c in ids.iter().filter_map(|id| coords.get(id)) {
        lon += c.lon;
        lat += c.lat;
        n += 1;
    }
    (n > 0).then(|| Coord {
        lon: lon / n as f64,
        lat: lat / n as f64,
    })
}

/// Names of the route relations each way belongs to, directly or through a parent
/// route (a superroute's name applies to the ways of its stages).
pub(crate) fn route_names(mut relations: Vec<RouteRelation>) -> HashMap<i64, Vec<String>> {
    relations.sort_by_key(|r| r.id);
    let index: HashMap<i64, usize> = relations
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    let mut names: HashMap<i64, Vec<String>> = HashMap::new();
    for rel in &relations {
        let Some(name) = &rel.name else { continue };
        let mut seen = HashSet::from([rel.id]);
        let mut stack = vec![rel];
        while let Some(r) = stack.pop() {
            for &way in &r.ways {
                names.entry(way).or_default().push(name.clone());
            }
            for child in &r.relations {
                if let Some(&i) = index.get(child) {
                    if seen.insert(*child) {
                        stack.push(&relations[i]);
                    }
                }
            }
        }
    }
    for list in names.values_mut() {
        list.sort();
        list.dedup();
    }
    names
}
