import type { JsonValue } from '../../definitions/language/types';
import type { PlanStepOf } from '../kind';
import { stepFailed, type StepExecutor } from '../run';
import type { EmailDecision } from '../signals';
import type { SendEmailActivities } from './activity';
import type { SendEmailPlanConfig } from './definition';

/** Sends an approved draft; records a rejection or an expired approval without sending. */
export const executeSendEmail: StepExecutor<PlanStepOf<'send_email', SendEmailPlanConfig>, SendEmailActivities> = async (step, run) => {
  const draftId = run.resolve(step.config.draft);
  if (typeof draftId !== 'string' || draftId === '') {
    throw stepFailed(step.id, `config.draft resolved to ${JSON.stringify(draftId) ?? 'nothing'}, not a draft id`);
  }
  const decision = step.config.decision === undefined ? null : (run.resolve(step.config.decision) as EmailDecision | null);
  const to = step.config.to === undefined ? undefined : run.resolve(step.config.to);
  const result = await run.activities(step).sendEmail(run.context(step), {
    draftId,
    decision: decision && typeof decision === 'object' ? decision : null,
    to: typeof to === 'string' && to !== '' ? to : undefined,
  });
  return { result: result as unknown as JsonValue };
};
