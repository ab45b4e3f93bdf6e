import type { FastifyInstance } from 'fastify';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError } from '@temporalio/client';
import { buildApiServer } from '../../web/server';
import type { Db } from '../../db/database';
import { runDetection } from '../../adoption/detection';
import { addDays } from '../../adoption/scoring';
import { recordIntervention, measureIntervention } from '../../adoption/interventions';
import { holdoutArmOf, liftReport, setHoldoutPercent } from '../../adoption/holdout';
import { successMetrics } from '../../adoption/metrics';
import { loadImpactReports } from '../../adoption/read-models/reports';
import { loadShippedPlans } from '../../definitions/compile';
import { startEnablementForSignal } from '../../client/start-enablement';
import { importUsageFile } from '../../adoption/ingest/usage';
import { connectDevServer } from '../support/temporal';
import { FixtureFiles, customer, type CustomerFixture, type UsageLine } from '../support/detection-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Impact reports on a seeded data set generated here. Every expected figure is computed by this file from the raw
 * usage events it generated (its own scorer below, the formula of docs/scoring.md), never read back from our tables.
 *
 * Timeline (T0 = detection's first day and the flagging day; detection runs weekly on T0 + 7k):
 * - 16 customers, 10 seats each; segments alternate smb / mid_market, CSMs Dana (0-7) and Lee (8-15);
 * - `analytics` activated T0-20, used by 1 user on T0-5 and T0-3 (score 8): all 16 stall on T0 (low_usage_14d);
 * - a holdout of 50% at T0 chooses which get no outreach; the treated ones get a call or a training on T0+2;
 * - customers with i % 3 != 0 recover: 5 users use analytics every day from T0+3 to the end;
 * - `reports`: customers 0-3 activate it on T0 and adopt it before the program (starting use on T0+1 / T0+8),
 *   customers 4-7 activate it on T0+35, after the program start (T0+28), and adopt it (use from T0+36 / T0+43).
 */
const T0 = '2026-01-05';
const PROGRAM_START = addDays(T0, 28);
const TODAY = addDays(T0, 90);
const GRID = Array.from({ length: 13 }, (_, k) => addDays(T0, 7 * k));
const SEATS = 10;
const N = 16;

let database: TestDatabase;
let db: Db;
let env: TestWorkflowEnvironment;
let app: FastifyInstance;
let base: string;
const files = new FixtureFiles();
const customers: CustomerFixture[] = [];
const events: UsageLine[] = [];
const recovers = (index: number) => index % 3 !== 0;

// ---- the test's own scorer, over the generated events -------------------------------------------------------------
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}
function activationOf(customerId: string, featureId: string): string | null {
  const days = events.filter((e) => e.customerId === customerId && e.featureId === featureId).map((e) => e.occurredAt.slice(0, 10));
  return days.length ? days.sort()[0] : null;
}
/** Score and stage as of the end of `asOf` (null when not activated by then). */
function expectedScore(customerId: string, featureId: string, asOf: string): { score: number; stage: string } | null {
  const activatedOn = activationOf(customerId, featureId);
  if (!activatedOn || activatedOn > asOf) return null;
  const from = addDays(asOf, -13);
  const used = events.filter(
    (e) =>
      e.customerId === customerId &&
      e.featureId === featureId &&
      e.event === 'used' &&
      e.occurredAt.slice(0, 10) >= from &&
      e.occurredAt.slice(0, 10) <= asOf,
  );
  const days = new Set(used.map((e) => e.occurredAt.slice(0, 10))).size;
  const people = new Set(used.map((e) => e.userId)).size;
  const score = Math.round(100 * (days / 14) * (0.5 + 0.5 * Math.min(1, people / SEATS)));
  const age = daysBetween(activatedOn, asOf);
  const stage = score === 0 && age > 7 ? 'not_started' : score < 20 ? 'started' : score < 60 ? 'engaged' : 'adopted';
  return { score, stage };
}
function accountScore(customerId: string, asOf: string): number | null {
  const scores = ['analytics', 'reports'].map((f) => expectedScore(customerId, f, asOf)).filter((s) => s !== null);
  return scores.length ? scores.reduce((sum, s) => sum + s!.score, 0) / scores.length : null;
}
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round1 = (value: number) => Math.round(value * 10) / 10;
/** Recovered from a low_usage_14d stall: back at 20, or adopted. */
const recoveredOn = (customerId: string, day: string) => {
  const s = expectedScore(customerId, 'analytics', day);
  return !!s && (s.score >= 20 || s.stage === 'adopted');
};

// ---- the data set --------------------------------------------------------------------------------------------------
function use(customerId: string, featureId: string, day: string, who: number): UsageLine[] {
  return Array.from({ length: who }, (_, u) => ({
    customerId,
    featureId,
    event: 'used' as const,
    occurredAt: `${day}T11:00:00Z`,
    userId: `u${u + 1}`,
  }));
}

const signals = new Map<string, string>(); // customerId -> signalId of T0
const interventionIds: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  env = await connectDevServer();
  await files.catalog(db);
  for (let i = 0; i < N; i += 1) {
    customers.push(
      customer({
        name: `Customer ${String(i).padStart(2, '0')}`,
        seats: SEATS,
        segment: i % 2 ? 'mid_market' : 'smb',
        csm:
          i < 8
            ? { name: 'Dana Reyes', email: 'dana@vendor.example', slackUserId: 'U1' }
            : { name: 'Lee Park', email: 'lee@vendor.example', slackUserId: 'U2' },
      }),
    );
  }
  await files.customers(db, customers);
  customers.forEach((c, i) => {
    events.push({ customerId: c.id, featureId: 'analytics', event: 'activated', occurredAt: `${addDays(T0, -20)}T09:00:00Z`, userId: 'admin' });
    events.push(...use(c.id, 'analytics', addDays(T0, -5), 1), ...use(c.id, 'analytics', addDays(T0, -3), 1));
    if (recovers(i)) for (let d = 3; d <= 95; d += 1) events.push(...use(c.id, 'analytics', addDays(T0, d), 5));
    if (i < 4) {
      events.push({ customerId: c.id, featureId: 'reports', event: 'activated', occurredAt: `${T0}T09:00:00Z`, userId: 'admin' });
      for (let d = i % 2 ? 8 : 1; d <= 95; d += 1) events.push(...use(c.id, 'reports', addDays(T0, d), SEATS));
    } else if (i < 8) {
      events.push({ customerId: c.id, featureId: 'reports', event: 'activated', occurredAt: `${addDays(T0, 35)}T09:00:00Z`, userId: 'admin' });
      for (let d = i % 2 ? 43 : 36; d <= 95; d += 1) events.push(...use(c.id, 'reports', addDays(T0, d), SEATS));
    }
  });
  const summary = await importUsageFile(db, files.ndjson(events), { now: () => new Date(`${addDays(T0, 200)}T00:00:00Z`) });
  expect(summary.issues).toEqual([]);

  // Day T0: detection flags every customer's analytics; the holdout (50%) is applied as the runs start.
  await setHoldoutPercent(db, 50);
  const first = await runDetection(db, { asOf: T0 });
  for (const signal of first.signals) signals.set(signal.customerId, signal.signalId);
  const plans = loadShippedPlans();
  for (const signalId of signals.values())
    await startEnablementForSignal({ client: env.client, db, signalId, plans, taskQueue: 'impact-reports-no-worker' });

  // The CSMs' outreach to the treated customers on T0+2 (alternating call / training), then the follow-ups measure them.
  const adoptionIds = await db.query<{ id: string; customer_id: string }>(
    `SELECT id, customer_id FROM feature_adoption WHERE feature_id = 'analytics'`,
  );
  for (const [i, c] of customers.entries()) {
    if (holdoutArmOf(c.id, 'analytics', T0.slice(0, 7), 50) === 'holdout') continue;
    const recorded = await recordIntervention(db, {
      featureAdoptionId: adoptionIds.rows.find((row) => row.customer_id === c.id)!.id,
      interventionType: i % 2 ? 'training' : 'call',
      details: 'walkthrough',
      resourcesShared: [recovers(i) ? 'https://training.example.com/analytics' : 'https://docs.example.com/analytics'],
      at: new Date(`${addDays(T0, 2)}T15:00:00Z`),
      performedBy: c.csm.email,
    });
    interventionIds.push(recorded!.intervention.id);
  }
  for (const day of GRID.slice(1)) await runDetection(db, { asOf: day });
  for (const id of interventionIds) {
    for (const days of [14, 30])
      await measureIntervention(db, { interventionId: id, checkpointDays: days, asOf: addDays(T0, 2 + days), now: new Date() });
  }
  app = buildApiServer({ db, now: () => new Date(`${TODAY}T12:00:00Z`) });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 300_000);

afterAll(async () => {
  await app?.close();
  await env?.teardown();
  await database?.dispose();
  files.dispose();
});

const arms = () => customers.map((c) => ({ c, arm: holdoutArmOf(c.id, 'analytics', T0.slice(0, 7), 50) }));

describe('the holdout', () => {
  it('holds out the hashed share: no run for held-out signals, every choice stored, the same on a rerun', async () => {
    const held = arms().filter((entry) => entry.arm === 'holdout');
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(N);
    const stored = await db.query<{ customer_id: string; arm: string }>(
      `SELECT customer_id, arm FROM holdout_assignments WHERE feature_id = 'analytics'`,
    );
    expect(new Map(stored.rows.map((row) => [row.customer_id, row.arm]))).toEqual(new Map(arms().map(({ c, arm }) => [c.id, arm])));
    for (const { c, arm } of arms()) {
      const workflowId = `adoption-stalled/${c.id}/${signals.get(c.id)}`;
      const described = await env.client.workflow
        .getHandle(workflowId)
        .describe()
        .then(
          () => 'started',
          (error: unknown) => (error instanceof WorkflowNotFoundError ? 'none' : 'error'),
        );
      expect([c.name, described]).toEqual([c.name, arm === 'holdout' ? 'none' : 'started']);
    }
    // A rerun (the listener again, a retried activity) chooses the same, even with the stored choice forgotten.
    await db.query(`DELETE FROM holdout_assignments`);
    await db.query(`UPDATE risk_signals SET workflow_id = NULL`);
    const plans = loadShippedPlans();
    for (const { c, arm } of arms()) {
      const again = await startEnablementForSignal({
        client: env.client,
        db,
        signalId: signals.get(c.id)!,
        plans,
        taskQueue: 'impact-reports-no-worker',
      });
      expect(again.heldOut).toEqual(arm === 'holdout' ? ['analytics'] : []);
      expect(again.started).toBe(false);
    }
    // 0% (the default) holds nothing out.
    expect(holdoutArmOf(customers[0].id, 'analytics', '2026-01', 0)).toBe('treated');
  });
});

describe('lift', () => {
  it('is the recovery rate treated minus holdout 30 days after the stall, with a Newcombe 95% interval', async () => {
    const measured = arms().map(({ c, arm }) => ({ arm, recovered: recoveredOn(c.id, addDays(T0, 30)) }));
    const count = (arm: string) => measured.filter((m) => m.arm === arm);
    const [t, h] = [count('treated'), count('holdout')];
    const x1 = t.filter((m) => m.recovered).length;
    const x2 = h.filter((m) => m.recovered).length;
    // Wilson / Newcombe written out here, z from the normal quantile.
    const z = 1.959963984540054;
    const wilson = (x: number, n: number) => {
      const p = x / n;
      const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
      const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
      return [centre - half, centre + half];
    };
    const [p1, p2] = [x1 / t.length, x2 / h.length];
    const [l1, u1] = wilson(x1, t.length);
    const [l2, u2] = wilson(x2, h.length);
    const report = await liftReport(db, { from: T0, to: T0 }, TODAY);
    expect(report.treated).toEqual({ features: t.length, recovered: x1, recoveryRate: p1 });
    expect(report.holdout).toEqual({ features: h.length, recovered: x2, recoveryRate: p2 });
    expect(report.pending).toBe(0);
    expect(report.lift!.difference).toBeCloseTo(p1 - p2, 10);
    expect(report.lift!.low).toBeCloseTo(p1 - p2 - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), 10);
    expect(report.lift!.high).toBeCloseTo(p1 - p2 + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2), 10);
    // Before the 30 days are over nothing is measured yet.
    expect(await liftReport(db, { from: T0, to: T0 }, addDays(T0, 20))).toMatchObject({ pending: N, lift: null });
  });
});

describe('intervention outcomes and reports', () => {
  it('measures every intervention at 14 and 30 days from the events, and reports outcomes by type, CSM and resource', async () => {
    const reports = await loadImpactReports(db, { from: T0, to: GRID[GRID.length - 1] }, TODAY);
    const treated = arms().filter((entry) => entry.arm === 'treated');
    const expected = treated.map(({ c }) => {
      const i = customers.indexOf(c);
      const before = expectedScore(c.id, 'analytics', addDays(T0, 1))!.score;
      const after = expectedScore(c.id, 'analytics', addDays(T0, 32))!;
      const outcome = after.score >= 20 || after.stage === 'adopted' ? 'recovered' : after.score - before >= 10 ? 'improved' : 'still_stalled';
      return { type: i % 2 ? 'training' : 'call', by: c.csm.email, outcome, recovers: recovers(i) };
    });
    const groupBy = (key: 'type' | 'by') =>
      [...new Set(expected.map((e) => e[key]))].map((k) => {
        const members = expected.filter((e) => e[key] === k);
        const successful = members.filter((m) => m.outcome === 'recovered' || m.outcome === 'improved').length;
        return { key: k, total: members.length, successful, unsuccessful: members.length - successful, pending: 0, queued: 0 };
      });
    for (const group of groupBy('type')) expect(reports.outcomes.byType).toContainEqual(expect.objectContaining(group));
    for (const group of groupBy('by')) expect(reports.outcomes.byPerformer).toContainEqual(expect.objectContaining(group));
    const good = expected.filter((e) => e.recovers);
    expect(reports.resources).toContainEqual({
      url: 'https://training.example.com/analytics',
      shared: good.length,
      recovered: good.filter((e) => e.outcome === 'recovered').length,
      recoveryRate: good.length ? Math.round((good.filter((e) => e.outcome === 'recovered').length / good.length) * 1000) / 1000 : null,
    });
    // Both checkpoints are stored per intervention.
    const rows = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM intervention_measurements`);
    expect(Number(rows.rows[0].n)).toBe(treated.length * 2);

    // Which features stall, by segment: every analytics stalled on T0, 20 days after activation; recovered if a weekly
    // detection day saw it back at 20 (recovering customers use it from T0+3, so from T0+14 on).
    for (const segment of ['smb', 'mid_market']) {
      const members = customers.filter((c) => c.segment === segment);
      const recovered = members.filter((c) => GRID.slice(1).some((day) => recoveredOn(c.id, day))).length;
      expect(reports.stalls).toContainEqual({
        featureId: 'analytics',
        featureName: 'Advanced Analytics Dashboard',
        segment,
        stalls: members.length,
        medianDaysToStall: 20,
        recovered,
        recoveryRate: Math.round((recovered / members.length) * 1000) / 1000,
      });
    }
    expect(reports.heldOut.map((row) => row.customerId).sort()).toEqual(
      arms()
        .filter((a) => a.arm === 'holdout')
        .map((a) => a.c.id)
        .sort(),
    );
  });
});

describe('success metrics (PRD 1.3)', () => {
  it('computes each against its target; training engagement says "no data" until engagement is recorded', async () => {
    const report = await successMetrics(db, { from: T0, to: T0 }, TODAY, { programStart: PROGRAM_START });
    const byId = new Map(report.metrics.map((m) => [m.id, m]));

    // 1. Flagged features: score at flagging (8 for all) vs 30 days later.
    const before = customers.map((c) => expectedScore(c.id, 'analytics', T0)!.score);
    const after = customers.map((c) => expectedScore(c.id, 'analytics', addDays(T0, 30))!.score);
    expect(before.every((score) => score === 8)).toBe(true);
    const change1 = round1((100 * (mean(after) - mean(before))) / mean(before));
    expect(byId.get('flaggedAdoption')).toMatchObject({
      value: change1,
      baseline: round1(mean(before)),
      current: round1(mean(after)),
      count: N,
      target: 25,
      met: change1 >= 25,
    });

    // 2. Days from activation to Adopted (first weekly detection day that sees it adopted), after vs before the program.
    const pairs = customers.flatMap((c) =>
      ['analytics', 'reports'].map((featureId) => ({
        activated: activationOf(c.id, featureId),
        adopted: GRID.find((day) => expectedScore(c.id, featureId, day)?.stage === 'adopted'),
      })),
    );
    const adopted = pairs.filter((p): p is { activated: string; adopted: string } => !!p.activated && !!p.adopted);
    const earlier = adopted.filter((p) => p.adopted < PROGRAM_START).map((p) => daysBetween(p.activated, p.adopted));
    const later = adopted.filter((p) => p.activated >= PROGRAM_START).map((p) => daysBetween(p.activated, p.adopted));
    expect(later).toHaveLength(4); // reports of customers 4-7
    const change2 = round1((100 * (median(later) - median(earlier))) / median(earlier));
    const program = await successMetrics(db, { from: T0, to: GRID[GRID.length - 1] }, TODAY, { programStart: PROGRAM_START });
    expect(program.metrics.find((m) => m.id === 'timeToAdopted')).toMatchObject({
      baseline: median(earlier),
      current: median(later),
      value: change2,
      count: earlier.length + later.length,
    });

    // 3. Accounts with an intervention: account score (mean over activated features) 30 days after vs the day before.
    const treated = arms()
      .filter((a) => a.arm === 'treated')
      .map((a) => a.c);
    const deltas = treated.map((c) => accountScore(c.id, addDays(T0, 32))! - accountScore(c.id, addDays(T0, 1))!);
    const window3 = await successMetrics(db, { from: T0, to: addDays(T0, 10) }, TODAY, { programStart: PROGRAM_START });
    expect(window3.metrics.find((m) => m.id === 'adoptionScore')).toMatchObject({ value: round1(mean(deltas)), count: treated.length, target: 10 });

    // 4. No engagement recorded: no data, never 0.
    expect(byId.get('trainingEngagement')).toMatchObject({ value: null, noData: true, met: null, baseline: null, current: null });
    const customerId = customers[1].id;
    const engagement = (day: string, event: string) =>
      db.query(
        `INSERT INTO resource_engagement (customer_id, feature_id, resource_url, event, occurred_at) VALUES ($1, 'analytics', 'https://x.example', $2, $3)`,
        [customerId, event, `${day}T10:00:00Z`],
      );
    for (const day of [addDays(T0, -1), addDays(T0, -1)]) await engagement(day, 'open'); // previous one-day window: 2
    for (const event of ['open', 'click', 'completion']) await engagement(T0, event); // this window: 3
    const withEngagement = await successMetrics(db, { from: T0, to: T0 }, TODAY);
    expect(withEngagement.metrics.find((m) => m.id === 'trainingEngagement')).toMatchObject({
      value: 50,
      baseline: 2,
      current: 3,
      met: true,
      noData: false,
    });

    // The endpoint answers the same, and the segment filter narrows it.
    const response = await fetch(`${base}/api/reports/success-metrics?from=${T0}&to=${T0}&segment=smb`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { metrics: Array<{ id: string; count: number }> };
    expect(body.metrics.find((m) => m.id === 'flaggedAdoption')!.count).toBe(customers.filter((c) => c.segment === 'smb').length);
    const bad = await fetch(`${base}/api/reports/success-metrics?from=${T0}&to=2025-01-01`);
    expect(bad.status).toBe(400);
  });
});
