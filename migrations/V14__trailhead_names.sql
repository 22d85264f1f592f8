-- Every trailhead has a name: the data's, else one made from the road it is on, a
-- named feature near it, the trail it starts, or its place ("Brush Ridge Road
-- parking", "Parking near Greenwood Lake"). `name_derived` says which. Regions
-- imported before this keep their unnamed trailheads until imported again.
ALTER TABLE trailheads ADD COLUMN name_derived boolean NOT NULL DEFAULT false;
