import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { UUID_SCHEMA } from '../context';
import { adoptionJson, loadCustomerAdoption } from '../../adoption/read-models/customer-adoption';
import { closedObject } from '../input-limits';

/** `GET /api/customers/:customerId/feature-adoption`: the customer's adoption per feature, as JSON. */
export function registerCustomerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { customerId: string } }>(
    '/api/customers/:customerId/feature-adoption',
    {
      schema: {
        params: closedObject({ customerId: UUID_SCHEMA }, ['customerId']),
        querystring: closedObject({}),
      },
    },
    async (request) => adoptionJson(await loadCustomerAdoption(ctx.db, request.params.customerId, ctx.now())),
  );
}
