import type { OpenBooking } from '../../adoption/bookings';
import { SESSION_MINUTES, type TrainingSlot } from '../../adoption/training-slots';
import { html, htmlDocument, type SafeHtml } from './html';

/**
 * The champion's booking page: the sessions the CSM can give, as radio buttons in a plain
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

/** What the page shows of an open booking. */
export function bookingPageView(booking: OpenBooking): BookingPageView {
  return {
    customerName: booking.customer.name,
    csmName: booking.customer.csmName,
    featureNames: booking.features.map((feature) => feature.featureName),
    slots: booking.slots,
    selfServe: booking.claims.workflowId === null,
  };
}

function layout(title: string, body: SafeHtml): string {
  return htmlDocument(title, 'public', body);
}

export function renderBookingPage(view: BookingPageView, problem?: string): string {
  const topic = view.featureNames.length ? view.featureNames.join(', ') : 'the product';
  const with_ = view.csmName ? ` with ${view.csmName}` : '';
  return layout(
    `Book a training session: ${view.customerName}`,
    html`<h1>Book a ${SESSION_MINUTES}-minute session${with_}</h1>
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

/** A link that already booked its one session (docs/api.md): nothing more to book from it. */
export function renderLinkUsedPage(): string {
  return layout(
    'This link was already used',
    html`<h1>This link was already used</h1>
      <p class="problem" role="alert">
        A session was already booked with this link, and each link books one. The invitation went to the email given then;
        to book another session, ask your CSM for a new link.
      </p>`,
  );
}
