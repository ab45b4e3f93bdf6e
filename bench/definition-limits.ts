/**
 * Definition limits benchmark (issue 8, part 5): how long `compileDefinition` / `loadDefinitionFile` take on hostile
 * definitions: a step config with N keys (unknown keys, so every one is a diagnostic), a 1 MB file, a file over the
 * size limit, and a valid definition just under the limits. Prints milliseconds and the per-key cost, so linear
 * growth shows as a flat "µs per key" column. Figures are printed, never asserted.
 *
 *   npx tsc -p bench/tsconfig.definition-limits.json && node .tools/bench-definition-limits/bench/definition-limits.js
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileDefinition, loadDefinitionFile } from '../definitions/compile';

const HEAD = `workflow: limits_bench
version: "1.0"
trigger: { type: risk_signal_created }
steps:
  - id: alert
    action: slack_dm
    config:
      message_template: adoption_stalled_alert
`;

/** A definition whose one step config has `keys` extra keys (all unknown: each one a diagnostic). */
function manyKeys(keys: number): string {
  const lines: string[] = [HEAD];
  for (let i = 0; i < keys; i += 1) lines.push(`      k${i}: v\n`);
  return lines.join('');
}

/** A valid definition with `steps` steps (each four keys): a large file that is under the limits. */
function manySteps(steps: number): string {
  const lines: string[] = [HEAD.replace(/ {2}- id: alert[\s\S]*$/, '')];
  for (let i = 0; i < steps; i += 1) lines.push(`  - id: wait_${i}\n    action: wait\n    config:\n      duration: 1h\n`);
  return lines.join('');
}

function time(label: string, text: string, work: () => { diagnostics: unknown[] }, keys?: number): string[] {
  const started = performance.now();
  const result = work();
  const ms = performance.now() - started;
  return [
    label,
    `${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`,
    ms.toFixed(1),
    keys ? ((ms * 1000) / keys).toFixed(1) : '',
    String(result.diagnostics.length),
    String((result.diagnostics[0] as { message?: string } | undefined)?.message ?? 'ok').slice(0, 70),
  ];
}

function main(): void {
  const keyCounts = (process.argv[2] ?? '1000,2000,4000,8000,16000,32000').split(',').map(Number);
  const rows: string[][] = [];
  compileDefinition(manyKeys(10), 'warmup.yaml');
  for (const keys of keyCounts) {
    const text = manyKeys(keys);
    rows.push(time(`${keys} unknown keys`, text, () => compileDefinition(text, 'keys.yaml'), keys));
  }
  const mb = manyKeys(Math.ceil((1024 * 1024) / 12));
  rows.push(time('1 MB of keys', mb, () => compileDefinition(mb, 'mb.yaml'), Math.ceil((1024 * 1024) / 12)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'definition-limits-'));
  const big = path.join(dir, 'big.yaml');
  fs.writeFileSync(big, manyKeys(10) + `# ${'x'.repeat(50 * 1024 * 1024)}\n`);
  rows.push(time('50 MB file (loadDefinitionFile)', 'x'.repeat(50 * 1024 * 1024), () => loadDefinitionFile(big)));
  fs.rmSync(dir, { recursive: true, force: true });
  const valid = manySteps(200);
  rows.push(time('valid, 200 steps', valid, () => compileDefinition(valid, 'valid.yaml')));
  const header = ['case', 'size', 'ms', 'µs/key', 'diagnostics', 'first'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  console.log(`node ${process.version}, ${os.cpus().length} cores`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

main();
