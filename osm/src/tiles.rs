//! The tiling every part of TrailLoop agrees on: a fixed grid of [`TILE_DEGREES`]
//! squares in latitude and longitude. Imports record each edge's tile, the service keeps
//! the network in memory tile by tile, and a planning request loads the tiles its
//! trailheads can reach.
//!
//! An edge belongs to the tile of its first vertex, so every edge is in exactly one tile
//! and a tile's edges are found by one index lookup. A node whose edges fall in more
//! than one tile is *shared*: each of those tiles keeps it as a junction, and a graph
//! over several tiles stitches them there.

use serde::{Deserialize, Serialize};

use crate::geo::box_half_degrees;
use crate::{Coord, TrailData};

/// Side of a tile, degrees. At mid latitudes a tile is about 28 km north-south and
/// 20 km east-west: a day loop's neighbourhood spans a few.
pub const TILE_DEGREES: f64 = 0.25;

const COLUMNS: i64 = (360.0 / TILE_DEGREES) as i64;

/// A tile of the grid: row counted north from the south pole, column east from the
/// antimeridian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TileKey {
    /// `floor((lat + 90) / TILE_DEGREES)`.
    pub row: i32,
    /// `floor((lon + 180) / TILE_DEGREES)`.
    pub col: i32,
}

impl TileKey {
    /// The tile a point lies in (points on the north or east border of the grid fall in
    /// the last row or column).
    pub fn of(c: Coord) -> TileKey {
        let rows = (180.0 / TILE_DEGREES) as i32;
        let row = (((c.lat + 90.0) / TILE_DEGREES).floor() as i32).clamp(0, rows - 1);
        let col = (((c.lon + 180.0) / TILE_DEGREES).floor() as i32).clamp(0, COLUMNS as i32 - 1);
        TileKey { row, col }
    }

    /// One integer for the database: `row * columns + col`.
    pub fn id(self) -> i64 {
        i64::from(self.row) * COLUMNS + i64::from(self.col)
    }

    /// The tile of [`TileKey::id`].
    pub fn from_id(id: i64) -> TileKey {
        TileKey {
            row: id.div_euclid(COLUMNS) as i32,
            col: id.rem_euclid(COLUMNS) as i32,
        }
    }

    /// South-west and north-east corners.
    pub fn bounds(self) -> (Coord, Coord) {
        let south = f64::from(self.row) * TILE_DEGREES - 90.0;
        let west = f64::from(self.col) * TILE_DEGREES - 180.0;
        (
            Coord {
                lon: west,
                lat: south,
            },
            Coord {
                lon: west + TILE_DEGREES,
                lat: south + TILE_DEGREES,
            },
        )
    }

    /// Every tile that meets the box holding all points within `radius_m` of `centre`,
    /// in key order.
    pub fn covering(centre: Coord, radius_m: f64) -> Vec<TileKey> {
        let (dlon, dlat) = box_half_degrees(centre.lat, radius_m);
        let sw = TileKey::of(Coord {
            lon: (centre.lon - dlon).max(-180.0),
            lat: (centre.lat - dlat).max(-90.0),
        });
        let ne = TileKey::of(Coord {
            lon: (centre.lon + dlon).min(180.0),
            lat: (centre.lat + dlat).min(90.0),
        });
        let mut out = Vec::new();
        for row in sw.row..=ne.row {
            for col in sw.col..=ne.col {
                out.push(TileKey { row, col });
            }
        }
        out
    }
}

/// How a network falls into tiles.
#[derive(Debug, Clone, PartialEq)]
pub struct Partition {
    /// The tile of each edge (that of its first vertex).
    pub edge_tile: Vec<TileKey>,
    /// Per node: whether its edges lie in more than one tile.
    pub shared: Vec<bool>,
    /// Per node: a tile that holds it (that of its first edge; `None` for a node of
    /// no edge). What is snapped to a node goes there, not to the tile its position
    /// lies in, which may hold none of its edges.
    pub node_tile: Vec<Option<TileKey>>,
}

impl Partition {
    /// Cuts `network` into tiles.
    pub fn of(network: &TrailData) -> Partition {
        let edge_tile: Vec<TileKey> = network
            .edges
            .iter()
            .map(|e| TileKey::of(e.geometry[0]))
            .collect();
        let mut first: Vec<Option<TileKey>> = vec![None; network.nodes.len()];
        let mut shared = vec![false; network.nodes.len()];
        for (e, &tile) in network.edges.iter().zip(&edge_tile) {
            for n in [e.source as usize, e.target as usize] {
                match first[n] {
                    None => first[n] = Some(tile),
                    Some(t) if t != tile => shared[n] = true,
                    Some(_) => {}
                }
            }
        }
        Partition {
            edge_tile,
            shared,
            node_tile: first,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_bound_their_points() {
        for (lon, lat) in [
            (1.52, 42.51),
            (-122.3, 47.6),
            (179.99, -89.99),
            (-180.0, 90.0),
        ] {
            let c = Coord { lon, lat };
            let k = TileKey::of(c);
            assert_eq!(TileKey::from_id(k.id()), k);
            let (sw, ne) = k.bounds();
            assert!(sw.lon <= lon && lon <= ne.lon && sw.lat <= lat && lat <= ne.lat);
        }
    }

    #[test]
    fn a_covering_holds_the_tiles_of_every_point_in_the_radius() {
        let centre = Coord {
            lon: 1.52,
            lat: 42.51,
        };
        let tiles = TileKey::covering(centre, 30_000.0);
        // 30 km is about 0.27 degrees of latitude and 0.37 of longitude here.
        assert!(tiles.len() >= 9 && tiles.len() <= 20, "{}", tiles.len());
        for (dlon, dlat) in [(0.36, 0.0), (-0.36, 0.0), (0.0, 0.26), (0.0, -0.26)] {
            let p = Coord {
                lon: centre.lon + dlon,
                lat: centre.lat + dlat,
            };
            assert!(tiles.contains(&TileKey::of(p)), "{p:?}");
        }
    }
}
