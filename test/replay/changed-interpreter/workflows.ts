import { sleep } from '@temporalio/workflow';
import type { EnablementInput } from '../../../workflows/enablement-input';
import { enablementWorkflow as shippedEnablementWorkflow } from '../../../workflows/enablement';

/**
 * A deliberately changed interpreter: it starts a timer before running the plan, as a careless edit without
 * `patched()` would. Replaying a committed history with it must fail with a determinism error, which proves the
 * replay suite can catch such a change.
 */
export async function enablementWorkflow(input: EnablementInput) {
  await sleep('1 second');
  return shippedEnablementWorkflow(input);
}
