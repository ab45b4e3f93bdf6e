import type { Db } from '../db/database';
import { SCHEMA } from '../db/database';
import type { JsonValue } from '../definitions/language/types';

export const QUERY_STATEMENT_TIMEOUT_MS = 5_000;
export const QUERY_MAX_ROWS_CAP = 10_000;
/** The role created by db/migrations/010_query_role.sql: SELECT on the documented tables only, not a superuser. */
export const QUERY_READER_ROLE = 'adoption_query_reader';
/** The login role of db/migrations/100_definition_reader.sql, what ADOPTION_QUERY_DATABASE_URL should log in as. */
export const DEFINITION_READER_LOGIN = 'adoption_definition_reader';

/** A definition's SELECT with its bound parameters, checked by the compiler (and by the step) before it gets here. */
export interface DefinitionQuery {
  sql: string;
  params: readonly JsonValue[];
  /** At most this many rows are kept (capped at QUERY_MAX_ROWS_CAP); one more is read to tell a truncated result. */
  maxRows: number;
}

export interface DefinitionQueryRows {
  rows: Array<Record<string, unknown>>;
  truncated: boolean;
}

/**
 * Runs a definition's SELECT read-only, as the reader role where it can be taken, bounded in time and rows: what a
 * `query_database` step (or a platform previewing a definition) may see of the data.
 *
 * - READ ONLY transaction: writes (and nextval, and set_config back to read-write) fail inside it;
 * - the statement is wrapped as a subquery with a bound LIMIT, which (a) stops a huge result at maxRows + 1 rows in
 *   the server, and (b) guarantees at least one bound parameter, so `pg` uses the extended protocol, which refuses
 *   several statements in one string (`SELECT 1; COMMIT; DELETE ...` would otherwise leave the transaction);
 * - SET LOCAL statement_timeout bounds a runaway query;
 * - SET LOCAL ROLE adoption_query_reader when the role exists and the connected user may take it: the query sees only
 *   the documented tables, and as a non-superuser cannot read pg_authid or call pg_ls_waldir(). Without the role (a
 *   migrating user that could not create it; see the migration) the query still runs READ ONLY;
 * - SET LOCAL search_path to the schema alone (no public).
 *
 * With `readerDb` (a connection that logs in as DEFINITION_READER_LOGIN, ADOPTION_QUERY_DATABASE_URL) the query runs
 * there instead, with no SET ROLE: `set_config('role', ...)` or RESET ROLE cannot give it back a stronger user. Such
 * a login that turns out to be a superuser or a member of other roles is refused rather than used.
 */
export async function runDefinitionQuery(
  db: Db,
  query: DefinitionQuery,
  options: { statementTimeoutMs?: number; readerDb?: Db } = {},
): Promise<DefinitionQueryRows> {
  const timeoutMs = Math.max(1, Math.floor(options.statementTimeoutMs ?? QUERY_STATEMENT_TIMEOUT_MS));
  const maxRows = Math.min(Math.max(1, Math.floor(Number(query.maxRows) || 1)), QUERY_MAX_ROWS_CAP);
  const params = query.params ?? [];
  const limitParam = params.length + 1;
  const readerDb = options.readerDb;
  const rows = await (readerDb ?? db).transaction(async (tx) => {
    await tx.query('SET TRANSACTION READ ONLY');
    // SET cannot take a bound parameter; the value is an integer we computed, never text from the plan.
    await tx.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
    await tx.query(`SET LOCAL search_path = ${SCHEMA}`);
    if (readerDb) await refuseStrongLogin(tx);
    else await takeReaderRole(tx);
    const result = await tx.query<Record<string, unknown>>(`SELECT * FROM (\n${query.sql}\n) AS query_database_result LIMIT $${limitParam}`, [
      ...params,
      maxRows + 1,
    ]);
    return result.rows;
  });
  const truncated = rows.length > maxRows;
  return { rows: truncated ? rows.slice(0, maxRows) : rows, truncated };
}

/** The reader login must be what it says: no superuser, no role it could SET ROLE to. */
async function refuseStrongLogin(tx: Db): Promise<void> {
  const { rows } = await tx.query<{ who: string; super: boolean; member_of: number }>(
    `SELECT r.rolname AS who, r.rolsuper AS super,
            (SELECT COUNT(*)::int FROM pg_catalog.pg_auth_members m WHERE m.member = r.oid) AS member_of
       FROM pg_catalog.pg_roles r WHERE r.rolname = session_user`,
  );
  const login = rows[0];
  if (!login || login.super || login.member_of > 0) {
    const what = !login ? 'an unknown role' : login.super ? 'a superuser' : `a member of ${login.member_of} other role(s)`;
    throw new Error(
      `the definition-query connection logs in as ${login?.who ?? '?'}, ${what}; it must log in as ${DEFINITION_READER_LOGIN} (db/migrations/100_definition_reader.sql)`,
    );
  }
}

/** Without a reader login: SET LOCAL ROLE to 010's reader role when it exists and the connected user may take it. */
async function takeReaderRole(tx: Db): Promise<void> {
  const reader = await tx.query<{ usable: boolean }>(
    `SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)
                   THEN pg_catalog.pg_has_role(current_user, $1, 'MEMBER') ELSE FALSE END AS usable`,
    [QUERY_READER_ROLE],
  );
  if (reader.rows[0]?.usable) await tx.query(`SET LOCAL ROLE ${QUERY_READER_ROLE}`);
}
