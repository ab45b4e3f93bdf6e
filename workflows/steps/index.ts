import type { PlanStep, StepAction } from '../../definitions/plan';
import type { StepExecutor } from '../step-run';
import { executeCreateTask } from './create-task';
import { executeDelegateToAgent } from './delegate-to-agent';
import { executeMeasureAdoption } from './measure-adoption';
import { executeQueryDatabase } from './query-database';
import { executeSendEmail } from './send-email';
import { executeSlackDm } from './slack-dm';
import { executeWait } from './wait';
import { executeWaitForSignal } from './wait-for-signal';

type Executors = { [A in StepAction]: StepExecutor<Extract<PlanStep, { action: A }>> };

/** One line per step kind; the compiler's registry in definitions/steps/ has the same keys. */
export const STEP_EXECUTORS: Executors = {
  delegate_to_agent: executeDelegateToAgent,
  query_database: executeQueryDatabase,
  slack_dm: executeSlackDm,
  create_task: executeCreateTask,
  wait: executeWait,
  wait_for_signal: executeWaitForSignal,
  measure_adoption: executeMeasureAdoption,
  send_email: executeSendEmail,
};
