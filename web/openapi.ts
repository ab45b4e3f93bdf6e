import fs from 'node:fs';
import path from 'node:path';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../package-root';
import { accessOf } from './auth';

/**
 * `GET /openapi.json`: the API describes itself. `@fastify/swagger` builds the document from the routes' own JSON
 * Schemas (params, querystring, headers, body) as they are declared; this file only adds, per route, what
 * `config` says about credentials: the security requirement, the scope (`x-required-scope`) and the body's media type.
 * Register it before the routes (the plugin collects routes as they are declared).
 */
export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key from ADOPTION_API_KEYS: `Authorization: Bearer <key>`. Keys have scopes (read, write, workflows); ' +
      'without a key 401, without the scope 403. A server started without keys answers loopback requests only, unauthenticated.',
  },
  webhookSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'x-adoption-signature',
    description:
      'Webhooks from a training platform: `x-adoption-signature: v1=<hex HMAC-SHA256(TRAINING_WEBHOOK_SECRET, "v1:<x-adoption-timestamp>:<raw body>")>` and `x-adoption-timestamp` (5-minute window).',
  },
  pageBasic: {
    type: 'http',
    scheme: 'basic',
    description: 'Pages only: HTTP Basic with any user name and an API key as the password. Page forms also carry an anti-forgery token (_csrf).',
  },
  slackSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Slack-Signature',
    description: "Slack's request signature (v0=HMAC-SHA256 of v0:<X-Slack-Request-Timestamp>:<raw body> under SLACK_SIGNING_SECRET).",
  },
} as const;

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function registerOpenApi(app: FastifyInstance): void {
  app.register(swagger, {
    openapi: {
      // 3.1: a security requirement may list role names (our scopes) for an http scheme, not only for OAuth 2.
      openapi: '3.1.0',
      info: {
        title: 'adoption-enablement API',
        version: packageVersion(),
        description: 'PRD-090 feature adoption: adoption data, interventions, enablement runs, reports, Slack interactivity, the CSM pages.',
      },
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transform: ({ schema, url, route }) => {
      const method = Array.isArray(route.method) ? route.method[0] : route.method;
      const access = accessOf(method, url, route.config ?? {});
      const described: Record<string, unknown> = { ...(schema ?? {}) };
      if (access.kind === 'none') described.security = [];
      else if (access.kind === 'slack-signature') described.security = [{ slackSignature: [] }];
      else if (access.kind === 'webhook-signature') described.security = [{ webhookSignature: [] }];
      else if (access.kind === 'signed-link') {
        // OpenAPI has no scheme for a credential inside the path: no scheme, and the extension says what protects it.
        described.security = [];
        described['x-credential'] = 'the signed, expiring link token in the path (ADOPTION_LINK_SECRET), as emailed to the champion';
      } else {
        described.security = access.page ? [{ apiKey: [access.scope] }, { pageBasic: [access.scope] }] : [{ apiKey: [access.scope] }];
        described['x-required-scope'] = access.scope;
        if (access.bodyType) described.consumes = [access.bodyType === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'];
      }
      if (access.kind === 'slack-signature') described.consumes = ['application/x-www-form-urlencoded'];
      return { schema: described as typeof schema, url };
    },
  });
  // In its own scope, registered after the plugin, so the document lists itself too.
  app.register(async (scope) => {
    scope.get('/openapi.json', { config: { scope: 'read' }, schema: { summary: 'This OpenAPI document, generated from the routes' } }, async () =>
      scope.swagger(),
    );
  });
}
