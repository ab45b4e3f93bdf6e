import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { interventionsReport, stalledFeaturesReport } from '../reports';

/** US-4 (which features stall) and FR-4.3/FR-4.4 (which interventions work). */
export function registerReportRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/reports/stalled-features', async () => stalledFeaturesReport(ctx.db));
  app.get('/api/reports/interventions', async () => interventionsReport(ctx.db));
}
