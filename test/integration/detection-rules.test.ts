import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/database';
import { runDetection, type DetectionReport } from '../../adoption/detection';
import { addDays } from '../../adoption/dates';
import { scoreFeatures, usageScoreOf } from '../../adoption/scoring';
import { DEFAULT_LOADED_RULES } from '../../adoption/config/rules';
import { RulesConfigError } from '../../adoption/config/load';
import { importUsageFile } from '../../adoption/ingest/usage';
import { loadCustomerAdoption } from '../../adoption/read-models/customer-adoption';
import { runCli } from '../support/run-cli';
import {
  FixtureFiles,
  openDetectionWorld,
  closeDetectionWorld,
  type DetectionWorld,
  activated,
  customer,
  range,
  usedOn,
  users,
  type CustomerFixture,
  type UsageLine,
} from '../support/detection-fixtures';

/**
 * Issue 10 on real Postgres: configurable rules (adoption.config.yaml), feature rhythm (FR-1.7), the churned stage and
 * days in stage from history (FR-1.4), and issue 12's trend backfilled on import. As-of day 2026-03-31 (UTC), 10 seats.
 */
const AS_OF = '2026-03-31';
const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'config');

let world: DetectionWorld;
let db: Db;
let files: FixtureFiles;

beforeEach(async () => {
  world = await openDetectionWorld();
  ({ db, files } = world);
});

afterEach(() => closeDetectionWorld(world));

/** Imports as an operator would on the day after `asOf`: the import's clock decides which days are backfilled. */
async function given(customers: CustomerFixture[], usage: UsageLine[], asOf = AS_OF): Promise<void> {
  await files.customers(db, customers);
  const summary = await importUsageFile(db, files.ndjson(usage), { now: () => new Date(`${addDays(asOf, 1)}T06:00:00Z`) });
  expect(summary.issues).toEqual([]);
}

function rulesFile(name: string, yaml: string): string {
  return files.write(name, yaml);
}

function signalled(report: DetectionReport, customerId: string): string[] {
  return report.signals.filter((s) => s.customerId === customerId).flatMap((s) => s.features.map((f) => f.featureId));
}

async function evaluation(customerId: string, featureId: string, asOf: string) {
  const { rows } = await db.query<{
    stage: string;
    rule: string | null;
    decision: string;
    suppress_reason: string | null;
    suppress_detail: string | null;
    reason: string | null;
    cadence_days: number | null;
  }>(
    `SELECT stage, rule, decision, suppress_reason, suppress_detail, reason, cadence_days FROM feature_evaluations
      WHERE customer_id = $1 AND feature_id = $2 AND as_of = $3`,
    [customerId, featureId, asOf],
  );
  return rows[0];
}

describe('feature rhythm (FR-1.7)', () => {
  /** A monthly report: used once every 30 days by every seat, 20 .. 170 days before AS_OF. */
  const monthly = (c: CustomerFixture) => [
    activated(c.id, 'reports', AS_OF, 200),
    ...usedOn(c.id, 'reports', AS_OF, [20, 50, 80, 110, 140, 170], users(10)),
  ];

  it('a monthly-cadence feature is not flagged after 14 quiet days, but is when it misses its cadence', async () => {
    const acme = customer();
    await given([acme], monthly(acme));

    // 20 days quiet: the 14-day rules would fire (score 0, 200 days in), its own cadence says it is not due yet.
    const quiet = await runDetection(db, { asOf: AS_OF });
    expect(quiet.signals).toEqual([]);
    expect(quiet.suppressed).toEqual([{ customerId: acme.id, featureId: 'reports', reason: 'on_cadence' }]);
    const onCadence = await evaluation(acme.id, 'reports', AS_OF);
    expect(onCadence).toMatchObject({ rule: null, cadence_days: 30, decision: 'suppressed' });
    expect(onCadence.suppress_detail).toBe(
      'used about every 30 days (the median gap between its 6 uses of the last 400 days, the middle 75% of the gaps within 35% of it), ' +
        'last used 20 days ago: judged against its cadence, next use due within 41 days',
    );

    // 45 days quiet: past 1.35 x its 30-day cadence.
    const late = addDays(AS_OF, 25);
    const missed = await runDetection(db, { asOf: late });
    expect(signalled(missed, acme.id)).toEqual(['reports']);
    const [feature] = missed.signals[0].features;
    expect(feature.rule).toBe('missed_cadence');
    expect(feature.reason).toBe(
      'used about every 30 days (the median gap between its 6 uses of the last 400 days, the middle 75% of the gaps within 35% of it), ' +
        'last used 45 days ago: past its cadence, next use was due within 41 days',
    );
    expect((await evaluation(acme.id, 'reports', late)).cadence_days).toBe(30);

    // Used again: back on its cadence, the stall closes as recovered although its 14-day score stays under 20.
    const back = addDays(late, 2);
    await importUsageFile(db, files.ndjson(usedOn(acme.id, 'reports', back, [0], users(10))), { now: () => new Date(`${back}T23:00:00Z`) });
    const recovered = await runDetection(db, { asOf: back });
    expect(recovered.recovered).toEqual([{ customerId: acme.id, featureId: 'reports' }]);
  });

  it('without the rhythm rule the same feature is flagged after 14 quiet days (the cadence is what holds it back)', async () => {
    const acme = customer();
    await given([acme], monthly(acme));
    const report = await runDetection(db, { asOf: AS_OF, configFile: rulesFile('no-rhythm.yaml', 'version: 1\nrhythm:\n  enabled: false\n') });
    expect(signalled(report, acme.id)).toEqual(['reports']);
    expect(report.signals[0].features[0].rule).toBe('low_usage_14d+past_expected_timeline');
  });

  it('irregular use is not a cadence', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'reports', AS_OF, 200), ...usedOn(acme.id, 'reports', AS_OF, [20, 30, 95, 110, 180], users(10))]);
    const report = await runDetection(db, { asOf: AS_OF });
    expect(signalled(report, acme.id)).toEqual(['reports']);
    expect((await evaluation(acme.id, 'reports', AS_OF)).cadence_days).toBeNull();
  });

  it('an account whose only tracked feature goes quiet is a feature stall, and the evidence says why it is not a dip', async () => {
    const solo = customer({ name: 'Solo' });
    // Used daily by 4 of 10 seats for six weeks, quiet for the last 15 days; nothing else tracked.
    await given([solo], [activated(solo.id, 'analytics', AS_OF, 61), ...usedOn(solo.id, 'analytics', AS_OF, range(15, 60), users(4))]);
    const report = await runDetection(db, { asOf: AS_OF });
    expect(report.suppressed).toEqual([]);
    expect(signalled(report, solo.id)).toEqual(['analytics']);
    expect(report.signals[0].features[0].reason).toContain(
      "it is the account's only tracked feature, so a pause of the whole account cannot be told apart from a stall and it is judged as a feature stall",
    );
  });
});

describe('stages (FR-1.4)', () => {
  /** Daily use by 5 of 10 seats from day 59 to day 21 before AS_OF: adopted (75), then dropped. */
  const adoptedThenDropped = (c: CustomerFixture) => [
    activated(c.id, 'analytics', AS_OF, 60),
    ...usedOn(c.id, 'analytics', AS_OF, range(21, 59), users(5)),
  ];
  /** The detection score of that history as of `day`, computed here from the fixture alone. */
  const scoreOn = (day: string) => {
    const used = range(21, 59).map((d) => addDays(AS_OF, -d));
    const active = used.filter((u) => u <= day && u > addDays(day, -14)).length;
    return usageScoreOf(active, active > 0 ? 5 : 0, 10);
  };

  it('a dropped adopted feature becomes churned (detection saw it adopted)', async () => {
    const acme = customer();
    await given([acme], adoptedThenDropped(acme));
    const before = await runDetection(db, { asOf: addDays(AS_OF, -25) });
    expect(before.signals).toEqual([]);

    const report = await runDetection(db, { asOf: AS_OF });

    expect(report.signals[0].features[0]).toMatchObject({
      featureId: 'analytics',
      stage: 'churned',
      usageScore: 0,
      rule: 'low_usage_14d+past_expected_timeline',
    });
    expect(report.signals[0].features[0].reason).toContain('it was engaged or adopted before and has dropped back (churned)');
    const history = await db.query<{ entered_on: string; stage: string; previous_stage: string | null }>(
      `SELECT entered_on, stage, previous_stage FROM feature_stage_history WHERE customer_id = $1 ORDER BY entered_on`,
      [acme.id],
    );
    // The first detection took the adopted stage's start from the backfilled history: the first day scoring 60+.
    const adoptedOn = range(0, 59)
      .map((d) => addDays(AS_OF, -60 + d))
      .find((day) => scoreOn(day) >= 60)!;
    expect(history.rows).toEqual([
      { entered_on: adoptedOn, stage: 'adopted', previous_stage: null },
      { entered_on: AS_OF, stage: 'churned', previous_stage: 'adopted' },
    ]);
    const adoption = await db.query<{ stage: string }>(`SELECT stage FROM feature_adoption WHERE customer_id = $1`, [acme.id]);
    expect(adoption.rows).toEqual([{ stage: 'churned' }]);

    // Back to engaged use: no longer churned.
    const later = addDays(AS_OF, 7);
    await importUsageFile(db, files.ndjson(usedOn(acme.id, 'analytics', later, range(0, 6), users(5))), {
      now: () => new Date(`${later}T23:00:00Z`),
    });
    await runDetection(db, { asOf: later });
    const again = await db.query<{ stage: string }>(`SELECT stage FROM feature_adoption WHERE customer_id = $1`, [acme.id]);
    expect(again.rows).toEqual([{ stage: 'engaged' }]);
  });

  it('the first detection of a tenant with history: churned, and in that stage since the day history says', async () => {
    const acme = customer();
    await given([acme], adoptedThenDropped(acme));

    const report = await runDetection(db, { asOf: AS_OF });

    expect(report.signals[0].features[0]).toMatchObject({ stage: 'churned', rule: 'low_usage_14d+past_expected_timeline' });
    // Churned since the first day after the drop that scored under engaged (20).
    const churnedOn = range(0, 20)
      .map((d) => addDays(AS_OF, -20 + d))
      .find((day) => scoreOn(day) < 20)!;
    const adoption = await db.query<{ stage: string; stage_changed_at: Date }>(
      `SELECT stage, stage_changed_at FROM feature_adoption WHERE customer_id = $1`,
      [acme.id],
    );
    expect(adoption.rows[0].stage).toBe('churned');
    expect(adoption.rows[0].stage_changed_at.toISOString()).toBe(`${churnedOn}T00:00:00.000Z`);
    const page = await loadCustomerAdoption(db, acme.id, new Date(`${AS_OF}T12:00:00Z`));
    expect(page.features.find((f) => f.featureId === 'analytics')).toMatchObject({ stage: 'churned', daysInCurrentStage: 10 });
    expect(churnedOn).toBe(addDays(AS_OF, -10));
  });
});

describe('configurable rules (adoption.config.yaml)', () => {
  it('a feature under the importance threshold never alerts; a segment can raise the threshold', async () => {
    const smb = customer({ name: 'SMB', segment: 'smb' });
    const enterprise = customer({ name: 'Enterprise', segment: 'enterprise' });
    const usage = [smb, enterprise].flatMap((c) => [activated(c.id, 'analytics', AS_OF, 20), activated(c.id, 'exports', AS_OF, 20)]);
    await given([smb, enterprise], usage);
    const configFile = rulesFile(
      'key-features.yaml',
      'version: 1\nalerting:\n  min_importance: 60\nsegments:\n  enterprise:\n    alerting: { min_importance: 90 }\n',
    );

    const report = await runDetection(db, { asOf: AS_OF, configFile });

    // exports (importance 40) never alerts; analytics (85) does, except for enterprise (threshold 90).
    expect(report.signals.map((s) => [s.customerId, s.features.map((f) => f.featureId)])).toEqual([[smb.id, ['analytics']]]);
    expect(report.suppressed).toEqual(
      [
        { customerId: smb.id, featureId: 'exports', reason: 'not_key_feature' },
        { customerId: enterprise.id, featureId: 'analytics', reason: 'not_key_feature' },
        { customerId: enterprise.id, featureId: 'exports', reason: 'not_key_feature' },
      ].sort((a, b) => a.customerId.localeCompare(b.customerId) || a.featureId.localeCompare(b.featureId)),
    );
    expect((await evaluation(enterprise.id, 'analytics', AS_OF)).suppress_detail).toBe(
      'importance 85 is under the key-feature threshold 90 (alerting.min_importance): it never alerts',
    );
    // Never: not on a later day either, and no stall episode is opened for it.
    const later = await runDetection(db, { asOf: addDays(AS_OF, 31), configFile });
    expect(signalled(later, enterprise.id)).toEqual([]);
    const stalls = await db.query(`SELECT 1 FROM feature_stalls WHERE customer_id = $1`, [enterprise.id]);
    expect(stalls.rowCount).toBe(0);
  });

  it('a changed threshold changes the verdict, and the report says which configuration judged it', async () => {
    const acme = customer();
    // 20 days in, used on 5 of the last 14 days by 4 of 10 seats: score 25 (engaged), under neither PRD rule.
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 20), ...usedOn(acme.id, 'analytics', AS_OF, [0, 2, 4, 6, 8], users(4))]);
    const prd = await runDetection(db, { asOf: AS_OF, dryRun: true });
    expect(prd.signals).toEqual([]);

    const configFile = rulesFile('stricter.yaml', 'version: 1\nstall_rules:\n  low_usage:\n    score_below: 30\n');
    const saved = process.env.ADOPTION_CONFIG;
    process.env.ADOPTION_CONFIG = configFile;
    let report: DetectionReport;
    try {
      report = await runDetection(db, { asOf: AS_OF });
    } finally {
      if (saved === undefined) delete process.env.ADOPTION_CONFIG;
      else process.env.ADOPTION_CONFIG = saved;
    }

    expect(report.signals[0].features[0]).toMatchObject({ featureId: 'analytics', usageScore: 25, rule: 'low_usage_14d' });
    expect(report.signals[0].features[0].reason).toContain('usage score 25 is under 30 over the last 14 days');
    expect(report.configuration.source).toBe(configFile);
    expect(report.configuration.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(report.configuration.digest).not.toBe(DEFAULT_LOADED_RULES.digest);
    const run = await db.query<{ config_digest: string; config_source: string }>(
      `SELECT config_digest, config_source FROM detection_runs WHERE as_of = $1`,
      [AS_OF],
    );
    expect(run.rows).toEqual([{ config_digest: report.configuration.digest, config_source: configFile }]);
  });

  it('an invalid configuration is refused at its line and column, and nothing is evaluated', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 20)]);
    const configFile = path.join(FIXTURES, 'invalid-threshold.yaml');

    await expect(runDetection(db, { asOf: AS_OF, configFile })).rejects.toThrow(RulesConfigError);
    await expect(runDetection(db, { asOf: AS_OF, configFile })).rejects.toThrow(
      `${configFile}:7:18: stall_rules.low_usage.score_below must be a whole number`,
    );
    expect((await db.query(`SELECT 1 FROM detection_runs`)).rowCount).toBe(0);
    expect((await db.query(`SELECT 1 FROM feature_evaluations`)).rowCount).toBe(0);

    const cli = await runCli(['detect', '--as-of', AS_OF, '--config', configFile]);
    expect(cli.exitCode).toBe(1);
    expect(cli.error?.message).toContain(`${configFile}:9:3: unknown key "past_expected_timline" in stall_rules`);
    expect(fs.existsSync(configFile)).toBe(true);
  });
});

describe('trend backfill on import (issue 12)', () => {
  it('a new tenant has a daily trend from its history, scored as detection scores', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 60), ...usedOn(acme.id, 'analytics', AS_OF, range(21, 59), users(5))]);

    const snapshots = await db.query<{ as_of: string; usage_score: number; stage: string }>(
      `SELECT as_of, usage_score, stage FROM adoption_snapshots WHERE customer_id = $1 ORDER BY as_of`,
      [acme.id],
    );
    // One a day from activation to the day before the import's clock.
    expect(snapshots.rows.map((row) => row.as_of)).toEqual(range(0, 60).map((d) => addDays(AS_OF, -60 + d)));
    for (const row of snapshots.rows) {
      const used = range(21, 59).map((d) => addDays(AS_OF, -d));
      const active = used.filter((u) => u <= row.as_of && u > addDays(row.as_of, -14)).length;
      expect([row.as_of, row.usage_score]).toEqual([row.as_of, usageScoreOf(active, active > 0 ? 5 : 0, 10)]);
    }
    expect(snapshots.rows.at(-1)!.stage).toBe('churned');

    // The adoption page's 90-day trend is the history, not a single dot, before any detection ran.
    const page = await loadCustomerAdoption(db, acme.id, new Date(`${addDays(AS_OF, 1)}T09:00:00Z`));
    expect(page.trend).toHaveLength(61);
    expect(Math.max(...page.trend.map((point) => point.score))).toBe(75);
  });

  it("every backfilled day scores as detection scores that day: sporadic users, gaps over 14 days, no seats (the account's users)", async () => {
    const open = customer({ seats: null });
    const lines: UsageLine[] = [activated(open.id, 'analytics', AS_OF, 70), activated(open.id, 'automation', AS_OF, 70)];
    // Deterministic but irregular: user k uses analytics on days where (day * k) mod 17 < 2, automation where mod 23 < 3.
    for (let day = 0; day <= 69; day += 1) {
      for (let k = 1; k <= 6; k += 1) {
        if ((day * k) % 17 < 2) lines.push(...usedOn(open.id, 'analytics', AS_OF, [day], [`u${k}`]));
        if ((day * (k + 3)) % 23 < 3 && day > 30) lines.push(...usedOn(open.id, 'automation', AS_OF, [day], [`w${k}`]));
      }
    }
    await given([open], lines);

    const stored = await db.query<{ feature_id: string; as_of: string; usage_score: number; active_days_14: number; active_users_14: number }>(
      `SELECT feature_id, as_of, usage_score, active_days_14, active_users_14 FROM adoption_snapshots WHERE customer_id = $1 ORDER BY as_of, feature_id`,
      [open.id],
    );
    expect(stored.rows).toHaveLength(2 * 71);
    const scored: typeof stored.rows = [];
    for (const day of range(0, 70).map((d) => addDays(AS_OF, -70 + d))) {
      for (const row of await scoreFeatures(db, { asOf: day, customerIds: [open.id] })) {
        scored.push({
          feature_id: row.feature_id,
          as_of: day,
          usage_score: row.usage_score,
          active_days_14: row.active_days_14,
          active_users_14: row.active_users_14,
        });
      }
    }
    expect(stored.rows).toEqual(scored);
    expect(new Set(stored.rows.map((row) => row.usage_score)).size).toBeGreaterThan(5);
  });
});
