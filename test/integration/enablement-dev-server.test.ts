import { connectDevServer } from '../support/temporal';
import { useEnablementHarness } from '../support/enablement-harness';
import { seedStalledSignal } from '../support/seed';

/**
 * What ops see: on the dev server (the same server and visibility store as `npm start`, Web UI included) a run is
 * found by its CustomerId search attribute and tells where it stands through current details and the state query.
 */

const world = useEnablementHarness(connectDevServer);
interface WorkflowMetadata {
  currentDetails?: string;
}

it('finds the run by CustomerId through a visibility query and reads its current details', async () => {
  const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics', 'custom_reports']);
  const { workflowId } = await world().start(seeded.signalId);
  await world().waitForState(workflowId, (state) => state.step.id === 'await_approval' && state.status === 'waiting');

  let found: string[] = [];
  for (let attempt = 0; attempt < 100 && found.length === 0; attempt += 1) {
    found = [];
    for await (const execution of world().env.client.workflow.list({
      query: `CustomerId = '${seeded.customerId}' AND ExecutionStatus = 'Running'`,
    })) {
      found.push(execution.workflowId);
    }
    if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(found).toEqual([workflowId]);

  const description = await world().handle(workflowId).describe();
  expect(description.typedSearchAttributes.get({ name: 'FeatureIds', type: 'KEYWORD_LIST' } as never)).toEqual([
    'advanced_analytics',
    'custom_reports',
  ]);
  expect(description.memo).toMatchObject({ customerName: 'TechCorp', signalId: seeded.signalId });
  expect(await description.staticSummary()).toBe('Feature adoption stalled: TechCorp, Advanced Analytics Dashboard (+1 more)');
  expect(await description.staticDetails()).toContain('| Custom Reports | started | 15/100 | low_usage_14d |');

  const metadata = await world().handle(workflowId).query<WorkflowMetadata>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toBe('step 8/12 (await_approval): waiting for CSM approval of the enablement email');

  // The Web UI shows each activity's summary: the step id it ran for.
  const history = await world().handle(workflowId).fetchHistory();
  const summaries = (history.events ?? [])
    .filter((event) => event.activityTaskScheduledEventAttributes)
    .map((event) => Buffer.from(event.userMetadata?.summary?.data ?? new Uint8Array()).toString('utf8'));
  expect(summaries).toEqual([
    '"cooldown check"',
    '"analyze_stall"',
    '"get_resources"',
    '"notify_csm"',
    '"send_in_app_tips"',
    '"draft_enablement_email"',
    '"create_task"',
    '"schedule_followup"',
  ]);
  await world().handle(workflowId).terminate('test done');
});
