/**
 * Rules of the playbook that more than one part of the package applies, each defined once. Pure constants: the
 * workflow bundle imports this file (the interpreter's cooldown check), so it must stay free of I/O.
 */

/**
 * FR-2.4: no second signal for a customer-feature within this many days of a signal or an intervention, and an
 * enablement run leaves out a feature with an intervention this recent ("Already intervened", PRD 7.1).
 */
export const COOLDOWN_DAYS = 30;

/**
 * Length of the training session the champion is offered: the enablement email's "quick 20-minute walkthrough", the
 * booking page's slots, the calendar invitation and the CSM's recommendations all say this one number.
 */
export const SESSION_MINUTES = 20;
