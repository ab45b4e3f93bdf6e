import type { Db } from '../db/database';

/**
 * Engagement with the resources we send: `resource_engagement` rows (`sent` when a share is delivered, `click`
 * from the tracked redirect, `completion` from the training platform's webhook), and what they add up to per feature.
 */
export type EngagementEvent = 'sent' | 'open' | 'click' | 'completion';

export interface EngagementInput {
  customerId: string;
  featureId: string;
  url: string;
  event: EngagementEvent;
  at: Date;
  userId?: string | null;
}

/** Records one event; false when the customer no longer exists (a link outliving its customer records nothing). */
export async function recordEngagement(db: Db, input: EngagementInput): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO resource_engagement (customer_id, feature_id, resource_url, event, user_id, occurred_at)
     SELECT c.id, $2, $3, $4, $5, $6::timestamptz FROM customers c WHERE c.id = $1::uuid`,
    [input.customerId, input.featureId, input.url, input.event, input.userId ?? null, input.at.toISOString()],
  );
  return (rowCount ?? 0) > 0;
}

/** A training platform's report that a person completed one of a customer's resources. */
export interface TrainingCompletion {
  customerId: string;
  featureId: string;
  resourceUrl: string;
  /** ISO-8601 instant. */
  completedAt: string;
  userId?: string | null;
}

/**
 * Records a completion once however often the platform reports it (a unique index over customer, resource, user and
 * time decides); true when this call recorded it.
 */
export async function recordCompletion(db: Db, completion: TrainingCompletion): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO resource_engagement (customer_id, feature_id, resource_url, event, user_id, occurred_at)
     VALUES ($1::uuid, $2, $3, 'completion', $4, $5::timestamptz)
     ON CONFLICT (customer_id, feature_id, resource_url, COALESCE(user_id, ''), occurred_at) WHERE event = 'completion' DO NOTHING`,
    [completion.customerId, completion.featureId, completion.resourceUrl, completion.userId ?? null, completion.completedAt],
  );
  return rowCount > 0;
}

export interface FeatureEngagement {
  featureId: string;
  sent: number;
  opens: number;
  clicks: number;
  completions: number;
  lastAt: string | null;
}

/** Per feature of a customer: how many resources went out, were opened, clicked and completed (adoption page, impact). */
export async function engagementByFeature(db: Db, customerId: string): Promise<Map<string, FeatureEngagement>> {
  const { rows } = await db.query<{
    feature_id: string;
    sent: number;
    opens: number;
    clicks: number;
    completions: number;
    last_at: Date | string | null;
  }>(
    `SELECT feature_id,
            COUNT(*) FILTER (WHERE event = 'sent')::int AS sent,
            COUNT(*) FILTER (WHERE event = 'open')::int AS opens,
            COUNT(*) FILTER (WHERE event = 'click')::int AS clicks,
            COUNT(*) FILTER (WHERE event = 'completion')::int AS completions,
            MAX(occurred_at) AS last_at
       FROM resource_engagement WHERE customer_id = $1::uuid
      GROUP BY feature_id`,
    [customerId],
  );
  return new Map(
    rows.map((row) => [
      row.feature_id,
      {
        featureId: row.feature_id,
        sent: row.sent,
        opens: row.opens,
        clicks: row.clicks,
        completions: row.completions,
        lastAt: row.last_at === null ? null : new Date(row.last_at).toISOString(),
      },
    ]),
  );
}

/**
 * The resource URLs each feature of a customer already had, so ranking skips what it received, clicked or completed:
 * shared in an intervention, or any engagement event.
 */
export async function resourcesAlreadyHad(db: Db, customerId: string): Promise<Map<string, Set<string>>> {
  const { rows } = await db.query<{ feature_id: string; url: string }>(
    `SELECT feature_id, resource_url AS url FROM resource_engagement
      WHERE customer_id = $1::uuid AND event IN ('sent', 'click', 'completion')
     UNION
     SELECT i.feature_id, shared.url FROM interventions i
      CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(i.resources_shared) = 'array' THEN i.resources_shared ELSE '[]'::jsonb END) AS shared(url)
      WHERE i.customer_id = $1::uuid`,
    [customerId],
  );
  const had = new Map<string, Set<string>>();
  for (const row of rows) {
    const urls = had.get(row.feature_id) ?? new Set<string>();
    urls.add(row.url);
    had.set(row.feature_id, urls);
  }
  return had;
}

/**
 * The resource behind one of our tracked links (`<base>/r/<token>`), else the URL itself. For bookkeeping only (what
 * an email shared, read back from its body): it reads the token's claims without verifying them; nothing is followed.
 */
export function untrackedUrl(url: string): string {
  const token = /\/r\/([A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+)$/.exec(url)?.[2];
  if (!token || token.length > 4096) return url;
  try {
    const claims = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { purpose?: unknown; u?: unknown };
    return claims.purpose === 'resource-link' && typeof claims.u === 'string' ? claims.u : url;
  } catch {
    return url;
  }
}
