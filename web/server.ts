import fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Db } from '../db/database';
import type { ApiContext } from './context';
import { trainingBookedSignal, type EnablementWorkflow } from '../workflows/messages';
import { asHttpError, describeSchemaError, HttpError, type SchemaError } from './errors';
import { registerInputLimits } from './input-limits';
import { databaseHealth } from '../adoption/read-models/health';
import { registerSecurity } from './auth';
import type { ApiKey } from './api-keys';
import { registerOpenApi } from './openapi';
import { registerSecurityHeaders } from './security-headers';
import { SLACK_RESPONSE_URL_ORIGINS } from './slack/response-url';
import { temporalClientGetter, type TemporalAccess } from './temporal-access';
import { registerAdoptionPageRoutes } from './routes/adoption-page';
import { registerAdoptionPageFormRoutes } from './routes/adoption-page-form';
import { registerCustomerRoutes } from './routes/customers';
import { registerFeatureRoutes } from './routes/features';
import { registerInterventionRoutes } from './routes/interventions';
import { registerReportRoutes } from './routes/reports';
import { registerSlackRoutes } from './slack/interactivity-route';
import { registerWorkflowRoutes } from './routes/workflows';
import { registerBookingRoutes } from './routes/booking';
import { registerWebhookRoutes } from './routes/webhooks';
import { registerNotNeededRoutes } from './routes/not-needed';
import { registerWorkspaceRoutes, type WorkspaceOptions } from './routes/workspace';
import { registerShareRoutes } from './routes/share';
import { registerTrackedLinkRoutes } from './routes/tracked-links';
import { registerIndexPageRoutes } from './routes/index-page';

export type { TemporalAccess } from './temporal-access';

export interface ApiServerOptions {
  db: Db;
  /** Without it the workflow endpoints answer 503; `client` may be a function that connects on first use. */
  temporal?: TemporalAccess;
  /** The Slack app's signing secret; without it `POST /slack/interactivity` answers 503 (nothing unverified runs). */
  slackSigningSecret?: string;
  /** The clock (tests pin it). */
  now?: () => Date;
  /** fastify's logger option; off by default. */
  logger?: boolean | object;
  /** Post Slack replies to the payload's response_url too (default true). */
  slackResponseUrls?: boolean;
  /** Origins a Slack response_url may have (default `https://hooks.slack.com`; tests add their stand-in). */
  slackResponseUrlOrigins?: readonly string[];
  /** `ADOPTION_API_KEYS` (docs/security.md): unset or empty, the server is open and listens on loopback only. */
  apiKeys?: string | readonly ApiKey[];
  /** Slack user ids of customer-success leads, who may decide on any run besides the customer's CSM. */
  slackLeadUserIds?: readonly string[];
  /** Signed booking links (`ADOPTION_LINK_SECRET`, `PUBLIC_BASE_URL`); unset: no booking links. */
  links?: { secret: string; baseUrl: string };
  /** Verifies the training platform's completion webhook (`TRAINING_WEBHOOK_SECRET`); unset: it answers 503. */
  trainingWebhookSecret?: string;
  /** The CSM workspace's links to the Temporal Web UI (`TEMPORAL_UI_URL`, `TEMPORAL_NAMESPACE`; default the dev server's UI). */
  workspace?: WorkspaceOptions;
  /** Where training invitations go out (`SMTP_URL`, `EMAIL_FROM`); without SMTP they wait in the outbox. */
  email?: { smtpUrl?: string; from: string };
  /** The Slack Web API (`SLACK_BOT_TOKEN`, tests: the Slack-protocol server) for the Edit modal's `views.open`. */
  slack?: { token?: string; apiUrl?: string };
}

/**
 * The HTTP API (the PRD's endpoints and ours), the reports, the Slack interactivity endpoint and the CSM adoption page.
 * Errors are `{ "error": "...", "field"?: "body/..." }`; every SQL value is a bound parameter.
 */
export function buildApiServer(options: ApiServerOptions): FastifyInstance {
  const app = fastify({
    logger: options.logger ?? false,
    // A booking link's signed token is a path parameter of a few hundred characters (fastify's default cap is 100).
    routerOptions: { maxParamLength: 2048 },
    // Refuse what the schemas do not describe instead of silently dropping or coercing it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  const ctx: ApiContext = {
    db: options.db,
    now: options.now ?? (() => new Date()),
    temporalClient: temporalClientGetter(options.temporal),
    taskQueue: options.temporal?.taskQueue ?? null,
    slackSigningSecret: options.slackSigningSecret || null,
    slackResponseUrls: options.slackResponseUrls ?? true,
    slackResponseUrlOrigins: options.slackResponseUrlOrigins ?? SLACK_RESPONSE_URL_ORIGINS,
    slackLeadUserIds: options.slackLeadUserIds ?? [],
    links: options.links ?? null,
    trainingWebhookSecret: options.trainingWebhookSecret || null,
    email: options.email ?? null,
    slack: options.slack?.token ? { token: options.slack.token, apiUrl: options.slack.apiUrl } : null,
    // The booking page tells the run (best effort: a finished or unknown run has nothing to be told).
    onTrainingBooked: async (workflowId, booking) => {
      if (!workflowId || !options.temporal) return;
      try {
        const client = await ctx.temporalClient();
        await client.workflow.getHandle<EnablementWorkflow>(workflowId).signal(trainingBookedSignal, booking);
      } catch (error) {
        app.log.warn({ err: error, workflowId }, 'could not tell the run about the training booking');
      }
    },
  };

  // HTML forms (the adoption page's "Send Resources"): fields by name, a repeated name as a list.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const fields: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(body as string)) {
      const known = fields[key];
      fields[key] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
    }
    done(null, fields);
  });

  app.setErrorHandler((raised: FastifyError | HttpError, request, reply) => {
    const error = asHttpError(raised);
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send({ error: error.message, ...(error.field ? { field: error.field } : {}) });
    }
    const validation = (error as FastifyError).validation as SchemaError[] | undefined;
    if (validation && validation.length > 0) {
      const { field, message } = describeSchemaError((error as FastifyError).validationContext ?? 'body', validation[0]);
      return reply.code(400).send({ error: message, field });
    }
    const status = (error as FastifyError).statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal error; see the server log' });
    }
    return reply.code(status).send({ error: error.message });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  // Input limits (NUL, depth, lengths, undeclared query parameters) for every route, before its handler runs.
  registerInputLimits(app);
  // Who may call what (API keys and scopes, JSON only, page forms' tokens; docs/security.md), headers, /openapi.json.
  registerSecurity(app, { apiKeys: options.apiKeys, now: ctx.now });
  registerSecurityHeaders(app);
  registerOpenApi(app);
  // The routes live in a scope registered after the OpenAPI plugin, which documents each route as it is declared.
  app.register(async (app) => {
    app.get('/healthz', { config: { auth: 'none' } }, async () => {
      const { database } = await databaseHealth(ctx.db);
      return { ok: true, database, temporal: options.temporal ? 'configured' : 'not configured' };
    });
    registerCustomerRoutes(app, ctx);
    registerFeatureRoutes(app, ctx);
    registerInterventionRoutes(app, ctx);
    registerWorkflowRoutes(app, ctx);
    registerReportRoutes(app, ctx);
    registerSlackRoutes(app, ctx);
    registerAdoptionPageRoutes(app, ctx);
    registerAdoptionPageFormRoutes(app, ctx);
    registerBookingRoutes(app, ctx);
    registerWebhookRoutes(app, ctx);
    registerNotNeededRoutes(app, ctx);
    registerWorkspaceRoutes(app, ctx, options.workspace ?? { temporalUiUrl: process.env.TEMPORAL_UI_URL, namespace: process.env.TEMPORAL_NAMESPACE });
    registerShareRoutes(app, ctx);
    registerTrackedLinkRoutes(app, ctx);
    registerIndexPageRoutes(app, ctx);
  });
  return app;
}
