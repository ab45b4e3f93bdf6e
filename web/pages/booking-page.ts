import type { TrainingSlot } from '../../adoption/training-slots';
import { html, htmlDocument, type SafeHtml } from './html';

/**
 * The champion's booking page (FR-3.3, open question 3): the sessions the CSM can give, as radio buttons in a plain
 * form, so it works without JavaScript and with a keyboard. The signed token in the URL is the only credential; the
 * form posts back to the same URL.
 */
export interface BookingPageView {
  customerName: string;
  csmName: string | null;
  featureNames: string[];
  slots: TrainingSlot[];
  selfServe: boolean;
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; color: #1f2937; margin: 0; background: #f9fafb; }
  main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.5rem; }
  fieldset { border: 1px solid #d1d5db; border-radius: .5rem; padding: 1rem; background: #fff; }
  legend { font-weight: 600; padding: 0 .25rem; }
  .slot { display: block; padding: .35rem 0; }
  label.field { display: block; margin-top: 1rem; font-weight: 600; }
  input[type=text], input[type=email], textarea { width: 100%; box-sizing: border-box; padding: .5rem; border: 1px solid #9ca3af; border-radius: .25rem; font: inherit; }
  button { margin-top: 1rem; padding: .6rem 1.2rem; font: inherit; font-weight: 600; color: #fff; background: #1d4ed8; border: 0; border-radius: .25rem; cursor: pointer; }
  button:focus, input:focus, textarea:focus { outline: 3px solid #f59e0b; outline-offset: 2px; }
  .notice { padding: 1rem; border-radius: .5rem; background: #ecfdf5; border: 1px solid #10b981; }
  .problem { padding: 1rem; border-radius: .5rem; background: #fef2f2; border: 1px solid #ef4444; }
`;

function layout(title: string, body: SafeHtml): string {
  return htmlDocument(title, STYLE, body);
}

export function renderBookingPage(view: BookingPageView, problem?: string): string {
  const topic = view.featureNames.length ? view.featureNames.join(', ') : 'the product';
  const with_ = view.csmName ? ` with ${view.csmName}` : '';
  return layout(
    `Book a training session: ${view.customerName}`,
    html`<h1>Book a 30-minute session${with_}</h1>
      <p>A walkthrough of ${topic} for ${view.customerName}: best practices and your questions. Pick a time; the invitation arrives by email.</p>
      ${problem ? html`<p class="problem" role="alert">${problem}</p>` : ''}
      ${
        view.slots.length
          ? html`<form method="post">
              <fieldset>
                <legend>Times (shown in your CSM's time zone)</legend>
                ${view.slots.map(
                  (slot, index) =>
                    html`<label class="slot"
                      ><input type="radio" name="slot" value="${slot.start}" required ${index === 0 ? 'checked' : ''} /> ${slot.label}</label
                    >`,
                )}
              </fieldset>
              <label class="field" for="name">Your name</label>
              <input id="name" name="name" type="text" maxlength="200" autocomplete="name" />
              <label class="field" for="email">Your email (for the invitation)</label>
              <input id="email" name="email" type="email" maxlength="254" autocomplete="email" required />
              <label class="field" for="note">What would you like to cover? (optional)</label>
              <textarea id="note" name="note" rows="3" maxlength="2000"></textarea>
              <button type="submit">Book this time</button>
            </form>`
          : html`<p class="problem">No times are free in the next business days. Reply to your CSM's email and they will find one.</p>`
      }`,
  );
}

export function renderBookedPage(view: { customerName: string; slot: TrainingSlot; email: string }): string {
  return layout(
    'Training session booked',
    html`<h1>Booked</h1>
      <p class="notice" role="status">
        Your session is booked for <strong>${view.slot.label}</strong>. The invitation is on its way to ${view.email}.
      </p>`,
  );
}

export function renderLinkProblemPage(reason: 'expired' | 'invalid'): string {
  return layout(
    'This link cannot be used',
    html`<h1>This link cannot be used</h1>
      <p class="problem" role="alert">
        ${
          reason === 'expired'
            ? 'This booking link has expired. Ask your CSM for a new one, or reply to their email.'
            : 'This booking link is not valid. Please use the link from your email exactly as it was sent.'
        }
      </p>`,
  );
}
