import fs from 'node:fs';
import path from 'node:path';

/**
 * The source folders depend downwards only, in this order, type imports included: no folder imports another in a
 * circle, and the pure layers (the definition language, the domain model, steps' definitions and executors,
 * workflows) never reach up into what does I/O. A unit is a top-level folder or, where one folder holds two layers
 * (the definition language below the step kinds, the compiler above them), a sub-folder; a file belongs to the
 * longest unit that contains it.
 */
const LAYERS = [
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
const ROOT = path.resolve(__dirname, '..', '..');

function unitOf(file: string): string | undefined {
  const relative = path.relative(ROOT, file).split(path.sep).join('/');
  return LAYERS.filter((unit) => relative.startsWith(`${unit}/`)).sort((a, b) => b.length - a.length)[0];
}

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

/** "from -> to (file)" for every import that points at a unit at or above its own layer. */
function upwardImports(): string[] {
  const problems: string[] = [];
  for (const [rank, unit] of LAYERS.entries()) {
    for (const file of sourceFiles(unit).filter((candidate) => unitOf(candidate) === unit)) {
      for (const specifier of importsOf(file)) {
        const target = unitOf(path.resolve(path.dirname(file), specifier));
        if (target === undefined || target === unit) continue;
        if (LAYERS.indexOf(target) >= rank) problems.push(`${unit} -> ${target} (${path.relative(ROOT, file)})`);
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
