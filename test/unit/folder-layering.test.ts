import fs from 'node:fs';
import path from 'node:path';

/**
 * The top-level folders depend downwards only, in this order, type imports included: no folder imports another in a
 * circle, and the pure layers (core, steps' definitions and executors, workflows) never reach up into what does I/O.
 */
const LAYERS = [
  'db',
  'core',
  'adoption',
  'adapters',
  'steps',
  'definitions',
  'workflows',
  'temporal',
  'activities',
  'plugin',
  'worker',
  'testing',
  'api',
  'client',
];
const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(folder: string): string[] {
  const full = path.join(ROOT, folder);
  if (!fs.existsSync(full)) return [];
  return fs
    .readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function importsOf(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|require\(\s*'(\.[^']+)'\s*\)/g)].map(
    (match) => match[1] ?? match[2],
  );
}

/** "from -> to (file)" for every import that points at a folder at or above its own layer. */
function upwardImports(): string[] {
  const problems: string[] = [];
  for (const [rank, folder] of LAYERS.entries()) {
    for (const file of sourceFiles(folder)) {
      for (const specifier of importsOf(file)) {
        const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier)).split(path.sep)[0];
        const targetRank = LAYERS.indexOf(target);
        if (target !== folder && targetRank >= rank) problems.push(`${folder} -> ${target} (${path.relative(ROOT, file)})`);
      }
    }
  }
  return problems;
}

it('every folder imports only folders below it', () => {
  expect(upwardImports()).toEqual([]);
});

it('every top-level source folder is placed in the order', () => {
  const folders = fs
    .readdirSync(ROOT, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        !entry.name.startsWith('.') &&
        !['node_modules', 'dist', 'test', 'bench', 'scripts', 'examples', 'docs'].includes(entry.name),
    )
    .map((entry) => entry.name)
    .filter((name) => sourceFiles(name).length > 0);
  expect(folders.filter((name) => !LAYERS.includes(name))).toEqual([]);
});
