import type { Db } from '../../db/database';
import { runDetection, type DetectionReport } from '../../adoption/detection';
import { changeNotNeeded } from '../../adoption/not-needed';
import { addDays } from '../../adoption/dates';
import { scoreFeatures, usageScoreOf } from '../../adoption/scoring';
import { DEFAULT_LOADED_RULES } from '../../adoption/config/rules';
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
 * Detection on real Postgres: PRD 7.1's scenarios and the edges of the issue. Every customer has 10 seats unless said
 * otherwise; the as-of day is 2026-03-31 (UTC) throughout.
 */
const AS_OF = '2026-03-31';

let world: DetectionWorld;
let db: Db;
let files: FixtureFiles;

beforeEach(async () => {
  world = await openDetectionWorld();
  ({ db, files } = world);
});

afterEach(() => closeDetectionWorld(world));

async function given(customers: CustomerFixture[], usage: UsageLine[]): Promise<void> {
  await files.customers(db, customers);
  if (usage.length > 0) await files.usage(db, usage);
}

function featuresOf(report: DetectionReport, customerId: string): string[] {
  return report.signals.filter((signal) => signal.customerId === customerId).flatMap((signal) => signal.features.map((f) => f.featureId));
}

async function countRows(table: 'risk_signals' | 'risk_signal_features' | 'feature_stalls'): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table}`);
  return rows[0].n;
}

describe('PRD 7.1', () => {
  it('normal adoption: a feature used regularly raises no alert', async () => {
    const acme = customer();
    // Activated 40 days ago, used every day since by 5 of 10 seats.
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 40), ...usedOn(acme.id, 'analytics', AS_OF, range(0, 39), users(5))]);

    const report = await runDetection(db, { asOf: AS_OF });

    expect(report.signals).toEqual([]);
    expect(report.suppressed).toEqual([]);
    const [row] = await scoreFeatures(db, { asOf: AS_OF, customerIds: [acme.id] });
    expect(row).toMatchObject({ feature_id: 'analytics', usage_score: usageScoreOf(14, 5, 10), stage: 'adopted', rule: null });
    expect(row.usage_score).toBe(75);
  });

  it('stalled adoption: activated but unused for 20 days raises an alert (FR-1.3)', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 20)]);

    const report = await runDetection(db, { asOf: AS_OF });

    expect(report.signals).toHaveLength(1);
    const [signal] = report.signals;
    expect(signal.customerId).toBe(acme.id);
    expect(signal.features).toEqual([
      {
        featureId: 'analytics',
        stage: 'not_started',
        usageScore: 0,
        daysSinceActivation: 20,
        expectedAdoptionDays: 30,
        rule: 'low_usage_14d',
        reason: expect.stringContaining('usage score 0 is under 20 over the last 14 days'),
      },
    ]);
    const stored = await db.query<{ signal_type: string; as_of: string; priority: number }>(
      `SELECT signal_type, as_of, priority FROM risk_signals WHERE id = $1`,
      [signal.signalId],
    );
    expect(stored.rows).toEqual([{ signal_type: 'adoption_stalled', as_of: AS_OF, priority: signal.priority }]);
    const adoption = await db.query<{ stage: string; stall_detected_at: Date; stall_rule: string }>(
      `SELECT stage, stall_detected_at, stall_rule FROM feature_adoption WHERE customer_id = $1 AND feature_id = 'analytics'`,
      [acme.id],
    );
    expect(adoption.rows[0]).toMatchObject({ stage: 'not_started', stall_rule: 'low_usage_14d' });
    expect(adoption.rows[0].stall_detected_at.toISOString()).toBe(`${AS_OF}T23:59:59.999Z`);
  });

  it('recovery: a stalled feature that is used again is marked recovered and its stage updated', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 20)]);
    const first = await runDetection(db, { asOf: AS_OF });
    expect(featuresOf(first, acme.id)).toEqual(['analytics']);

    // The week after: used daily by 5 of 10 seats.
    const later = addDays(AS_OF, 7);
    await files.usage(db, usedOn(acme.id, 'analytics', later, range(0, 6), users(5)));
    const second = await runDetection(db, { asOf: later });

    expect(second.signals).toEqual([]);
    expect(second.recovered).toEqual([{ customerId: acme.id, featureId: 'analytics' }]);
    const stall = await db.query<{ closed_on: string; closed_reason: string; score_at_close: number; signal_id: string }>(
      `SELECT closed_on, closed_reason, score_at_close, signal_id FROM feature_stalls WHERE customer_id = $1`,
      [acme.id],
    );
    expect(stall.rows).toEqual([
      { closed_on: later, closed_reason: 'recovered', score_at_close: usageScoreOf(7, 5, 10), signal_id: first.signals[0].signalId },
    ]);
    const adoption = await db.query<{ stage: string; recovered_at: Date; stage_changed_at: Date }>(
      `SELECT stage, recovered_at, stage_changed_at FROM feature_adoption WHERE customer_id = $1 AND feature_id = 'analytics'`,
      [acme.id],
    );
    expect(adoption.rows[0].stage).toBe('engaged');
    expect(adoption.rows[0].recovered_at.toISOString()).toBe(`${later}T23:59:59.999Z`);
    expect(adoption.rows[0].stage_changed_at.toISOString()).toBe(`${later}T00:00:00.000Z`);
    const history = await db.query<{ entered_on: string; stage: string; previous_stage: string | null }>(
      `SELECT entered_on, stage, previous_stage FROM feature_stage_history WHERE customer_id = $1 ORDER BY entered_on`,
      [acme.id],
    );
    expect(history.rows).toEqual([
      { entered_on: addDays(AS_OF, -20), stage: 'not_started', previous_stage: null },
      { entered_on: later, stage: 'engaged', previous_stage: 'not_started' },
    ]);
  });

  it('multiple stalls: three stalled features of one customer make one aggregated signal (FR-2.5)', async () => {
    const acme = customer();
    await given(
      [acme],
      [
        activated(acme.id, 'analytics', AS_OF, 25),
        activated(acme.id, 'automation', AS_OF, 25),
        activated(acme.id, 'reports', AS_OF, 25),
        ...usedOn(acme.id, 'reports', AS_OF, [24, 23]),
      ],
    );

    const report = await runDetection(db, { asOf: AS_OF });

    expect(report.signals).toHaveLength(1);
    // Most important first; `reports` (expected in 21 days, 25 days in) fires both rules.
    expect(report.signals[0].features.map((f) => [f.featureId, f.rule])).toEqual([
      ['analytics', 'low_usage_14d'],
      ['automation', 'low_usage_14d'],
      ['reports', 'low_usage_14d+past_expected_timeline'],
    ]);
    expect(await countRows('risk_signals')).toBe(1);
    expect(await countRows('risk_signal_features')).toBe(3);
  });

  it('already intervened: a stall within 30 days of an intervention is suppressed (FR-2.4)', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 40), activated(acme.id, 'automation', AS_OF, 40)]);
    await db.query(`INSERT INTO interventions (customer_id, feature_id, intervention_type, occurred_at) VALUES ($1, 'analytics', 'email', $2)`, [
      acme.id,
      `${addDays(AS_OF, -29)}T10:00:00Z`,
    ]);

    const report = await runDetection(db, { asOf: AS_OF });

    expect(featuresOf(report, acme.id)).toEqual(['automation']);
    expect(report.suppressed).toEqual([{ customerId: acme.id, featureId: 'analytics', reason: 'recent_intervention' }]);
  });

  it('an intervention 30 or more days ago no longer suppresses', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 40)]);
    await db.query(`INSERT INTO interventions (customer_id, feature_id, intervention_type, occurred_at) VALUES ($1, 'analytics', 'email', $2)`, [
      acme.id,
      `${addDays(AS_OF, -30)}T10:00:00Z`,
    ]);
    const report = await runDetection(db, { asOf: AS_OF });
    expect(featuresOf(report, acme.id)).toEqual(['analytics']);
  });
});

describe('edges', () => {
  it('a feature activated 5 days ago is not flagged (too early for either rule)', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 5)]);
    const report = await runDetection(db, { asOf: AS_OF });
    expect(report.signals).toEqual([]);
    expect(report.suppressed).toEqual([]);
    const [row] = await scoreFeatures(db, { asOf: AS_OF, customerIds: [acme.id] });
    expect(row).toMatchObject({ days_since_activation: 5, usage_score: 0, stage: 'started', rule: null, decision: 'none' });
  });

  it('a customer with no usage at all is evaluated against the catalog and never flagged', async () => {
    const idle = customer({ name: 'Idle Inc' });
    const busy = customer({ name: 'Busy Ltd' });
    await given([idle, busy], [activated(busy.id, 'analytics', AS_OF, 20)]);

    const report = await runDetection(db, { asOf: AS_OF });

    expect(report.evaluated).toBe(2 * 4);
    expect(report.signals.map((signal) => signal.customerId)).toEqual([busy.id]);
    const rows = await db.query(`SELECT 1 FROM feature_evaluations WHERE customer_id = $1`, [idle.id]);
    expect(rows.rowCount).toBe(0);
  });

  it('a feature the customer marked "not needed" is never flagged, and its open stall closes', async () => {
    const acme = customer({ notNeeded: ['automation'] });
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 20), activated(acme.id, 'automation', AS_OF, 20)]);

    const report = await runDetection(db, { asOf: AS_OF });
    expect(featuresOf(report, acme.id)).toEqual(['analytics']);
    expect(report.suppressed).toEqual([{ customerId: acme.id, featureId: 'automation', reason: 'not_needed' }]);

    // Marked later: the open stall on analytics closes as not needed, and nothing is flagged again.
    await changeNotNeeded(db, {
      customerId: acme.id,
      featureId: 'analytics',
      notNeeded: true,
      reason: 'uses another BI tool',
      by: 'csm@example.com',
      source: 'api',
      at: new Date(),
    });
    const later = await runDetection(db, { asOf: addDays(AS_OF, 31) });
    expect(later.signals).toEqual([]);
    expect(later.recovered).toEqual([]);
    const stall = await db.query<{ closed_reason: string }>(`SELECT closed_reason FROM feature_stalls WHERE customer_id = $1`, [acme.id]);
    expect(stall.rows).toEqual([{ closed_reason: 'not_needed' }]);
  });

  it('an account-wide dip (holiday) is not a feature stall; the same dip on one feature alone is (FR-1.7)', async () => {
    const features = ['analytics', 'automation', 'reports'];
    const holiday = customer({ name: 'Holiday GmbH' });
    const stalled = customer({ name: 'Stalled SA' });
    const busyBefore = range(15, 60);
    const usage: UsageLine[] = [];
    for (const featureId of features) {
      for (const who of [holiday, stalled])
        usage.push(activated(who.id, featureId, AS_OF, 61), ...usedOn(who.id, featureId, AS_OF, busyBefore, users(4)));
    }
    // Stalled SA keeps using two features during the last 15 days; only analytics stops.
    usage.push(...usedOn(stalled.id, 'automation', AS_OF, range(0, 14), users(4)), ...usedOn(stalled.id, 'reports', AS_OF, range(0, 14), users(4)));
    await given([holiday, stalled], usage);

    const report = await runDetection(db, { asOf: AS_OF });

    expect(report.signals.map((signal) => [signal.customerId, signal.features.map((f) => f.featureId)])).toEqual([[stalled.id, ['analytics']]]);
    expect(report.suppressed).toEqual(
      features
        .map((featureId) => ({ customerId: holiday.id, featureId, reason: 'account_wide_dip' }))
        .sort((a, b) => a.featureId.localeCompare(b.featureId)),
    );
    // Baseline: days D-41 .. D-14, of which D-41 .. D-15 were used: 27 days x 4 users x 3 features / 2 (2 others).
    const detail = await db.query<{ suppress_detail: string }>(
      `SELECT suppress_detail FROM feature_evaluations WHERE customer_id = $1 AND feature_id = 'analytics'`,
      [holiday.id],
    );
    expect(detail.rows[0].suppress_detail).toBe(
      'the whole account dipped: 0 user-days in the last 14 days against 162 per 14 days in the 4 weeks before (other features: 0 against 108)',
    );
  });

  it('counts events by UTC day: the last millisecond of the as-of day is in, the next day and earlier-than-window are out', async () => {
    const acme = customer();
    await given(
      [acme],
      [
        activated(acme.id, 'analytics', AS_OF, 30),
        // In: the first and the last instant of the 14-day window (D-13 .. D), the second written with an offset.
        { customerId: acme.id, featureId: 'analytics', event: 'used', occurredAt: `${addDays(AS_OF, -13)}T00:00:00Z`, userId: 'u1' },
        { customerId: acme.id, featureId: 'analytics', event: 'used', occurredAt: `${AS_OF}T21:59:59.999-02:00`, userId: 'u2' },
        // Out: one millisecond before the window, and the first instants of the next UTC day.
        { customerId: acme.id, featureId: 'analytics', event: 'used', occurredAt: `${addDays(AS_OF, -14)}T23:59:59.999Z`, userId: 'u3' },
        { customerId: acme.id, featureId: 'analytics', event: 'used', occurredAt: `${addDays(AS_OF, 1)}T00:00:00Z`, userId: 'u4' },
        { customerId: acme.id, featureId: 'analytics', event: 'used', occurredAt: `${AS_OF}T23:30:00-01:00`, userId: 'u5' },
        // Activated at the very end of the day: already activated as of D, not as of the day before.
        { customerId: acme.id, featureId: 'reports', event: 'activated', occurredAt: `${AS_OF}T23:59:59.999Z` },
      ],
    );

    const rows = await scoreFeatures(db, { asOf: AS_OF, customerIds: [acme.id] });
    const analytics = rows.find((row) => row.feature_id === 'analytics')!;
    expect(analytics).toMatchObject({ active_days_14: 2, active_users_14: 2, usage_score: usageScoreOf(2, 2, 10) });
    expect(analytics.last_used_at?.toISOString()).toBe(`${AS_OF}T23:59:59.999Z`);
    expect(rows.find((row) => row.feature_id === 'reports')).toMatchObject({ days_since_activation: 0 });
    expect(await scoreFeatures(db, { asOf: addDays(AS_OF, -1), customerIds: [acme.id], featureIds: ['reports'] })).toEqual([]);

    // Detection as of D ignores the next day's events: analytics (score 9) is stalled as of D.
    const report = await runDetection(db, { asOf: AS_OF });
    expect(report.signals[0].features).toEqual([expect.objectContaining({ featureId: 'analytics', usageScore: 9, rule: 'low_usage_14d' })]);
    const daily = await db.query<{ day: string; active_users: number }>(
      `SELECT day, active_users FROM usage_daily WHERE customer_id = $1 AND feature_id = 'analytics' AND used_events > 0 ORDER BY day`,
      [acme.id],
    );
    expect(daily.rows).toEqual([
      { day: addDays(AS_OF, -14), active_users: 1 },
      { day: addDays(AS_OF, -13), active_users: 1 },
      { day: AS_OF, active_users: 1 },
      { day: addDays(AS_OF, 1), active_users: 2 },
    ]);
  });

  it('past the expected timeline with a score under 30 fires the PRD 4.3 rule alone', async () => {
    const acme = customer();
    // 40 days in (expected 30): used on 5 of the last 14 days by 4 of 10 seats -> score 25, engaged.
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 40), ...usedOn(acme.id, 'analytics', AS_OF, [0, 2, 4, 6, 8], users(4))]);
    const report = await runDetection(db, { asOf: AS_OF });
    expect(report.signals[0].features).toEqual([
      expect.objectContaining({
        featureId: 'analytics',
        stage: 'engaged',
        usageScore: 25,
        rule: 'past_expected_timeline',
        reason: 'day 40 since activation is past the expected 30 days (feature catalog) and the feature is engaged with usage score 25, under 30',
      }),
    ]);
  });

  it("without seats, breadth is measured against the account's active users", async () => {
    const acme = customer({ seats: null });
    await given(
      [acme],
      [
        activated(acme.id, 'analytics', AS_OF, 40),
        ...usedOn(acme.id, 'analytics', AS_OF, range(0, 13), ['u1']),
        ...usedOn(acme.id, 'automation', AS_OF, [3], users(4)),
      ],
    );
    const [row] = await scoreFeatures(db, { asOf: AS_OF, customerIds: [acme.id], featureIds: ['analytics'] });
    expect(row).toMatchObject({ breadth_base: 4, breadth_base_kind: 'account_users', usage_score: usageScoreOf(14, 1, 4) });
    expect(row.usage_score).toBe(63);
  });
});

describe('signals', () => {
  it('are ordered by priority from feature importance and ARR (FR-2.3)', async () => {
    const small = customer({ name: 'Small', arr: 5_000 });
    const big = customer({ name: 'Big', arr: 900_000 });
    const important = customer({ name: 'Important feature', arr: 5_000 });
    await given(
      [small, big, important],
      [activated(small.id, 'exports', AS_OF, 20), activated(big.id, 'exports', AS_OF, 20), activated(important.id, 'analytics', AS_OF, 20)],
    );
    const report = await runDetection(db, { asOf: AS_OF });
    expect(report.signals.map((signal) => [signal.customerId, signal.priority])).toEqual([
      [important.id, 59], // 0.6 * 85 + 0.4 * 25 * log10(6) = 58.8
      [big.id, 54], // 0.6 * 40 + 0.4 * min(100, 25 * log10(901))
      [small.id, 32],
    ]);
  });

  it('running the same day twice creates nothing new and reports the same', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 20), activated(acme.id, 'automation', AS_OF, 20)]);
    const first = await runDetection(db, { asOf: AS_OF });
    const counts = [await countRows('risk_signals'), await countRows('risk_signal_features'), await countRows('feature_stalls')];
    const second = await runDetection(db, { asOf: AS_OF });
    expect(second).toEqual(first);
    expect([await countRows('risk_signals'), await countRows('risk_signal_features'), await countRows('feature_stalls')]).toEqual(counts);
    expect(counts).toEqual([1, 2, 2]);
  });

  it('--dry-run reports what would happen and stores nothing', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 20)]);
    const dry = await runDetection(db, { asOf: AS_OF, dryRun: true });
    expect(dry.signals).toHaveLength(1);
    expect(await countRows('risk_signals')).toBe(0);
    expect((await db.query(`SELECT 1 FROM feature_evaluations`)).rowCount).toBe(0);
    expect((await db.query(`SELECT 1 FROM detection_runs`)).rowCount).toBe(0);
    const real = await runDetection(db, { asOf: AS_OF });
    expect(real.signals[0].features).toEqual(dry.signals[0].features);
  });

  it('no second signal for the same customer-feature within 30 days (FR-2.4); a still-stalled feature is signalled again after', async () => {
    const acme = customer();
    await given([acme], [activated(acme.id, 'analytics', AS_OF, 20)]);
    const first = await runDetection(db, { asOf: AS_OF });
    expect(first.signals).toHaveLength(1);

    // A new stall on another feature 29 days later goes out alone; the first one is in its cooldown.
    const day29 = addDays(AS_OF, 29);
    await files.usage(db, [activated(acme.id, 'automation', day29, 15)]);
    const second = await runDetection(db, { asOf: day29 });
    expect(featuresOf(second, acme.id)).toEqual(['automation']);
    expect(second.suppressed).toEqual([{ customerId: acme.id, featureId: 'analytics', reason: 'recent_signal' }]);

    const day30 = addDays(AS_OF, 30);
    const third = await runDetection(db, { asOf: day30 });
    expect(featuresOf(third, acme.id)).toEqual(['analytics']);
    // The open stall now points at the newest signal (its enablement run is the one to tell about a recovery).
    const stall = await db.query<{ signal_id: string; detected_on: string }>(
      `SELECT signal_id, detected_on FROM feature_stalls WHERE customer_id = $1 AND feature_id = 'analytics'`,
      [acme.id],
    );
    expect(stall.rows).toEqual([{ signal_id: third.signals[0].signalId, detected_on: AS_OF }]);
  });

  it('work the same in small batches (set-based per batch, resumable)', async () => {
    const customers = Array.from({ length: 7 }, (_, index) => customer({ name: `Customer ${index}` }));
    await given(
      customers,
      customers.map((c) => activated(c.id, 'analytics', AS_OF, 20)),
    );
    const progress: number[] = [];
    const report = await runDetection(db, { asOf: AS_OF, batchSize: 3, onProgress: (p) => void progress.push(p.batches) });
    expect(progress).toEqual([1, 2, 3]);
    expect(report.signals).toHaveLength(7);
    expect(report.evaluated).toBe(7 * 4);
  });
});

describe('segment benchmarks (FR-1.6)', () => {
  it('a customer at the median of its segment peers of the same age is not flagged; one without enough peers is', async () => {
    const yesterday = addDays(AS_OF, -1);
    // Six enterprise peers, 15 days in as of yesterday, each used the feature on 1 day by 1 of 10 seats (score 4).
    const peers = Array.from({ length: 6 }, (_, index) => customer({ name: `Peer ${index}`, segment: 'enterprise' }));
    const newcomer = customer({ name: 'Enterprise newcomer', segment: 'enterprise' });
    const loner = customer({ name: 'SMB newcomer', segment: 'smb' });
    const usage: UsageLine[] = [];
    for (const c of [...peers, newcomer, loner]) usage.push(activated(c.id, 'analytics', AS_OF, 16), ...usedOn(c.id, 'analytics', AS_OF, [3]));
    await given([...peers, newcomer, loner], usage);
    await runDetection(db, { asOf: yesterday });

    const report = await runDetection(db, { asOf: AS_OF });

    const benchmark = await db.query<{ peer_count: number; median_score: number }>(
      `SELECT peer_count, median_score FROM segment_benchmarks WHERE as_of = $1 AND segment = 'enterprise' AND feature_id = 'analytics'`,
      [AS_OF],
    );
    expect(benchmark.rows).toEqual([{ peer_count: 7, median_score: 4 }]);
    // Same score 4 for both; the enterprise newcomer is at its peers' median, the lone SMB customer has no peers and
    // stays stalled (already signalled yesterday, so today it is in its cooldown).
    expect(report.suppressed).toContainEqual({ customerId: newcomer.id, featureId: 'analytics', reason: 'segment_benchmark' });
    expect(report.suppressed).toContainEqual({ customerId: loner.id, featureId: 'analytics', reason: 'recent_signal' });
    const thresholds = await db.query<{ customer_id: string; usage_score: number; low_usage_threshold: number; suppress_detail: string }>(
      `SELECT customer_id, usage_score, low_usage_threshold, suppress_detail FROM feature_evaluations WHERE as_of = $1 AND customer_id = ANY($2::uuid[])`,
      [AS_OF, [newcomer.id, loner.id]],
    );
    const byCustomer = new Map(thresholds.rows.map((row) => [row.customer_id, row]));
    expect(byCustomer.get(newcomer.id)).toMatchObject({ usage_score: 4, low_usage_threshold: 4 });
    expect(byCustomer.get(newcomer.id)!.suppress_detail).toBe(
      'usage score 4 is in line with the median 4 of 7 enterprise peers at the same age (week 2 since activation)',
    );
    expect(byCustomer.get(loner.id)).toMatchObject({ usage_score: 4, low_usage_threshold: 20 });
  });

  it('the expected timeline comes from the segment when enough peers reached adopted', async () => {
    const peers = Array.from({ length: 5 }, (_, index) => customer({ name: `Peer ${index}`, segment: 'enterprise' }));
    const late = customer({ name: 'Late', segment: 'enterprise' });
    await given(
      [...peers, late],
      [...peers, late].map((c) => activated(c.id, 'analytics', AS_OF, 50)),
    );
    // Peers reached `adopted` 45 days after activation (observed transitions in the stage history).
    for (const peer of peers) {
      await db.query(
        `INSERT INTO feature_stage_history (customer_id, feature_id, entered_on, stage, previous_stage, usage_score)
         VALUES ($1, 'analytics', $2, 'adopted', 'engaged', 70)`,
        [peer.id, addDays(AS_OF, -5)],
      );
      await db.query(
        `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, activated_at) VALUES ($1, 'analytics', 'Advanced Analytics Dashboard', $2)`,
        [peer.id, `${addDays(AS_OF, -50)}T09:00:00Z`],
      );
    }
    await runDetection(db, { asOf: AS_OF });
    const row = await db.query<{ expected_adoption_days: number; expected_days_source: string; reason: string }>(
      `SELECT expected_adoption_days, expected_days_source, reason FROM feature_evaluations WHERE customer_id = $1`,
      [late.id],
    );
    expect(row.rows[0]).toMatchObject({ expected_adoption_days: 45, expected_days_source: 'segment' });
    expect(row.rows[0].reason).toContain('past the expected 45 days (median of 5 enterprise peers)');
  });
});

describe('the worked example of docs/scoring.md', () => {
  const techcorp = () => customer({ name: 'TechCorp', seats: 40, arr: 75_000, segment: 'mid_market' });
  const automationDaily = (id: string, until: string) => {
    const lines: UsageLine[] = [{ customerId: id, featureId: 'automation', event: 'activated', occurredAt: '2026-01-30T09:00:00Z' }];
    for (let day = '2026-01-30'; day <= until; day = addDays(day, 1)) {
      lines.push(
        ...users(25).map((userId) => ({ customerId: id, featureId: 'automation', event: 'used' as const, occurredAt: `${day}T10:00:00Z`, userId })),
      );
    }
    return lines;
  };
  const analyticsUse = (id: string): UsageLine[] =>
    [
      ['2026-03-20', ['u1', 'u2', 'u3']],
      ['2026-03-24', ['u1', 'u4']],
      ['2026-03-27', ['u5', 'u6']],
    ].flatMap(([day, who]) =>
      (who as string[]).map((userId) => ({ customerId: id, featureId: 'analytics', event: 'used' as const, occurredAt: `${day}T14:00:00Z`, userId })),
    );

  it('prints the documented report', async () => {
    const acme = techcorp();
    await given(
      [acme],
      [
        { customerId: acme.id, featureId: 'analytics', event: 'activated', occurredAt: '2026-02-14T09:00:00Z' },
        ...analyticsUse(acme.id),
        ...automationDaily(acme.id, AS_OF),
      ],
    );
    const report = await runDetection(db, { asOf: AS_OF });
    expect(report).toEqual({
      asOf: '2026-03-31',
      evaluated: 4,
      // No adoption.config.yaml: the PRD's rules judged it.
      configuration: { digest: DEFAULT_LOADED_RULES.digest, source: 'defaults' },
      signals: [
        {
          signalId: expect.any(String),
          customerId: acme.id,
          priority: 70,
          features: [
            {
              featureId: 'analytics',
              stage: 'started',
              usageScore: 12,
              daysSinceActivation: 45,
              expectedAdoptionDays: 30,
              rule: 'low_usage_14d+past_expected_timeline',
              reason:
                'usage score 12 is under 20 over the last 14 days (used on 3 of 14 days by 6 of 40 seats), activated 45 days ago; ' +
                'day 45 since activation is past the expected 30 days (feature catalog) and the feature is started with usage score 12, under 30',
            },
          ],
        },
      ],
      suppressed: [],
      recovered: [],
    });
  });

  it('on holiday since 2026-03-17 the same feature is an account-wide dip', async () => {
    const acme = techcorp();
    await given(
      [acme],
      [
        { customerId: acme.id, featureId: 'analytics', event: 'activated', occurredAt: '2026-02-14T09:00:00Z' },
        ...automationDaily(acme.id, '2026-03-16'),
      ],
    );
    const report = await runDetection(db, { asOf: AS_OF });
    expect(report.signals).toEqual([]);
    expect(report.suppressed).toEqual([
      { customerId: acme.id, featureId: 'analytics', reason: 'account_wide_dip' },
      { customerId: acme.id, featureId: 'automation', reason: 'account_wide_dip' },
    ]);
    const detail = await db.query<{ suppress_detail: string }>(
      `SELECT suppress_detail FROM feature_evaluations WHERE customer_id = $1 AND feature_id = 'automation'`,
      [acme.id],
    );
    // Feb 18 .. Mar 16: 27 days x 25 users = 675 user-days in the four weeks before the window.
    expect(detail.rows[0].suppress_detail).toBe(
      'the whole account dipped: 0 user-days in the last 14 days against 337.5 per 14 days in the 4 weeks before (other features: 0 against 0)',
    );
  });
});
