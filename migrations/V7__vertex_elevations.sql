-- The DEM's elevation at every vertex of an edge's line, source to target, metres:
-- what answers' elevation profiles, GeoJSON positions and GPX <ele> are drawn from.
-- NULL for edges imported without a DEM (and for imports made before this column).
ALTER TABLE edges ADD COLUMN elevations real[]
    CHECK (elevations IS NULL OR cardinality(elevations) = ST_NPoints(geom));
