/**
 * Where the compiler's `query_database` check finds the statement check (statement-parser.ts installs it when
 * loaded). The parser is WebAssembly loaded from disk, which the workflow bundle (it holds this kind's definition)
 * must not contain, so the definition reaches it through this slot instead of an import.
 */
export interface StatementCheckProblem {
  /** UTF-16 offset in the checked statement. */
  offset: number;
  category: 'sql-syntax' | 'sql-not-select' | 'sql-multiple-statements' | 'sql-not-allowed';
  message: string;
}

export type StatementCheck = (sql: string) => StatementCheckProblem | undefined;

let installed: StatementCheck | undefined;

export function installStatementCheck(check: StatementCheck): void {
  installed = check;
}

export function installedStatementCheck(): StatementCheck | undefined {
  return installed;
}
