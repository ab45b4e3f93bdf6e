import { createActivities as createCreateTaskActivity } from './activity';
import { seedCustomer, stepContext } from '../../test/support/activity-fixtures';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';

describe('create_task activity', () => {
  let test: TestDatabase;
  let customerId: string;

  beforeAll(async () => {
    test = await createTestDatabase();
    customerId = await seedCustomer(test.db);
  });
  afterAll(async () => {
    await test.dispose();
  });

  const owner = { name: 'Casey CSM', email: 'casey@vendor.example' };

  it('creates the task for the CSM with the run and step it came from', async () => {
    const context = stepContext(customerId, { stepId: 'create_task', featureIds: ['advanced_analytics', 'reports'] });
    const result = await createCreateTaskActivity({ db: test.db }).createTask(context, {
      title: 'Enable TechCorp on Advanced Analytics Dashboard',
      dueAt: '2026-02-01T09:00:00.000Z',
      priority: 'medium',
      owner,
    });
    expect(result).toEqual({ taskId: expect.any(String), dueAt: '2026-02-01T09:00:00.000Z', created: true });
    const row = (await test.db.query<Record<string, unknown>>(`SELECT * FROM tasks WHERE id = $1`, [result.taskId])).rows[0];
    expect(row).toMatchObject({
      idempotency_key: `${context.workflowId}/create_task`,
      customer_id: customerId,
      feature_ids: ['advanced_analytics', 'reports'],
      title: 'Enable TechCorp on Advanced Analytics Dashboard',
      description: null,
      priority: 'medium',
      owner_name: 'Casey CSM',
      owner_email: 'casey@vendor.example',
      status: 'open',
      workflow_id: context.workflowId,
      run_id: context.runId,
      step_id: 'create_task',
    });
  });

  it('returns the existing task when the step runs again, and a new one for another step', async () => {
    const context = stepContext(customerId, { stepId: 'schedule_followup' });
    const activity = createCreateTaskActivity({ db: test.db });
    const args = { title: 'Check adoption', description: 'in 14 days', dueAt: '2026-02-12T09:00:00.000Z', priority: 'low' as const, owner };
    const first = await activity.createTask(context, args);
    // A retry after a new workflow task may carry a different run id; the step's key stays the same.
    const again = await activity.createTask({ ...context, runId: 'another-attempt' }, { ...args, title: 'changed' });
    expect(again).toEqual({ ...first, created: false });
    const other = await activity.createTask({ ...context, stepId: 'create_task' }, args);
    expect(other.created).toBe(true);
    expect(other.taskId).not.toBe(first.taskId);

    const rows = await test.db.query<{ title: string }>(`SELECT title FROM tasks WHERE workflow_id = $1 ORDER BY created_at`, [context.workflowId]);
    expect(rows.rows.map((r) => r.title)).toEqual(['Check adoption', 'Check adoption']);
  });

  it('refuses a due date that is not a date without retrying', async () => {
    await expect(
      createCreateTaskActivity({ db: test.db }).createTask(stepContext(customerId), { title: 't', dueAt: 'soon', priority: 'low', owner }),
    ).rejects.toMatchObject({ nonRetryable: true, type: 'InvalidTask' });
  });
  it('refuses a title or description holding a NUL without retrying, and stores nothing', async () => {
    const context = stepContext(customerId, { stepId: 'nul_task' });
    const activity = createCreateTaskActivity({ db: test.db });
    const args = { title: 'Enable TechCorp', dueAt: '2026-02-01T09:00:00.000Z', priority: 'low' as const, owner };
    for (const [field, bad] of [
      ['title', { ...args, title: 'Enable\u0000TechCorp' }],
      ['description', { ...args, description: 'why\u0000' }],
    ] as const) {
      await expect(activity.createTask(context, bad)).rejects.toMatchObject({
        nonRetryable: true,
        type: 'InvalidTask',
        message: `create_task: ${field} contains a NUL character`,
      });
    }
    expect((await test.db.query(`SELECT 1 FROM tasks WHERE workflow_id = $1 AND step_id = 'nul_task'`, [context.workflowId])).rows).toEqual([]);
  });
});
