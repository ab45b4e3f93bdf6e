import type { Db } from '../db/database';
import { customerOfDraftedRun } from './drafts';
import { catalogResources } from './model/resources';
import type { TrainingResource } from './model/run-facts';

/**
 * Enablement runs as the database knows them: a run is the risk signal it was started for, found by the run's exact
 * workflow id, with the signal's customer and features.
 */
export interface RunCustomer {
  id: string;
  name: string;
  csmName: string | null;
  csmEmail: string | null;
  /** Who may act on the run from Slack, besides a lead. */
  csmSlackUserId: string | null;
}

export interface RunFeature {
  featureId: string;
  /** The catalog's name, else the adoption row's, else the id. */
  featureName: string;
  featureAdoptionId: string | null;
  resources: TrainingResource[];
}

export interface Run {
  workflowId: string;
  signalId: string;
  customer: RunCustomer;
  /** Most important first (catalog importance), then by id. */
  features: RunFeature[];
}

interface CustomerRow {
  id: string;
  name: string;
  csm_name: string | null;
  csm_email: string | null;
  csm_slack_user_id: string | null;
}

const customerOf = (row: CustomerRow): RunCustomer => ({
  id: row.id,
  name: row.name,
  csmName: row.csm_name,
  csmEmail: row.csm_email,
  csmSlackUserId: row.csm_slack_user_id,
});

/** The run's risk signal (the newest, should a workflow id have been reused) and its customer. */
async function runSignal(db: Db, workflowId: string): Promise<{ signalId: string; customer: RunCustomer } | null> {
  const { rows } = await db.query<CustomerRow & { signal_id: string }>(
    `SELECT rs.id AS signal_id, c.id, c.name, c.csm_name, c.csm_email, c.csm_slack_user_id
       FROM risk_signals rs JOIN customers c ON c.id = rs.customer_id
      WHERE rs.workflow_id = $1
      ORDER BY rs.created_at DESC
      LIMIT 1`,
    [workflowId],
  );
  const row = rows[0];
  return row ? { signalId: row.signal_id, customer: customerOf(row) } : null;
}

/** A run by its exact workflow id: its signal, customer and features; null when no signal names it. */
export async function findRun(db: Db, workflowId: string): Promise<Run | null> {
  const signal = await runSignal(db, workflowId);
  if (!signal) return null;
  const features = await db.query<{ feature_id: string; feature_name: string; feature_adoption_id: string | null; training_resources: unknown }>(
    `SELECT f.feature_id, COALESCE(cat.feature_name, fa.feature_name, f.feature_id) AS feature_name,
            fa.id AS feature_adoption_id, cat.training_resources
       FROM risk_signal_features f
       LEFT JOIN feature_catalog cat ON cat.feature_id = f.feature_id
       LEFT JOIN feature_adoption fa ON fa.customer_id = f.customer_id AND fa.feature_id = f.feature_id
      WHERE f.signal_id = $1::uuid
      ORDER BY COALESCE(cat.importance_score, 50) DESC, f.feature_id`,
    [signal.signalId],
  );
  return {
    workflowId,
    signalId: signal.signalId,
    customer: signal.customer,
    features: features.rows.map((row) => ({
      featureId: row.feature_id,
      featureName: row.feature_name,
      featureAdoptionId: row.feature_adoption_id,
      resources: catalogResources(row.training_resources),
    })),
  };
}

/**
 * The customer a run acts for, by its exact workflow id: its risk signal's, else (a signal since removed) the
 * customer its email draft was written for; null when the run is unknown.
 */
export async function runOwner(db: Db, workflowId: string): Promise<RunCustomer | null> {
  const signal = await runSignal(db, workflowId);
  if (signal) return signal.customer;
  const customerId = await customerOfDraftedRun(db, workflowId);
  if (!customerId) return null;
  const { rows } = await db.query<CustomerRow>(`SELECT id, name, csm_name, csm_email, csm_slack_user_id FROM customers WHERE id = $1`, [customerId]);
  return rows[0] ? customerOf(rows[0]) : null;
}

export interface CustomerRun {
  workflowId: string;
  signalId: string;
  asOf: string | null;
  priority: number;
  createdAt: string;
  featureIds: string[];
}

/** A customer's enablement runs (its risk signals that started one), newest first. */
export async function runsOfCustomer(db: Db, customerId: string): Promise<CustomerRun[]> {
  const { rows } = await db.query<{
    workflow_id: string;
    id: string;
    as_of: Date | string | null;
    priority: number;
    created_at: Date;
    feature_ids: string[] | null;
  }>(
    `SELECT rs.workflow_id, rs.id, rs.as_of, rs.priority, rs.created_at,
            ARRAY(SELECT f.feature_id FROM risk_signal_features f WHERE f.signal_id = rs.id ORDER BY f.feature_id) AS feature_ids
       FROM risk_signals rs
      WHERE rs.customer_id = $1::uuid AND rs.workflow_id IS NOT NULL
      ORDER BY rs.created_at DESC
      LIMIT 50`,
    [customerId],
  );
  return rows.map((row) => ({
    workflowId: row.workflow_id,
    signalId: row.id,
    asOf: row.as_of === null ? null : typeof row.as_of === 'string' ? row.as_of.slice(0, 10) : row.as_of.toISOString().slice(0, 10),
    priority: Number(row.priority),
    createdAt: new Date(row.created_at).toISOString(),
    featureIds: row.feature_ids ?? [],
  }));
}
