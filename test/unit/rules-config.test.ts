import { formatDiagnostic } from '../../definitions/language/diagnostics';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LOADED_RULES, DEFAULT_RULES, rulesDigest } from '../../adoption/config/rules';
import { loadRulesConfigFile, parseRulesConfig, resolveRules, RulesConfigError, RULES_CONFIG_LIMITS } from '../../adoption/config/load';
import { runCli } from '../support/run-cli';

/** adoption.config.yaml: validated like a definition, every problem at its line and column with a stable category. */
const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'config');

function problems(text: string): Array<[string, string]> {
  const result = parseRulesConfig(text, 'rules.yaml');
  expect(result.loaded).toBeUndefined();
  return result.diagnostics.map((d) => [`${d.line}:${d.column}`, d.category]);
}

describe('the shipped adoption.config.yaml', () => {
  it('writes out the defaults: same rules, same digest as no file at all', () => {
    const result = loadRulesConfigFile(path.join(ROOT, 'adoption.config.yaml'));
    expect(result.diagnostics).toEqual([]);
    expect(result.loaded!.rules).toEqual(DEFAULT_RULES);
    expect(result.loaded!.digest).toBe(DEFAULT_LOADED_RULES.digest);
  });

  it('defaults are the PRD numbers', () => {
    expect(DEFAULT_RULES.stages).toEqual({ engagedFrom: 20, adoptedFrom: 60, notStartedAfterDays: 7 });
    expect(DEFAULT_RULES.stallRules).toMatchObject({ lowUsageScoreBelow: 20, lowUsageMinDays: 14, pastExpectedScoreBelow: 30, minImportance: 0 });
    expect(DEFAULT_RULES.cooldowns).toEqual({ signalDays: 30, interventionDays: 30 });
  });
});

describe('resolving', () => {
  it('fills what a file leaves out from the defaults, and each segment from the global rules', () => {
    const result = loadRulesConfigFile(path.join(FIXTURES, 'key-features-enterprise.yaml'));
    const rules = result.loaded!.rules;
    expect(rules.stallRules).toMatchObject({ lowUsageScoreBelow: 25, lowUsageMinDays: 14, pastExpectedScoreBelow: 30, minImportance: 50 });
    expect(rules.segments).toEqual({ enterprise: { lowUsageScoreBelow: 10, lowUsageMinDays: 21, pastExpectedScoreBelow: 30, minImportance: 80 } });
    expect(rules.stages).toEqual(DEFAULT_RULES.stages);
    expect(result.loaded!.digest).not.toBe(DEFAULT_LOADED_RULES.digest);
  });

  it('the digest ignores comments and key order, and changes with any value', () => {
    const a = parseRulesConfig('version: 1\nstages: {engaged_from: 25, adopted_from: 70}\n', 'a.yaml');
    const b = parseRulesConfig('# ours\nstages:\n  adopted_from: 70\n  engaged_from: 25\nversion: 1\n', 'b.yaml');
    const c = parseRulesConfig('version: 1\nstages: {engaged_from: 25, adopted_from: 71}\n', 'c.yaml');
    expect(a.loaded!.digest).toBe(b.loaded!.digest);
    expect(c.loaded!.digest).not.toBe(a.loaded!.digest);
    expect(rulesDigest(a.loaded!.rules)).toBe(a.loaded!.digest);
  });

  it('ADOPTION_CONFIG names the file; an invalid one throws with every problem at its place', () => {
    expect(resolveRules(null, {})).toBe(DEFAULT_LOADED_RULES);
    const chosen = resolveRules(null, { ADOPTION_CONFIG: path.join(FIXTURES, 'key-features-enterprise.yaml') });
    expect(chosen.rules.stallRules.minImportance).toBe(50);
    expect(() => resolveRules(null, { ADOPTION_CONFIG: path.join(FIXTURES, 'invalid-threshold.yaml') })).toThrow(RulesConfigError);
    expect(() => resolveRules(null, { ADOPTION_CONFIG: path.join(FIXTURES, 'invalid-threshold.yaml') })).toThrow(
      /invalid-threshold\.yaml:7:18: stall_rules\.low_usage\.score_below must be a whole number \(got "twenty"\)/,
    );
  });
});

describe('refused at line and column', () => {
  it('a wrong type and a misspelt key, each where it is', () => {
    const result = loadRulesConfigFile(path.join(FIXTURES, 'invalid-threshold.yaml'));
    expect(result.diagnostics.map((d) => [d.line, d.column, d.category, d.path])).toEqual([
      [7, 18, 'schema', 'stall_rules.low_usage.score_below'],
      [9, 3, 'unknown-key', 'stall_rules.past_expected_timline'],
    ]);
    expect(formatDiagnostic(result.diagnostics[1])).toMatch(
      /invalid-threshold\.yaml:9:3: unknown key "past_expected_timline" in stall_rules \(allowed: low_usage, past_expected_timeline, /,
    );
  });

  it('out of range, contradicting keys, missing version, bad segment names', () => {
    expect(problems('version: 1\nstall_rules:\n  low_usage:\n    score_below: 101\n')).toEqual([['4:18', 'schema']]);
    expect(problems('version: 1\nstages:\n  engaged_from: 60\n  adopted_from: 40\n')).toEqual([['4:17', 'conflicting-keys']]);
    expect(problems('version: 1\nrhythm:\n  min_cadence_days: 90\n  max_cadence_days: 30\n')).toEqual([['4:21', 'conflicting-keys']]);
    expect(problems('stages:\n  engaged_from: 20\n')).toEqual([['1:1', 'missing-key']]);
    expect(problems('version: 2\n')).toEqual([['1:10', 'schema']]);
    expect(problems('version: 1\nsegments:\n  "bad\\nname":\n    alerting: { min_importance: 3 }\n')).toEqual([['3:3', 'schema']]);
    expect(problems('version: 1\nsegments:\n  smb:\n    stages: { engaged_from: 10 }\n')).toEqual([['4:5', 'unknown-key']]);
  });

  it('YAML problems: syntax, duplicate keys, empty file, a scalar', () => {
    expect(problems('version: 1\nstages: [\n')[0][1]).toBe('yaml-syntax');
    expect(problems('version: 1\nversion: 1\n')).toEqual([['2:1', 'yaml-syntax']]);
    expect(problems('')).toEqual([['1:1', 'schema']]);
    expect(problems('42\n')).toEqual([['1:1', 'schema']]);
  });

  it('hostile input: NUL, deep nesting, a huge file, alias bombs, impossible numbers, not UTF-8', () => {
    expect(problems('version: 1\nstages:\n  engaged_from: 2\u00000\n')).toEqual([['3:18', 'encoding']]);
    expect(problems(`version: 1\nx: ${'['.repeat(30_000)}`)).toEqual([['2:12', 'limit']]);
    expect(problems(`version: 1\n${'  '.repeat(2_000)}x: 1\n`)).toEqual([['2:4001', 'limit']]);
    expect(problems(`version: 1\nx: ${'a'.repeat(RULES_CONFIG_LIMITS.maxBytes)}`)).toEqual([['1:1', 'limit']]);
    const bomb = `version: 1\na: &a [1, 1]\nb: &b [${'*a, '.repeat(30)}*a]\n`;
    expect(problems(bomb)).toEqual([['1:1', 'yaml-syntax']]);
    expect(problems('version: 1\ncooldowns:\n  signal_days: 1e400\n')).toEqual([['3:16', 'schema']]);
    expect(problems('version: 1\ncooldowns:\n  signal_days: -5\n')).toEqual([['3:16', 'schema']]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-config-'));
    try {
      const latin1 = path.join(dir, 'latin1.yaml');
      fs.writeFileSync(latin1, Buffer.from([...Buffer.from('version: 1\n# caf'), 0xe9, 0x0a]));
      expect(loadRulesConfigFile(latin1).diagnostics.map((d) => d.category)).toEqual(['encoding']);
      expect(loadRulesConfigFile(path.join(dir, 'missing.yaml')).diagnostics.map((d) => [d.category, d.message])).toEqual([
        ['io', 'cannot read the file: ENOENT'],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npx adoption-enablement config', () => {
  it('validate prints ok with the digest; the shipped file by default', async () => {
    const ok = await runCli(['config', 'validate', path.join(FIXTURES, 'key-features-enterprise.yaml')]);
    expect(ok).toMatchObject({ exitCode: 0, stderr: '' });
    expect(ok.stdout).toMatch(/key-features-enterprise\.yaml: ok \(digest [0-9a-f]{64}\)\n$/);
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const shipped = await runCli(['config', 'validate'], { ADOPTION_CONFIG: undefined });
      expect(shipped.stdout).toBe(`adoption.config.yaml: ok (digest ${DEFAULT_LOADED_RULES.digest})\n`);
    } finally {
      process.chdir(cwd);
    }
  });

  it('validate of an invalid file: every problem on stderr as FILE:LINE:COLUMN, exit 1', async () => {
    const file = path.join(FIXTURES, 'invalid-threshold.yaml');
    const result = await runCli(['config', 'validate', file]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `${file}:7:18: stall_rules.low_usage.score_below must be a whole number (got "twenty")`,
      expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9:3: unknown key "past_expected_timline"`)),
    ]);
  });

  it('show prints the resolved rules as a rules file, in its snake_case, that validate accepts with the same digest', async () => {
    const file = path.join(FIXTURES, 'key-features-enterprise.yaml');
    const digest = loadRulesConfigFile(file).loaded!.digest;
    const result = await runCli(['config', 'show', file]);
    expect(result.exitCode ?? 0).toBe(0);
    expect(result.stdout).toContain(`# digest: ${digest}\n`);
    expect(result.stdout).toContain(`# source: ${file}\n`);
    const keys = result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('#') && line.includes(':'))
      .map((line) => line.trim().split(':')[0]);
    expect(keys).toContain('min_days_since_activation');
    expect(keys.filter((key) => key !== 'enterprise' && !/^[a-z0-9_]+$/.test(key))).toEqual([]);
    const shown = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rules-show-')), 'shown.yaml');
    fs.writeFileSync(shown, result.stdout);
    const validated = await runCli(['config', 'validate', shown]);
    expect(validated.stderr).toBe('');
    expect(validated.stdout).toBe(`${shown}: ok (digest ${digest})\n`);
    expect(loadRulesConfigFile(shown).loaded!.rules).toEqual(loadRulesConfigFile(file).loaded!.rules);
  });

  it('show without a file prints the defaults as a file with the defaults digest', async () => {
    const result = await runCli(['config', 'show'], { ADOPTION_CONFIG: undefined });
    expect(result.stdout).toContain(`# digest: ${DEFAULT_LOADED_RULES.digest}\n`);
    expect(parseRulesConfig(result.stdout, 'shown.yaml').loaded!.digest).toBe(DEFAULT_LOADED_RULES.digest);
  });
});
