import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { badRequest } from '../errors';
import { stalledFeaturesReport } from '../../adoption/read-models/reports-stalls';
import { interventionsReport } from '../../adoption/read-models/reports-outcomes';
import { loadImpactReports } from '../../adoption/read-models/reports';
import { customerSegments } from '../../adoption/customers';
import { liftReport, type ImpactFilter } from '../../adoption/holdout';
import { successMetrics } from '../../adoption/metrics';
import { addDays, utcDay } from '../../adoption/scoring';
import { renderReportsPage } from '../pages/reports-page';
import { pageErrorHandler } from '../page-error-handler';

interface WindowQuery {
  from?: string;
  to?: string;
  segment?: string;
  csm?: string;
}

const DAY = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10 } as const;
const WINDOW_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { from: DAY, to: DAY, segment: { type: 'string', maxLength: 50 }, csm: { type: 'string', maxLength: 255 } },
} as const;
const MAX_WINDOW_DAYS = 731;
export const DEFAULT_WINDOW_DAYS = 90;

/** The days a window may name: from the Unix epoch (no usage before it) to the last day Postgres and ISO-8601 agree on. */
const EARLIEST_DAY = '1970-01-01';
const LATEST_DAY = '9999-12-31';
const DAY_MS = 86_400_000;

/** `day` as given when it is a real calendar day in range, else a 400 naming the field (before anything is computed from it). */
function calendarDay(field: 'from' | 'to', day: string): string {
  const time = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day) {
    throw badRequest(`querystring/${field}`, 'must be a calendar day, YYYY-MM-DD');
  }
  if (day < EARLIEST_DAY || day > LATEST_DAY) throw badRequest(`querystring/${field}`, `must be between ${EARLIEST_DAY} and ${LATEST_DAY}`);
  return day;
}

/** The window of a report: `to` defaults to yesterday (the last complete UTC day), `from` to 90 days before it. */
export function windowOf(query: WindowQuery, now: Date): ImpactFilter {
  const to = query.to === undefined ? addDays(utcDay(now), -1) : calendarDay('to', query.to);
  const from = query.from === undefined ? addDays(to, -(DEFAULT_WINDOW_DAYS - 1)) : calendarDay('from', query.from);
  if (from > to) throw badRequest('querystring/from', 'must not be after to');
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS > MAX_WINDOW_DAYS) {
    throw badRequest('querystring/from', `the window may span at most ${MAX_WINDOW_DAYS} days`);
  }
  return { from, to, segment: query.segment || null, csm: query.csm || null };
}

/** Which features stall, which interventions work, lift against the holdout, the success metrics, and the page. */
export function registerReportRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/reports/stalled-features', async () => stalledFeaturesReport(ctx.db));
  app.get('/api/reports/interventions', async () => interventionsReport(ctx.db));

  app.get<{ Querystring: WindowQuery }>('/api/reports/success-metrics', { schema: { querystring: WINDOW_QUERY } }, async (request) => {
    const now = ctx.now();
    return successMetrics(ctx.db, windowOf(request.query, now), utcDay(now));
  });
  app.get<{ Querystring: WindowQuery }>('/api/reports/lift', { schema: { querystring: WINDOW_QUERY } }, async (request) => {
    const now = ctx.now();
    return liftReport(ctx.db, windowOf(request.query, now), utcDay(now));
  });
  app.get<{ Querystring: WindowQuery }>('/api/reports/impact', { schema: { querystring: WINDOW_QUERY } }, async (request) => {
    const now = ctx.now();
    return loadImpactReports(ctx.db, windowOf(request.query, now), utcDay(now));
  });

  // A browser reads /reports: its problems (a bad day) are an HTML page naming the field.
  app.get<{ Querystring: WindowQuery }>(
    '/reports',
    { schema: { querystring: WINDOW_QUERY }, errorHandler: pageErrorHandler },
    async (request, reply) => {
      const now = ctx.now();
      const reports = await loadImpactReports(ctx.db, windowOf(request.query, now), utcDay(now));
      const segments = await customerSegments(ctx.db);
      reply.type('text/html; charset=utf-8');
      reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'");
      return reply.send(renderReportsPage(reports, { segments }));
    },
  );
}
