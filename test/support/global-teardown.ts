import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PostgresChoice } from './postgres-server';
import { stopTestPostgres } from './postgres-server';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__adoptionTestServers as
    { postgres: PostgresChoice; devServer: TestWorkflowEnvironment } | undefined;
  if (!servers) return;
  await servers.devServer.teardown();
  stopTestPostgres(servers.postgres);
}
