import type { Db } from '../../db/database';

/**
 * Who may act on an enablement run from Slack (docs/security.md): the customer's CSM (`customers.csm_slack_user_id`)
 * or a customer-success lead (`SLACK_LEAD_USER_IDS`). Slack's signature proves the click came through our Slack app;
 * it does not prove the clicking user is entitled to this customer's draft, so every button is checked here, and a
 * refusal moves nothing (no signal, no row) and shows nothing of the draft. The run is found by its exact workflow id.
 */
export interface RunOwner {
  customerId: string;
  customerName: string;
  csmSlackUserId: string | null;
}

/** The customer of a run, by its exact workflow id (its risk signal, else its email draft); null when unknown. */
export async function runOwner(db: Db, workflowId: string): Promise<RunOwner | null> {
  const { rows } = await db.query<{ id: string; name: string; csm_slack_user_id: string | null }>(
    `SELECT c.id, c.name, c.csm_slack_user_id FROM (
        SELECT customer_id, 1 AS rank FROM risk_signals WHERE workflow_id = $1
        UNION ALL
        SELECT customer_id, 2 AS rank FROM email_drafts WHERE workflow_id = $1 AND customer_id IS NOT NULL
      ) runs JOIN customers c ON c.id = runs.customer_id
      ORDER BY runs.rank LIMIT 1`,
    [workflowId],
  );
  const row = rows[0];
  return row ? { customerId: row.id, customerName: row.name, csmSlackUserId: row.csm_slack_user_id } : null;
}

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
