import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import { deliver, prepareDelivery } from '../channels/delivery';
import { DEFAULT_SENDER, mailDomainOf, type MailMessage } from '../channels/mailer';
import { trackedResourceUrl } from '../channels/signed-links';
import { joinWords } from '../definitions/language/wording';
import { describeResource } from './model/recommendations';
import { bookingLink } from './bookings';
import { recordEngagement } from './engagement';
import { recordIntervention } from './interventions';
import { runOwner } from './runs';
import { loadShareAudience, type ShareAudience } from './read-models/share-audience';

/**
 * Sharing the recommended resources with the customer's champion, once per click. Each door (Slack's "Share
 * Resources", the adoption page's "Send Resources", `POST /api/customers/:id/resource-shares`) names its click;
 * `resource_shares.click_key` is UNIQUE and the row is inserted with the prepared email, so a click delivered twice
 * (or two racing) sends one email. Mail goes out through the delivery protocol every sender uses (docs/delivery.md):
 * SMTP when configured and up, else it waits in the outbox for the relay. The `resource_share` interventions are
 * recorded by the on-delivered hook when the email is delivered (now, or later by the relay).
 */
export type ShareSource = 'slack' | 'page' | 'api';

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

type NewShare = Omit<ShareRecord, 'createdAt' | 'deliveredAt' | 'delivery'>;

/**
 * Claims the click: inserts the share (as `outbox` until delivery says otherwise) or, when the click key is already
 * there, inserts nothing. Call inside the transaction that sends: a concurrent duplicate waits on this row's unique
 * key until the sender commits, then finds it. Null when the click was claimed before.
 */
async function claimShare(tx: Db, share: NewShare, at: Date): Promise<ShareRecord | null> {
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

/** The share a click made, if it made one. */
export async function findShareByClick(db: Db, clickKey: string): Promise<ShareRecord | null> {
  const { rows } = await db.query<ShareRow>(`SELECT ${COLUMNS} FROM resource_shares WHERE click_key = $1`, [clickKey]);
  return rows[0] ? view(rows[0]) : null;
}

/**
 * What a delivered share leaves behind: one `resource_share` intervention per feature (keyed by the share, so
 * calling this again adds nothing) and a `sent` engagement per resource: the on-delivered hook of payload kind
 * `resource_share`, whoever delivers the share. Answers the interventions created now.
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

export interface ShareDeps {
  db: Db;
  now: () => Date;
  /** `SMTP_URL`, `EMAIL_FROM`; without SMTP the email waits in the outbox. */
  email: { smtpUrl?: string; from: string } | null;
  /** Tracked resource links and the booking link (`ADOPTION_LINK_SECRET`, `PUBLIC_BASE_URL`); null: plain links. */
  links: { secret: string; baseUrl: string } | null;
  /** Hears the interventions a delivery recorded, so the caller can start their follow-ups. */
  onInterventionsRecorded?: (interventionIds: string[]) => Promise<void>;
}

export interface ShareRequest {
  clickKey: string;
  source: ShareSource;
  customerId: string;
  workflowId?: string | null;
  featureAdoptionIds?: readonly string[] | null;
  featureIds?: readonly string[] | null;
  requestedBy: string | null;
}

export type ShareOutcome =
  | { kind: 'sent' | 'queued'; share: ShareRecord; repeated: boolean }
  | { kind: 'unknown_customer' }
  | { kind: 'key_conflict' }
  | { kind: 'no_champion'; customerName: string }
  | { kind: 'nothing_to_share'; customerName: string }
  /** The named run is not one of this customer's (or not a run at all): linking it would credit the wrong run. */
  | { kind: 'foreign_run' };

/**
 * Emails the champion the ranked resources of the requested features (else the run's, else the stalled ones), once per
 * click: the same click again answers the first share and sends nothing.
 */
export async function shareResources(deps: ShareDeps, request: ShareRequest): Promise<ShareOutcome> {
  const earlier = await findShareByClick(deps.db, request.clickKey);
  if (earlier) return earlier.customerId === request.customerId ? outcomeOf(earlier, true) : { kind: 'key_conflict' };
  if (request.workflowId != null && (await runOwner(deps.db, request.workflowId))?.id !== request.customerId) return { kind: 'foreign_run' };
  const now = deps.now();
  const audience = await loadShareAudience(deps.db, request, now);
  if (!audience) return { kind: 'unknown_customer' };
  const to = audience.champion.email?.trim();
  const features = audience.features.filter((feature) => feature.resources.length > 0);
  if (!to || features.length === 0) {
    // The same click may have been shared (and its resources become "already received") since we first looked.
    const winner = await findShareByClick(deps.db, request.clickKey);
    if (winner) return winner.customerId === request.customerId ? outcomeOf(winner, true) : { kind: 'key_conflict' };
    return to ? { kind: 'nothing_to_share', customerName: audience.customerName } : { kind: 'no_champion', customerName: audience.customerName };
  }

  const id = randomUUID();
  const { subject, body, resources } = await composeShareEmail(deps, { ...audience, features }, request.workflowId ?? null, now);
  const from = deps.email?.from ?? DEFAULT_SENDER;
  const message: MailMessage = {
    from,
    to: audience.champion.name ? { name: audience.champion.name, address: to } : to,
    replyTo: audience.csm.email ?? undefined,
    subject,
    text: body,
    // Derived from the share: should SMTP accept and the commit then fail, a retry resends the same Message-ID.
    messageId: `<share-${id}@${mailDomainOf(from)}>`,
  };

  // The click is claimed and its email prepared in one transaction: a second copy of the click finds the share, and
  // the message under its delivery key is the one that goes out, however often delivery is retried.
  const claimed = await deps.db.transaction(async (tx) => {
    const share = await claimShare(
      tx,
      {
        id,
        clickKey: request.clickKey,
        source: request.source,
        customerId: audience.customerId,
        workflowId: request.workflowId ?? null,
        featureIds: features.map((feature) => feature.featureId),
        toEmail: to,
        toName: audience.champion.name,
        subject,
        body,
        resources,
        requestedBy: request.requestedBy,
      },
      now,
    );
    if (!share) return null;
    await prepareDelivery(tx, {
      key: shareDeliveryKey(share.id),
      channel: 'email',
      recipient: to,
      payload: { kind: 'resource_share', shareId: share.id, message },
    });
    return share;
  });
  // The unique click key was taken between our look-up and our insert: that request sent it; say what it did.
  if (!claimed) {
    const winner = await findShareByClick(deps.db, request.clickKey);
    if (!winner) throw new Error(`resource share for click ${request.clickKey} vanished`);
    return winner.customerId === request.customerId ? outcomeOf(winner, true) : { kind: 'key_conflict' };
  }
  // Sent outside the transaction: no lock is held while SMTP answers, and a crash between SMTP's acceptance and the
  // mark resends the same Message-ID, never a second email.
  // The same on-delivered hook the relay runs, so its interventions commit with the mark; it also tells us which
  // interventions this delivery created, for their follow-ups.
  const created: string[] = [];
  const onDelivered = {
    resource_share: async (tx: Db, message: { deliveredAt: Date }) => {
      created.push(...(await recordShareDelivered(tx, claimed.id, message.deliveredAt)));
    },
  };
  let delivered = false;
  try {
    delivered =
      (await deliver(deps.db, { email: deps.email ?? undefined, now: deps.now, onDelivered }, shareDeliveryKey(claimed.id))).state === 'delivered';
  } catch {
    // SMTP down or refusing: the share waits in the outbox for the relay and is not reported as sent.
  }
  if (delivered && created.length > 0) await deps.onInterventionsRecorded?.(created);
  return outcomeOf((await findShareByClick(deps.db, request.clickKey)) ?? claimed, false);
}

/** The share's message in the outbox; the relay finds waiting shares by it. */
export function shareDeliveryKey(shareId: string): string {
  return `resource-share/${shareId}`;
}

function outcomeOf(share: ShareRecord, repeated: boolean): ShareOutcome {
  return { kind: share.deliveredAt ? 'sent' : 'queued', share, repeated };
}

/**
 * The plain-text email: per feature its own key benefit and its ranked resources, each link through the tracked
 * redirect (when links are configured), and the booking link.
 */
async function composeShareEmail(
  deps: Pick<ShareDeps, 'links'>,
  audience: ShareAudience,
  workflowId: string | null,
  now: Date,
): Promise<{ subject: string; body: string; resources: Array<{ featureId: string; url: string; title: string }> }> {
  const names = audience.features.map((feature) => feature.featureName);
  const subject = `Resources for ${joinWords(names)}`.slice(0, 500);
  const resources: Array<{ featureId: string; url: string; title: string }> = [];
  const sections: string[] = [];
  for (const feature of audience.features) {
    const lines = [
      feature.keyBenefit?.trim() ? `${feature.featureName}: it helps you ${feature.keyBenefit.trim().replace(/[.!?]+$/, '')}.` : feature.featureName,
    ];
    for (const resource of feature.resources) {
      const url = await trackedResourceUrl(
        deps.links,
        { customerId: audience.customerId, featureId: feature.featureId, url: resource.url, workflowId },
        now,
      );
      resources.push({ featureId: feature.featureId, url: resource.url, title: resource.title });
      lines.push(`- ${describeResource(resource, false).replace(/^the /, '')}: ${url}`);
    }
    sections.push(lines.join('\n'));
  }
  const booking = deps.links
    ? `If a 20-minute walkthrough would help, pick a time here: ${(await bookingLink(deps.links, { customerId: audience.customerId, workflowId }, now)).url}`
    : 'If a short walkthrough would help, just reply to this email.';
  const body = [
    `Hi ${audience.champion.name?.trim() || 'there'},`,
    '',
    `Here are a few resources picked for where your team is with ${joinWords(names)}:`,
    '',
    sections.join('\n\n'),
    '',
    booking,
    '',
    'Best,',
    audience.csm.name?.trim() || 'Your Customer Success team',
  ].join('\n');
  return { subject, body: `${body}\n`, resources };
}
