import type { FastifyInstance } from 'fastify';
import { webhookSignatureProblem } from '../../adapters/webhook-signature';
import { isUuid } from '../../core/identifiers';
import { parseIsoInstant } from '../../core/input-checks';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';

const JSON_TYPE = 'application/json';
/** A completion is a few hundred bytes; anything much bigger is not one. */
const MAX_BODY_BYTES = 16 * 1024;

interface TrainingCompletion {
  customerId: string;
  featureId: string;
  resourceUrl: string;
  completedAt: string;
  userId?: string;
}

/**
 * `POST /webhooks/training-completion` (FR-3.4): a training platform (an LMS) tells us a person completed a resource.
 * It signs the raw body like our own webhooks (adapters/webhook-signature.ts, `TRAINING_WEBHOOK_SECRET`): the
 * signature is checked on the bytes received before anything is parsed, and a forged, unsigned or stale request gets
 * 401 with nothing stored. A good one records a `completion` in `resource_engagement`, once per (customer, resource,
 * user, time) however often it is delivered (a unique index decides, db/migrations/050_completion_once.sql).
 */
export function registerWebhookRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.register(async (scope) => {
    scope.removeContentTypeParser(JSON_TYPE);
    scope.addContentTypeParser(JSON_TYPE, { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));

    scope.post('/webhooks/training-completion', { config: { auth: 'webhook-signature' } }, async (request, reply) => {
      if (!ctx.trainingWebhookSecret)
        throw new HttpError(503, 'TRAINING_WEBHOOK_SECRET is not set, so completions cannot be verified and none are accepted');
      if (!Buffer.isBuffer(request.body)) throw new HttpError(415, `completions are ${JSON_TYPE}`);
      const raw = request.body.toString('utf8');
      const problem = webhookSignatureProblem(ctx.trainingWebhookSecret, raw, request.headers, ctx.now());
      if (problem) throw new HttpError(401, `invalid webhook request: ${problem}`);
      const completion = parseCompletion(raw);
      const customer = await ctx.db.query(`SELECT 1 FROM customers WHERE id = $1::uuid`, [completion.customerId]);
      if (customer.rows.length === 0) throw new HttpError(404, `customer ${completion.customerId} not found`, 'body/customerId');
      const inserted = await ctx.db.query(
        `INSERT INTO resource_engagement (customer_id, feature_id, resource_url, event, user_id, occurred_at)
         VALUES ($1::uuid, $2, $3, 'completion', $4, $5::timestamptz)
         ON CONFLICT (customer_id, feature_id, resource_url, COALESCE(user_id, ''), occurred_at) WHERE event = 'completion' DO NOTHING`,
        [completion.customerId, completion.featureId, completion.resourceUrl, completion.userId ?? null, completion.completedAt],
      );
      return reply.code(inserted.rowCount > 0 ? 201 : 200).send({ recorded: inserted.rowCount > 0 });
    });
  });
}

function field(name: string, problem: string): HttpError {
  return new HttpError(400, `body/${name} ${problem}`, `body/${name}`);
}

function parseCompletion(raw: string): TrainingCompletion {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'body is not valid JSON', 'body');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object', 'body');
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!['customerId', 'featureId', 'resourceUrl', 'completedAt', 'userId'].includes(key))
      throw field(key.slice(0, 40), 'is not part of a completion');
  }
  const text = (name: string, max: number, required = true): string | undefined => {
    const value = record[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw field(name, 'must be a non-empty string');
    if (value.length > max) throw field(name, `must be at most ${max} characters`);
    if (value.includes('\u0000')) throw field(name, 'must not contain a NUL character');
    return value;
  };
  const customerId = text('customerId', 36)!;
  if (!isUuid(customerId)) throw field('customerId', 'must be a UUID');
  const resourceUrl = text('resourceUrl', 2048)!;
  if (!/^https?:\/\//i.test(resourceUrl)) throw field('resourceUrl', 'must be an http(s) URL');
  const completedAt = parseIsoInstant(text('completedAt', 40)!);
  if (!completedAt.ok) throw field('completedAt', `must be an ISO-8601 timestamp that exists (${completedAt.reason})`);
  return { customerId, featureId: text('featureId', 100)!, resourceUrl, completedAt: completedAt.iso, userId: text('userId', 255, false) };
}
