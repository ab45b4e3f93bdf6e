import { html, htmlDocument } from './html';
import { CUSTOMER_DIRECTORY_LIMIT, type CustomerDirectoryEntry } from '../../adoption/read-models/workspace';

/**
 * `/`: where a CSM starts. The shared navigation (workspace, reports) plus every customer with a link to its
 * adoption page and its workspace page, most stalled features first.
 */
export function renderIndexPage(customers: readonly CustomerDirectoryEntry[]): string {
  const rows = customers.map(
    (customer) => html`<tr>
      <th scope="row"><a href="/customers/${encodeURIComponent(customer.id)}/adoption">${customer.name}</a></th>
      <td>${customer.segment}</td>
      <td>${customer.csmName ?? '–'}</td>
      <td>${customer.featuresTracked}</td>
      <td>${customer.stalledFeatures}</td>
      <td><a href="/workspace/customers/${encodeURIComponent(customer.id)}">Workspace<span class="visually-hidden"> for ${customer.name}</span></a></td>
    </tr>`,
  );
  return htmlDocument(
    'Feature adoption',
    'index',
    html`<h1>Feature adoption</h1>
      <p class="sub">
        The <a href="/workspace">workspace</a> lists what needs a CSM now; the <a href="/reports">reports</a> show what the
        interventions did. Each customer's adoption page is below.
      </p>
      <h2 id="customers-heading">Customers</h2>
      ${
        customers.length === 0
          ? html`<p class="empty">No customers yet: import them with <code>adoption-enablement import --customers FILE</code>.</p>`
          : html`<div class="table-scroll" role="region" aria-labelledby="customers-heading" tabindex="0">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Adoption page</th>
                    <th scope="col">Segment</th>
                    <th scope="col">CSM</th>
                    <th scope="col">Features tracked</th>
                    <th scope="col">Stalled now</th>
                    <th scope="col">Workspace</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows}
                </tbody>
              </table>
            </div>
            ${customers.length >= CUSTOMER_DIRECTORY_LIMIT ? html`<p class="sub">Showing the first ${CUSTOMER_DIRECTORY_LIMIT} customers.</p>` : ''}`
      }`,
  );
}
