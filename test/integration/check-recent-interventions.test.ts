import { createCheckRecentInterventionsActivity } from '../../activities/check-recent-interventions';
import type { Db } from '../../db/database';
import { seedCustomer, stepContext } from '../support/activity-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const DAY = 86_400_000;

async function intervention(db: Db, customerId: string, featureId: string, daysAgo: number, workflowId: string | null) {
  await db.query(
    `INSERT INTO interventions (customer_id, feature_id, intervention_type, workflow_id, occurred_at) VALUES ($1, $2, 'email', $3, $4)`,
    [customerId, featureId, workflowId, new Date(NOW.getTime() - daysAgo * DAY)],
  );
}

describe('check recent interventions activity (FR-2.4, 30-day cooldown)', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test.dispose();
  });

  it('suppresses features with an intervention by another run, or by hand, within the cooldown', async () => {
    const customerId = await seedCustomer(test.db);
    const otherCustomer = await seedCustomer(test.db, { name: 'Other' });
    const context = stepContext(customerId, { featureIds: ['a', 'b', 'c', 'd', 'e'] });
    await intervention(test.db, customerId, 'a', 10, 'adoption-stalled/earlier-run'); // another run, recent
    await intervention(test.db, customerId, 'a', 3, 'adoption-stalled/earlier-run-2'); // the latest one counts
    await intervention(test.db, customerId, 'b', 29, null); // recorded by a CSM through the API
    await intervention(test.db, customerId, 'c', 31, 'adoption-stalled/old-run'); // outside the cooldown
    await intervention(test.db, customerId, 'd', 1, context.workflowId); // this run's own email
    await intervention(test.db, otherCustomer, 'e', 1, null); // another customer

    const result = await createCheckRecentInterventionsActivity({ db: test.db, now: () => NOW }).checkRecentInterventions(context, {
      cooldownDays: 30,
    });
    expect(result).toEqual({
      suppressed: [
        { featureId: 'a', lastInterventionAt: new Date(NOW.getTime() - 3 * DAY).toISOString() },
        { featureId: 'b', lastInterventionAt: new Date(NOW.getTime() - 29 * DAY).toISOString() },
      ],
    });

    const shorter = await createCheckRecentInterventionsActivity({ db: test.db, now: () => NOW }).checkRecentInterventions(context, {
      cooldownDays: 7,
    });
    expect(shorter.suppressed.map((s) => s.featureId)).toEqual(['a']);
  });

  it('suppresses nothing for a customer without interventions', async () => {
    const customerId = await seedCustomer(test.db);
    const result = await createCheckRecentInterventionsActivity({ db: test.db, now: () => NOW }).checkRecentInterventions(stepContext(customerId), {
      cooldownDays: 30,
    });
    expect(result).toEqual({ suppressed: [] });
  });
});
