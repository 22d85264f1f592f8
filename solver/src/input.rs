//! What a caller gives the solver: [`NodeInput`]s and [`EdgeInput`]s, and their checks
//! (finite positions, known end nodes, sane lengths and measures).

use std::collections::HashMap;

use crate::attrs::{shoelace, Attrs};
use crate::demands::Demands;
use crate::error::GraphError;
use crate::tile::EdgeData;
use crate::turns;

/// A node of the input graph: a junction, a trail end or a point along a trail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeInput {
    /// Caller's id, unique among nodes.
    pub id: u64,
    /// Longitude, WGS 84 degrees.
    pub lon: f64,
    /// Latitude, WGS 84 degrees.
    pub lat: f64,
}

/// An undirected trail segment of the input graph.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeInput {
    /// Caller's id, unique among edges; results refer to edges by it.
    pub id: u64,
    /// Node id where `geometry` starts.
    pub source: u64,
    /// Node id where `geometry` ends.
    pub target: u64,
    /// Length in metres (finite, not negative).
    pub length_m: f64,
    /// Climb walking from `source` to `target`, metres.
    pub ascent_m: f64,
    /// Descent walking from `source` to `target`, metres.
    pub descent_m: f64,
    /// A road cars use: its cost counts as road cost, which the query's road avoidance
    /// scales.
    pub is_road: bool,
    /// What a metre of it costs a hiker beyond an ideal trail, by the caller's profile
    /// (0 for an ideal trail; finite, not negative).
    pub cost_per_m: f64,
    /// Share of it in nature, 0..=1.
    pub nature: f64,
    /// Whether it is part of a hiking route.
    pub on_route: bool,
    /// SAC hiking scale, 1 (T1) to 6 (T6); 0 when unknown.
    pub sac_grade: u8,
    /// Steepest sustained grade along it, percent, up or down (0 when unknown).
    pub grade_pct: f64,
    /// What may close it on some dates, as a class of the caller's: 0 for nothing,
    /// 1..=64 for a class a query may close ([`Query::closed_classes`](crate::Query)).
    pub closure_class: u8,
    /// `[lon, lat]` vertices from `source` to `target`; may be empty (a straight line).
    pub geometry: Vec<[f64; 2]>,
}

impl NodeInput {
    /// A node at `[lon, lat]`.
    pub fn new(id: u64, lon: f64, lat: f64) -> NodeInput {
        NodeInput { id, lon, lat }
    }
}

impl EdgeInput {
    /// A flat, ungraded trail (not a road) of `length_m` drawn straight between its
    /// nodes: set the other fields with struct update syntax.
    pub fn trail(id: u64, source: u64, target: u64, length_m: f64) -> EdgeInput {
        EdgeInput {
            id,
            source,
            target,
            length_m,
            ascent_m: 0.0,
            descent_m: 0.0,
            is_road: false,
            cost_per_m: 0.0,
            nature: 0.0,
            on_route: false,
            sac_grade: 0,
            grade_pct: 0.0,
            closure_class: 0,
            geometry: Vec::new(),
        }
    }
}

pub(crate) fn valid_lon_lat(p: [f64; 2]) -> bool {
    p[0].is_finite() && p[1].is_finite() && p[0].abs() <= 180.0 && p[1].abs() <= 90.0
}

pub(crate) fn validate_edge(
    e: EdgeInput,
    node_index: &HashMap<u64, u32>,
    positions: &[[f64; 2]],
    area_origin: [f64; 2],
) -> Result<EdgeData, GraphError> {
    let lookup = |node: u64| {
        node_index
            .get(&node)
            .copied()
            .ok_or(GraphError::UnknownNode { edge: e.id, node })
    };
    let (source, target) = (lookup(e.source)?, lookup(e.target)?);
    let attribute_ok = |v: f64| v.is_finite() && v >= 0.0;
    for (name, value) in [
        ("length_m", e.length_m),
        ("ascent_m", e.ascent_m),
        ("descent_m", e.descent_m),
        ("cost_per_m", e.cost_per_m),
        ("nature", e.nature),
        ("grade_pct", e.grade_pct),
    ] {
        if !attribute_ok(value) {
            return Err(GraphError::InvalidAttribute {
                edge: e.id,
                name,
                value,
            });
        }
    }
    if e.nature > 1.0 {
        return Err(GraphError::InvalidAttribute {
            edge: e.id,
            name: "nature",
            value: e.nature,
        });
    }
    if e.sac_grade > 6 {
        return Err(GraphError::InvalidAttribute {
            edge: e.id,
            name: "sac_grade",
            value: f64::from(e.sac_grade),
        });
    }
    if e.closure_class > 64 {
        return Err(GraphError::InvalidAttribute {
            edge: e.id,
            name: "closure_class",
            value: f64::from(e.closure_class),
        });
    }
    if !e.geometry.iter().all(|&p| valid_lon_lat(p)) {
        return Err(GraphError::InvalidGeometry { edge: e.id });
    }
    // The shoelace terms use the node positions at both ends, so a closed walk gives a
    // closed polygon even if the geometry's end vertices are a little off the nodes.
    let mut points = vec![positions[source as usize]];
    if e.geometry.len() > 2 {
        points.extend_from_slice(&e.geometry[1..e.geometry.len() - 1]);
    }
    points.push(positions[target as usize]);
    let line: &[[f64; 2]] = if e.geometry.len() >= 2 {
        &e.geometry
    } else {
        &points
    };
    let leave = [
        turns::leaving(line.iter().copied()),
        turns::leaving(line.iter().rev().copied()),
    ];
    Ok(EdgeData {
        id: e.id,
        source,
        target,
        attrs: Attrs {
            len: e.length_m,
            road: if e.is_road {
                e.cost_per_m * e.length_m
            } else {
                0.0
            },
            trail: if e.is_road {
                0.0
            } else {
                e.cost_per_m * e.length_m
            },
            nature: e.nature * e.length_m,
            route: if e.on_route { e.length_m } else { 0.0 },
            ascent: e.ascent_m,
            descent: e.descent_m,
            area: shoelace(&points, area_origin),
            junctions: 0.0,
            turns: 0.0,
        },
        demands: Demands {
            sac: e.sac_grade,
            grade_pct: e.grade_pct,
            closures: closure_bit(e.closure_class),
        },
        geometry: e.geometry,
        leave,
    })
}

/// The bit of closure class `class` (none for 0).
pub fn closure_bit(class: u8) -> u64 {
    match class {
        1..=64 => 1 << (class - 1),
        _ => 0,
    }
}
