import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { AdoptionGapAnalysis, EmailDraftResult } from './agents/contracts';
import type { DelegateToAgentArgs } from './activity';
import { createActivities as createDelegateToAgentActivity } from './activity';
import type { Db } from '../../db/database';
import {
  analyticsFeature,
  insertUsage,
  PRD_RESOURCES,
  runFacts,
  seedAdoption,
  seedCatalog,
  seedCustomer,
  stepContext,
} from '../../test/support/activity-fixtures';
import { startAgentServer, type AgentTestServer } from '../../test/support/agent-server';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;
/** A moment inside rolling week `week` (0 = oldest of the 8, 7 = the last 7 days). */
const inWeek = (week: number) => new Date(NOW.getTime() - (8 - week) * 7 * DAY + 3 * DAY);

async function useWeekly(db: Db, customerId: string, featureId: string, perWeek: number[], users: string[] = ['u1']) {
  for (const [week, events] of perWeek.entries()) {
    if (events <= 0) continue;
    // Spread the week's events over the users, as one row each with a count.
    const share = Math.floor(events / users.length);
    for (const [i, user] of users.entries()) {
      const count = i === 0 ? events - share * (users.length - 1) : share;
      if (count > 0) await insertUsage(db, { customerId, featureId, at: inWeek(week), userId: user, count });
    }
  }
}

describe('delegate_to_agent activity', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase();
    await seedCatalog(test.db, {
      featureId: 'advanced_analytics',
      featureName: 'Advanced Analytics Dashboard',
      category: 'analytics',
      importance: 85,
      resources: PRD_RESOURCES,
    });
    await seedCatalog(test.db, { featureId: 'crm_sync', featureName: 'CRM Sync', category: 'integrations', importance: 70 });
    await seedCatalog(test.db, { featureId: 'reports', featureName: 'Scheduled Reports', category: 'reporting', importance: 40 });
  });
  afterAll(async () => {
    await test.dispose();
  });

  const builtIn = () => createDelegateToAgentActivity({ db: test.db, now: () => NOW });
  const args = (
    customerId: string,
    agent: string,
    action: string,
    params: DelegateToAgentArgs['params'],
    input = runFacts(customerId),
  ): DelegateToAgentArgs => ({
    agent,
    action,
    params,
    input,
  });

  describe('built-in researcher/analyze_adoption_gap', () => {
    it('sees a training gap: activated, one user, low from the start, while segment peers adopt it', async () => {
      const customerId = await seedCustomer(test.db, { segment: 'mid_market', seats: 50 });
      await seedAdoption(test.db, customerId, 'advanced_analytics', { activatedAt: new Date(NOW.getTime() - 45 * DAY), usageScore: 15 });
      await useWeekly(test.db, customerId, 'advanced_analytics', [2, 2, 2, 2, 2, 2, 2, 2]);
      await useWeekly(test.db, customerId, 'reports', [30, 30, 30, 30, 30, 30, 30, 30], ['a', 'b', 'c']);
      // Peers: three in the segment (median 60); a different segment and a "not needed" one do not count.
      for (const score of [50, 60, 70]) {
        const peer = await seedCustomer(test.db, { segment: 'mid_market' });
        await seedAdoption(test.db, peer, 'advanced_analytics', { activatedAt: new Date(NOW.getTime() - 90 * DAY), usageScore: score });
      }
      const otherSegment = await seedCustomer(test.db, { segment: 'enterprise' });
      await seedAdoption(test.db, otherSegment, 'advanced_analytics', { activatedAt: new Date(NOW.getTime() - 90 * DAY), usageScore: 0 });
      const notNeeded = await seedCustomer(test.db, { segment: 'mid_market' });
      await seedAdoption(test.db, notNeeded, 'advanced_analytics', {
        activatedAt: new Date(NOW.getTime() - 90 * DAY),
        usageScore: 0,
        notNeeded: true,
      });

      const result = (await builtIn().delegateToAgent(
        stepContext(customerId, { stepId: 'analyze_stall' }),
        args(customerId, 'researcher', 'analyze_adoption_gap', { customer_id: customerId, feature_id: 'advanced_analytics' }),
      )) as unknown as AdoptionGapAnalysis;

      expect(result.features).toHaveLength(1);
      const feature = result.features[0];
      expect(feature.featureId).toBe('advanced_analytics');
      expect(feature.weeklyUsage.map((w) => w.events)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
      expect(feature.weeklyUsage.map((w) => w.activeUsers)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
      expect(feature.weeklyUsage[0].weekStart).toBe(new Date(NOW.getTime() - 56 * DAY).toISOString());
      expect(feature.activeUsers14d).toBe(1);
      expect(feature.lastUsedAt).toBe(inWeek(7).toISOString());
      expect(feature).toMatchObject({ peerMedianScore: 60, peerCount: 3 });

      expect(result.likelyCauses.map((c) => c.cause)).toEqual(['training_gap']);
      const gap = result.likelyCauses[0];
      expect(gap.confidence).toBe(0.9);
      expect(gap.evidence).toEqual([
        'Advanced Analytics Dashboard: 1 distinct user since activation out of 50 seats',
        'Advanced Analytics Dashboard: never more than 2 uses in a week over the last 8 weeks',
        '3 customers in the same segment reach a median usage score of 60 (this customer: 15)',
      ]);
      expect(result.summary).toContain('Likely causes: training gap (90%)');
    });

    it('sees integration challenges: established use fell to zero while other features continue', async () => {
      const customerId = await seedCustomer(test.db, { segment: 'smb' });
      await seedAdoption(test.db, customerId, 'crm_sync', {
        activatedAt: new Date(NOW.getTime() - 80 * DAY),
        usageScore: 5,
        featureName: 'CRM Sync',
      });
      await useWeekly(test.db, customerId, 'crm_sync', [20, 20, 20, 20, 4, 0, 0, 0], ['a', 'b', 'c', 'd']);
      await useWeekly(test.db, customerId, 'reports', [40, 40, 40, 40, 40, 40, 40, 40], ['a', 'b']);
      const input = runFacts(customerId, { features: [analyticsFeature({ featureId: 'crm_sync', featureName: 'CRM Sync' })] });

      const result = (await builtIn().delegateToAgent(
        stepContext(customerId, { featureIds: ['crm_sync'] }),
        args(customerId, 'researcher', 'analyze_adoption_gap', { customer_id: customerId, feature_id: 'crm_sync' }, input),
      )) as unknown as AdoptionGapAnalysis;

      expect(result.likelyCauses).toEqual([
        {
          cause: 'integration_challenges',
          confidence: 0.8,
          evidence: [
            'CRM Sync: 80 uses in the 4 weeks before, 0 in the last 2 weeks',
            'other features kept going: 160 uses in the last 4 weeks (160 in the 4 before)',
          ],
        },
      ]);
      expect(result.features[0].activeUsers14d).toBe(0);
      expect(result.features[0].peerMedianScore).toBeNull();
    });

    it('sees changed priorities when the whole account slows down, and analyses every feature of the run by default', async () => {
      const customerId = await seedCustomer(test.db, { segment: 'enterprise_x' });
      await seedAdoption(test.db, customerId, 'advanced_analytics', { activatedAt: new Date(NOW.getTime() - 120 * DAY), usageScore: 10 });
      await seedAdoption(test.db, customerId, 'reports', { activatedAt: new Date(NOW.getTime() - 120 * DAY), usageScore: 10 });
      await useWeekly(test.db, customerId, 'advanced_analytics', [30, 30, 30, 30, 3, 3, 3, 3], ['a', 'b', 'c']);
      await useWeekly(test.db, customerId, 'reports', [40, 40, 40, 40, 4, 4, 4, 4], ['a', 'b', 'c']);
      const input = runFacts(customerId, {
        features: [analyticsFeature(), analyticsFeature({ featureId: 'reports', featureName: 'Scheduled Reports' })],
      });

      const result = (await builtIn().delegateToAgent(
        stepContext(customerId, { featureIds: ['advanced_analytics', 'reports'] }),
        args(customerId, 'researcher', 'analyze_adoption_gap', {}, input),
      )) as unknown as AdoptionGapAnalysis;

      expect(result.features.map((f) => f.featureId)).toEqual(['advanced_analytics', 'reports']);
      expect(result.likelyCauses.map((c) => [c.cause, c.confidence])).toEqual([
        ['changed_priorities', 0.85],
        ['integration_challenges', 0.3],
      ]);
      expect(result.likelyCauses[0].evidence).toEqual(['usage across all features: 28 in the last 4 weeks against 280 in the 4 before (-90%)']);
    });

    it('finds no cause where the data shows none', async () => {
      const customerId = await seedCustomer(test.db);
      const result = (await builtIn().delegateToAgent(
        stepContext(customerId),
        args(customerId, 'researcher', 'analyze_adoption_gap', { feature_id: 'advanced_analytics' }),
      )) as unknown as AdoptionGapAnalysis;
      expect(result.likelyCauses).toEqual([]);
      expect(result.features[0]).toMatchObject({ activeUsers14d: 0, lastUsedAt: null, weeklyUsage: expect.any(Array) });
      expect(result.summary).toContain('no clear pattern');
    });

    it('refuses a customer that does not exist without retrying', async () => {
      const missing = '00000000-0000-4000-8000-00000000dead';
      await expect(builtIn().delegateToAgent(stepContext(missing), args(missing, 'researcher', 'analyze_adoption_gap', {}))).rejects.toMatchObject({
        type: 'CustomerNotFound',
        nonRetryable: true,
      });
    });
  });

  describe('built-in communicator/draft_email', () => {
    it('keeps the subject short for many features while the body names each (issue 19 item 3)', async () => {
      const customerId = await seedCustomer(test.db);
      const features = Array.from({ length: 12 }, (_, i) =>
        analyticsFeature({ featureId: `f${i}`, featureName: `Feature ${i} ${'🚀'.repeat(i === 1 ? 60 : 2)}`, resources: [] }),
      );
      const draft = (await builtIn().delegateToAgent(
        stepContext(customerId, { stepId: 'draft_many' }),
        args(customerId, 'communicator', 'draft_email', { template: 'feature_enablement' }, runFacts(customerId, { features })),
      )) as unknown as EmailDraftResult;
      expect(draft.subject.length).toBeLessThanOrEqual(120);
      expect(draft.subject).toMatch(/^Getting more value from Feature 0 🚀🚀, Feature 1 (🚀)+…$/);
      expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(draft.subject)).toBe(false);
      for (const feature of features) expect(draft.body).toContain(`${feature.featureName}: your team`);
      const few = (await builtIn().delegateToAgent(
        stepContext(customerId, { stepId: 'draft_few' }),
        args(customerId, 'communicator', 'draft_email', { template: 'feature_enablement' }, runFacts(customerId, { features: features.slice(2, 7) })),
      )) as unknown as EmailDraftResult;
      expect(few.subject).toBe('Getting more value from Feature 2 🚀🚀, Feature 3 🚀🚀 and 3 more features');
    });

    it('renders PRD 10.1 for the champion and stores one draft per workflow step', async () => {
      const customerId = await seedCustomer(test.db);
      const context = stepContext(customerId, { stepId: 'draft_enablement_email' });
      const params = {
        template: 'feature_enablement',
        feature_name: 'Advanced Analytics Dashboard',
        resources: PRD_RESOURCES as never,
        requires_approval: true,
      };
      const draft = (await builtIn().delegateToAgent(
        context,
        args(customerId, 'communicator', 'draft_email', params),
      )) as unknown as EmailDraftResult;

      expect(draft).toMatchObject({
        to: { name: 'Dana Champion', email: 'dana@techcorp.example' },
        subject: 'Getting more value from Advanced Analytics Dashboard',
        status: 'pending_approval',
        requiresApproval: true,
      });
      expect(draft.body).toContain('Hi Dana Champion,');
      expect(draft.body).toContain('can help you spot trends in your pipeline before they become problems.');
      expect(draft.body).toContain(
        '- Quick Start Guide: https://docs.example.com/analytics/quick-start\n- Analytics Dashboard Overview: https://training.example.com/analytics-overview\n',
      );
      expect(draft.body.trimEnd().endsWith('Best,\nCasey CSM')).toBe(true);

      const again = (await builtIn().delegateToAgent(
        context,
        args(customerId, 'communicator', 'draft_email', params),
      )) as unknown as EmailDraftResult;
      expect(again).toEqual(draft);
      const rows = await test.db.query<{ id: string; status: string; idempotency_key: string; feature_ids: string[]; from_email: string }>(
        `SELECT id, status, idempotency_key, feature_ids, from_email FROM email_drafts WHERE customer_id = $1`,
        [customerId],
      );
      expect(rows.rows).toEqual([
        {
          id: draft.draftId,
          status: 'pending_approval',
          idempotency_key: `${context.workflowId}/draft_enablement_email`,
          feature_ids: ['advanced_analytics'],
          from_email: 'casey@vendor.example',
        },
      ]);
    });

    it('uses the catalog category when the feature has no key benefit, and stores a plain draft without approval', async () => {
      const customerId = await seedCustomer(test.db, { championName: null });
      const input = runFacts(
        customerId,
        { features: [analyticsFeature({ featureId: 'crm_sync', featureName: 'CRM Sync', keyBenefit: null, category: null, resources: [] })] },
        { championName: null },
      );
      const draft = (await builtIn().delegateToAgent(
        stepContext(customerId, { featureIds: ['crm_sync'] }),
        args(customerId, 'communicator', 'draft_email', { requires_approval: false }, input),
      )) as unknown as EmailDraftResult;
      expect(draft.status).toBe('draft');
      expect(draft.requiresApproval).toBe(false);
      expect(draft.subject).toBe('Getting more value from CRM Sync');
      expect(draft.body).toContain('Hi there,');
      expect(draft.body).toContain('connect the tools you already use and cut manual data entry');
    });
  });

  it('refuses an unknown built-in action, naming the known ones, without retrying', async () => {
    const customerId = await seedCustomer(test.db);
    const failure = await builtIn()
      .delegateToAgent(stepContext(customerId), args(customerId, 'researcher', 'write_poem', {}))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'UnknownAgentAction', nonRetryable: true });
    expect((failure as Error).message).toContain('researcher/write_poem');
    expect((failure as Error).message).toContain('researcher/analyze_adoption_gap, communicator/draft_email');
  });

  describe('HTTP transport', () => {
    let agents: AgentTestServer;
    beforeAll(async () => {
      agents = await startAgentServer();
    });
    afterAll(async () => {
      await agents.close();
    });
    beforeEach(() => {
      agents.requests.length = 0;
    });
    const http = (timeoutMs?: number) => createDelegateToAgentActivity({ db: test.db, agents: { url: `${agents.url}/` } }, { timeoutMs });
    const customerId = '00000000-0000-4000-8000-0000000000aa';

    it('POSTs { context, params, input } to /agents/<agent>/<action> and returns the JSON answer', async () => {
      const context = stepContext(customerId, { stepId: 'analyze_stall' });
      const input = runFacts(customerId);
      const result = await new MockActivityEnvironment().run(
        http().delegateToAgent,
        context,
        args(customerId, 'researcher', 'analyze_adoption_gap', { feature_id: 'advanced_analytics' }, input),
      );
      expect(agents.requests).toHaveLength(1);
      const [request] = agents.requests;
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/agents/researcher/analyze_adoption_gap');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.json).toEqual({ context, params: { feature_id: 'advanced_analytics' }, input });
      expect(result).toEqual({ agent: 'researcher', action: 'analyze_adoption_gap', received: request.json });
    });

    it('treats a 500 as retryable, and the retry succeeds', async () => {
      agents.respondNext({ status: 500, body: 'upstream model overloaded' });
      const activity = http();
      const context = stepContext(customerId);
      const failure = await activity.delegateToAgent(context, args(customerId, 'communicator', 'draft_email', {})).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'AgentServerError', nonRetryable: false });
      expect((failure as Error).message).toBe('agent communicator/draft_email answered HTTP 500: upstream model overloaded');

      const result = await activity.delegateToAgent(context, args(customerId, 'communicator', 'draft_email', {}));
      expect(result).toMatchObject({ agent: 'communicator', action: 'draft_email' });
      expect(agents.requests).toHaveLength(2);
    });

    it('treats a 404 as non-retryable and quotes a bounded excerpt of the body', async () => {
      agents.respondNext({ status: 404, body: { error: 'no such agent', detail: 'x'.repeat(2000) } });
      const failure = (await http()
        .delegateToAgent(stepContext(customerId), args(customerId, 'planner', 'plan', {}))
        .catch((error: unknown) => error)) as ApplicationFailure;
      expect(failure).toMatchObject({ type: 'AgentRequestRejected', nonRetryable: true });
      expect(failure.message).toMatch(/^agent planner\/plan answered HTTP 404: \{"error":"no such agent"/);
      expect(failure.message.length).toBeLessThan(600);
    });

    it('passes a 429 Retry-After on as nextRetryDelay', async () => {
      agents.respondNext({ status: 429, body: 'slow down', headers: { 'retry-after': '3' } });
      await expect(http().delegateToAgent(stepContext(customerId), args(customerId, 'researcher', 'analyze_adoption_gap', {}))).rejects.toMatchObject(
        {
          nonRetryable: false,
          nextRetryDelay: '3s',
        },
      );
    });

    it('treats a refused connection and a timeout as retryable', async () => {
      const gone = await startAgentServer();
      const url = gone.url;
      await gone.close();
      const refused = createDelegateToAgentActivity({ db: test.db, agents: { url } });
      await expect(
        refused.delegateToAgent(stepContext(customerId), args(customerId, 'researcher', 'analyze_adoption_gap', {})),
      ).rejects.toMatchObject({
        type: 'AgentUnavailable',
        nonRetryable: false,
      });

      agents.respondNext({ status: 200, body: { late: true }, delayMs: 2000 });
      await expect(
        http(200).delegateToAgent(stepContext(customerId), args(customerId, 'researcher', 'analyze_adoption_gap', {})),
      ).rejects.toMatchObject({
        type: 'AgentUnavailable',
        nonRetryable: false,
        message: expect.stringContaining('did not answer'),
      });
    });

    it('stops waiting when the activity is cancelled', async () => {
      agents.respondNext({ status: 200, body: { late: true }, delayMs: 5000 });
      const env = new MockActivityEnvironment();
      const running = env.run(http().delegateToAgent, stepContext(customerId), args(customerId, 'researcher', 'analyze_adoption_gap', {}));
      setTimeout(() => env.cancel(), 100);
      await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    });
  });
});
