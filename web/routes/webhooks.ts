import type { FastifyInstance } from 'fastify';
import { webhookSignatureProblem } from '../../channels/webhook-signature';
import { parseIsoInstant } from '../../adoption/model/input-checks';
import type { ApiContext } from '../context';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describeSchemaError, HttpError, type SchemaError } from '../errors';
import { customerExists } from '../../adoption/customers';
import { recordCompletion, type TrainingCompletion } from '../../adoption/engagement';

const JSON_TYPE = 'application/json';
/** A completion is a few hundred bytes; anything much bigger is not one. */
const MAX_BODY_BYTES = 16 * 1024;

type CompletionBody = TrainingCompletion & { userId?: string };

/**
 * `POST /webhooks/training-completion`: a training platform (an LMS) tells us a person completed a resource.
 * It signs the raw body like our own webhooks (channels/webhook-signature.ts, `TRAINING_WEBHOOK_SECRET`): the
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
      if (!(await customerExists(ctx.db, completion.customerId)))
        throw new HttpError(404, `customer ${completion.customerId} not found`, 'body/customerId');
      const recorded = await recordCompletion(ctx.db, completion);
      return reply.code(recorded ? 201 : 200).send({ recorded });
    });
  });
}

const NO_NUL = '^[^\\u0000]*$';

/** A completion as the LMS sends it: the schema refuses unknown fields, NUL, and anything too long or malformed. */
const COMPLETION_SCHEMA = {
  type: 'object',
  required: ['customerId', 'featureId', 'resourceUrl', 'completedAt'],
  additionalProperties: false,
  properties: {
    customerId: { type: 'string', format: 'uuid' },
    featureId: { type: 'string', minLength: 1, maxLength: 100, pattern: NO_NUL },
    resourceUrl: { type: 'string', maxLength: 2048, pattern: '^https?://[^\\u0000]+$' },
    completedAt: { type: 'string', maxLength: 40 },
    userId: { type: 'string', minLength: 1, maxLength: 255, pattern: NO_NUL },
  },
} as const;

const ajv = new Ajv({ allErrors: false });
addFormats(ajv, ['uuid']);
const validateCompletion = ajv.compile<CompletionBody>(COMPLETION_SCHEMA);

function parseCompletion(raw: string): CompletionBody {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'body is not valid JSON', 'body');
  }
  if (!validateCompletion(body)) {
    const { field, message } = describeSchemaError('body', validateCompletion.errors![0] as SchemaError);
    throw new HttpError(400, message, field);
  }
  // A calendar check no schema format makes: 30 February is refused, not rolled over.
  const completedAt = parseIsoInstant(body.completedAt);
  if (!completedAt.ok)
    throw new HttpError(400, `body/completedAt must be an ISO-8601 timestamp that exists (${completedAt.reason})`, 'body/completedAt');
  return { ...body, completedAt: completedAt.iso };
}
