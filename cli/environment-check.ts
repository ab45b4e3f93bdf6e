import fs from 'node:fs';
import addressparser from 'nodemailer/lib/addressparser';
import { formatDiagnostic } from '../definitions/language/diagnostics';
import { loadRulesConfigFile, RULES_CONFIG_ENV } from '../adoption/config/load';
import { ApiKeyConfigError, parseApiKeys } from '../web/api-keys';
import { workerTuningFromEnv } from '../worker/worker-tuning';

/**
 * The whole configuration the README's Environment table documents, checked when `worker`, `api` and `start` begin,
 * before they open the store or connect anywhere: a process with a bad setting refuses to start naming the variable,
 * so no run ever fails halfway for a setting (an in-app URL without its secret used to fail every run at
 * send_in_app_tips). Secrets are never echoed.
 */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `refusing to start: ${problems.length === 1 ? 'a setting is' : `${problems.length} settings are`} wrong\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    this.name = 'ConfigurationError';
  }
}

/** Shared secrets are HMAC keys: short ones can be guessed. */
export const MIN_SECRET_LENGTH = 16;

const SECRETS = ['ADOPTION_LINK_SECRET', 'TRAINING_WEBHOOK_SECRET', 'IN_APP_WEBHOOK_SECRET', 'SLACK_SIGNING_SECRET'] as const;
const HTTP_URLS = ['SLACK_API_URL', 'PUBLIC_BASE_URL', 'IN_APP_WEBHOOK_URL', 'AGENT_URL', 'TEMPORAL_UI_URL'] as const;
/** Settings that only make sense together: one without the other is a half-configured channel. */
const PAIRS = [
  ['IN_APP_WEBHOOK_URL', 'IN_APP_WEBHOOK_SECRET'],
  ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'],
] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Every problem of the configuration in `env`, one line each starting with the variable's name; [] when it is sound. */
export function configurationProblems(env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const value = (name: string) => (env[name] ?? '').trim();
  const shown = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);

  const url = (name: string, protocols: string[]) => {
    if (!set(name)) return;
    let parsed: URL;
    try {
      parsed = new URL(value(name));
    } catch {
      problems.push(`${name}: not a URL (got ${shown(value(name))})`);
      return;
    }
    if (!protocols.includes(parsed.protocol)) {
      problems.push(`${name}: must be a ${protocols.map((p) => p.slice(0, -1)).join(' or ')} URL (got ${shown(`${parsed.protocol}//…`)})`);
    }
  };
  url('DATABASE_URL', ['postgres:', 'postgresql:']);
  url('ADOPTION_QUERY_DATABASE_URL', ['postgres:', 'postgresql:']);
  url('SMTP_URL', ['smtp:', 'smtps:']);
  for (const name of HTTP_URLS) url(name, ['http:', 'https:']);

  for (const name of SECRETS) {
    if (set(name) && value(name).length < MIN_SECRET_LENGTH) problems.push(`${name}: must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  for (const [a, b] of PAIRS) {
    if (set(a) !== set(b)) problems.push(`${set(a) ? b : a}: ${a} and ${b} go together; set both or neither`);
  }
  for (const name of ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_CLI_PATH', RULES_CONFIG_ENV]) {
    if (!set(name)) continue;
    try {
      fs.accessSync(value(name), fs.constants.R_OK);
    } catch {
      problems.push(`${name}: no readable file at ${shown(value(name))}`);
    }
  }

  if (set('TEMPORAL_ADDRESS')) {
    const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(value('TEMPORAL_ADDRESS'));
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65_535) {
      problems.push(`TEMPORAL_ADDRESS: must be host:port with a port from 1 to 65535 (got ${shown(value('TEMPORAL_ADDRESS'))})`);
    }
  }
  for (const name of ['TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE']) {
    if (set(name) && (/[\s\p{Cc}]/u.test(value(name)) || value(name).length > 255)) {
      problems.push(`${name}: must be 1-255 characters without spaces or control characters`);
    }
  }
  try {
    workerTuningFromEnv(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  try {
    parseApiKeys(env.ADOPTION_API_KEYS);
  } catch (error) {
    if (!(error instanceof ApiKeyConfigError)) throw error;
    problems.push(error.message);
  }
  if (set('EMAIL_FROM')) {
    const addresses = addressparser(value('EMAIL_FROM'), { flatten: true });
    if (addresses.length !== 1 || !/^[^\s@]+@[^\s@]+$/.test(addresses[0].address)) {
      problems.push(`EMAIL_FROM: must be one address, "Name <name@example.com>" or name@example.com (got ${shown(value('EMAIL_FROM'))})`);
    }
  }
  if (set('SLACK_BOT_TOKEN') && /\s/.test(value('SLACK_BOT_TOKEN'))) problems.push('SLACK_BOT_TOKEN: must not contain spaces');
  if (set('SLACK_LEAD_USER_IDS')) {
    const bad = value('SLACK_LEAD_USER_IDS')
      .split(/[\s,]+/)
      .filter((id) => id !== '' && !/^[UW][A-Z0-9]{2,}$/.test(id));
    if (bad.length > 0) problems.push(`SLACK_LEAD_USER_IDS: not Slack user ids (U… or W…): ${bad.slice(0, 3).map(shown).join(', ')}`);
  }
  if (set('LOG_LEVEL') && !LOG_LEVELS.includes(value('LOG_LEVEL')))
    problems.push(`LOG_LEVEL: one of ${LOG_LEVELS.join(', ')} (got ${shown(value('LOG_LEVEL'))})`);
  if (set(RULES_CONFIG_ENV) && !problems.some((p) => p.startsWith(`${RULES_CONFIG_ENV}:`))) {
    const result = loadRulesConfigFile(value(RULES_CONFIG_ENV));
    for (const diagnostic of result.diagnostics) problems.push(`${RULES_CONFIG_ENV}: ${formatDiagnostic(diagnostic)}`);
  }
  return problems;
}

/** Throws ConfigurationError listing every problem: the first thing `worker`, `api` and `start` do. */
export function assertConfiguration(env: NodeJS.ProcessEnv = process.env): void {
  const problems = configurationProblems(env);
  if (problems.length > 0) throw new ConfigurationError(problems);
}
