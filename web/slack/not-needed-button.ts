import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import { escapeMrkdwn } from '../../channels/slack-text';
import { NOT_NEEDED_BLOCK_PREFIX } from '../../steps/slack_dm/messages/adoption-stalled-alert';
import { UnknownCustomerFeatureError } from '../../adoption/not-needed';
import { applyNotNeededChange } from '../routes/not-needed-change';

/** Slack gives a button no text field: the audit says where the mark came from instead. */
export const SLACK_NOT_NEEDED_REASON = 'marked not needed from the Slack alert';

/**
 * The alert's **Not Needed** button (api/slack-actions.ts, after the CSM-or-lead check): the feature is the block's
 * (`not_needed/<featureId>`) or, in the one-feature alert's row of buttons, the run's only feature. Marks it through
 * the same audited path as the API and tells the run. Answers the sentence to show the clicker.
 */
export async function markNotNeededFromSlack(
  deps: { db: Db; temporalClient: () => Promise<Client> },
  workflowId: string,
  blockId: string | undefined,
  by: string,
  now: Date,
): Promise<string> {
  const { rows } = await deps.db.query<{ customer_id: string; name: string; feature_id: string; feature_name: string }>(
    `SELECT rs.customer_id, c.name, f.feature_id, COALESCE(cat.feature_name, f.feature_id) AS feature_name
       FROM risk_signals rs
       JOIN customers c ON c.id = rs.customer_id
       JOIN risk_signal_features f ON f.signal_id = rs.id
       LEFT JOIN feature_catalog cat ON cat.feature_id = f.feature_id
      WHERE rs.workflow_id = $1
      ORDER BY f.feature_id`,
    [workflowId],
  );
  if (rows.length === 0) return 'This enablement run is not in the database; nothing was marked.';
  const named = blockId?.startsWith(NOT_NEEDED_BLOCK_PREFIX) ? blockId.slice(NOT_NEEDED_BLOCK_PREFIX.length) : null;
  const features = [...new Map(rows.map((row) => [row.feature_id, row])).values()];
  const feature = named !== null ? features.find((row) => row.feature_id === named) : features.length === 1 ? features[0] : undefined;
  if (!feature) return 'This button names no feature of this run; nothing was marked. Use the button of the feature that is not needed.';
  try {
    const outcome = await applyNotNeededChange(deps, {
      customerId: feature.customer_id,
      featureId: feature.feature_id,
      notNeeded: true,
      reason: SLACK_NOT_NEEDED_REASON,
      by,
      source: 'slack',
      at: now,
    });
    const told = outcome.runsTold.length ? ' The run was told and stops its outreach for it.' : '';
    return `${escapeMrkdwn(feature.feature_name)} is marked not needed for ${escapeMrkdwn(feature.name)} by ${escapeMrkdwn(by)}: detection no longer flags it.${told}`;
  } catch (error) {
    if (error instanceof UnknownCustomerFeatureError) return `${escapeMrkdwn(error.message)}; nothing was marked.`;
    throw error;
  }
}
