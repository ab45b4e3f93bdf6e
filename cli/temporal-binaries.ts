import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';

/** Where scripts/provision-temporal.js records the binaries it installed. */
export const PROVISIONED_PATHS_FILE = path.join(packageRoot(), '.tools', 'temporal-paths.json');

export interface TemporalBinaries {
  /** The `temporal` CLI (dev server + Web UI). */
  cli?: string;
  /** The time-skipping test server from sdk-java. */
  testServer?: string;
}

/** TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH when set, else what the provisioning script installed. */
export function temporalBinaries(env: NodeJS.ProcessEnv = process.env): TemporalBinaries {
  const provisioned: TemporalBinaries = fs.existsSync(PROVISIONED_PATHS_FILE) ? JSON.parse(fs.readFileSync(PROVISIONED_PATHS_FILE, 'utf8')) : {};
  return {
    cli: env.TEMPORAL_CLI_PATH || provisioned.cli,
    testServer: env.TEMPORAL_TEST_SERVER_PATH || provisioned.testServer,
  };
}
