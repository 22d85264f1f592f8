-- The service's own privileges, apart from the owner's that migrate and import use:
-- read the network, read, save and expire plans. A login for the service is made a
-- member by `trailloop api-user` (run with the owner's credential); the role itself
-- cannot log in.
--
-- Roles belong to the cluster, not the database: several databases of one cluster (the
-- tests' throwaway ones) may create it at once, and the later ones find it there.
DO $$
BEGIN
    CREATE ROLE trailloop_api NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO trailloop_api;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO trailloop_api;
GRANT INSERT, DELETE ON plans TO trailloop_api;
-- Tables later migrations create (as the owner) are readable too; anything more is
-- granted by the migration that needs it.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO trailloop_api;
