import { dedupeResources, normaliseResources, resourceKind, upcomingSession } from '../../../adoption/model/resources';
import { escapeMrkdwn, shortenSlackText } from '../../../channels/slack-text';
import type { JsonValue } from '../../../definitions/language/types';
import { stageLabel as plainStageLabel } from '../../../adoption/model/labels';
import type { TrainingResource } from '../../../adoption/model/run-facts';
import type { RunFacts } from '../../../adoption/model/run-facts';

/**
 * Shared pieces of the Slack renderers. Everything here is pure (no I/O, no clock) so the renderers are unit-tested
 * as plain functions and the activity only adds delivery.
 */

/** A Block Kit block as plain JSON: it is stored in the outbox and travels through Temporal history. */
export type SlackBlock = { [key: string]: JsonValue };

export interface SlackMessage {
  /** Plain-text fallback: notifications, screen readers, clients without Block Kit. */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackRenderInput {
  workflowId: string;
  input: RunFacts;
  scope: Record<string, JsonValue>;
  params: Record<string, JsonValue>;
  includeResources: boolean;
  /** The customer's adoption page (PUBLIC_BASE_URL), linked from the alert; absent when no base URL is configured. */
  adoptionPageUrl?: string | null;
  /** The usage score the configured rules call "adopted" (`stages.adopted_from`); the PRD's 60 when absent. */
  adoptedFrom?: number;
}

/** A template that cannot be rendered from what the run holds: a definition error, not a transient one. */
export class SlackTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlackTemplateError';
  }
}

/** A stage label as Slack mrkdwn: an unknown stage id is shown from its text, which must not format. */
export function stageLabel(stage: string): string {
  return escapeMrkdwn(plainStageLabel(stage));
}

/** Cut to a Slack limit between graphemes, never inside an entity or a link (channels/slack-text.ts). */
export function truncate(text: string, max: number): string {
  return shortenSlackText(text, max);
}

type JsonObject = { [key: string]: JsonValue };
const isObject = (value: JsonValue | undefined): value is JsonObject => !!value && typeof value === 'object' && !Array.isArray(value);

/**
 * Finds the most recent step result matching `test`: `scope.steps` newest first (steps are recorded in run order),
 * then named outputs at the top level of the scope.
 */
export function findInScope(scope: Record<string, JsonValue>, test: (value: JsonObject) => boolean): JsonObject | null {
  const steps = scope.steps;
  if (isObject(steps)) {
    for (const value of Object.values(steps).reverse()) if (isObject(value) && test(value)) return value;
  }
  for (const [key, value] of Object.entries(scope)) if (key !== 'steps' && isObject(value) && test(value)) return value;
  return null;
}

/** The run's resources: the definition's `params.resources` when usable, else every feature's catalog resources. */
export function runResources(params: Record<string, JsonValue>, input: SlackRenderInput['input']): TrainingResource[] {
  const resources = normaliseResources(params.resources) ?? dedupeResources(input.features.flatMap((feature) => feature.resources ?? []));
  // A live training is offered only with a session after the signal was detected (never a past date).
  const detected = new Date(input.signal.detectedAt);
  if (Number.isNaN(detected.getTime())) return resources;
  return resources.filter((resource) => resourceKind(resource) !== 'live training' || !resource.next_session || upcomingSession(resource, detected));
}

export function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } };
}
