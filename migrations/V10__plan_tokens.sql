-- A loop's token saves it once: the plan keeps a SHA-256 of its token (of the token's
-- canonical text, so that "0123.x" and "123.x" are one), unique, and saving the same
-- token again answers the plan saved the first time. Plans saved before have none.
ALTER TABLE plans
    ADD COLUMN token_hash bytea CHECK (octet_length(token_hash) = 32),
    ADD CONSTRAINT plans_token_hash_key UNIQUE (token_hash);

-- How many plans are stored, for the cap on them (`plans.max_stored`): counting a
-- million rows on every save would cost more than the save. One row, kept by triggers
-- on plans, so no writer of plans can forget it; a save reads it after its insert
-- (the insert's trigger holds the row's lock until the save commits, so two saves at
-- the cap's edge cannot both pass). Expired plans count until they are deleted: a save
-- that finds the cap reached deletes them and looks again.
CREATE TABLE plan_totals (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    stored   bigint  NOT NULL CHECK (stored >= 0)
);
INSERT INTO plan_totals (stored) SELECT count(*) FROM plans;

-- SECURITY DEFINER: the service's role inserts and deletes plans but cannot write the
-- count itself; the functions run as their owner, with a search path it controls.
CREATE FUNCTION plan_totals_add() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM changed;
    -- A statement that changed nothing (a save of a known token, a purge with nothing
    -- to purge) leaves the row, and its lock, alone.
    IF n > 0 THEN
        UPDATE public.plan_totals
           SET stored = stored + CASE WHEN TG_OP = 'INSERT' THEN n ELSE -n END;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION plan_totals_clear() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE public.plan_totals SET stored = 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER plans_counted_in AFTER INSERT ON plans
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION plan_totals_add();
CREATE TRIGGER plans_counted_out AFTER DELETE ON plans
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION plan_totals_add();
CREATE TRIGGER plans_cleared AFTER TRUNCATE ON plans
    FOR EACH STATEMENT EXECUTE FUNCTION plan_totals_clear();

-- The service reads the count (it inserts the new column with the table's INSERT right
-- of V9, and reads it with its SELECT right).
GRANT SELECT ON plan_totals TO trailloop_api;
