import { html, htmlDocument } from './html';

/** Where a problem page points back to: the page the CSM came from. */
export interface BackLink {
  href: string;
  label: string;
}

/** The way back from a problem with one customer's page or form: that customer's adoption page. */
export function customerBackLink(customerId: string): BackLink {
  return { href: `/customers/${encodeURIComponent(customerId)}/adoption`, label: "Back to the customer's adoption page" };
}

/** What a browser is shown when a page or its form fails: the status and the problem, never a stack trace; a way back. */
export function renderErrorPage(status: number, message: string, back?: BackLink): string {
  return htmlDocument(
    String(status),
    'adoption',
    html`<h1>${status}</h1>
      <p class="empty">${message}</p>
      ${back ? html`<p><a href="${back.href}">${back.label}</a></p>` : ''}`,
  );
}

/** The page for a tracked resource link that cannot be followed; nothing is recorded and nothing redirects. */
export function renderResourceLinkProblemPage(reason: 'expired' | 'invalid' | 'unavailable'): string {
  const text =
    reason === 'expired'
      ? 'This resource link has expired. Ask your CSM to send the resource again.'
      : reason === 'unavailable'
        ? 'Resource links are not available right now.'
        : 'This resource link is not valid. Please use the link from your email exactly as it was sent.';
  return htmlDocument(
    'This link cannot be used',
    'public',
    html`<h1>This link cannot be used</h1>
      <p role="alert">${text}</p>`,
  );
}
