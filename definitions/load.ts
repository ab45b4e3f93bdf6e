import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';
import { formatDiagnostic } from './language/diagnostics';
import type { Plan } from './plan';
import { decodeDefinition, DEFINITION_LIMITS } from './limits';
import { fileProblem, type CompileResult } from './compilation';
import { compileDefinition } from './compile-definition';

/** The folder of the definitions the package ships. */
export function shippedDefinitionsDir(): string {
  return path.join(packageRoot(), 'definitions');
}

export interface LoadedDefinition extends CompileResult {
  /** The path as given (diagnostics use it too). */
  file: string;
}

export function loadDefinitionFile(filePath: string): LoadedDefinition {
  let bytes: Buffer;
  try {
    // The size is checked before reading, so an oversized file is never loaded into memory.
    const size = fs.statSync(filePath).size;
    if (size > DEFINITION_LIMITS.maxBytes) {
      return {
        file: filePath,
        ...fileProblem(filePath, 'limit', `the definition is larger than ${DEFINITION_LIMITS.maxBytes / 1024} KiB (${size} bytes)`),
      };
    }
    bytes = fs.readFileSync(filePath);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { file: filePath, ...fileProblem(filePath, 'io', `cannot read: ${reason}`) };
  }
  const decoded = decodeDefinition(bytes);
  if (!decoded.ok) return { file: filePath, ...fileProblem(filePath, 'encoding', decoded.message, decoded.line, decoded.column) };
  return { file: filePath, ...compileDefinition(decoded.text, filePath, { source: planSource(filePath) }) };
}

/** Relative to the shipped definitions folder when the file is in it, else to the working directory when below it. */
function planSource(filePath: string): string {
  const absolute = path.resolve(filePath);
  for (const base of [shippedDefinitionsDir(), process.cwd()]) {
    const relative = path.relative(base, absolute);
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
  }
  return absolute;
}

function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}

/** Every `*.yaml` / `*.yml` in `dir` (not below it), compiled, in file-name order. */
export function loadShippedDefinitions(dir = shippedDefinitionsDir()): LoadedDefinition[] {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
    : [];
  return files.map((name) => loadDefinitionFile(displayPath(path.join(dir, name))));
}

/** The shipped plans, or an Error listing every problem: for the worker and client, which cannot run on a bad one. */
export function loadShippedPlans(dir = shippedDefinitionsDir()): Plan[] {
  const loaded = loadShippedDefinitions(dir);
  const problems = loaded.flatMap((definition) => definition.diagnostics);
  if (problems.length > 0) throw new Error(`invalid workflow definitions:\n${problems.map(formatDiagnostic).join('\n')}`);
  return loaded.map((definition) => definition.plan!);
}
