//! Points of interest for multi-day trips, snapped to the nearest network node.

use crate::pbf::{ElementType, OsmData};
use crate::spatial::PointIndex;
use crate::tags::FeatureKind;
use crate::{OsmType, Poi};

/// Snaps every POI to its nearest node; those farther than `radius_m` from every node
/// are of no use to a route and are dropped.
pub(crate) fn find(data: &OsmData, index: &PointIndex, radius_m: f64) -> Vec<Poi> {
    data.features
        .iter()
        .filter_map(|f| {
            let FeatureKind::Poi(kind) = f.kind else {
                return None;
            };
            let coord = f.coord?;
            let (node, snap_distance_m) = index.nearest(coord, radius_m)?;
            Some(Poi {
                kind,
                name: f.name.clone(),
                osm_id: f.id,
                osm_type: match f.element {
                    ElementType::Node => OsmType::Node,
                    ElementType::Way => OsmType::Way,
                    ElementType::Relation => OsmType::Relation,
                },
                coord,
                node,
                snap_distance_m,
                details: f.details.clone().unwrap_or_default(),
            })
        })
        .collect()
}
