-- A trip's dates: what OSM says of when a way may be walked and a place slept at.
-- Ways: their conditional restrictions for walkers (`foot:conditional`, and
-- `access:conditional` where `foot=*` does not allow walkers outright) and `seasonal`.
-- Places: `seasonal` and a hut's `winter_room` (`opening_hours` is kept since V5).
-- Regions imported before this one have none of them until imported again.
ALTER TABLE edges
    ADD COLUMN foot_conditional text,
    ADD COLUMN access_conditional text,
    ADD COLUMN seasonal text;
ALTER TABLE pois
    ADD COLUMN seasonal text,
    ADD COLUMN winter_room text;
