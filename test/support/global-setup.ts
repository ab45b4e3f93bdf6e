import { startTestPostgres, stopTestPostgres } from './postgres-server';
import { startDevServer } from './temporal';

/**
 * Starts the servers every test file shares: one Postgres (server or PGlite) and one Temporal dev server. Each test
 * file gets its own database and its own task queue, so files never see each other's data.
 */
export default async function globalSetup(): Promise<void> {
  const postgres = await startTestPostgres();
  process.env.TEST_POSTGRES_KIND = postgres.kind;
  if (postgres.kind !== 'pglite') process.env.TEST_POSTGRES_ADMIN_URL = postgres.url;
  const where =
    postgres.kind === 'url'
      ? 'DATABASE_URL'
      : postgres.kind === 'cluster'
        ? `a private cluster (${postgres.dataDir})`
        : 'embedded PGlite (no Postgres server binaries found)';
  process.stderr.write(`\n[test setup] Postgres: ${where}\n`);

  let devServer: Awaited<ReturnType<typeof startDevServer>>;
  try {
    devServer = await startDevServer();
  } catch (error) {
    // Jest runs no teardown when set-up fails: stop the cluster started above before reporting the failure.
    stopTestPostgres(postgres);
    throw error;
  }
  process.env.TEST_TEMPORAL_ADDRESS = devServer.address;
  process.stderr.write(`[test setup] Temporal dev server: ${devServer.address}\n`);
  (globalThis as Record<string, unknown>).__adoptionTestServers = { postgres, devServer };
}
