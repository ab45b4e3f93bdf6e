import type { TrainingResource } from './run-facts';
import type { JsonValue } from '../../definitions/language/types';

type JsonObject = { [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Resources as the definition handed them over: a list of resources, a query_database result over feature_catalog,
 * or its rows. Null when nothing usable is in there, so callers fall back to the run's own resources.
 */
export function normaliseResources(value: JsonValue | undefined): TrainingResource[] | null {
  if (value === undefined || value === null) return null;
  const items: JsonObject[] = [];
  const collect = (entry: JsonValue) => {
    if (Array.isArray(entry)) entry.forEach(collect);
    else if (isObject(entry)) {
      if (Array.isArray(entry.rows)) entry.rows.forEach(collect);
      else if (Array.isArray(entry.training_resources)) entry.training_resources.forEach(collect);
      else if (typeof entry.url === 'string' && typeof entry.title === 'string') items.push(entry);
    }
  };
  collect(value);
  if (!items.length) return null;
  return dedupeResources(items as unknown as TrainingResource[]);
}

/** Catalog `training_resources` as stored (JSONB), keeping only entries with a title and a URL. */
export function catalogResources(value: unknown): TrainingResource[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is TrainingResource =>
      typeof item === 'object' &&
      item !== null &&
      typeof (item as TrainingResource).title === 'string' &&
      typeof (item as TrainingResource).url === 'string',
  );
}

export function dedupeResources(resources: TrainingResource[]): TrainingResource[] {
  const seen = new Set<string>();
  return resources.filter((resource) => (seen.has(resource.url) ? false : (seen.add(resource.url), true)));
}

/** The kind of a catalog resource in words: video, guide, live training, resource. */
export function resourceKind(resource: TrainingResource): 'video' | 'guide' | 'live training' | 'resource' {
  const type = (resource.type ?? '').toLowerCase();
  if (type === 'video') return 'video';
  if (type === 'webinar' || type === 'live_training' || type === 'training') return 'live training';
  if (type === 'documentation' || type === 'doc' || type === 'docs' || type === 'guide') return 'guide';
  return 'resource';
}

export type ResourceLevel = 'beginner' | 'advanced';

/** The catalog's `level`, else what the title says ("Advanced ...", "Getting started ..."); null when neither says. */
export function resourceLevel(resource: TrainingResource): ResourceLevel | null {
  const level = (resource.level ?? '').toLowerCase();
  if (/^(beginner|basic|intro|introductory|getting.started)/.test(level)) return 'beginner';
  if (/^(advanced|expert|intermediate)/.test(level)) return 'advanced';
  if (/\badvanced\b|\bexpert\b|\bdeep.dive\b/i.test(resource.title)) return 'advanced';
  if (/getting started|\bintro|\bbasics\b|\boverview\b|quick.?start|\bin \d+ minutes\b/i.test(resource.title)) return 'beginner';
  return null;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The earliest dated session of a resource (`next_session` and `sessions`) strictly after `now`; null when none. */
export function upcomingSession(resource: TrainingResource, now: Date): string | null {
  const dates = [resource.next_session, ...(Array.isArray(resource.sessions) ? resource.sessions : [])];
  let best: number | null = null;
  for (const date of dates) {
    if (typeof date !== 'string' || !ISO_INSTANT.test(date.trim())) continue;
    const at = Date.parse(date.trim());
    if (Number.isFinite(at) && at > now.getTime() && (best === null || at < best)) best = at;
  }
  return best === null ? null : new Date(best).toISOString();
}

/**
 * What a stalled feature most likely needs, from its stage and the stall rule that fired: never started ->
 * a short beginner video to get going; started but stuck -> a beginner guide to finish the set-up; engaged but not
 * deep -> advanced material and a live session. A `past_expected_timeline` stall favours short resources.
 */
export interface StallFacts {
  stage: string;
  rule?: string | null;
}

function wantedLevel(stage: string): ResourceLevel {
  return stage === 'engaged' ? 'advanced' : 'beginner';
}

function causeKind(stage: string): 'video' | 'guide' | 'live training' {
  if (stage === 'not_started') return 'video';
  if (stage === 'engaged') return 'live training';
  return 'guide';
}

function score(resource: TrainingResource, stall: StallFacts): number {
  const level = resourceLevel(resource);
  const wanted = wantedLevel(stall.stage);
  let points = level === wanted ? 4 : level === null ? 2 : 0;
  if (resourceKind(resource) === causeKind(stall.stage)) points += 2;
  const short = typeof resource.duration_minutes === 'number' && resource.duration_minutes <= 15;
  if (short && (stall.rule ?? '').includes('past_expected_timeline')) points += 1;
  return points;
}

/**
 * The resources to recommend for one stalled feature, best first: ranked by stage and likely cause, without
 * the ones this customer already received, clicked or completed (`alreadyHad`, by URL), and without live trainings
 * that have no session in the future. A live training keeps only its next future session as `next_session`, so a
 * past date is never shown. Ties keep the catalog's order.
 */
export function rankResources(
  resources: readonly TrainingResource[],
  stall: StallFacts,
  alreadyHad: ReadonlySet<string>,
  now: Date,
): TrainingResource[] {
  const offered: Array<{ resource: TrainingResource; points: number; index: number }> = [];
  dedupeResources([...resources]).forEach((resource, index) => {
    if (alreadyHad.has(resource.url)) return;
    const next = upcomingSession(resource, now);
    const dated = resource.next_session !== undefined || (Array.isArray(resource.sessions) && resource.sessions.length > 0);
    if (resourceKind(resource) === 'live training' && dated && !next) return;
    const { sessions: _sessions, next_session: _next, ...rest } = resource;
    const shown: TrainingResource = next ? { ...rest, next_session: next } : rest;
    offered.push({ resource: shown, points: score(resource, stall), index });
  });
  return offered.sort((a, b) => b.points - a.points || a.index - b.index).map((entry) => entry.resource);
}
