import { compareDiagnostics, formatPath, type Diagnostic } from './language/diagnostics';
import type { DiagnosticCategory, DocPath } from './language/diagnostic-category';
import type { Plan } from './plan';
import { DEFINITION_LIMITS } from './limits';
import type { SourceMap } from './language/yaml-source-map';

/** A plan, only when there are no diagnostics; each diagnostic at the line and column of the node it is about. */
export interface CompileResult {
  plan?: Plan;
  diagnostics: Diagnostic[];
}

export type ReportOptions = { key?: boolean; valueOffset?: number };

/** The diagnostics of one file, placed through its source map, bounded in number. */
export class Compilation {
  readonly diagnostics: Diagnostic[] = [];
  /** Diagnostics past DEFINITION_LIMITS.maxDiagnostics: counted, not listed. */
  left = 0;

  constructor(
    readonly file: string,
    readonly map: SourceMap,
  ) {}

  report(path: DocPath, category: DiagnosticCategory, message: string, options: ReportOptions = {}): void {
    if (this.full()) return;
    const { line, column } = this.map.position(path, options);
    this.diagnostics.push({ file: this.file, line, column, category, message, path: formatPath(path) || undefined });
  }

  reportAt(offset: number, category: DiagnosticCategory, message: string): void {
    if (this.full()) return;
    const { line, column } = this.map.at(offset);
    this.diagnostics.push({ file: this.file, line, column, category, message });
  }

  /** True (and counts the problem) once maxDiagnostics are listed: a hostile file cannot make the list unbounded. */
  private full(): boolean {
    if (this.diagnostics.length < DEFINITION_LIMITS.maxDiagnostics) return false;
    this.left += 1;
    return true;
  }

  /** The diagnostics, sorted, plus one saying how many were left out. */
  sorted(): Diagnostic[] {
    const sorted = this.diagnostics.sort(compareDiagnostics);
    if (this.left === 0) return sorted;
    const last = sorted[sorted.length - 1];
    return [
      ...sorted,
      {
        file: this.file,
        line: last.line,
        column: last.column,
        category: 'limit',
        message: `${this.left} more problem${this.left === 1 ? '' : 's'} not listed (at most ${DEFINITION_LIMITS.maxDiagnostics} are)`,
      },
    ];
  }
}

/** One diagnostic at 1:1 for a whole-file problem found before parsing. */
export function fileProblem(file: string, category: DiagnosticCategory, message: string, line = 1, column = 1): CompileResult {
  return { diagnostics: [{ file, line, column, category, message }] };
}
