import type { Db } from '../db/database';
import type { TrainingResource } from './model/run-facts';
import { catalogResources, rankResources } from './model/resources';
import { recordIntervention } from './interventions';
import { recordEngagement, resourcesAlreadyHad } from './engagement';

/**
 * US-3 "share resources with the champion": who receives them, which resources (FR-3.1 ranking), and the
 * `resource_shares` row that makes each click send once (the click key is UNIQUE in the database, so two deliveries
 * of one click insert once; nothing here checks first and inserts later).
 */
export type ShareSource = 'slack' | 'page' | 'api';

export interface ShareFeature {
  featureId: string;
  featureName: string;
  featureAdoptionId: string;
  stage: string;
  keyBenefit: string | null;
  /** Ranked, without what the customer already had and without past live sessions. */
  resources: TrainingResource[];
}

export interface ShareAudience {
  customerId: string;
  customerName: string;
  champion: { name: string | null; email: string | null };
  csm: { name: string | null; email: string | null };
  features: ShareFeature[];
}

interface FeatureRow {
  feature_id: string;
  feature_name: string;
  feature_adoption_id: string;
  stage: string | null;
  stall_rule: string | null;
  key_benefit: string | null;
  training_resources: unknown;
}

/**
 * The champion and the features to share about: the run's signal features (a Slack click names the run), the given
 * feature adoptions (the page's button), else the customer's stalled features. Null when the customer is unknown.
 */
export async function loadShareAudience(
  db: Db,
  selection: { customerId: string; workflowId?: string | null; featureAdoptionIds?: readonly string[] | null; featureIds?: readonly string[] | null },
  now: Date,
): Promise<ShareAudience | null> {
  const customer = (
    await db.query<{
      id: string;
      name: string;
      champion_name: string | null;
      champion_email: string | null;
      csm_name: string | null;
      csm_email: string | null;
    }>(`SELECT id, name, champion_name, champion_email, csm_name, csm_email FROM customers WHERE id = $1::uuid`, [selection.customerId])
  ).rows[0];
  if (!customer) return null;
  const select = `SELECT fa.feature_id, COALESCE(cat.feature_name, fa.feature_name) AS feature_name, fa.id AS feature_adoption_id,
                         fa.stage, fa.stall_rule, cat.key_benefit, cat.training_resources
                    FROM feature_adoption fa LEFT JOIN feature_catalog cat ON cat.feature_id = fa.feature_id`;
  const order = `ORDER BY COALESCE(cat.importance_score, 50) DESC, fa.feature_id`;
  let rows: FeatureRow[];
  if (selection.featureAdoptionIds?.length || selection.featureIds?.length) {
    rows = (
      await db.query<FeatureRow>(
        `${select} WHERE fa.customer_id = $1::uuid AND (fa.id = ANY($2::uuid[]) OR fa.feature_id = ANY($3::text[])) ${order}`,
        [customer.id, selection.featureAdoptionIds ?? [], selection.featureIds ?? []],
      )
    ).rows;
  } else if (selection.workflowId) {
    rows = (
      await db.query<FeatureRow>(
        `${select}
          WHERE fa.customer_id = $1::uuid AND fa.feature_id IN (
            SELECT f.feature_id FROM risk_signal_features f JOIN risk_signals rs ON rs.id = f.signal_id
             WHERE rs.workflow_id = $2 AND rs.customer_id = $1::uuid)
          ${order}`,
        [customer.id, selection.workflowId],
      )
    ).rows;
  } else {
    rows = (
      await db.query<FeatureRow>(
        `${select}
          WHERE fa.customer_id = $1::uuid AND fa.stall_detected_at IS NOT NULL
            AND (fa.recovered_at IS NULL OR fa.recovered_at < fa.stall_detected_at) AND NOT COALESCE(fa.not_needed, FALSE)
          ${order}`,
        [customer.id],
      )
    ).rows;
  }
  const had = await resourcesAlreadyHad(db, customer.id);
  return {
    customerId: customer.id,
    customerName: customer.name,
    champion: { name: customer.champion_name, email: customer.champion_email },
    csm: { name: customer.csm_name, email: customer.csm_email },
    features: rows.map((row) => ({
      featureId: row.feature_id,
      featureName: row.feature_name,
      featureAdoptionId: row.feature_adoption_id,
      stage: row.stage ?? 'not_started',
      keyBenefit: row.key_benefit,
      resources: rankResources(
        catalogResources(row.training_resources),
        { stage: row.stage ?? 'not_started', rule: row.stall_rule },
        had.get(row.feature_id) ?? new Set(),
        now,
      ),
    })),
  };
}

export interface ShareRecord {
  id: string;
  clickKey: string;
  source: ShareSource;
  customerId: string;
  workflowId: string | null;
  featureIds: string[];
  toEmail: string;
  toName: string | null;
  subject: string;
  body: string;
  resources: Array<{ featureId: string; url: string; title: string }>;
  requestedBy: string | null;
  delivery: 'smtp' | 'outbox';
  createdAt: string;
  deliveredAt: string | null;
}

interface ShareRow {
  id: string;
  click_key: string;
  source: ShareSource;
  customer_id: string;
  workflow_id: string | null;
  feature_ids: string[];
  to_email: string;
  to_name: string | null;
  subject: string;
  body: string;
  resources: Array<{ featureId: string; url: string; title: string }>;
  requested_by: string | null;
  delivery: 'smtp' | 'outbox';
  created_at: Date | string;
  delivered_at: Date | string | null;
}

const COLUMNS = `id, click_key, source, customer_id, workflow_id, feature_ids, to_email, to_name, subject, body, resources, requested_by,
                 delivery, created_at, delivered_at`;

const view = (row: ShareRow): ShareRecord => ({
  id: row.id,
  clickKey: row.click_key,
  source: row.source,
  customerId: row.customer_id,
  workflowId: row.workflow_id,
  featureIds: row.feature_ids,
  toEmail: row.to_email,
  toName: row.to_name,
  subject: row.subject,
  body: row.body,
  resources: row.resources,
  requestedBy: row.requested_by,
  delivery: row.delivery,
  createdAt: new Date(row.created_at).toISOString(),
  deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at).toISOString(),
});

export type NewShare = Omit<ShareRecord, 'createdAt' | 'deliveredAt' | 'delivery'>;

/**
 * Claims the click: inserts the share (as `outbox` until delivery says otherwise) or, when the click key is already
 * there, inserts nothing. Call inside the transaction that sends: a concurrent duplicate waits on this row's unique
 * key until the sender commits, then finds it. Null when the click was claimed before.
 */
export async function claimShare(tx: Db, share: NewShare, at: Date): Promise<ShareRecord | null> {
  const { rows } = await tx.query<ShareRow>(
    `INSERT INTO resource_shares (id, click_key, source, customer_id, workflow_id, feature_ids, to_email, to_name, subject, body, resources,
                                  requested_by, delivery, created_at)
     VALUES ($1::uuid, $2, $3, $4::uuid, $5, $6::text[], $7, $8, $9, $10, $11::jsonb, $12, 'outbox', $13::timestamptz)
     ON CONFLICT (click_key) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      share.id,
      share.clickKey,
      share.source,
      share.customerId,
      share.workflowId,
      share.featureIds,
      share.toEmail,
      share.toName,
      share.subject,
      share.body,
      JSON.stringify(share.resources),
      share.requestedBy,
      at.toISOString(),
    ],
  );
  return rows[0] ? view(rows[0]) : null;
}

export async function findShareByClick(db: Db, clickKey: string): Promise<ShareRecord | null> {
  const { rows } = await db.query<ShareRow>(`SELECT ${COLUMNS} FROM resource_shares WHERE click_key = $1`, [clickKey]);
  return rows[0] ? view(rows[0]) : null;
}

/**
 * What a delivered share leaves behind (FR-4.2, FR-3.4): one `resource_share` intervention per feature (keyed by the
 * share, so calling this again adds nothing) and a `sent` engagement per resource. The outbox relay calls it too when
 * it delivers a share that waited (payload `kind: 'resource_share'`). Answers the interventions created now.
 */
export async function recordShareDelivered(db: Db, shareId: string, at: Date): Promise<string[]> {
  return db.transaction(async (tx) => {
    const updated = await tx.query<ShareRow>(
      `UPDATE resource_shares SET delivery = 'smtp', delivered_at = $2::timestamptz WHERE id = $1::uuid AND delivered_at IS NULL RETURNING ${COLUMNS}`,
      [shareId, at.toISOString()],
    );
    const share = updated.rows[0] ? view(updated.rows[0]) : null;
    if (!share) return [];
    const adoption = await tx.query<{ id: string; feature_id: string }>(
      `SELECT id, feature_id FROM feature_adoption WHERE customer_id = $1::uuid AND feature_id = ANY($2::text[])`,
      [share.customerId, share.featureIds],
    );
    const created: string[] = [];
    for (const row of adoption.rows) {
      const urls = share.resources.filter((resource) => resource.featureId === row.feature_id).map((resource) => resource.url);
      const result = await recordIntervention(tx, {
        featureAdoptionId: row.id,
        interventionType: 'resource_share',
        details: `Resources "${share.subject}" emailed to ${share.toEmail} (share ${share.id}, from ${share.source})`,
        resourcesShared: urls,
        at,
        workflowId: share.workflowId,
        idempotencyKey: `resource-share/${share.id}/${row.feature_id}`,
        performedBy: share.requestedBy,
      });
      if (result?.created) created.push(result.intervention.id);
      for (const url of urls) await recordEngagement(tx, { customerId: share.customerId, featureId: row.feature_id, url, event: 'sent', at });
    }
    return created;
  });
}
