//! PostGIS geometries over the binary protocol as EWKB (SRID 4326), for the shapes
//! TrailLoop stores: points, line strings, multipoints and multipolygons. Small enough that a crate would cost more
//! than it saves; PostGIS accepts and sends exactly this encoding.

use std::error::Error;

use bytes::{Buf, BufMut, BytesMut};
use postgres_types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use trailloop_geo::Coord;

const SRID_FLAG: u32 = 0x2000_0000;
const WGS84: u32 = 4326;
const POINT: u32 = 1;
const LINESTRING: u32 = 2;
const POLYGON: u32 = 3;
const MULTIPOINT: u32 = 4;
const MULTIPOLYGON: u32 = 6;

type BoxError = Box<dyn Error + Sync + Send>;

/// A geometry to write: a point or a line string in WGS 84.
#[derive(Debug, Clone, Copy)]
pub enum Geometry<'a> {
    /// A single position.
    Point(Coord),
    /// Two or more positions.
    LineString(&'a [Coord]),
    /// One or more positions.
    MultiPoint(&'a [Coord]),
    /// Polygons, each an outer ring and its holes, every ring closed.
    MultiPolygon(&'a [(Vec<Coord>, Vec<Vec<Coord>>)]),
}

fn put_coords(out: &mut BytesMut, coords: &[Coord]) -> Result<(), BoxError> {
    out.put_u32_le(u32::try_from(coords.len())?);
    for c in coords {
        out.put_f64_le(c.lon);
        out.put_f64_le(c.lat);
    }
    Ok(())
}

fn is_geometry(ty: &Type) -> bool {
    ty.name() == "geometry"
}

impl ToSql for Geometry<'_> {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        out.put_u8(1); // little endian
        match self {
            Geometry::Point(c) => {
                out.put_u32_le(POINT | SRID_FLAG);
                out.put_u32_le(WGS84);
                out.put_f64_le(c.lon);
                out.put_f64_le(c.lat);
            }
            Geometry::LineString(coords) => {
                out.put_u32_le(LINESTRING | SRID_FLAG);
                out.put_u32_le(WGS84);
                put_coords(out, coords)?;
            }
            Geometry::MultiPoint(coords) => {
                out.put_u32_le(MULTIPOINT | SRID_FLAG);
                out.put_u32_le(WGS84);
                out.put_u32_le(u32::try_from(coords.len())?);
                for c in coords.iter() {
                    out.put_u8(1);
                    out.put_u32_le(POINT);
                    out.put_f64_le(c.lon);
                    out.put_f64_le(c.lat);
                }
            }
            Geometry::MultiPolygon(polygons) => {
                out.put_u32_le(MULTIPOLYGON | SRID_FLAG);
                out.put_u32_le(WGS84);
                out.put_u32_le(u32::try_from(polygons.len())?);
                for (outer, holes) in polygons.iter() {
                    out.put_u8(1);
                    out.put_u32_le(POLYGON);
                    out.put_u32_le(u32::try_from(1 + holes.len())?);
                    put_coords(out, outer)?;
                    for h in holes {
                        put_coords(out, h)?;
                    }
                }
            }
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        is_geometry(ty)
    }

    to_sql_checked!();
}

/// A line string read back from PostGIS.
#[derive(Debug, Clone, PartialEq)]
pub struct LineString(pub Vec<Coord>);

/// A point read back from PostGIS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point(pub Coord);

/// A multipoint read back from PostGIS.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiPoint(pub Vec<Coord>);

struct Reader<'a> {
    raw: &'a [u8],
    little: bool,
}

impl Reader<'_> {
    fn u32(&mut self) -> Result<u32, BoxError> {
        if self.raw.remaining() < 4 {
            return Err("truncated WKB".into());
        }
        Ok(if self.little {
            self.raw.get_u32_le()
        } else {
            self.raw.get_u32()
        })
    }

    fn f64(&mut self) -> Result<f64, BoxError> {
        if self.raw.remaining() < 8 {
            return Err("truncated WKB".into());
        }
        Ok(if self.little {
            self.raw.get_f64_le()
        } else {
            self.raw.get_f64()
        })
    }

    fn coord(&mut self) -> Result<Coord, BoxError> {
        Ok(Coord {
            lon: self.f64()?,
            lat: self.f64()?,
        })
    }
}

/// Reads the header and returns the reader positioned at the body, and the type code.
fn header(raw: &[u8]) -> Result<(Reader<'_>, u32), BoxError> {
    let (&order, rest) = raw.split_first().ok_or("empty WKB")?;
    let mut reader = Reader {
        raw: rest,
        little: order == 1,
    };
    let ty = reader.u32()?;
    if ty & SRID_FLAG != 0 {
        reader.u32()?;
    }
    // Z and M dimensions are not stored by TrailLoop; refuse rather than misread.
    if ty & 0xC000_0000 != 0 {
        return Err("WKB with Z or M coordinates is not supported".into());
    }
    Ok((reader, ty & 0xFFFF))
}

impl<'a> FromSql<'a> for LineString {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let (mut r, ty) = header(raw)?;
        if ty != LINESTRING {
            return Err(format!("expected a LineString, got WKB type {ty}").into());
        }
        let n = r.u32()? as usize;
        if n > r.raw.len() / 16 {
            return Err("truncated WKB".into());
        }
        (0..n)
            .map(|_| r.coord())
            .collect::<Result<_, _>>()
            .map(LineString)
    }

    fn accepts(ty: &Type) -> bool {
        is_geometry(ty)
    }
}

impl<'a> FromSql<'a> for Point {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let (mut r, ty) = header(raw)?;
        if ty != POINT {
            return Err(format!("expected a Point, got WKB type {ty}").into());
        }
        r.coord().map(Point)
    }

    fn accepts(ty: &Type) -> bool {
        is_geometry(ty)
    }
}

impl<'a> FromSql<'a> for MultiPoint {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let (mut r, ty) = header(raw)?;
        if ty != MULTIPOINT {
            return Err(format!("expected a MultiPoint, got WKB type {ty}").into());
        }
        let n = r.u32()? as usize;
        if n > r.raw.len() / 21 {
            return Err("truncated WKB".into());
        }
        (0..n)
            .map(|_| {
                let (&order, rest) = r.raw.split_first().ok_or("truncated WKB")?;
                let mut point = Reader {
                    raw: rest,
                    little: order == 1,
                };
                if point.u32()? & 0xFFFF != POINT {
                    return Err::<Coord, BoxError>("a MultiPoint member is no Point".into());
                }
                let c = point.coord()?;
                r.raw = point.raw;
                Ok(c)
            })
            .collect::<Result<_, _>>()
            .map(MultiPoint)
    }

    fn accepts(ty: &Type) -> bool {
        is_geometry(ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry_type() -> Type {
        Type::new(
            "geometry".into(),
            99999,
            postgres_types::Kind::Simple,
            "public".into(),
        )
    }

    #[test]
    fn line_strings_round_trip() {
        let coords = [
            Coord {
                lon: 1.5,
                lat: 42.5,
            },
            Coord {
                lon: 1.6,
                lat: 42.25,
            },
            Coord {
                lon: -3.0,
                lat: 0.125,
            },
        ];
        let mut buf = BytesMut::new();
        Geometry::LineString(&coords)
            .to_sql(&geometry_type(), &mut buf)
            .unwrap();
        let back = LineString::from_sql(&geometry_type(), &buf).unwrap();
        assert_eq!(back.0, coords);
        assert!(Point::from_sql(&geometry_type(), &buf).is_err());
    }

    #[test]
    fn multipoints_round_trip() {
        let coords = [
            Coord {
                lon: 1.5,
                lat: 42.5,
            },
            Coord {
                lon: -120.25,
                lat: 47.125,
            },
        ];
        let mut buf = BytesMut::new();
        Geometry::MultiPoint(&coords)
            .to_sql(&geometry_type(), &mut buf)
            .unwrap();
        let back = MultiPoint::from_sql(&geometry_type(), &buf).unwrap();
        assert_eq!(back.0, coords);
        assert!(MultiPoint::from_sql(&geometry_type(), &buf[..buf.len() - 3]).is_err());
        assert!(LineString::from_sql(&geometry_type(), &buf).is_err());
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let mut buf = BytesMut::new();
        Geometry::Point(Coord { lon: 1.0, lat: 2.0 })
            .to_sql(&geometry_type(), &mut buf)
            .unwrap();
        for cut in 0..buf.len() {
            assert!(Point::from_sql(&geometry_type(), &buf[..cut]).is_err());
        }
        assert_eq!(
            Point::from_sql(&geometry_type(), &buf).unwrap().0,
            Coord { lon: 1.0, lat: 2.0 }
        );
        // A line string claiming more points than the bytes hold.
        let bogus = [1u8, 2, 0, 0, 0, 255, 255, 255, 255];
        assert!(LineString::from_sql(&geometry_type(), &bogus).is_err());
    }
}
