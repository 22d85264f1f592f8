-- The network is held in memory tile by tile (trailloop_osm::tiles: a grid of 0.25
-- degree squares, row = floor((lat + 90) / 0.25), col = floor((lon + 180) / 0.25),
-- id = row * 1440 + col). An edge belongs to the tile of its first vertex; a node whose
-- edges lie in more than one tile is shared, and every tile holding it keeps it as a
-- junction where graphs over several tiles are stitched. Imports write these columns;
-- this migration fills them for networks imported before it.
ALTER TABLE edges
    ADD COLUMN tile bigint,
    ADD COLUMN source_shared boolean NOT NULL DEFAULT false,
    ADD COLUMN target_shared boolean NOT NULL DEFAULT false;

UPDATE edges SET tile =
    least(greatest(floor((ST_Y(ST_StartPoint(geom)) + 90) / 0.25), 0), 719)::bigint * 1440
    + least(greatest(floor((ST_X(ST_StartPoint(geom)) + 180) / 0.25), 0), 1439)::bigint;

WITH ends AS (
    SELECT region, source AS node, tile FROM edges
    UNION ALL
    SELECT region, target AS node, tile FROM edges
), shared AS (
    SELECT region, node FROM ends GROUP BY region, node HAVING count(DISTINCT tile) > 1
)
UPDATE edges e SET
    source_shared = EXISTS (SELECT 1 FROM shared s WHERE s.region = e.region AND s.node = e.source),
    target_shared = EXISTS (SELECT 1 FROM shared s WHERE s.region = e.region AND s.node = e.target);

ALTER TABLE edges ALTER COLUMN tile SET NOT NULL;
CREATE INDEX edges_tile_idx ON edges (region, tile);

-- A point of interest belongs to the tile of the node it is snapped to.
ALTER TABLE pois ADD COLUMN tile bigint;
UPDATE pois p SET tile =
    least(greatest(floor((ST_Y(n.geom) + 90) / 0.25), 0), 719)::bigint * 1440
    + least(greatest(floor((ST_X(n.geom) + 180) / 0.25), 0), 1439)::bigint
FROM nodes n WHERE n.region = p.region AND n.id = p.node_id;
ALTER TABLE pois ALTER COLUMN tile SET NOT NULL;
CREATE INDEX pois_tile_idx ON pois (region, tile);

-- The trailhead query joins regions for the import id it plans on.
CREATE INDEX trailheads_region_idx ON trailheads (region);
