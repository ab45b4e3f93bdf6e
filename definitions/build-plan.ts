import { isScalar } from 'yaml';
import { normaliseCondition } from './condition';
import { planDigest } from './digest';
import { parseDuration } from './language/duration';
import type { RetrySpec } from './language/types';
import type { SourceMap } from './language/yaml-source-map';
import type { Plan } from './plan';
import { stepKindOf, type PlanStep } from '../steps';
import type { RawDefinition, RawRetry } from './raw-definition';

/** A checked definition -> its plan: durations in seconds, conditions normalised, each kind's config normalised, a digest. */
export function buildPlan(raw: RawDefinition, map: SourceMap, sourceText: string, source: string): Plan {
  const steps = raw.steps.map((step, index): PlanStep => {
    const kind = stepKindOf(step.action);
    return {
      id: step.id,
      action: step.action,
      sourceLine: map.position(['steps', index]).line,
      ...(step.when === undefined ? {} : { when: normaliseCondition(step.when) }),
      ...(step.output === undefined ? {} : { output: step.output }),
      ...(step.retry === undefined ? {} : { retry: normaliseRetry(step.retry) }),
      ...(step.timeout === undefined ? {} : { timeoutSeconds: seconds(step.timeout) }),
      config: kind.normalise((step.config ?? {}) as never),
    } as PlanStep;
  });
  const withoutDigest = {
    name: raw.workflow,
    version: versionText(raw.version, map, sourceText),
    ...(raw.description === undefined ? {} : { description: raw.description }),
    trigger: { type: raw.trigger.type, filter: raw.trigger.filter ?? {} },
    steps,
  };
  return { ...withoutDigest, digest: planDigest(withoutDigest), source };
}

/** YAML reads `version: 1.0` as the number 1; the author wrote "1.0", and that is the version. */
function versionText(version: string | number, map: SourceMap, sourceText: string): string {
  if (typeof version === 'string') return version;
  const { node } = map.find(['version']);
  if (isScalar(node) && node.range) return sourceText.slice(node.range[0], node.range[1]).trim();
  return String(version);
}

function normaliseRetry(retry: RawRetry): RetrySpec {
  return {
    ...(retry.maximum_attempts === undefined ? {} : { maximumAttempts: retry.maximum_attempts }),
    ...(retry.initial_interval === undefined ? {} : { initialIntervalSeconds: seconds(retry.initial_interval) }),
    ...(retry.backoff_coefficient === undefined ? {} : { backoffCoefficient: retry.backoff_coefficient }),
    ...(retry.maximum_interval === undefined ? {} : { maximumIntervalSeconds: seconds(retry.maximum_interval) }),
  };
}

function seconds(duration: string | number): number {
  const result = parseDuration(duration);
  if ('error' in result) throw new Error(`unchecked duration reached normalisation: ${result.error}`);
  return result.seconds;
}
