//! Points of interest for multi-day trips, snapped to the nearest network node.

use crate::pbf::OsmData;
use crate::spatial::PointIndex;
use crate::tags::FeatureKind;
use crate::Poi;

/// POIs farther than this from every node are of no use to a route and are dropped.
pub const SNAP_RADIUS_M: f64 = 1_000.0;

pub(crate) fn find(data: &OsmData, index: &PointIndex) -> Vec<Poi> {
    data.features
        .iter()
        .filter_map(|f| {
            let FeatureKind::Poi(kind) = f.kind else {
                return None;
            };
            let coord = f.coord?;
            let (node, snap_distance_m) = index.nearest(coord, SNAP_RADIUS_M)?;
            Some(Poi {
                kind,
                name: f.name.clone(),
                osm_id: f.id,
                coord,
                node,
                snap_distance_m,
            })
        })
        .collect()
}
