import type { Db } from '../../db/database';
import { IS_STALLED_SQL } from './customer-adoption';

// The page renders these with the read model's own types.

/**
 * The CSM workspace's data: customers with stalled features ordered by signal priority, the open tasks, the email
 * drafts waiting for a decision (adoption/drafts.ts) and each customer's runs (adoption/runs.ts). Filters are bound
 * parameters; a filter left empty matches everything.
 */
export interface WorkspaceFilter {
  /** The CSM's e-mail (customers.csm_email). */
  csm?: string;
  segment?: string;
}

export interface StalledFeatureSummary {
  featureId: string;
  featureName: string;
  stage: string;
  usageScore: number;
  heldOut: boolean;
}

export interface StalledCustomer {
  id: string;
  name: string;
  segment: string;
  arr: number;
  csmName: string | null;
  csmEmail: string | null;
  /** The highest priority of the adoption_stalled signals naming a feature that is still stalled (null: none recorded). */
  priority: number | null;
  lastSignalAt: string | null;
  features: StalledFeatureSummary[];
}

export interface OpenTask {
  id: string;
  customerId: string | null;
  customerName: string | null;
  title: string;
  description: string | null;
  priority: string;
  dueAt: string;
  ownerName: string | null;
  workflowId: string | null;
}

/** A CSM and the segments, for the filters' choices. */
export interface WorkspaceChoices {
  csms: Array<{ email: string; name: string | null }>;
  segments: string[];
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

/** Whether the most recent holdout assignment of a customer-feature is the holdout arm (adoption/holdout.ts). */
const HELD_OUT_SQL = `(SELECT h.arm FROM holdout_assignments h
   WHERE h.customer_id = fa.customer_id AND h.feature_id = fa.feature_id
   ORDER BY h.stalled_on DESC, h.assigned_at DESC LIMIT 1) = 'holdout'`;

export async function workspaceChoices(db: Db): Promise<WorkspaceChoices> {
  const csms = await db.query<{ email: string; name: string | null }>(
    `SELECT csm_email AS email, MIN(csm_name) AS name FROM customers WHERE csm_email IS NOT NULL GROUP BY csm_email ORDER BY MIN(csm_name), csm_email`,
  );
  const segments = await db.query<{ segment: string }>(`SELECT DISTINCT segment FROM customers ORDER BY segment`);
  return { csms: csms.rows, segments: segments.rows.map((row) => row.segment) };
}

export async function stalledCustomers(db: Db, filter: WorkspaceFilter, customerId?: string): Promise<StalledCustomer[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    segment: string;
    arr: string | number;
    csm_name: string | null;
    csm_email: string | null;
    priority: number | null;
    last_signal_at: Date | null;
    features: StalledFeatureSummary[];
  }>(
    `WITH stalled AS (
       SELECT fa.customer_id, fa.feature_id, COALESCE(cat.feature_name, fa.feature_name) AS feature_name,
              COALESCE(fa.stage, 'not_started') AS stage, COALESCE(fa.usage_score, 0) AS usage_score,
              COALESCE(cat.importance_score, 50) AS importance, COALESCE(${HELD_OUT_SQL}, FALSE) AS held_out
         FROM feature_adoption fa LEFT JOIN feature_catalog cat ON cat.feature_id = fa.feature_id
        WHERE ${IS_STALLED_SQL}
     ),
     signals AS (
       SELECT rs.customer_id, MAX(rs.priority) AS priority, MAX(rs.created_at) AS last_signal_at
         FROM risk_signals rs
         JOIN risk_signal_features f ON f.signal_id = rs.id
         JOIN stalled s ON s.customer_id = f.customer_id AND s.feature_id = f.feature_id
        WHERE rs.signal_type = 'adoption_stalled'
        GROUP BY rs.customer_id
     )
     SELECT c.id, c.name, c.segment, c.arr, c.csm_name, c.csm_email, sig.priority, sig.last_signal_at,
            JSON_AGG(JSON_BUILD_OBJECT('featureId', s.feature_id, 'featureName', s.feature_name, 'stage', s.stage,
                                       'usageScore', s.usage_score, 'heldOut', s.held_out)
                     ORDER BY s.importance DESC, s.feature_id) AS features
       FROM stalled s
       JOIN customers c ON c.id = s.customer_id
       LEFT JOIN signals sig ON sig.customer_id = c.id
      WHERE ($1::text IS NULL OR c.csm_email = $1) AND ($2::text IS NULL OR c.segment = $2) AND ($3::uuid IS NULL OR c.id = $3::uuid)
      GROUP BY c.id, sig.priority, sig.last_signal_at
      ORDER BY sig.priority DESC NULLS LAST, c.arr DESC, c.name, c.id`,
    [filter.csm ?? null, filter.segment ?? null, customerId ?? null],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    segment: row.segment,
    arr: Number(row.arr),
    csmName: row.csm_name,
    csmEmail: row.csm_email,
    priority: row.priority === null ? null : Number(row.priority),
    lastSignalAt: iso(row.last_signal_at),
    features: row.features,
  }));
}

/** Open tasks, earliest due first: the CSM's (owner or the customer's CSM), a customer's, or all. */
export async function openTasks(db: Db, filter: WorkspaceFilter, customerId?: string): Promise<OpenTask[]> {
  const { rows } = await db.query<{
    id: string;
    customer_id: string | null;
    customer_name: string | null;
    title: string;
    description: string | null;
    priority: string;
    due_at: Date;
    owner_name: string | null;
    workflow_id: string | null;
  }>(
    `SELECT t.id, t.customer_id, c.name AS customer_name, t.title, t.description, t.priority, t.due_at, t.owner_name, t.workflow_id
       FROM tasks t LEFT JOIN customers c ON c.id = t.customer_id
      WHERE t.status = 'open'
        AND ($1::text IS NULL OR t.owner_email = $1 OR c.csm_email = $1)
        AND ($2::text IS NULL OR c.segment = $2)
        AND ($3::uuid IS NULL OR t.customer_id = $3::uuid)
      ORDER BY t.due_at, t.created_at, t.id
      LIMIT 200`,
    [filter.csm ?? null, filter.segment ?? null, customerId ?? null],
  );
  return rows.map((row) => ({
    id: row.id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    title: row.title,
    description: row.description,
    priority: row.priority,
    dueAt: iso(row.due_at)!,
    ownerName: row.owner_name,
    workflowId: row.workflow_id,
  }));
}

/** The features of a customer whose most recent stall was held out (no automatic outreach; adoption/holdout.ts). */
export async function heldOutFeatureIds(db: Db, customerId: string): Promise<Set<string>> {
  const { rows } = await db.query<{ feature_id: string }>(
    `SELECT fa.feature_id FROM feature_adoption fa WHERE fa.customer_id = $1::uuid AND COALESCE(${HELD_OUT_SQL}, FALSE)`,
    [customerId],
  );
  return new Set(rows.map((row) => row.feature_id));
}

/** A customer as the index page lists it: who they are and how many of their tracked features are stalled now. */
export interface CustomerDirectoryEntry {
  id: string;
  name: string;
  segment: string;
  csmName: string | null;
  featuresTracked: number;
  stalledFeatures: number;
}

/** The index page's list, most stalled features first; capped so the page stays a page (the cap is named on it). */
export const CUSTOMER_DIRECTORY_LIMIT = 500;

export async function customerDirectory(db: Db): Promise<CustomerDirectoryEntry[]> {
  const { rows } = await db.query<{ id: string; name: string; segment: string; csm_name: string | null; tracked: number; stalled: number }>(
    `SELECT c.id, c.name, c.segment, c.csm_name,
            COUNT(fa.id)::int AS tracked,
            (COUNT(fa.id) FILTER (WHERE ${IS_STALLED_SQL}))::int AS stalled
       FROM customers c LEFT JOIN feature_adoption fa ON fa.customer_id = c.id
      GROUP BY c.id
      ORDER BY stalled DESC, c.name, c.id
      LIMIT $1`,
    [CUSTOMER_DIRECTORY_LIMIT],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    segment: row.segment,
    csmName: row.csm_name,
    featuresTracked: row.tracked,
    stalledFeatures: row.stalled,
  }));
}
