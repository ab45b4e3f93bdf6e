import fs from 'node:fs';
import path from 'node:path';
import { LAYERS, ROOT, sourceFilesIn } from '../support/source-layout';

/**
 * The source folders depend downwards only, in this order, type imports included: no folder imports another in a
 * circle, and the pure layers (the definition language, the domain model, steps' definitions and executors,
 * workflows) never reach up into what does I/O. The units and their order: test/support/source-layout.ts.
 */
function unitOf(file: string): string | undefined {
  const relative = path.relative(ROOT, file).split(path.sep).join('/');
  return LAYERS.filter((unit) => relative.startsWith(`${unit}/`)).sort((a, b) => b.length - a.length)[0];
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
    for (const file of sourceFilesIn(unit).filter((candidate) => unitOf(candidate) === unit)) {
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
    .filter((name) => sourceFilesIn(name).length > 0);
  expect(folders.filter((name) => !LAYERS.includes(name))).toEqual([]);
});
