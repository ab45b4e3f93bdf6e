import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The source units, bottom to top: a unit imports only units below it (test/unit/folder-layering.test.ts). A unit is
 * a top-level folder or, where one folder holds two layers (the definition language below the step kinds, the
 * compiler above them), a sub-folder; a file belongs to the longest unit that contains it.
 */
export const LAYERS = [
  'definitions/language',
  'adoption/model',
  'db',
  'channels',
  'adoption',
  'steps',
  'definitions',
  'workflows',
  'client',
  'activities',
  'plugin',
  'worker',
  'testing',
  'web',
  'cli',
];

/** The top-level folders that hold the package's source, derived from the units. */
export const SOURCE_FOLDERS = [...new Set(LAYERS.map((unit) => unit.split('/')[0]))];

/** The non-test TypeScript files under `folder`, as absolute paths. */
export function sourceFilesIn(folder: string): string[] {
  const full = path.join(ROOT, folder);
  if (!fs.existsSync(full)) return [];
  return fs
    .readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every source file of the package, relative to the root with forward slashes. */
export function packageSourceFiles(): string[] {
  return SOURCE_FOLDERS.flatMap(sourceFilesIn).map((file) => path.relative(ROOT, file).split(path.sep).join('/'));
}
