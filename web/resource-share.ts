import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import { mailDomainOf, type MailMessage } from '../channels/mailer';
import { deliver, prepareDelivery } from '../channels/delivery';
import { signLink, trackedResourceUrl } from '../channels/signed-links';
import { describeResource } from '../adoption/model/recommendations';
import { joinWords } from '../definitions/language/wording';
import {
  claimShare,
  findShareByClick,
  loadShareAudience,
  recordShareDelivered,
  type ShareAudience,
  type ShareRecord,
  type ShareSource,
} from '../adoption/resource-share';
import { followUpInterventions } from './follow-ups';

/**
 * US-3: send the recommended resources to the customer's champion, once per click. The three doors (Slack's "Share
 * Resources", the adoption page's "Send Resources", `POST /api/customers/:id/resource-shares`) each name their click
 * (Slack's action ts, the form's nonce, the caller's idempotency key); `resource_shares.click_key` is UNIQUE, and the
 * row is inserted with the prepared email, so a click delivered twice (or two racing) sends one email. Mail goes out
 * through the delivery protocol every sender uses (adapters/delivery.ts, docs/delivery.md): SMTP when configured and
 * up, else it waits in the outbox for the relay. The `resource_share`
 * interventions are recorded when the email is delivered (now, or by the relay through `recordShareDelivered`).
 */
export interface ShareSettings {
  db: Db;
  now: () => Date;
  email: { smtpUrl?: string; from: string } | null;
  links: { secret: string; baseUrl: string } | null;
  temporalClient: () => Promise<Client>;
  taskQueue: string | null;
  onFollowUpError?: (error: unknown) => void;
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
  | { kind: 'nothing_to_share'; customerName: string };

const DEFAULT_FROM = 'adoption-enablement@localhost';
const BOOKING_LINK_SECONDS = 14 * 86_400;

export async function shareResources(settings: ShareSettings, request: ShareRequest): Promise<ShareOutcome> {
  const earlier = await findShareByClick(settings.db, request.clickKey);
  if (earlier) return earlier.customerId === request.customerId ? outcomeOf(earlier, true) : { kind: 'key_conflict' };
  const now = settings.now();
  const audience = await loadShareAudience(settings.db, request, now);
  if (!audience) return { kind: 'unknown_customer' };
  const to = audience.champion.email?.trim();
  const features = audience.features.filter((feature) => feature.resources.length > 0);
  if (!to || features.length === 0) {
    // The same click may have been shared (and its resources become "already received") since we first looked.
    const winner = await findShareByClick(settings.db, request.clickKey);
    if (winner) return winner.customerId === request.customerId ? outcomeOf(winner, true) : { kind: 'key_conflict' };
    return to ? { kind: 'nothing_to_share', customerName: audience.customerName } : { kind: 'no_champion', customerName: audience.customerName };
  }

  const id = randomUUID();
  const { subject, body, resources } = await composeShareEmail(settings, { ...audience, features }, request.workflowId ?? null, now);
  const from = settings.email?.from ?? DEFAULT_FROM;
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
  const claimed = await settings.db.transaction(async (tx) => {
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
    const winner = await findShareByClick(settings.db, request.clickKey);
    if (!winner) throw new Error(`resource share for click ${request.clickKey} vanished`);
    return winner.customerId === request.customerId ? outcomeOf(winner, true) : { kind: 'key_conflict' };
  }
  // Sent outside the transaction, through the one delivery protocol (docs/delivery.md): no lock is held while SMTP
  // answers, and a crash between SMTP's acceptance and the mark resends the same Message-ID, never a second email.
  let delivered = false;
  try {
    delivered =
      (await deliver(settings.db, { email: settings.email ?? undefined, now: settings.now }, shareDeliveryKey(claimed.id))).state === 'delivered';
  } catch {
    // SMTP down or refusing: the share waits in the outbox for the relay and is not reported as sent.
  }
  const interventionIds = delivered ? await recordShareDelivered(settings.db, claimed.id, now) : [];
  await followUpInterventions(
    { db: settings.db, temporalClient: settings.temporalClient, taskQueue: settings.taskQueue, onError: settings.onFollowUpError },
    interventionIds,
  );
  return outcomeOf((await findShareByClick(settings.db, request.clickKey)) ?? claimed, false);
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
 * redirect (when PUBLIC_BASE_URL and ADOPTION_LINK_SECRET are set), and the booking link.
 */
export async function composeShareEmail(
  settings: Pick<ShareSettings, 'links'>,
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
        settings.links,
        { customerId: audience.customerId, featureId: feature.featureId, url: resource.url, workflowId },
        now,
      );
      resources.push({ featureId: feature.featureId, url: resource.url, title: resource.title });
      lines.push(`- ${describeResource(resource, false).replace(/^the /, '')}: ${url}`);
    }
    sections.push(lines.join('\n'));
  }
  let booking = 'If a short walkthrough would help, just reply to this email.';
  if (settings.links) {
    const token = await signLink(
      settings.links.secret,
      { purpose: 'book-training', customerId: audience.customerId, workflowId },
      { now, validForSeconds: BOOKING_LINK_SECONDS },
    );
    booking = `If a 20-minute walkthrough would help, pick a time here: ${settings.links.baseUrl.replace(/\/$/, '')}/book/${token}`;
  }
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
