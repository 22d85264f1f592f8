-- An operator's own trails (GeoJSON, OpenTrails, GPX, Shapefile, a table of theirs)
-- beside or instead of OpenStreetMap.
-- Edges: a line of an own source has no OSM way; it names its file and its own id.
ALTER TABLE edges
    ALTER COLUMN osm_way_id DROP NOT NULL,
    ADD COLUMN source_ref text,
    ADD CONSTRAINT edges_way_named CHECK (osm_way_id IS NOT NULL OR source_ref IS NOT NULL);
-- Trailheads found in own trails alone: where a trail ends or a named trail starts.
ALTER TABLE trailheads DROP CONSTRAINT trailheads_kind_check;
ALTER TABLE trailheads ADD CONSTRAINT trailheads_kind_check
    CHECK (kind IN ('trailhead', 'parking', 'road_junction', 'trail_end'));
-- Imports: the attribution and licence the operator gave, whether OSM data went in,
-- and what the import did (sources, ends snapped, lines split, connected pieces,
-- where the trailheads came from), as /v1/regions shows it. Earlier imports were OSM's.
ALTER TABLE imports
    ADD COLUMN attribution text,
    ADD COLUMN uses_osm boolean NOT NULL DEFAULT true,
    ADD COLUMN report jsonb NOT NULL DEFAULT '{}';
