import type { JsonValue, SendEmailStep } from '../../definitions/plan';
import type { EmailDecision } from '../../activities/contracts';
import type { StepExecutor } from '../step-run';

/** Sends an approved draft; records a rejection or an expired approval without sending. */
export const executeSendEmail: StepExecutor<SendEmailStep> = async (step, run) => {
  const draftId = run.resolve(step.config.draft);
  if (typeof draftId !== 'string' || draftId === '') {
    throw new Error(`step ${step.id}: config.draft resolved to ${JSON.stringify(draftId)}, not a draft id`);
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
