import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/**
 * Starts a workflow whose id is its business key at most once: a running one is left as it is, a finished one is not
 * started again (FAIL + REJECT_DUPLICATE), and either case answers `started: false` instead of throwing, so a
 * repeated trigger (listener, detection, CLI, a retry) finds the existing run rather than doubling it.
 */
export async function startOnce<W extends Workflow>(
  client: Client,
  workflowType: string,
  options: Omit<WorkflowStartOptions<W>, 'workflowIdConflictPolicy' | 'workflowIdReusePolicy'>,
): Promise<{ started: boolean; runId: string | null }> {
  try {
    const handle = await client.workflow.start<W>(workflowType, {
      ...options,
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    } as WorkflowStartOptions<W>);
    return { started: true, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { started: false, runId: null };
    throw error;
  }
}
