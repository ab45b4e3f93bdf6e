import { ROOT_SCOPE, ROOT_SCOPE_NAMES, type ScopeShape } from '../adoption/model/scope-shape';
import type { DocPath } from './language/diagnostic-category';
import { scanTemplate } from './language/template';
import type { SourceMap } from './language/yaml-source-map';
import type { Compilation } from './compilation';
import { isMap, isRawStep, type RawStep } from './raw-definition';

/**
 * Steps that a run may skip: those with a `when`, and those a `wait_for_signal`'s `on_timeout: {goto}` jumps over.
 * A later reference to their results resolves to nothing when they were skipped, so the compiler asks for a default
 * (`{{ steps.x.y ?? "..." }}`) rather than letting the run find out. Each entry says why, and for a jumped-over step
 * which jump, since steps skipped by the same jump either all run or none does.
 */
export interface MayNotRun {
  reason: string;
  jumpedBy?: number;
}

export function stepsThatMayNotRun(steps: RawStep[], firstIndex: Map<string, number>): Map<number, MayNotRun[]> {
  const found = new Map<number, MayNotRun[]>();
  const add = (index: number, entry: MayNotRun) => found.set(index, [...(found.get(index) ?? []), entry]);
  steps.forEach((step, index) => {
    if (!isRawStep(step)) return;
    if (step.when !== undefined) add(index, { reason: 'it has a `when`' });
    const config = step.action === 'wait_for_signal' && isMap(step.config) ? step.config : undefined;
    const branch = config && isMap(config.on_timeout) ? config.on_timeout : undefined;
    const target = branch && typeof branch.goto === 'string' ? firstIndex.get(branch.goto) : undefined;
    if (target === undefined || target <= index) return;
    for (let skipped = index + 1; skipped < target; skipped += 1) {
      add(skipped, { reason: `step "${String(step.id)}" jumps over it on timeout`, jumpedBy: index });
    }
  });
  return found;
}

/** What a reference can point at from a given step: earlier steps and outputs, and why some of them may not have run. */
export interface ReferenceScope {
  /** Why a step may be skipped at run time, by position (see stepsThatMayNotRun). */
  mayNotRun: Map<number, MayNotRun[]>;
  /** Step id -> index of the first step with it. */
  firstIndex: Map<string, number>;
  /** `output:` name -> index of the step binding it. */
  outputs: Map<string, number>;
  ids: string[];
  map: SourceMap;
}

/** Reports every `{{...}}` in one string that is malformed, not allowed there, or points at nothing that exists yet. */
export function checkTemplates(
  compilation: Compilation,
  path: DocPath,
  text: string,
  templated: boolean,
  index: number,
  scope: ReferenceScope,
  where: string,
): void {
  for (const token of scanTemplate(text)) {
    const shown = text.slice(token.offset, token.offset + token.length);
    if (!templated) {
      compilation.report(path, 'template-not-allowed', `${shown}: references are not resolved in ${where}; write a literal value`, {
        valueOffset: token.offset,
      });
      return;
    }
    if (token.error !== undefined) {
      compilation.report(path, 'bad-reference', `malformed reference ${shown}: it ${token.error}`, { valueOffset: token.offset });
      continue;
    }
    const problem = checkReference(token.path, index, scope, token.fallback !== undefined);
    if (problem)
      compilation.report(path, problem.category, `${REFERENCE_PROBLEM[problem.category]} {{${token.path}}}: ${problem.message}`, {
        valueOffset: token.offset,
      });
  }
}

const REFERENCE_PROBLEM = {
  'unknown-reference': 'unknown reference',
  'forward-reference': 'forward reference',
  'maybe-skipped-reference': 'reference without a default',
} as const;

/** A reference from step `index` to the result of step `target`, which may not have run: needs a default. */
function mayBeSkipped(
  target: number,
  index: number,
  scope: Pick<ReferenceScope, 'mayNotRun' | 'ids'>,
  hasDefault: boolean,
): { category: 'maybe-skipped-reference'; message: string } | undefined {
  if (hasDefault) return undefined;
  const referrerJumps = new Set((scope.mayNotRun.get(index) ?? []).map((entry) => entry.jumpedBy).filter((at) => at !== undefined));
  const reasons = (scope.mayNotRun.get(target) ?? []).filter((entry) => entry.jumpedBy === undefined || !referrerJumps.has(entry.jumpedBy));
  if (reasons.length === 0) return undefined;
  return {
    category: 'maybe-skipped-reference',
    message: `step "${scope.ids[target]}" may not run (${reasons.map((entry) => entry.reason).join('; ')}); give the reference a default, e.g. {{ ... ?? null }}`,
  };
}

/** Checks one reference against what exists when step `index` runs (see adoption/model/scope-shape.ts). */
function checkReference(
  reference: string,
  index: number,
  scope: Pick<ReferenceScope, 'firstIndex' | 'outputs' | 'ids' | 'map' | 'mayNotRun'>,
  hasDefault = false,
): { category: keyof typeof REFERENCE_PROBLEM; message: string } | undefined {
  const [root, ...rest] = reference.split('.');
  const earlierSteps = scope.ids.slice(0, index).filter((id) => id !== '');
  const lineOf = (stepIndex: number) => scope.map.position(['steps', stepIndex]).line;

  if (root === 'steps') {
    if (rest.length === 0) return undefined;
    const target = scope.firstIndex.get(rest[0]);
    if (target === undefined) {
      return { category: 'unknown-reference', message: `there is no step "${rest[0]}"${suggestion(rest[0], earlierSteps)}` };
    }
    if (target === index) return { category: 'forward-reference', message: `a step cannot use its own result` };
    if (target > index) {
      return {
        category: 'forward-reference',
        message: `step "${rest[0]}" runs later (line ${lineOf(target)}); only earlier steps' results exist here`,
      };
    }
    return mayBeSkipped(target, index, scope, hasDefault);
  }

  const shape: ScopeShape | undefined = Object.prototype.hasOwnProperty.call(ROOT_SCOPE, root) ? ROOT_SCOPE[root] : undefined;
  if (!shape) {
    const bound = scope.outputs.get(root);
    if (bound === undefined) {
      const earlierOutputs = [...scope.outputs].filter(([, at]) => at < index).map(([name]) => name);
      const known = [...ROOT_SCOPE_NAMES, ...earlierOutputs];
      return { category: 'unknown-reference', message: `"${root}" is not in scope${suggestion(root, known)} (known: ${known.join(', ')})` };
    }
    if (bound === index) return { category: 'forward-reference', message: `"${root}" is this step's own output` };
    if (bound > index) {
      return { category: 'forward-reference', message: `"${root}" is the output of a later step (line ${lineOf(bound)})` };
    }
    return mayBeSkipped(bound, index, scope, hasDefault);
  }

  let current = shape;
  let walked = root;
  for (const segment of rest) {
    if (current.kind === 'array' || current.kind === 'free') return undefined;
    if (current.kind === 'value') return { category: 'unknown-reference', message: `${walked} is a single value; it has no field "${segment}"` };
    const next: ScopeShape | undefined = Object.prototype.hasOwnProperty.call(current.fields, segment) ? current.fields[segment] : undefined;
    if (!next) {
      const fields = Object.keys(current.fields);
      return {
        category: 'unknown-reference',
        message: `${walked} has no field "${segment}"${suggestion(segment, fields)} (fields: ${fields.join(', ')})`,
      };
    }
    current = next;
    walked = `${walked}.${segment}`;
  }
  return undefined;
}

function suggestion(name: string, candidates: string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? `; did you mean "${best}"?` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
