/**
 * Definitions benchmark (issue 11, part 5): validate and compile 100 definitions with the package's
 * `compileDefinition` (YAML parse, JSON Schema, semantic checks, plan), milliseconds per definition.
 *
 * The 100 are variants of the shipped definition and of the PRD 4.4 fixture (each a different workflow name and
 * version; every fourth one with its steps repeated under new ids, so sizes vary), plus the invalid fixtures, which
 * take the diagnostics path. Timed cold (the first compile in the process: schema compilation and module warm-up)
 * and warm (the median of `--runs` rounds over all 100), next to the shipped definition alone.
 *
 *   npm run bench:definitions -- [--count 100] [--runs 5]
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileDefinition } from '../index';
import { fmt, machineLine, median, parseOptions, positiveInt, ratio, table } from './bench-support';

const USAGE = 'usage: npm run bench:definitions -- [--count 100] [--runs 5]';
const ROOT = path.resolve(__dirname, '..', '..', '..');

function variants(count: number): Array<{ name: string; text: string; kind: string }> {
  const shipped = fs.readFileSync(path.join(ROOT, 'definitions', 'feature_adoption_enablement.yaml'), 'utf8');
  const prd = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'definitions', 'prd-4.4.yaml'), 'utf8');
  const out: Array<{ name: string; text: string; kind: string }> = [];
  for (let i = 0; out.length < count; i += 1) {
    const base = i % 2 === 0 ? shipped : prd;
    let text = base.replace(/^workflow: .*$/m, `workflow: bench_definition_${i}`).replace(/^version: .*$/m, `version: "9.${i}"`);
    if (i % 4 === 3) {
      // A longer definition: the steps again, under new ids (references to earlier steps keep pointing at the first
      // copy, which stays valid).
      const steps = text.slice(text.indexOf('\nsteps:\n') + '\nsteps:\n'.length);
      text += `\n${steps.replace(/^(\s*- id: )(\S+)/gm, '$1$2_again')}`;
    }
    out.push({ name: `bench_${i}.yaml`, text, kind: `${i % 2 === 0 ? 'shipped' : 'PRD 4.4'}${i % 4 === 3 ? ', steps doubled' : ''}` });
  }
  return out;
}

function invalidFixtures(): Array<{ name: string; text: string }> {
  const dir = path.join(ROOT, 'test', 'fixtures', 'definitions', 'invalid');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ name: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

function main(): void {
  const raw = parseOptions(process.argv.slice(2), { count: '100', runs: '5' }, USAGE);
  const count = Math.max(1, positiveInt('count', raw.count));
  const runs = Math.max(1, positiveInt('runs', raw.runs));
  const defs = variants(count);
  const invalid = invalidFixtures();
  console.log(
    `definitions: ${defs.length} definitions (variants of the shipped one and of PRD 4.4), ${invalid.length} invalid fixtures, ${runs} warm rounds`,
  );
  console.log(`machine: ${machineLine()}\n`);

  const coldStart = performance.now();
  const first = compileDefinition(defs[0].text, defs[0].name);
  const coldMs = performance.now() - coldStart;
  if (!first.plan) throw new Error(`the first variant does not compile: ${JSON.stringify(first.diagnostics[0])}`);

  const failures: string[] = [];
  const rounds: number[] = [];
  const perDefinition: number[] = [];
  const byKind = new Map<string, number[]>();
  for (let round = 0; round < runs; round += 1) {
    const start = performance.now();
    for (const def of defs) {
      const t = performance.now();
      const result = compileDefinition(def.text, def.name);
      const ms = performance.now() - t;
      perDefinition.push(ms);
      if (!byKind.has(def.kind)) byKind.set(def.kind, []);
      byKind.get(def.kind)!.push(ms);
      if (round === 0 && !result.plan) failures.push(`${def.name}: ${result.diagnostics.map((d) => d.message).join('; ')}`);
    }
    rounds.push(performance.now() - start);
  }
  const invalidTimes: number[] = [];
  let diagnostics = 0;
  for (let round = 0; round < runs; round += 1) {
    for (const def of invalid) {
      const t = performance.now();
      const result = compileDefinition(def.text, def.name);
      invalidTimes.push(performance.now() - t);
      if (round === 0) diagnostics += result.diagnostics.length;
    }
  }
  const shippedOnly: number[] = [];
  for (let round = 0; round < runs * 10; round += 1) {
    const t = performance.now();
    compileDefinition(defs[0].text, defs[0].name);
    shippedOnly.push(performance.now() - t);
  }
  const perDef = median(rounds) / defs.length;
  console.log(
    table(
      ['what', 'definitions', 'ms total', 'ms per definition', 'vs shipped alone'],
      [
        ['cold: first compile in the process', 1, fmt(coldMs, 1), fmt(coldMs, 2), ratio(coldMs / median(shippedOnly))],
        [
          `warm: all ${defs.length}, median of ${runs} rounds`,
          defs.length,
          fmt(median(rounds), 1),
          fmt(perDef, 2),
          ratio(perDef / median(shippedOnly)),
        ],
        ['warm: slowest single definition', 1, '-', fmt(Math.max(...perDefinition), 2), ratio(Math.max(...perDefinition) / median(shippedOnly))],
        ['warm: the shipped definition alone', 1, '-', fmt(median(shippedOnly), 2), '1.00x'],
        ...[...byKind].map(([kind, times]) => [
          `warm: ${kind} variants (median)`,
          times.length / runs,
          '-',
          fmt(median(times), 2),
          ratio(median(times) / median(shippedOnly)),
        ]),
        [
          `invalid fixtures (${diagnostics} diagnostics)`,
          invalid.length,
          '-',
          fmt(median(invalidTimes), 2),
          ratio(median(invalidTimes) / median(shippedOnly)),
        ],
      ],
    ),
  );
  if (failures.length > 0) console.log(`\n   ${failures.length} variants did not compile, e.g. ${failures[0]}`);
  else console.log(`\n   all ${defs.length} compiled to plans; ${fmt(1000 / perDef)} definitions per second warm`);
}

if (require.main === module) main();
