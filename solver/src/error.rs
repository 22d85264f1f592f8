//! Typed errors: what a caller can get wrong when building a graph or asking a query.
//! Bad input is reported, never a panic.

use thiserror::Error;

/// Why [`TrailGraph::new`](crate::TrailGraph::new) rejected its input.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum GraphError {
    /// Two nodes share an id.
    #[error("duplicate node id {0}")]
    DuplicateNode(u64),
    /// Two edges share an id.
    #[error("duplicate edge id {0}")]
    DuplicateEdge(u64),
    /// A node's longitude or latitude is not a finite WGS 84 coordinate.
    #[error("node {node} has an invalid coordinate")]
    InvalidCoordinate {
        /// The node id.
        node: u64,
    },
    /// An edge refers to a node id that was not given.
    #[error("edge {edge} refers to unknown node {node}")]
    UnknownNode {
        /// The edge id.
        edge: u64,
        /// The missing node id.
        node: u64,
    },
    /// A length, ascent or descent is negative or not finite, or a SAC grade above 6.
    #[error("edge {edge} has invalid {name} = {value}")]
    InvalidAttribute {
        /// The edge id.
        edge: u64,
        /// Which field.
        name: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// An edge geometry holds a vertex that is not a finite WGS 84 coordinate.
    #[error("edge {edge} has an invalid geometry vertex")]
    InvalidGeometry {
        /// The edge id.
        edge: u64,
    },
    /// More than `u32::MAX - 1` nodes or edges.
    #[error("graph too large")]
    TooLarge,
}

/// Why a query could not be answered.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SolveError {
    /// The start node id is not in the graph.
    #[error("unknown start node {0}")]
    UnknownStart(u64),
    /// The target length is not a finite positive number of metres.
    #[error("invalid target length {0} m")]
    InvalidTarget(f64),
    /// The tolerance is not in `(0, 1]`.
    #[error("invalid tolerance {0}, expected a fraction in (0, 1]")]
    InvalidTolerance(f64),
    /// `max_results` is zero or above [`MAX_RESULTS`](crate::MAX_RESULTS).
    #[error("invalid max_results {0}")]
    InvalidMaxResults(usize),
    /// A preference is out of range (SAC grade above 6, negative or non-finite ascent).
    #[error("invalid preference {name}")]
    InvalidPreference {
        /// Which field.
        name: &'static str,
    },
    /// The caller's cancellation flag was raised.
    #[error("cancelled")]
    Cancelled,
}
