import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configurationProblems, ConfigurationError, MIN_SECRET_LENGTH } from '../../cli/environment-check';
import { runApi } from '../../cli/commands/api';
import { runCli } from '../support/run-cli';

/**
 * A wrong setting stops `worker`, `api` and `start` before they open the store or connect anywhere, naming the
 * variable; nothing reaches a run. (Before: IN_APP_WEBHOOK_URL without its secret failed every run at send_in_app_tips.)
 */
const ROOT = path.resolve(__dirname, '..', '..');
const HALF_IN_APP = { IN_APP_WEBHOOK_URL: 'http://127.0.0.1:9/in-app', IN_APP_WEBHOOK_SECRET: undefined, TEMPORAL_ADDRESS: '127.0.0.1:1' };

describe('configurationProblems', () => {
  it('accepts every variable of the README set to a sound value, and an empty environment', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-check-'));
    const cert = path.join(dir, 'client.pem');
    fs.writeFileSync(cert, 'not read here');
    const sound = {
      DATABASE_URL: 'postgres://adoption@db.internal:5432/adoption',
      ADOPTION_CONFIG: path.join(ROOT, 'adoption.config.yaml'),
      TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'acme.a1b2c',
      TEMPORAL_TASK_QUEUE: 'adoption-enablement',
      ADOPTION_WORKER_MAX_CACHED_WORKFLOWS: '200',
      ADOPTION_WORKER_MAX_CONCURRENT_ACTIVITIES: '50',
      TEMPORAL_API_KEY: 'an-api-key',
      TEMPORAL_TLS_CERT: cert,
      TEMPORAL_TLS_KEY: cert,
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_API_URL: 'https://slack.com/api/',
      ADOPTION_API_KEYS: 'ops:read+write:0123456789abcdef0123',
      SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
      SLACK_LEAD_USER_IDS: 'U024BE7LH, W012A3CDE',
      SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
      EMAIL_FROM: 'Customer Success <cs@example.com>',
      ADOPTION_LINK_SECRET: 'a-link-secret-of-24-chars',
      TRAINING_WEBHOOK_SECRET: 'a-webhook-secret-24-chars',
      PUBLIC_BASE_URL: 'https://adoption.example.com',
      IN_APP_WEBHOOK_URL: 'https://in-app.example.com/hooks/adoption',
      IN_APP_WEBHOOK_SECRET: 'an-in-app-secret-24-chars',
      AGENT_URL: 'http://agents.internal:8080',
      TEMPORAL_UI_URL: 'https://cloud.temporal.io',
      LOG_LEVEL: 'info',
    };
    expect(configurationProblems(sound)).toEqual([]);
    expect(configurationProblems({})).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each<[string, Record<string, string>]>([
    ['IN_APP_WEBHOOK_SECRET', { IN_APP_WEBHOOK_URL: 'https://in-app.example.com/hook' }],
    ['IN_APP_WEBHOOK_URL', { IN_APP_WEBHOOK_SECRET: 'an-in-app-secret-24-chars' }],
    ['IN_APP_WEBHOOK_URL', { IN_APP_WEBHOOK_URL: 'in-app.example.com/hook', IN_APP_WEBHOOK_SECRET: 'an-in-app-secret-24-chars' }],
    ['TEMPORAL_TLS_KEY', { TEMPORAL_TLS_CERT: __filename }],
    ['TEMPORAL_TLS_CERT', { TEMPORAL_TLS_CERT: '/nonexistent/cert.pem', TEMPORAL_TLS_KEY: __filename }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/db' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['SMTP_URL', { SMTP_URL: 'http://smtp.example.com' }],
    ['SLACK_API_URL', { SLACK_API_URL: 'ftp://slack.example.com' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'adoption.example.com' }],
    ['AGENT_URL', { AGENT_URL: '::' }],
    ['TEMPORAL_UI_URL', { TEMPORAL_UI_URL: 'localhost:8233' }],
    ['ADOPTION_LINK_SECRET', { ADOPTION_LINK_SECRET: 'short' }],
    ['TRAINING_WEBHOOK_SECRET', { TRAINING_WEBHOOK_SECRET: 'x'.repeat(MIN_SECRET_LENGTH - 1) }],
    ['SLACK_SIGNING_SECRET', { SLACK_SIGNING_SECRET: 'secret' }],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'localhost:99999' }],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'http://localhost:7233' }],
    ['TEMPORAL_NAMESPACE', { TEMPORAL_NAMESPACE: 'my namespace' }],
    ['ADOPTION_WORKER_MAX_CONCURRENT_ACTIVITIES', { ADOPTION_WORKER_MAX_CONCURRENT_ACTIVITIES: 'twenty' }],
    ['ADOPTION_WORKER_MAX_CACHED_WORKFLOWS', { ADOPTION_WORKER_MAX_CACHED_WORKFLOWS: '1e3' }],
    ['ADOPTION_API_KEYS', { ADOPTION_API_KEYS: 'ops:read:short' }],
    ['EMAIL_FROM', { EMAIL_FROM: 'Customer Success' }],
    ['SLACK_LEAD_USER_IDS', { SLACK_LEAD_USER_IDS: 'U024BE7LH,@alice' }],
    ['SLACK_BOT_TOKEN', { SLACK_BOT_TOKEN: 'xoxb-1 2' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['ADOPTION_CONFIG', { ADOPTION_CONFIG: '/nonexistent/adoption.config.yaml' }],
    ['ADOPTION_CONFIG', { ADOPTION_CONFIG: path.join(ROOT, 'test', 'fixtures', 'config', 'invalid-threshold.yaml') }],
    ['TEMPORAL_CLI_PATH', { TEMPORAL_CLI_PATH: '/nonexistent/temporal' }],
  ])('names %s when it is wrong', (variable, env) => {
    const problems = configurationProblems(env);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.startsWith(`${variable}: `)).toBe(true);
  });

  it('never echoes a secret', () => {
    const problems = configurationProblems({ ADOPTION_LINK_SECRET: 'sekrit', SLACK_SIGNING_SECRET: 'hunter2', ADOPTION_API_KEYS: 'ops:read:tiny' });
    expect(problems).toHaveLength(3);
    for (const secret of ['sekrit', 'hunter2', 'tiny']) expect(problems.join('\n')).not.toContain(secret);
  });
});

describe('the commands refuse to start on a half-configured in-app channel', () => {
  it('worker', async () => {
    const result = await runCli(['worker'], HALF_IN_APP);
    expect(result.error).toBeInstanceOf(ConfigurationError);
    expect(result.error?.message).toMatch(
      /^refusing to start: a setting is wrong\n {2}IN_APP_WEBHOOK_SECRET: IN_APP_WEBHOOK_URL and IN_APP_WEBHOOK_SECRET go together/,
    );
  });

  it('api', async () => {
    const refused = runApi(
      { port: '0', host: '127.0.0.1' },
      { until: Promise.resolve(), env: { ...process.env, ...HALF_IN_APP }, log: () => undefined },
    );
    await expect(refused).rejects.toThrow(/IN_APP_WEBHOOK_SECRET: IN_APP_WEBHOOK_URL and IN_APP_WEBHOOK_SECRET go together/);
  });

  it('start, before it creates or opens the store', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'config-check-start-')), 'data');
    const result = await runCli(['start', '--once', '--no-demo', '--data-dir', dataDir, '--api-port', '0'], {
      ...HALF_IN_APP,
      DATABASE_URL: undefined,
    });
    expect(result.error).toBeInstanceOf(ConfigurationError);
    expect(result.error?.message).toContain('IN_APP_WEBHOOK_SECRET: IN_APP_WEBHOOK_URL and IN_APP_WEBHOOK_SECRET go together');
    expect(fs.existsSync(dataDir)).toBe(false);
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });
});
