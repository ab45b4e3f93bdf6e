import type { Db } from '../../db/database';
import type { StepContext } from '../../adoption/model/run-facts';
import { runDetection } from '../../adoption/detection';
import { createActivities as createMeasureAdoptionActivity } from './activity';
import { addDays, usageScoreOf } from '../../adoption/scoring';
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
} from '../../test/support/detection-fixtures';

/** The 14-day follow-up of an enablement run: re-score, judge, record impact (FR-4.1, FR-4.3). */
const AS_OF = '2026-03-31';
const FOLLOW_UP = addDays(AS_OF, 14);

let world: DetectionWorld;
let db: Db;
let files: FixtureFiles;

beforeEach(async () => {
  world = await openDetectionWorld();
  ({ db, files } = world);
});

afterEach(() => closeDetectionWorld(world));

async function stalledRun() {
  const acme = customer();
  await files.customers(db, [acme]);
  await files.usage(
    db,
    ['analytics', 'automation', 'reports'].map((featureId) => activated(acme.id, featureId, AS_OF, 20)),
  );
  const report = await runDetection(db, { asOf: AS_OF });
  const [signal] = report.signals;
  const workflowId = `adoption-stalled/${acme.id}/${signal.signalId}`;
  for (const feature of signal.features) {
    await db.query(
      `INSERT INTO interventions (customer_id, feature_id, intervention_type, workflow_id, occurred_at, idempotency_key)
       VALUES ($1, $2, 'email', $3, $4, $5)`,
      [acme.id, feature.featureId, workflowId, `${AS_OF}T12:00:00Z`, `${workflowId}/send_email/${feature.featureId}`],
    );
  }
  // During the two weeks after: analytics daily by 5 of 10 seats for a week, automation on 3 days by 4, reports never.
  await files.usage(db, [
    ...usedOn(acme.id, 'analytics', FOLLOW_UP, range(0, 6), users(5)),
    ...usedOn(acme.id, 'automation', FOLLOW_UP, [1, 3, 5], users(4)),
  ]);
  const context: StepContext = {
    workflowId,
    runId: 'run-1',
    stepId: 'measure_adoption',
    customerId: acme.id,
    signalId: signal.signalId,
    featureIds: signal.features.map((f) => f.featureId),
    definition: { name: 'feature_adoption_enablement', version: '1.0', digest: 'test' },
  };
  const features = signal.features.map((f) => ({ featureId: f.featureId, usageScore: f.usageScore, stage: f.stage }));
  return { acme, context, features };
}

describe('measureAdoption', () => {
  it('re-scores as of now and judges each feature recovered / improved / still stalled', async () => {
    const { context, features } = await stalledRun();
    const { measureAdoption } = createMeasureAdoptionActivity({ db, now: () => new Date(`${FOLLOW_UP}T15:00:00Z`) });

    const result = await measureAdoption(context, { features, recordImpact: false, recoveredSignals: [] });

    expect(result).toEqual({
      outcome: 'improved',
      features: [
        { featureId: 'analytics', before: 0, after: usageScoreOf(7, 5, 10), stage: 'engaged', outcome: 'recovered', effectivenessScore: 100 },
        { featureId: 'automation', before: 0, after: 15, stage: 'started', outcome: 'improved', effectivenessScore: 75 },
        { featureId: 'reports', before: 0, after: 0, stage: 'not_started', outcome: 'still_stalled', effectivenessScore: 0 },
      ],
    });
    // Nothing recorded without recordImpact.
    const after = await db.query(`SELECT 1 FROM interventions WHERE measured_at IS NOT NULL`);
    expect(after.rowCount).toBe(0);
  });

  it('records a `recovered` signal the data does not show as not_confirmed (not effectiveness 100), idempotently', async () => {
    const { acme, context, features } = await stalledRun();
    const now = new Date(`${FOLLOW_UP}T15:00:00Z`);
    const { measureAdoption } = createMeasureAdoptionActivity({ db, now: () => now });
    const args = {
      features,
      recordImpact: true,
      recoveredSignals: [{ featureId: 'reports', detectedAt: `${addDays(AS_OF, 10)}T23:59:59.999Z` }],
    };

    const first = await measureAdoption(context, args);
    const read = async () => [
      (
        await db.query(
          `SELECT feature_id, adoption_before, adoption_after, outcome, effectiveness_score, measured_at FROM interventions
          WHERE workflow_id = $1 ORDER BY feature_id`,
          [context.workflowId],
        )
      ).rows,
      (
        await db.query(
          `SELECT feature_id, adoption_after_intervention, intervention_outcome FROM feature_adoption
          WHERE customer_id = $1 ORDER BY feature_id`,
          [acme.id],
        )
      ).rows,
    ];
    const stored = await read();
    const second = await measureAdoption(context, args);

    expect(second).toEqual(first);
    expect(await read()).toEqual(stored);
    expect(first.features.map((f) => [f.featureId, f.outcome])).toEqual([
      ['analytics', 'recovered'],
      ['automation', 'improved'],
      ['reports', 'not_confirmed'],
    ]);
    expect(stored[0]).toEqual([
      { feature_id: 'analytics', adoption_before: 0, adoption_after: 38, outcome: 'recovered', effectiveness_score: 100, measured_at: now },
      { feature_id: 'automation', adoption_before: 0, adoption_after: 15, outcome: 'improved', effectiveness_score: 75, measured_at: now },
      { feature_id: 'reports', adoption_before: 0, adoption_after: 0, outcome: 'not_confirmed', effectiveness_score: 0, measured_at: now },
    ]);
    expect(stored[1]).toEqual([
      { feature_id: 'analytics', adoption_after_intervention: 38, intervention_outcome: 'recovered' },
      { feature_id: 'automation', adoption_after_intervention: 15, intervention_outcome: 'improved' },
      { feature_id: 'reports', adoption_after_intervention: 0, intervention_outcome: 'not_confirmed' },
    ]);
  });

  it('uses the threshold of the rule that flagged the feature: 30 for a PRD 4.3 stall', async () => {
    const acme = customer();
    await files.customers(db, [acme]);
    // 40 days in, score 25 (engaged): flagged by the 4.3 rule.
    await files.usage(db, [activated(acme.id, 'analytics', AS_OF, 40), ...usedOn(acme.id, 'analytics', AS_OF, [0, 2, 4, 6, 8], users(4))]);
    const [signal] = (await runDetection(db, { asOf: AS_OF })).signals;
    expect(signal.features[0].rule).toBe('past_expected_timeline');
    const context: StepContext = {
      workflowId: `adoption-stalled/${acme.id}/${signal.signalId}`,
      runId: 'run-1',
      stepId: 'measure_adoption',
      customerId: acme.id,
      signalId: signal.signalId,
      featureIds: ['analytics'],
      definition: { name: 'feature_adoption_enablement', version: '1.0', digest: 'test' },
    };
    // Measured the same day: still engaged at 25, which is not a recovery from a 4.3 stall.
    const { measureAdoption } = createMeasureAdoptionActivity({ db, now: () => new Date(`${AS_OF}T23:00:00Z`) });
    const result = await measureAdoption(context, {
      features: [{ featureId: 'analytics', usageScore: 25, stage: 'engaged' }],
      recordImpact: false,
      recoveredSignals: [],
    });
    expect(result.features[0]).toMatchObject({ after: 25, stage: 'engaged', outcome: 'still_stalled', effectivenessScore: 0 });
  });
});
