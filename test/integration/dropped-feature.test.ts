import type { Db } from '../../db/database';
import { runDetection } from '../../adoption/detection';
import { addDays } from '../../adoption/dates';
import { importUsageFile } from '../../adoption/ingest/usage';
import { syncCustomerAdoption } from '../../adoption/sync';
import { loadRiskSignal, loadRunFacts } from '../../adoption/run-input';
import { createActivities as createDelegateToAgentActivity } from '../../steps/delegate_to_agent/activity';
import type { EmailDraftResult } from '../../steps/delegate_to_agent/agents/contracts';
import { renderAdoptionStalledAlert } from '../../steps/slack_dm/messages/adoption-stalled-alert';
import { stepContext } from '../support/activity-fixtures';
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
} from '../support/detection-fixtures';

/**
 * Issue 19 item 4 on real Postgres: a feature used daily by six of ten seats for two months, then unused for 30 days,
 * has dropped away (`churned`); it is not a feature the team never tried, and neither the alert nor the champion's
 * email may say so. As-of day 2026-03-31 (UTC).
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

describe('a feature used daily for two months, then unused for 30 days', () => {
  // The import's clock decides which days its backfill covers (the 180 days before it): the morning after the as-of
  // day covers the engaged months; 200 days later it covers none of them, and detection must find them itself.
  it.each([
    ['imported the morning after', 1],
    ['imported 200 days later', 200],
  ])('is churned in the signal, the alert and the email (%s)', async (_when, importedAfterDays) => {
    const acme = customer();
    await files.customers(db, [acme]);
    const usage = [activated(acme.id, 'analytics', AS_OF, 90), ...usedOn(acme.id, 'analytics', AS_OF, range(30, 89), users(6))];
    const importedAt = new Date(`${addDays(AS_OF, importedAfterDays)}T06:00:00Z`);
    const summary = await importUsageFile(db, files.ndjson(usage), { now: () => importedAt });
    expect(summary.issues).toEqual([]);

    const report = await runDetection(db, { asOf: AS_OF });

    expect(report.signals).toHaveLength(1);
    const [feature] = report.signals[0].features;
    expect(feature).toMatchObject({ featureId: 'analytics', stage: 'churned', usageScore: 0, rule: 'low_usage_14d+past_expected_timeline' });
    expect(feature.reason).toContain('it was engaged or adopted before and has dropped back (churned)');
    // The reason names the stage the signal carries, not the one the score alone would give.
    expect(feature.reason).toContain('and the feature is churned with usage score 0, under 30');
    expect(feature.reason).not.toContain('not_started');
    const stored = await db.query<{ stage: string }>(`SELECT stage FROM feature_adoption WHERE customer_id = $1`, [acme.id]);
    expect(stored.rows).toEqual([{ stage: 'churned' }]);

    const signal = await loadRiskSignal(db, report.signals[0].signalId);
    const input = await loadRunFacts(db, signal);
    expect(input.features.map((f) => f.stage)).toEqual(['churned']);
    const workflowId = `adoption-stalled/${acme.id}/${signal.id}`;

    const alert = renderAdoptionStalledAlert({ workflowId, input, scope: {}, params: {}, includeResources: true });
    expect(alert.text).toContain('Status: Churned (used regularly before, then dropped) → Stalled (Day 90)');
    expect(JSON.stringify(alert.blocks)).toContain('*Status:* Churned (used regularly before, then dropped) → Stalled');

    const context = stepContext(acme.id, { workflowId, stepId: 'draft_enablement_email', signalId: signal.id, featureIds: ['analytics'] });
    const draft = (await createDelegateToAgentActivity({ db, now: () => new Date(`${addDays(AS_OF, 1)}T09:00:00Z`) }).delegateToAgent(context, {
      agent: 'communicator',
      action: 'draft_email',
      params: { template: 'feature_enablement' },
      input,
    })) as unknown as EmailDraftResult;
    expect(draft.body).toContain(
      "I noticed your team was using Advanced Analytics Dashboard regularly but hasn't come back to it lately. This is a powerful feature that can help you spot trends before they become problems, so I'd love to help you get back into it.",
    );
    expect(draft.body).not.toContain("hasn't had a chance to try");
    expect(draft.body).not.toContain('has started exploring');
  });

  it('beside a feature never tried, each is worded for its own cause in one email', async () => {
    const acme = customer();
    await files.customers(db, [acme]);
    const usage = [
      activated(acme.id, 'analytics', AS_OF, 90),
      ...usedOn(acme.id, 'analytics', AS_OF, range(30, 89), users(6)),
      activated(acme.id, 'reports', AS_OF, 90),
      // The account carries on with another feature: a stall, not an account-wide pause.
      ...usedOn(acme.id, 'automation', AS_OF, range(0, 89), users(4)),
    ];
    const summary = await importUsageFile(db, files.ndjson(usage), { now: () => new Date(`${addDays(AS_OF, 1)}T06:00:00Z`) });
    expect(summary.issues).toEqual([]);

    const report = await runDetection(db, { asOf: AS_OF });

    expect(report.signals[0].features.map((f) => [f.featureId, f.stage])).toEqual([
      ['analytics', 'churned'],
      ['reports', 'not_started'],
    ]);
    const input = await loadRunFacts(db, await loadRiskSignal(db, report.signals[0].signalId));
    const workflowId = `adoption-stalled/${acme.id}/${report.signals[0].signalId}`;
    const alert = renderAdoptionStalledAlert({ workflowId, input, scope: {}, params: {}, includeResources: false });
    expect(alert.text).toContain('Status: Churned (used regularly before, then dropped) → Stalled (Day 90)');
    expect(alert.text).toContain('Status: Not Started → Stalled (Day 90)');
    const context = stepContext(acme.id, { workflowId, stepId: 'draft_enablement_email', featureIds: ['analytics', 'reports'] });
    const draft = (await createDelegateToAgentActivity({ db, now: () => new Date(`${addDays(AS_OF, 1)}T09:00:00Z`) }).delegateToAgent(context, {
      agent: 'communicator',
      action: 'draft_email',
      params: { template: 'feature_enablement' },
      input,
    })) as unknown as EmailDraftResult;
    expect(draft.body).toContain("Advanced Analytics Dashboard: your team was using it regularly but hasn't come back to it lately.");
    expect(draft.body).toContain("Custom Reports: your team hasn't had a chance to try it yet.");
  });

  it('is churned when the sync API scores it before detection has seen it', async () => {
    const acme = customer();
    await files.customers(db, [acme]);
    const usage = [activated(acme.id, 'analytics', AS_OF, 90), ...usedOn(acme.id, 'analytics', AS_OF, range(30, 89), users(6))];
    const summary = await importUsageFile(db, files.ndjson(usage), { now: () => new Date(`${addDays(AS_OF, 1)}T06:00:00Z`) });
    expect(summary.issues).toEqual([]);

    const synced = await syncCustomerAdoption(db, acme.id, new Date(`${addDays(AS_OF, 1)}T07:00:00Z`));

    expect(synced.features).toMatchObject([{ featureId: 'analytics', stage: 'churned', usageScore: 0 }]);
    const stored = await db.query<{ stage: string }>(`SELECT stage FROM feature_adoption WHERE customer_id = $1`, [acme.id]);
    expect(stored.rows).toEqual([{ stage: 'churned' }]);
  });
});
