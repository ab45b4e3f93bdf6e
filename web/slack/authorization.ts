import type { Db } from '../../db/database';
import { runOwner } from '../../adoption/runs';

/**
 * Who may act on an enablement run from Slack (docs/security.md): the customer's CSM (`customers.csm_slack_user_id`)
 * or a customer-success lead (`SLACK_LEAD_USER_IDS`). Slack's signature proves the click came through our Slack app;
 * it does not prove the clicking user is entitled to this customer's draft, so every button is checked here, and a
 * refusal moves nothing (no signal, no row) and shows nothing of the draft.
 */

/** `SLACK_LEAD_USER_IDS`: comma- or space-separated Slack user ids. */
export function parseSlackUserIds(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

/** Null when `userId` may act on the run, else the sentence to answer (ephemeral) instead. */
export async function refusalFor(db: Db, workflowId: string, userId: unknown, leadUserIds: readonly string[]): Promise<string | null> {
  const owner = await runOwner(db, workflowId);
  if (!owner) return 'This enablement run is not in the database, so nobody can act on it from Slack; nothing was done.';
  const id = typeof userId === 'string' ? userId : '';
  if (id !== '' && (id === owner.csmSlackUserId || leadUserIds.includes(id))) return null;
  // Nothing about the run (customer, CSM, draft) in the answer: the clicker may have forged the button's value.
  return "Only this customer's CSM or a customer-success lead can view, approve, edit or reject its enablement email or act on this run; nothing was done.";
}
