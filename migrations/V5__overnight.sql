-- Places to sleep and water, as multi-day plans need them: the kinds a backpacker
-- chooses between, which OSM element and tag each came from, and what OSM says of it.
ALTER TABLE pois DROP CONSTRAINT pois_kind_check;
UPDATE pois SET kind = 'camp_site' WHERE kind = 'campsite';
-- Shelters imported before this one were not told apart by shelter_type; the next
-- import keeps only those one can sleep in (basic_hut, lean_to).
ALTER TABLE pois ADD CONSTRAINT pois_kind_check CHECK (kind IN (
    'hut', 'camp_site', 'shelter', 'lodging',
    'drinking_water', 'spring', 'water_tap', 'water_point'));
ALTER TABLE pois
    ADD COLUMN osm_type text NOT NULL DEFAULT 'node' CHECK (osm_type IN ('node', 'way', 'relation')),
    ADD COLUMN osm_tag text NOT NULL DEFAULT '',
    ADD COLUMN fee text,
    ADD COLUMN access text,
    ADD COLUMN opening_hours text,
    ADD COLUMN capacity text,
    ADD COLUMN drinking_water text,
    ADD COLUMN website text;
