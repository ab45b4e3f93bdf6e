-- The role `query_database` steps run as (issue 8): it reads only the tables the definition language documents
-- (definitions/README.md, `query_database`), nothing else, and as a non-superuser it cannot read pg_authid or call
-- admin functions such as pg_ls_waldir() or pg_read_file(). The activity runs each query inside a READ ONLY
-- transaction with `SET LOCAL ROLE adoption_query_reader` when the connected user may, and a search_path of the
-- schema alone either way.
--
-- Roles belong to the whole cluster, so this is idempotent and safe to run in every database and concurrently.
-- When the migrating user may not create roles (not a superuser, no CREATEROLE), it creates nothing, says so in a
-- NOTICE, and the queries keep the READ ONLY transaction and the restricted search_path; an administrator can create
-- the role later and run the GRANTs below (the activity picks it up on its next query):
--   CREATE ROLE adoption_query_reader NOLOGIN NOINHERIT;  GRANT adoption_query_reader TO <application user>;
--   GRANT USAGE ON SCHEMA adoption TO adoption_query_reader;  GRANT SELECT ON <the tables below> TO adoption_query_reader;
-- Runs unchanged on PGlite (its single user is a superuser, so the role is created there too).
DO $$
DECLARE
  may_create BOOLEAN;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'adoption_query_reader') THEN
    SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
    IF NOT COALESCE(may_create, FALSE) THEN
      RAISE NOTICE 'adoption: % may not create roles, so role adoption_query_reader was not created; query_database steps run READ ONLY with search_path adoption only (see db/migrations/010_query_role.sql to create it)', current_user;
      RETURN;
    END IF;
    BEGIN
      CREATE ROLE adoption_query_reader NOLOGIN NOSUPERUSER NOINHERIT NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database's migration created it at the same moment
    END;
  END IF;
  -- The connected user must be able to SET ROLE to it (a superuser always can).
  IF NOT pg_has_role(current_user, 'adoption_query_reader', 'MEMBER') THEN
    BEGIN
      EXECUTE format('GRANT adoption_query_reader TO %I', current_user);
    EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
      RAISE NOTICE 'adoption: could not grant adoption_query_reader to %; query_database steps run without it', current_user;
    END;
  END IF;
  BEGIN
    GRANT USAGE ON SCHEMA adoption TO adoption_query_reader;
    -- The tables query_database may read (definitions/README.md); the rest of the schema stays invisible to it.
    GRANT SELECT ON adoption.customers, adoption.feature_catalog, adoption.feature_adoption, adoption.usage_daily,
      adoption.usage_weekly, adoption.risk_signals, adoption.risk_signal_features, adoption.interventions,
      adoption.adoption_snapshots TO adoption_query_reader;
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'adoption: could not grant adoption_query_reader its SELECTs (%); query_database steps run without it', SQLERRM;
  END;
END
$$;
