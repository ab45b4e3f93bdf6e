import { LineCounter, parseDocument } from 'yaml';
import { SourceMap } from './language/yaml-source-map';
import { inspectDocument } from './limits';
import { Compilation } from './compilation';
import type { DocPath } from './language/diagnostic-category';

/** The parsed document, or none when its YAML is unusable (the reasons are in the compilation's diagnostics). */
export type ParsedDefinition = { compilation: Compilation; parsed: true; value: unknown } | { compilation: Compilation; parsed: false };

/**
 * YAML text -> its value and a source map for every later diagnostic. Nothing else is trustworthy without valid
 * YAML, so syntax, structure limits and duplicate keys are reported here and stop the compilation.
 */
export function parseDefinition(sourceText: string, fileName: string): ParsedDefinition {
  const lines = new LineCounter();
  // Duplicate keys are found by inspectDocument in one pass (the yaml library's own check is quadratic).
  const doc = parseDocument(sourceText, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const compilation = new Compilation(fileName, new SourceMap(doc, lines, sourceText));

  // As the rules file: Postgres stores no NUL (descriptions, task titles), so a definition holding one is refused here.
  const rawNul = sourceText.indexOf('\u0000');
  if (rawNul >= 0) {
    compilation.reportAt(rawNul, 'encoding', 'the file contains a NUL character');
    return { compilation, parsed: false };
  }

  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    for (const problem of yamlProblems) compilation.reportAt(problem.pos[0], 'yaml-syntax', `YAML: ${problem.message.split('\n')[0]}`);
    return { compilation, parsed: false };
  }
  const structure = inspectDocument(doc);
  if (structure.overLimit) {
    compilation.reportAt(structure.overLimit.offset, 'limit', structure.overLimit.message);
    return { compilation, parsed: false };
  }
  if (structure.duplicateKeys.length > 0) {
    for (const offset of structure.duplicateKeys) compilation.reportAt(offset, 'yaml-syntax', 'YAML: Map keys must be unique');
    return { compilation, parsed: false };
  }
  try {
    // A small alias budget: a definition has no business expanding into a "billion laughs".
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    // A NUL written as YAML's "\0" escape: reported at each string that holds one.
    for (const path of pathsOfNulStrings(value)) compilation.report(path, 'encoding', 'contains a NUL character (\\0), which cannot be stored');
    return compilation.diagnostics.length > 0 ? { compilation, parsed: false } : { compilation, parsed: true, value };
  } catch (error) {
    compilation.report([], 'yaml-syntax', `YAML: ${(error as Error).message}`);
    return { compilation, parsed: false };
  }
}

/** Where strings (keys included) hold a NUL; iterative, as the structure limits were already checked. */
function pathsOfNulStrings(value: unknown): DocPath[] {
  const found: DocPath[] = [];
  const stack: Array<{ value: unknown; path: DocPath }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) found.push(path);
    } else if (Array.isArray(current)) {
      current.forEach((inner, index) => stack.push({ value: inner, path: [...path, index] }));
    } else if (current !== null && typeof current === 'object') {
      for (const [key, inner] of Object.entries(current as Record<string, unknown>)) {
        if (key.includes('\u0000')) found.push([...path, key]);
        stack.push({ value: inner, path: [...path, key] });
      }
    }
  }
  return found;
}
