import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiContext } from '../context';
import { UUID_SCHEMA } from '../context';
import { HttpError } from '../errors';
import { closedObject, identifierSchema, ONE_LINE_PATTERN, textSchema } from '../input-limits';
import { issueCsrfToken, CSRF_FIELD } from '../csrf';
import { decidedBy } from '../auth';
import { loadCustomer } from '../../adoption/read-models/customer-adoption';
import { signalRun } from '../temporal-access';
import { emailDecisionSignal, EMAIL_DECISIONS, InvalidMessageError, MESSAGE_LIMITS, validateEmailDecision } from '../../workflows/messages';
import { closeTask } from '../../adoption/tasks';
import { openTasks, stalledCustomers, workspaceChoices, type WorkspaceFilter } from '../../adoption/read-models/workspace';
import { draftAwaitingDecision, pendingDrafts } from '../../adoption/drafts';
import { runsOfCustomer } from '../../adoption/runs';
import { renderWorkspaceCustomer, renderWorkspaceIndex, type WorkspaceLinks } from '../pages/workspace-page';
import { pageErrorHandler } from '../page-error-handler';

/** The dev server's Web UI (`temporal server start-dev`), when `TEMPORAL_UI_URL` is not set. */
export const DEFAULT_TEMPORAL_UI_URL = 'http://localhost:8233';

export interface WorkspaceOptions {
  /** `TEMPORAL_UI_URL` (default DEFAULT_TEMPORAL_UI_URL). */
  temporalUiUrl?: string;
  /** `TEMPORAL_NAMESPACE` (default `default`). */
  namespace?: string;
}

/** What the pages say after a form (a fixed list, so nothing from the URL is echoed). */
const NOTICES = {
  'task-done': 'Task marked done.',
  'task-already-closed': 'That task was already closed; nothing changed.',
  approved: 'Approved: the run sends the email.',
  edited: 'Your edits were sent to the run: it sends the edited email.',
  rejected: 'Rejected: the run will not send the email.',
  'not-needed': 'Marked not needed: detection no longer flags it, and its running runs were told.',
  'needed-again': 'Marked needed again.',
} as const;
type Notice = keyof typeof NOTICES;

const BACK = ['index', 'customer'] as const;
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'";
/** A filter's value: one line, empty meaning "all" (the select's first option). */
const optionalText = (maxLength: number) => ({ type: 'string', maxLength, pattern: ONE_LINE_PATTERN }) as const;

function sendPage(reply: FastifyReply, markup: string) {
  return reply.type('text/html; charset=utf-8').header('Content-Security-Policy', HTML_CSP).send(markup);
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The CSM workspace (docs/api.md "CSM workspace"): `GET /workspace` (read), `GET /workspace/customers/:id`
 * (read), `POST /workspace/tasks/:taskId/done` (write), `POST /workspace/drafts/:draftId/decision` (workflows: the same
 * `emailDecision` contract, validator and Temporal error mapping as `POST /api/workflows/:id/email-decision`).
 */
export function registerWorkspaceRoutes(app: FastifyInstance, ctx: ApiContext, options: WorkspaceOptions = {}): void {
  const links: WorkspaceLinks = {
    temporalUiUrl: (options.temporalUiUrl || DEFAULT_TEMPORAL_UI_URL).replace(/\/+$/, ''),
    namespace: options.namespace || 'default',
  };

  app.get<{ Querystring: { csm?: string; segment?: string; notice?: Notice; decided?: string } }>(
    '/workspace',
    {
      schema: {
        summary: 'The CSM workspace: customers with stalled features by signal priority, open tasks, drafts waiting for approval (HTML)',
        querystring: closedObject({ csm: optionalText(255), segment: optionalText(50), notice: NOTICE_SCHEMA, decided: UUID_SCHEMA }),
      },
      errorHandler: pageErrorHandler,
    },
    async (request, reply) => {
      const filter: WorkspaceFilter = { csm: blankToUndefined(request.query.csm), segment: blankToUndefined(request.query.segment) };
      const now = ctx.now();
      const [customers, tasks, drafts, choices] = await Promise.all([
        stalledCustomers(ctx.db, filter),
        openTasks(ctx.db, filter),
        pendingDrafts(ctx.db, filter).then((pending) => withoutDecided(pending, request.query.decided)),
        workspaceChoices(ctx.db),
      ]);
      const csrfToken = request.principal ? issueCsrfToken(request.principal, now) : '';
      const notice = request.query.notice;
      return sendPage(
        reply,
        renderWorkspaceIndex({ customers, tasks, drafts, choices, filter, csrfToken, now, flash: notice ? { message: NOTICES[notice] } : undefined }),
      );
    },
  );

  app.get<{ Params: { customerId: string }; Querystring: { notice?: Notice; decided?: string } }>(
    '/workspace/customers/:customerId',
    {
      schema: {
        summary: 'A customer in the CSM workspace: stalled features (Mark not needed), drafts, tasks, runs in the Temporal Web UI (HTML)',
        params: closedObject({ customerId: UUID_SCHEMA }, ['customerId']),
        querystring: closedObject({ notice: NOTICE_SCHEMA, decided: UUID_SCHEMA }),
      },
      errorHandler: pageErrorHandler,
    },
    async (request, reply) => {
      const { customerId } = request.params;
      const customer = await loadCustomer(ctx.db, customerId);
      const [stalled, tasks, drafts, runs] = await Promise.all([
        stalledCustomers(ctx.db, {}, customerId),
        openTasks(ctx.db, {}, customerId),
        pendingDrafts(ctx.db, {}, customerId).then((pending) => withoutDecided(pending, request.query.decided)),
        runsOfCustomer(ctx.db, customerId),
      ]);
      const csrfToken = request.principal ? issueCsrfToken(request.principal, ctx.now()) : '';
      const notice = request.query.notice;
      return sendPage(
        reply,
        renderWorkspaceCustomer({
          customer,
          stalled: stalled[0] ?? null,
          tasks,
          drafts,
          runs,
          links,
          csrfToken,
          flash: notice ? { message: NOTICES[notice] } : undefined,
        }),
      );
    },
  );

  const backTo = (back: (typeof BACK)[number] | undefined, customerId: string | null, notice: Notice, decidedDraftId?: string) => {
    const query = `notice=${notice}${decidedDraftId ? `&decided=${encodeURIComponent(decidedDraftId)}` : ''}`;
    return back === 'customer' && customerId ? `/workspace/customers/${encodeURIComponent(customerId)}?${query}` : `/workspace?${query}`;
  };

  app.post<{ Params: { taskId: string }; Body: { _csrf: string; back?: (typeof BACK)[number] } }>(
    '/workspace/tasks/:taskId/done',
    {
      config: { scope: 'write', page: true },
      schema: {
        summary: 'Mark an open task done (form-encoded, with the page anti-forgery token)',
        params: closedObject({ taskId: UUID_SCHEMA }, ['taskId']),
        querystring: closedObject({}),
        body: {
          type: 'object',
          required: [CSRF_FIELD],
          additionalProperties: false,
          properties: { [CSRF_FIELD]: identifierSchema(200), back: { type: 'string', enum: [...BACK] } },
        },
      },
      errorHandler: pageErrorHandler,
    },
    async (request, reply) => {
      const by = request.principal?.open ? 'local (no API keys configured)' : `API key ${request.principal?.name ?? 'unknown'}`;
      const result = await closeTask(ctx.db, request.params.taskId, by, ctx.now());
      if (!result) throw new HttpError(404, `task ${request.params.taskId} not found`);
      return reply.redirect(backTo(request.body.back, result.customerId, result.closed ? 'task-done' : 'task-already-closed'), 303);
    },
  );

  app.post<{
    Params: { draftId: string };
    Body: {
      _csrf: string;
      decision: (typeof EMAIL_DECISIONS)[number];
      subject?: string;
      body?: string;
      reason?: string;
      back?: (typeof BACK)[number];
    };
  }>(
    '/workspace/drafts/:draftId/decision',
    {
      config: { scope: 'workflows', page: true },
      schema: {
        summary: "Approve, edit or reject a run's email draft (the emailDecision contract; form-encoded, with the page anti-forgery token)",
        params: closedObject({ draftId: UUID_SCHEMA }, ['draftId']),
        querystring: closedObject({}),
        body: {
          type: 'object',
          required: [CSRF_FIELD, 'decision'],
          additionalProperties: false,
          properties: {
            [CSRF_FIELD]: identifierSchema(200),
            decision: { type: 'string', enum: [...EMAIL_DECISIONS] },
            subject: textSchema(MESSAGE_LIMITS.subject, 0),
            body: textSchema(MESSAGE_LIMITS.body, 0),
            reason: textSchema(MESSAGE_LIMITS.reason, 0),
            back: { type: 'string', enum: [...BACK] },
          },
        },
      },
      errorHandler: pageErrorHandler,
    },
    async (request, reply) => {
      // Unknown, or no longer waiting for a decision: the handler answers 404 / 409.
      const draft = await draftAwaitingDecision(ctx.db, request.params.draftId);
      const { decision, subject, body, reason, back } = request.body;
      // The page's form always sends every field; only what the decision uses goes into the signal.
      const payload =
        decision === 'edit'
          ? { decision, ...(subject ? { subject } : {}), ...(body ? { body } : {}) }
          : decision === 'reject'
            ? { decision, reason: blankToUndefined(reason?.trim()) ?? 'rejected in the CSM workspace' }
            : { decision };
      let validated;
      try {
        // The same contract and attribution as the JSON API: the key's name is who decided.
        validated = validateEmailDecision(
          decidedBy(request.principal, { ...payload, by: request.principal?.open ? 'local (CSM workspace)' : undefined }),
        );
      } catch (error) {
        if (error instanceof InvalidMessageError) throw new HttpError(400, `body/${error.message}`, `body/${error.field}`);
        throw error;
      }
      await signalRun(ctx.temporalClient, draft.workflowId, emailDecisionSignal, validated);
      const notice: Notice = decision === 'approve' ? 'approved' : decision === 'edit' ? 'edited' : 'rejected';
      return reply.redirect(backTo(back, draft.customerId, notice, request.params.draftId), 303);
    },
  );
}

const NOTICE_SCHEMA = { type: 'string', enum: Object.keys(NOTICES) } as const;

/**
 * The draft the CSM just decided is still `pending_approval` until the run's send step records the decision (the
 * signal is on its way): the page the CSM lands on must not offer it again as if nothing had happened.
 */
function withoutDecided<T extends { id: string }>(drafts: T[], decidedDraftId: string | undefined): T[] {
  return decidedDraftId ? drafts.filter((draft) => draft.id !== decidedDraftId) : drafts;
}
