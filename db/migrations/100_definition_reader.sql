-- The login role definitions' `query_database` statements run as (issue 19). 010's adoption_query_reader is taken
-- with SET LOCAL ROLE, which a statement can undo (set_config('role', ...), RESET ROLE) back to the application
-- user; a connection that logs in as this role has no other role to go back to. It may read the relations the
-- definition language documents (definitions/README.md; steps/query_database/allowed-sql.ts) and nothing else of
-- schema adoption; as a non-superuser it cannot read pg_authid or call admin functions.
--
-- It is created without a password: the operator sets one (ALTER ROLE adoption_definition_reader PASSWORD '...')
-- or lets pg_hba.conf decide, and points ADOPTION_QUERY_DATABASE_URL at it. Without that setting the worker keeps
-- 010's SET LOCAL ROLE path (PGlite, whose one user is all there is, always does).
--
-- Idempotent and safe in every database of a cluster (roles are cluster-wide). A migrating user that may not create
-- roles creates nothing and says so in a NOTICE; an administrator can run the same statements later:
--   CREATE ROLE adoption_definition_reader LOGIN NOINHERIT;  GRANT USAGE ON SCHEMA adoption TO adoption_definition_reader;
--   GRANT SELECT ON <the tables below> TO adoption_definition_reader;
DO $$
DECLARE
  may_create BOOLEAN;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'adoption_definition_reader') THEN
    SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
    IF NOT COALESCE(may_create, FALSE) THEN
      RAISE NOTICE 'adoption: % may not create roles, so login role adoption_definition_reader was not created (see db/migrations/100_definition_reader.sql)', current_user;
      RETURN;
    END IF;
    BEGIN
      CREATE ROLE adoption_definition_reader LOGIN NOSUPERUSER NOINHERIT NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database's migration created it at the same moment
    END;
  END IF;
  BEGIN
    GRANT USAGE ON SCHEMA adoption TO adoption_definition_reader;
    GRANT SELECT ON adoption.customers, adoption.feature_catalog, adoption.feature_adoption, adoption.usage_daily,
      adoption.usage_weekly, adoption.risk_signals, adoption.risk_signal_features, adoption.interventions,
      adoption.adoption_snapshots TO adoption_definition_reader;
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'adoption: could not grant adoption_definition_reader its SELECTs (%)', SQLERRM;
  END;
END
$$;
