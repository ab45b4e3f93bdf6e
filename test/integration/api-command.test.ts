import { randomUUID } from 'node:crypto';
import { buildProgram } from '../../cli/main';
import { runApi } from '../../cli/commands/api';
import { slackSignature } from '../../web/slack/signature';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { runCli } from '../support/run-cli';
import { seedCustomer } from '../support/seed';

/**
 * `npx adoption-enablement api`: the command's server on DATABASE_URL, Temporal from the environment connected on
 * first use (unreachable: 503 with the reason; the dev server: real answers), SLACK_SIGNING_SECRET from the env.
 */
let database: TestDatabase;
const savedDatabaseUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  database = await createTestDatabase();
  if (!database.url) throw new Error('this test needs a Postgres server (TEST_POSTGRES_ADMIN_URL)');
  process.env.DATABASE_URL = database.url;
});

afterAll(async () => {
  if (savedDatabaseUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedDatabaseUrl;
  await database?.dispose();
});

/** Runs the command's server until `work` is done. */
async function withApi(env: NodeJS.ProcessEnv, work: (url: string) => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  let stop!: () => void;
  const until = new Promise<void>((resolve) => (stop = resolve));
  let listening!: (url: string) => void;
  const ready = new Promise<string>((resolve) => (listening = resolve));
  const running = runApi({ port: '0', host: '127.0.0.1' }, { until, env, log: (line) => lines.push(line), onListening: listening });
  try {
    await Promise.race([ready.then(work), running.then(() => Promise.reject(new Error('the server stopped early')))]);
  } finally {
    stop();
    await running;
  }
  return lines;
}

it('is registered with its options', async () => {
  // (`api --help` would exit the process: commander's exitOverride does not reach subcommands made before it.)
  const command = buildProgram().commands.find((candidate) => candidate.name() === 'api');
  expect(command?.description()).toContain('serve the HTTP API');
  expect(command?.options.map((option) => [option.flags, option.defaultValue])).toEqual([
    ['--port <port>', '3000'],
    ['--host <host>', '127.0.0.1'],
    ['--data-dir <dir>', '.data'],
  ]);
  const bad = await runCli(['api', '--port', 'eighty']);
  expect(bad.error?.message).toBe('--port must be a port number (0-65535), got "eighty"');
});

it('serves the store, answers 503 while Temporal is unreachable, and verifies Slack with SLACK_SIGNING_SECRET', async () => {
  const customerId = await seedCustomer(database.db, { name: 'CommandCo' });
  const lines = await withApi({ TEMPORAL_ADDRESS: '127.0.0.1:1', SLACK_SIGNING_SECRET: 'cli-signing-secret-1234' }, async (url) => {
    const adoption = await fetch(`${url}/api/customers/${customerId}/feature-adoption`);
    expect(adoption.status).toBe(200);
    expect(((await adoption.json()) as { customer: { name: string } }).customer.name).toBe('CommandCo');

    const state = await fetch(`${url}/api/workflows/${encodeURIComponent(`adoption-stalled/${customerId}/${randomUUID()}`)}/state`);
    expect(state.status).toBe(503);
    expect(((await state.json()) as { error: string }).error).toMatch(/^Temporal is unavailable: /);

    const body = new URLSearchParams({ payload: JSON.stringify({ type: 'view_closed' }) }).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const post = (secret: string) =>
      fetch(`${url}/slack/interactivity`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': slackSignature(secret, timestamp, body),
        },
        body,
      });
    expect((await post('cli-signing-secret-1234')).status).toBe(200);
    expect((await post('another-secret')).status).toBe(401);
  });
  expect(lines.join('\n')).toMatch(
    /^API on http:\/\/127\.0\.0\.1:\d+ \(store postgres:\/\/.+; Temporal 127\.0\.0\.1:1\/default on first use; Slack interactivity on; no API keys \(ADOPTION_API_KEYS unset\): open, loopback only\)/,
  );
});

it('reaches Temporal from the environment on first use', async () => {
  const lines = await withApi({ TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS }, async (url) => {
    const workflowId = `adoption-stalled/${randomUUID()}/${randomUUID()}`;
    const state = await fetch(`${url}/api/workflows/${encodeURIComponent(workflowId)}/state`);
    expect(state.status).toBe(404);
    expect(await state.json()).toEqual({ error: `workflow ${workflowId} not found` });

    const slack = await fetch(`${url}/slack/interactivity`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'payload=%7B%7D',
    });
    expect(slack.status).toBe(503);
  });
  expect(lines.join('\n')).toContain('Slack interactivity off: SLACK_SIGNING_SECRET is unset');
});

it('refuses --host 0.0.0.0 without ADOPTION_API_KEYS, saying why, and requires a key on every interface once they are set', async () => {
  const refused = runApi({ port: '0', host: '0.0.0.0' }, { until: new Promise<void>(() => undefined), env: {}, log: () => undefined });
  await expect(refused).rejects.toThrow(/^refusing to listen on 0\.0\.0\.0: ADOPTION_API_KEYS is not set/);

  const customerId = await seedCustomer(database.db, { name: 'KeyedCo' });
  let stop!: () => void;
  const until = new Promise<void>((resolve) => (stop = resolve));
  let listening!: (url: string) => void;
  const ready = new Promise<string>((resolve) => (listening = resolve));
  const lines: string[] = [];
  const key = 'command-test-key-0123456789abcdef';
  const running = runApi(
    { port: '0', host: '0.0.0.0' },
    {
      until,
      env: { TEMPORAL_ADDRESS: '127.0.0.1:1', ADOPTION_API_KEYS: `ops:read:${key}` },
      log: (line) => lines.push(line),
      onListening: listening,
    },
  );
  try {
    const url = (await Promise.race([ready, running.then(() => Promise.reject(new Error('the server stopped early')))])).replace(
      '0.0.0.0',
      '127.0.0.1',
    );
    const path = `/api/customers/${customerId}/feature-adoption`;
    expect((await fetch(`${url}${path}`)).status).toBe(401);
    expect((await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  } finally {
    stop();
    await running;
  }
  expect(lines.join('\n')).toContain('API keys required');
  expect(lines.join('\n')).not.toContain(key);
});
