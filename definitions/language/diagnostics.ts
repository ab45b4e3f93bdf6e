import type { DiagnosticCategory } from './diagnostic-category';

/**
 * A problem found in a YAML document we read (a workflow definition, the detection rules). Every diagnostic names the 1-based line and column of the YAML node it is about,
 * so an editor (or a human with `FILE:LINE:COLUMN`) lands on it. `category` is a stable string for tests and tools;
 * `message` is for people and may be reworded.
 */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  category: DiagnosticCategory;
  message: string;
  /** Where in the document, e.g. `steps[2].config.priority`. */
  path?: string;
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.message}`;
}

/** `['steps', 2, 'config', 'priority']` -> `steps[2].config.priority`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>(
    (text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text === '' ? segment : `${text}.${segment}`),
    '',
  );
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}
