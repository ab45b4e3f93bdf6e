import type { RunFacts } from '../adoption/model/run-facts';

/**
 * The signals a run can wait on, their payloads, and how a waiting step treats each: the one table both `wait`
 * (with `until_signal`) and `wait_for_signal` read, so the two can never disagree on what "arrived" means.
 *
 * Consumption: `wait_for_signal` takes what it waited for (the oldest email decision leaves the inbox, so the next
 * `wait_for_signal: emailDecision` waits for a new one); `wait` with `until_signal` only ends its timer early and
 * consumes nothing, so a later step still sees the decision. `recovered` reports are never consumed: they are facts
 * about features that stay true for the rest of the run (the follow-up's measurement reads them).
 *
 * The signal definitions themselves (names, validators, the `state` query) are the run's message contract in
 * workflows/messages.ts.
 */

/** Payload of the `emailDecision` signal: the CSM's answer to the email approval. */
export interface EmailDecision {
  decision: EmailDecisionKind;
  by: string;
  subject?: string;
  body?: string;
  reason?: string;
}

export const EMAIL_DECISIONS = ['approve', 'edit', 'reject'] as const;
export type EmailDecisionKind = (typeof EMAIL_DECISIONS)[number];

/** Payload of the `recovered` signal: a feature's usage resumed (sent by detection, the CLI or the API). */
export interface RecoveredSignal {
  featureId: string;
  detectedAt: string;
}

export interface SignalInbox {
  /** Decisions not yet taken by a `wait_for_signal`, oldest first. */
  emailDecisions: EmailDecision[];
  /** One report per feature, first report kept. */
  recovered: RecoveredSignal[];
}

interface SignalWait {
  /** True when what the step waits for is in the inbox. */
  arrived(inbox: SignalInbox, facts: RunFacts): boolean;
  /** What `wait_for_signal` hands on as its payload, taking it out of the inbox where that signal is consumed. */
  take(inbox: SignalInbox): EmailDecision | RecoveredSignal[];
}

/** The signals a step can wait on, by the name the run's signal definition carries (workflows/messages.ts). */
export const SIGNAL_WAITS = {
  emailDecision: {
    arrived: (inbox) => inbox.emailDecisions.length > 0,
    take: (inbox) => inbox.emailDecisions.shift()!,
  },
  recovered: {
    arrived: (inbox, facts) => allFeaturesRecovered(inbox, facts),
    take: (inbox) => inbox.recovered,
  },
} as const satisfies Record<string, SignalWait>;

export type SignalName = keyof typeof SIGNAL_WAITS;
export const SIGNAL_NAMES = Object.keys(SIGNAL_WAITS) as SignalName[];

/** A run's inbox before anything arrived. */
export function emptyInbox(): SignalInbox {
  return { emailDecisions: [], recovered: [] };
}

/** True once every feature of the run has been reported recovered (usage resumed) by a `recovered` signal. */
export function allFeaturesRecovered(inbox: SignalInbox, facts: RunFacts): boolean {
  const recovered = new Set(inbox.recovered.map((signal) => signal.featureId));
  return facts.features.length > 0 && facts.features.every((feature) => recovered.has(feature.featureId));
}
