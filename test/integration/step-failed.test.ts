import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { compileDefinition } from '../../definitions/compile';
import { startAgentServer, type AgentTestServer } from '../support/agent-server';
import { useEnablementHarness } from '../support/enablement-harness';
import { seedStalledSignal } from '../support/seed';
import { startTimeSkippingServer } from '../support/temporal';

/**
 * A run either proceeds or fails; it never hangs. Both reproductions of the step-kind redesign issue: a send whose
 * draft step was skipped, and an HTTP agent that answers without a draft id. Before, the run stayed Running with its
 * workflow task failing again and again; now it fails with `StepFailed`, naming the step and the cause.
 */
function plan(file: string, text = fs.readFileSync(file, 'utf8')) {
  const compiled = compileDefinition(text, file);
  expect(compiled.diagnostics).toEqual([]);
  return compiled.plan!;
}

async function failureOf(result: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await result.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('a skipped draft step', () => {
  const world = useEnablementHarness(startTimeSkippingServer, [
    plan(path.join(__dirname, '..', 'fixtures', 'definitions', 'skipped-draft-run.yaml')),
  ]);

  it('fails the run with StepFailed naming the send step and the missing draft', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
    const { workflowId } = await world().start(seeded.signalId);
    const failure = await failureOf(world().result(workflowId));
    expect(failure.type).toBe('StepFailed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('step send: config.draft resolved to null, not a draft id');
    const history = await world().handle(workflowId).fetchHistory();
    const taskFailures = (history.events ?? []).filter((event) => event.workflowTaskFailedEventAttributes);
    expect(taskFailures).toEqual([]);
  });
});

describe('an HTTP agent that answers without a draft id', () => {
  let agents: AgentTestServer;
  beforeAll(async () => {
    agents = await startAgentServer();
  });
  afterAll(async () => agents.close());
  const yaml = `
workflow: http_draft
version: "1"
trigger:
  type: risk_signal_created
  filter:
    signal_type: adoption_stalled
steps:
  - id: draft
    action: delegate_to_agent
    config:
      agent: communicator
      action: draft_email
  - id: send
    action: send_email
    config:
      draft: "{{steps.draft.draftId}}"
`;
  const world = useEnablementHarness(startTimeSkippingServer, [plan('http-draft.yaml', yaml)], () => ({ agents: { url: agents.url } }));

  it('fails the run with StepFailed instead of retrying the workflow task', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
    const { workflowId } = await world().start(seeded.signalId);
    const failure = await failureOf(world().result(workflowId));
    expect(failure.type).toBe('StepFailed');
    expect(failure.message).toBe('step send: config.draft resolved to null, not a draft id');
    expect(agents.requests.map((request) => request.path)).toEqual(['/agents/communicator/draft_email']);
  });
});
