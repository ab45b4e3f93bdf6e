import { checkCondition, conditionStrings, stringsIn } from './condition';
import type { DocPath } from './language/diagnostic-category';
import { parseDuration } from './language/duration';
import type { JsonValue } from './language/types';
import { ROOT_SCOPE_NAMES } from '../adoption/model/scope-shape';
import { OUTPUT_NAME_PATTERN, STEP_ID_PATTERN } from './schema';
import { stepKindOf } from '../steps';
import type { StepCheckContext } from '../steps/kind';
import type { Compilation } from './compilation';
import { isRawStep, type RawStep } from './raw-definition';
import { checkTemplates, stepsThatMayNotRun, type ReferenceScope } from './references';

/**
 * The semantic checks: unique step ids and output names, each step kind's own checks, references, conditions and
 * durations. `invalidSteps` failed the schema and are skipped, so one problem is not reported twice.
 */
export function checkSteps(compilation: Compilation, steps: RawStep[], invalidSteps: Set<number>): void {
  const ids = steps.map((step) => (isRawStep(step) && typeof step.id === 'string' ? step.id : ''));
  const firstIndex = new Map<string, number>();
  ids.forEach((id, index) => {
    if (id === '' || !new RegExp(STEP_ID_PATTERN).test(id)) return;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, index);
    else {
      const line = compilation.map.position(['steps', first]).line;
      compilation.report(['steps', index, 'id'], 'duplicate-id', `duplicate step id "${id}" (first used by the step at line ${line})`);
    }
  });

  const outputs = new Map<string, number>();
  steps.forEach((step, index) => {
    if (!isRawStep(step) || typeof step.output !== 'string' || !new RegExp(OUTPUT_NAME_PATTERN).test(step.output)) return;
    if (ROOT_SCOPE_NAMES.includes(step.output)) {
      compilation.report(
        ['steps', index, 'output'],
        'output-clash',
        `output name "${step.output}" is a built-in scope name; choose another (built-in: ${ROOT_SCOPE_NAMES.join(', ')})`,
      );
    } else if (outputs.has(step.output)) {
      const line = compilation.map.position(['steps', outputs.get(step.output)!]).line;
      compilation.report(['steps', index, 'output'], 'duplicate-output', `output name "${step.output}" is already bound by the step at line ${line}`);
    } else outputs.set(step.output, index);
  });

  const scope: ReferenceScope = { firstIndex, outputs, ids, map: compilation.map, mayNotRun: stepsThatMayNotRun(steps, firstIndex) };
  steps.forEach((step, index) => {
    if (invalidSteps.has(index) || !isRawStep(step)) return;
    checkStep(compilation, step, index, scope);
  });
}

function checkStep(compilation: Compilation, step: RawStep, index: number, scope: ReferenceScope): void {
  const kind = stepKindOf(step.action);
  const base: DocPath = ['steps', index];
  const config = (step.config ?? {}) as never;
  const context: StepCheckContext = {
    index,
    stepId: step.id,
    stepIds: scope.ids,
    indexOf: (id) => scope.firstIndex.get(id),
    report: (path, category, message, options) => compilation.report([...base, 'config', ...path], category, message, options),
  };
  kind.check?.(config, context);

  for (const site of stringsIn(config as JsonValue, [])) {
    const templated = typeof site.path[0] === 'string' && kind.templated.includes(site.path[0]);
    checkTemplates(compilation, [...base, 'config', ...site.path], site.text, templated, index, scope, `config.${String(site.path[0])}`);
  }

  if (step.when !== undefined) {
    checkCondition(step.when, [...base, 'when'], (path, category, message, options) => compilation.report(path, category, message, options));
    for (const site of conditionStrings(step.when, [...base, 'when'])) {
      checkTemplates(compilation, site.path, site.text, site.templated, index, scope, 'a condition operand');
    }
  }

  if (step.retry !== undefined) {
    for (const key of ['initial_interval', 'maximum_interval'] as const) {
      if (step.retry[key] === undefined) continue;
      const result = parseDuration(step.retry[key]);
      if ('error' in result) compilation.report([...base, 'retry', key], 'bad-duration', `retry.${key}: ${result.error}`);
    }
    const initial = parseDuration(step.retry.initial_interval);
    const maximum = parseDuration(step.retry.maximum_interval);
    if ('seconds' in initial && 'seconds' in maximum && maximum.seconds < initial.seconds) {
      compilation.report([...base, 'retry', 'maximum_interval'], 'bad-duration', 'retry.maximum_interval is shorter than retry.initial_interval');
    }
  }
  if (step.timeout !== undefined) {
    const result = parseDuration(step.timeout);
    if ('error' in result) compilation.report([...base, 'timeout'], 'bad-duration', `timeout: ${result.error}`);
  }
}
