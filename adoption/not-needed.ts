import type { Db } from '../db/database';
import { DomainError } from './errors';

/**
 * "Not needed" marks made by people (the API, the adoption page and the Slack alert). The mark
 * itself is `feature_adoption.not_needed` (+ `not_needed_at`, `not_needed_reason`), the flag detection already
 * honours: a not-needed feature is never flagged and its open stall closes as `not_needed`. Every change is also a row
 * of `not_needed_marks` (who, when, why, from where, which runs were told), so the audit survives the way back.
 */
export const NOT_NEEDED_SOURCES = ['api', 'page', 'slack'] as const;
export type NotNeededSource = (typeof NOT_NEEDED_SOURCES)[number];

/** Longest reason kept (the message contract's `reason` limit). */
export const NOT_NEEDED_REASON_CHARS = 2_000;

export interface NotNeededChange {
  customerId: string;
  featureId: string;
  notNeeded: boolean;
  /** Why; required when marking, optional on the way back. */
  reason: string | null;
  by: string;
  source: NotNeededSource;
  at: Date;
}

export interface NotNeededMark {
  customerId: string;
  featureId: string;
  featureName: string;
  notNeeded: boolean;
  reason: string | null;
  markedAt: string | null;
  /** False when the feature already was in the requested state (the audit still records the request). */
  changed: boolean;
  auditId: string;
}

export interface NotNeededAuditEntry {
  id: string;
  notNeeded: boolean;
  reason: string | null;
  markedBy: string;
  source: NotNeededSource;
  markedAt: string;
  runsTold: string[];
}

/** A change about a customer or feature nobody knows: refused as not found. */
export class UnknownCustomerFeatureError extends DomainError {
  constructor(
    readonly what: 'customer' | 'feature',
    message: string,
  ) {
    super('not_found', message);
    this.name = 'UnknownCustomerFeatureError';
  }
}

/**
 * Sets the mark and appends the audit row in one transaction. The feature must be in the catalog or already tracked
 * for the customer (a typo must not create a phantom feature); a feature in the catalog that the customer never used
 * gets its feature_adoption row, as the customers import does.
 */
export async function changeNotNeeded(db: Db, change: NotNeededChange): Promise<NotNeededMark> {
  return db.transaction(async (tx) => {
    const customer = await tx.query(`SELECT 1 FROM customers WHERE id = $1::uuid`, [change.customerId]);
    if (customer.rowCount === 0) throw new UnknownCustomerFeatureError('customer', `customer ${change.customerId} not found`);
    const known = await tx.query<{ feature_name: string; not_needed: boolean | null; tracked: boolean }>(
      `SELECT COALESCE(fa.feature_name, cat.feature_name) AS feature_name, fa.not_needed, fa.id IS NOT NULL AS tracked
         FROM (SELECT $2::varchar AS feature_id) wanted
         LEFT JOIN feature_catalog cat ON cat.feature_id = wanted.feature_id
         LEFT JOIN feature_adoption fa ON fa.customer_id = $1::uuid AND fa.feature_id = wanted.feature_id
        WHERE cat.feature_id IS NOT NULL OR fa.id IS NOT NULL`,
      [change.customerId, change.featureId],
    );
    if (known.rows.length === 0) {
      throw new UnknownCustomerFeatureError(
        'feature',
        `feature ${change.featureId} is neither in the catalog nor tracked for customer ${change.customerId}`,
      );
    }
    const before = known.rows[0];
    const changed = Boolean(before.not_needed) !== change.notNeeded;
    // Marking again with a new reason updates the reason but keeps when it was first marked.
    const stored = await tx.query<{ not_needed: boolean; not_needed_reason: string | null; not_needed_at: Date | null }>(
      `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, not_needed, not_needed_at, not_needed_reason)
       VALUES ($1::uuid, $2::varchar, $3, $4::boolean, CASE WHEN $4::boolean THEN $5::timestamptz END, CASE WHEN $4::boolean THEN $6::text END)
       ON CONFLICT (customer_id, feature_id) DO UPDATE SET
         not_needed = EXCLUDED.not_needed,
         not_needed_at = CASE WHEN EXCLUDED.not_needed THEN COALESCE(feature_adoption.not_needed_at, EXCLUDED.not_needed_at) END,
         not_needed_reason = EXCLUDED.not_needed_reason,
         updated_at = $5::timestamptz
       RETURNING not_needed, not_needed_reason, not_needed_at`,
      [change.customerId, change.featureId, before.feature_name, change.notNeeded, change.at.toISOString(), change.reason],
    );
    const audit = await tx.query<{ id: string }>(
      `INSERT INTO not_needed_marks (customer_id, feature_id, not_needed, reason, marked_by, source, marked_at)
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::timestamptz) RETURNING id::text`,
      [change.customerId, change.featureId, change.notNeeded, change.reason, change.by, change.source, change.at.toISOString()],
    );
    const row = stored.rows[0];
    return {
      customerId: change.customerId,
      featureId: change.featureId,
      featureName: before.feature_name,
      notNeeded: row.not_needed,
      reason: row.not_needed_reason,
      markedAt: row.not_needed_at ? new Date(row.not_needed_at).toISOString() : null,
      changed,
      auditId: audit.rows[0].id,
    };
  });
}

/**
 * The enablement runs that may still be running for this customer-feature: those started for its risk signals,
 * newest first. Which of them still run is Temporal's to say (a finished one refuses the signal).
 */
export async function runsOfFeature(db: Db, customerId: string, featureId: string, limit = 20): Promise<string[]> {
  const { rows } = await db.query<{ workflow_id: string }>(
    `SELECT rs.workflow_id
       FROM risk_signals rs JOIN risk_signal_features f ON f.signal_id = rs.id
      WHERE rs.customer_id = $1::uuid AND f.feature_id = $2 AND rs.workflow_id IS NOT NULL
      GROUP BY rs.workflow_id
      ORDER BY MAX(rs.created_at) DESC
      LIMIT $3`,
    [customerId, featureId, limit],
  );
  return rows.map((row) => row.workflow_id);
}

/** Records which runs accepted the signal of an audited change. */
export async function recordRunsTold(db: Db, auditId: string, workflowIds: string[]): Promise<void> {
  await db.query(`UPDATE not_needed_marks SET runs_told = $2::text[] WHERE id = $1::bigint`, [auditId, workflowIds]);
}

/** The audit of a customer-feature, newest first. */
export async function notNeededHistory(db: Db, customerId: string, featureId: string, limit = 50): Promise<NotNeededAuditEntry[]> {
  const { rows } = await db.query<{
    id: string;
    not_needed: boolean;
    reason: string | null;
    marked_by: string;
    source: NotNeededSource;
    marked_at: Date;
    runs_told: string[];
  }>(
    `SELECT id::text, not_needed, reason, marked_by, source, marked_at, runs_told
       FROM not_needed_marks WHERE customer_id = $1::uuid AND feature_id = $2
      ORDER BY marked_at DESC, id DESC LIMIT $3`,
    [customerId, featureId, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    notNeeded: row.not_needed,
    reason: row.reason,
    markedBy: row.marked_by,
    source: row.source,
    markedAt: new Date(row.marked_at).toISOString(),
    runsTold: row.runs_told,
  }));
}

/** A customer-feature's mark as it stands, with its audit. */
export interface NotNeededStatus {
  customerId: string;
  featureId: string;
  notNeeded: boolean;
  reason: string | null;
  notNeededSince: string | null;
  history: NotNeededAuditEntry[];
}

/** The mark and its audit; null when the feature was never tracked for the customer nor ever marked. */
export async function notNeededStatus(db: Db, customerId: string, featureId: string): Promise<NotNeededStatus | null> {
  const { rows } = await db.query<{ not_needed: boolean; not_needed_reason: string | null; not_needed_at: Date | null }>(
    `SELECT not_needed, not_needed_reason, not_needed_at FROM feature_adoption WHERE customer_id = $1::uuid AND feature_id = $2`,
    [customerId, featureId],
  );
  const history = await notNeededHistory(db, customerId, featureId);
  if (rows.length === 0 && history.length === 0) return null;
  const row = rows[0];
  return {
    customerId,
    featureId,
    notNeeded: Boolean(row?.not_needed),
    reason: row?.not_needed_reason ?? null,
    notNeededSince: row?.not_needed_at ? new Date(row.not_needed_at).toISOString() : null,
    history,
  };
}
