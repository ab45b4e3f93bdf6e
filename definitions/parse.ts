import { LineCounter, parseDocument } from 'yaml';
import { SourceMap } from './language/yaml-source-map';
import { inspectDocument } from './limits';
import { Compilation } from './compilation';

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
    return { compilation, parsed: true, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    compilation.report([], 'yaml-syntax', `YAML: ${(error as Error).message}`);
    return { compilation, parsed: false };
  }
}
