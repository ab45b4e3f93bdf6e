import { customerSummary, formatDate, formatMoney, idWords, stageLabel } from '../../adoption/model/labels';
import { html, htmlDocument, raw, type SafeHtml } from './html';
import type { OpenTask, StalledCustomer, WorkspaceChoices, WorkspaceFilter } from '../../adoption/read-models/workspace';
import type { PendingDraft } from '../../adoption/drafts';
import type { CustomerRun } from '../../adoption/runs';

/**
 * The CSM workspace, rendered on the server without script: an index of customers with stalled features
 * (by signal priority, filterable by CSM and segment), the open tasks (Mark done), the email drafts waiting for
 * approval (edit, approve, reject), and a page per customer with its runs linked to the Temporal Web UI. Every form
 * carries the page's anti-forgery token; every control has a label; focus is always visible.
 */

export interface WorkspaceLinks {
  /** The Temporal Web UI (`TEMPORAL_UI_URL`), without a trailing slash. */
  temporalUiUrl: string;
  namespace: string;
}

export interface WorkspaceFlash {
  message?: string;
}

function page(title: string, body: SafeHtml): string {
  return htmlDocument(title, 'workspace', body);
}

const customerHref = (id: string) => `/workspace/customers/${encodeURIComponent(id)}`;

function date(iso: string | null): string {
  return iso ? (formatDate(iso) ?? iso) : '–';
}

function holdoutBadge(heldOut: boolean): SafeHtml | '' {
  return heldOut ? html`<span class="badge badge-holdout" title="Held out: no automatic outreach, measured for lift">Holdout</span>` : '';
}

function filters(choices: WorkspaceChoices, filter: WorkspaceFilter): SafeHtml {
  return html`<form class="panel filters" method="get" action="/workspace" aria-label="Filter customers">
    <div>
      <label for="filter-csm">CSM</label>
      <select id="filter-csm" name="csm">
        <option value="">All CSMs</option>
        ${choices.csms.map(
          (csm) =>
            html`<option value="${csm.email}" ${filter.csm === csm.email ? raw('selected') : ''}>${csm.name ?? csm.email} (${csm.email})</option>`,
        )}
      </select>
    </div>
    <div>
      <label for="filter-segment">Segment</label>
      <select id="filter-segment" name="segment">
        <option value="">All segments</option>
        ${choices.segments.map(
          (segment) => html`<option value="${segment}" ${filter.segment === segment ? raw('selected') : ''}>${idWords(segment)}</option>`,
        )}
      </select>
    </div>
    <div><button type="submit">Filter</button></div>
  </form>`;
}

function customersTable(customers: StalledCustomer[]): SafeHtml {
  if (customers.length === 0) return html`<p class="panel empty">No customer has a stalled feature${''}.</p>`;
  return html`<div class="table-scroll" role="region" aria-label="Customers with stalled features" tabindex="0"><table aria-label="Customers with stalled features">
    <thead>
      <tr>
        <th scope="col">Priority</th>
        <th scope="col">Customer</th>
        <th scope="col">Segment</th>
        <th scope="col">ARR</th>
        <th scope="col">CSM</th>
        <th scope="col">Stalled features</th>
      </tr>
    </thead>
    <tbody>
      ${customers.map(
        (customer) =>
          html`<tr data-customer-id="${customer.id}">
            <td>${customer.priority ?? '–'}</td>
            <td><a href="${customerHref(customer.id)}">${customer.name}</a></td>
            <td>${idWords(customer.segment)}</td>
            <td>${formatMoney(customer.arr)}</td>
            <td>${customer.csmName ?? 'unassigned'}</td>
            <td>
              ${customer.features.map(
                (feature) =>
                  html`<span class="badge">${feature.featureName} · ${stageLabel(feature.stage)} · ${feature.usageScore}/100</span>${holdoutBadge(feature.heldOut)}`,
              )}
            </td>
          </tr>`,
      )}
    </tbody>
  </table></div>`;
}

function tasksSection(tasks: OpenTask[], csrfToken: string, back: SafeHtml): SafeHtml {
  if (tasks.length === 0) return html`<p class="panel empty">No open tasks.</p>`;
  return html`<div class="table-scroll" role="region" aria-label="Open tasks" tabindex="0"><table aria-label="Open tasks">
    <thead>
      <tr>
        <th scope="col">Due</th>
        <th scope="col">Task</th>
        <th scope="col">Customer</th>
        <th scope="col">Priority</th>
        <th scope="col">Owner</th>
        <th scope="col"><span class="visually-hidden">Action</span></th>
      </tr>
    </thead>
    <tbody>
      ${tasks.map(
        (task) =>
          html`<tr data-task-id="${task.id}">
            <td>${date(task.dueAt)}</td>
            <td>${task.title}${task.description ? html`<div class="sub">${task.description.split('\n')[0]}</div>` : ''}</td>
            <td>${task.customerId ? html`<a href="${customerHref(task.customerId)}">${task.customerName ?? task.customerId}</a>` : '–'}</td>
            <td><span class="badge badge-${task.priority}">${task.priority}</span></td>
            <td>${task.ownerName ?? '–'}</td>
            <td>
              <form class="inline" method="post" action="/workspace/tasks/${encodeURIComponent(task.id)}/done">
                <input type="hidden" name="_csrf" value="${csrfToken}" />
                ${back}
                <button type="submit" aria-label="Mark done: ${task.title}">Mark done</button>
              </form>
            </td>
          </tr>`,
      )}
    </tbody>
  </table></div>`;
}

function draftsSection(drafts: PendingDraft[], csrfToken: string, back: SafeHtml): SafeHtml {
  if (drafts.length === 0) return html`<p class="panel empty">No email drafts waiting for approval.</p>`;
  return html`${drafts.map((draft) => {
    const id = `draft-${draft.id}`;
    const to = [draft.toName, draft.toEmail ? `<${draft.toEmail}>` : null].filter(Boolean).join(' ') || 'no recipient on file';
    return html`<form class="panel" method="post" action="/workspace/drafts/${encodeURIComponent(draft.id)}/decision" aria-labelledby="${id}-title" data-draft-id="${draft.id}">
      <h3 id="${id}-title">
        Draft to ${to}${draft.customerId ? html` · <a href="${customerHref(draft.customerId)}">${draft.customerName ?? draft.customerId}</a>` : ''}
      </h3>
      <div class="sub">Drafted ${date(draft.createdAt)}</div>
      <input type="hidden" name="_csrf" value="${csrfToken}" />
      ${back}
      <div class="field">
        <label for="${id}-subject">Subject</label>
        <input type="text" id="${id}-subject" name="subject" value="${draft.subject}" maxlength="500" />
      </div>
      <div class="field">
        <label for="${id}-body">Body</label>
        <textarea id="${id}-body" name="body" maxlength="20000">${draft.body}</textarea>
      </div>
      <div class="field">
        <label for="${id}-reason">Reason (when rejecting)</label>
        <input type="text" id="${id}-reason" name="reason" maxlength="2000" />
      </div>
      <div class="actions">
        <button type="submit" name="decision" value="approve">Approve &amp; send</button>
        <button type="submit" name="decision" value="edit" class="secondary">Send with my edits</button>
        <button type="submit" name="decision" value="reject" class="danger">Reject</button>
      </div>
    </form>`;
  })}`;
}

const backField = (value: string) => html`<input type="hidden" name="back" value="${value}" />`;

export function renderWorkspaceIndex(view: {
  customers: StalledCustomer[];
  tasks: OpenTask[];
  drafts: PendingDraft[];
  choices: WorkspaceChoices;
  filter: WorkspaceFilter;
  csrfToken: string;
  now: Date;
  flash?: WorkspaceFlash;
}): string {
  const back = backField('index');
  return page(
    'CSM workspace',
    html`<h1>CSM workspace</h1>
      <div class="sub">Stalled features, open tasks and email drafts waiting for you · as of ${date(view.now.toISOString())}</div>
      ${view.flash?.message ? html`<div class="flash" role="status">${view.flash.message}</div>` : ''} ${filters(view.choices, view.filter)}
      <section aria-labelledby="customers-title">
        <h2 id="customers-title">Customers with stalled features (${view.customers.length})</h2>
        ${customersTable(view.customers)}
      </section>
      <section aria-labelledby="drafts-title">
        <h2 id="drafts-title">Email drafts waiting for approval (${view.drafts.length})</h2>
        ${draftsSection(view.drafts, view.csrfToken, back)}
      </section>
      <section aria-labelledby="tasks-title">
        <h2 id="tasks-title">Open tasks (${view.tasks.length})</h2>
        ${tasksSection(view.tasks, view.csrfToken, back)}
      </section>`,
  );
}

function runLink(run: CustomerRun, links: WorkspaceLinks): string {
  return `${links.temporalUiUrl}/namespaces/${encodeURIComponent(links.namespace)}/workflows/${encodeURIComponent(run.workflowId)}`;
}

export function renderWorkspaceCustomer(view: {
  customer: { id: string; name: string; segment: string; arr: number; csmName: string | null };
  stalled: StalledCustomer | null;
  tasks: OpenTask[];
  drafts: PendingDraft[];
  runs: CustomerRun[];
  links: WorkspaceLinks;
  csrfToken: string;
  flash?: WorkspaceFlash;
}): string {
  const { customer } = view;
  const back = backField(`customer`);
  const features = view.stalled?.features ?? [];
  return page(
    `${customer.name}: CSM workspace`,
    html`<nav><a href="/workspace">← All customers</a> · <a href="/customers/${encodeURIComponent(customer.id)}/adoption">Adoption page</a></nav>
      <h1>${customer.name}</h1>
      <div class="sub">${customerSummary(customer)}</div>
      ${view.flash?.message ? html`<div class="flash" role="status">${view.flash.message}</div>` : ''}
      <section aria-labelledby="stalled-title">
        <h2 id="stalled-title">Stalled features (${features.length})</h2>
        ${
          features.length === 0
            ? html`<p class="panel empty">No stalled features.</p>`
            : features.map((feature) => {
                const id = `nn-${feature.featureId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
                return html`<form
                class="panel"
                method="post"
                action="/customers/${encodeURIComponent(customer.id)}/features/${encodeURIComponent(feature.featureId)}/not-needed"
                data-feature-id="${feature.featureId}"
              >
                <h3>${feature.featureName} ${holdoutBadge(feature.heldOut)}</h3>
                <div class="sub">${stageLabel(feature.stage)} · usage ${feature.usageScore}/100</div>
                <input type="hidden" name="_csrf" value="${view.csrfToken}" />
                <input type="hidden" name="notNeeded" value="true" />
                <input type="hidden" name="back" value="workspace" />
                <div class="field">
                  <label for="${id}-reason">Why is it not needed?</label>
                  <input type="text" id="${id}-reason" name="reason" required maxlength="2000" />
                </div>
                <div class="actions"><button type="submit" class="secondary">Mark not needed</button></div>
              </form>`;
              })
        }
      </section>
      <section aria-labelledby="drafts-title">
        <h2 id="drafts-title">Email drafts waiting for approval (${view.drafts.length})</h2>
        ${draftsSection(view.drafts, view.csrfToken, back)}
      </section>
      <section aria-labelledby="tasks-title">
        <h2 id="tasks-title">Open tasks (${view.tasks.length})</h2>
        ${tasksSection(view.tasks, view.csrfToken, back)}
      </section>
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">Enablement runs (${view.runs.length})</h2>
        ${
          view.runs.length === 0
            ? html`<p class="panel empty">No enablement runs yet.</p>`
            : html`<div class="table-scroll" role="region" aria-label="Enablement runs" tabindex="0"><table aria-label="Enablement runs">
              <thead>
                <tr>
                  <th scope="col">Signal day</th>
                  <th scope="col">Features</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Run in the Temporal Web UI</th>
                </tr>
              </thead>
              <tbody>
                ${view.runs.map(
                  (run) =>
                    html`<tr>
                      <td>${run.asOf ?? date(run.createdAt)}</td>
                      <td>${run.featureIds.join(', ')}</td>
                      <td>${run.priority}</td>
                      <td><a href="${runLink(run, view.links)}" rel="noopener">${run.workflowId}</a></td>
                    </tr>`,
                )}
              </tbody>
            </table></div>`
        }
      </section>`,
  );
}
