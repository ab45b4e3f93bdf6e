import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalBinaries } from '../../cli/temporal-binaries';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { registerSearchAttributes } from '../../client/search-attribute-registration';

/**
 * Real Temporal servers for the tests: the dev server (official `temporal` CLI, one per `npm test`, started in
 * global setup) and the time-skipping test server (official sdk-java binary, one per test file that needs it).
 * Binaries come from TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH or from `scripts/provision-temporal.js`.
 */
function explainMissing(what: string, variable: string, error: unknown): Error {
  return new Error(
    `no ${what}: ${variable} is unset, the package registries gave none (scripts/provision-temporal.js) and the ` +
      `SDK download failed (${(error as Error).message}). Set ${variable} to the binary's path.`,
  );
}

export async function startDevServer(): Promise<TestWorkflowEnvironment> {
  const { cli } = temporalBinaries();
  try {
    return await TestWorkflowEnvironment.createLocal({
      server: {
        executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
        searchAttributes: ALL_SEARCH_ATTRIBUTES,
        extraArgs: ['--headless', '--log-level', 'error'],
      },
    });
  } catch (error) {
    throw explainMissing('Temporal dev server (`temporal` CLI)', 'TEMPORAL_CLI_PATH', error);
  }
}

/** Connects a test file to the dev server started by global setup. */
export async function connectDevServer(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS is unset: run the tests through `npm test` (jest global setup)');
  return TestWorkflowEnvironment.createFromExistingServer({ address });
}

export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const { testServer } = temporalBinaries();
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: testServer ? { type: 'existing-path', path: testServer } : { type: 'cached-download' } },
    });
  } catch (error) {
    throw explainMissing('Temporal time-skipping test server', 'TEMPORAL_TEST_SERVER_PATH', error);
  }
  process.stderr.write(`[test setup] Temporal time-skipping test server: ${testServer ?? 'SDK download'}\n`);
  // The test server has no --search-attribute flag: register them as a real cluster would.
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}
