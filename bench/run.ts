/**
 * `npm run bench` runs every benchmark, one after the other, each in a process of its own (so one's memory and
 * caches do not colour the next); `npm run bench -- <name> [options]` runs one with its options.
 *
 *   npm run bench                                  all of them, default options
 *   npm run bench -- detection --sizes 10000,40000 detection only (bench/detection.ts lists its options)
 *   npm run bench -- definitions --count 100
 *   npm run bench -- workflow-overhead --runs 100  the interpreter against a hand-written workflow
 *   npm run bench -- workflow-throughput --signals 500
 *   npm run bench -- worker-memory --runs 300 --caches default,100,0
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHMARKS = ['detection', 'definitions', 'workflow-overhead', 'workflow-throughput', 'worker-memory'] as const;

function main(): void {
  const [name, ...args] = process.argv.slice(2);
  if (name === '--help' || name === '-h') {
    console.log(`usage: npm run bench [-- <${BENCHMARKS.join('|')}> [options]]`);
    return;
  }
  if (name !== undefined && !(BENCHMARKS as readonly string[]).includes(name)) {
    console.error(`unknown benchmark ${name}; one of ${BENCHMARKS.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  for (const bench of name ? [name] : BENCHMARKS) {
    console.log(`\n=== bench/${bench}.ts ${name ? args.join(' ') : ''}\n`);
    const result = spawnSync(process.execPath, [path.join(__dirname, `${bench}.js`), ...(name ? args : [])], { stdio: 'inherit' });
    if (result.status !== 0) {
      process.exitCode = result.status ?? 1;
      return;
    }
  }
  console.log(`\nall benchmarks: ${((Date.now() - started) / 60_000).toFixed(1)} min`);
}

main();
