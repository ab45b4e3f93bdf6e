import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PostgresCluster } from './servers';
import type { ResultRow } from './harness';

/** Prints the table (scenario | tried | counted at peer | expected | ok) and, after a full run, writes LAST-RUN.md. */
export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__reliability as { cluster: PostgresCluster; dir: string } | undefined;
  if (!state) return;
  const file = process.env.RELIABILITY_RESULTS!;
  const rows: ResultRow[] = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ResultRow)
    : [];
  state.cluster.stop();
  const runs = Number(process.env.RELIABILITY_RUNS || 1000);
  const minutes = ((Date.now() - Number(process.env.RELIABILITY_STARTED)) / 60_000).toFixed(1);
  const table = [
    '| scenario | tried | counted at peer | expected | ok |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.scenario} | ${r.tried} | ${r.counted} | ${r.expected} | ${r.ok ? 'yes' : '**NO**'} |`),
  ].join('\n');
  const machine = [
    `- date: ${new Date().toISOString()}`,
    `- RELIABILITY_RUNS=${runs}; wall time ${minutes} min (suite set-up to teardown)`,
    `- nproc: ${os.cpus().length}; node ${process.version}; ${os.type()} ${os.release()}`,
    `- free -h:\n\n\`\`\`\n${safe(() => execFileSync('free', ['-h'], { encoding: 'utf8' }).trimEnd())}\n\`\`\``,
  ].join('\n');
  const report = `## Reliability suite, RELIABILITY_RUNS=${runs}\n\n${table}\n\n${machine}\n`;
  process.stdout.write(`\n${report}\n`);
  if (runs >= 1000) {
    // A full run writes LAST-RUN.md; a full-size run of some scenarios only, LAST-RUN-<items>.md beside it.
    const scenarios = process.env.RELIABILITY_SCENARIOS;
    const name = scenarios ? `LAST-RUN-${scenarios.replace(/[^0-9]+/g, '-')}.md` : 'LAST-RUN.md';
    fs.writeFileSync(
      path.join(__dirname, name),
      `# Last full-size run of \`npm run test:reliability\`${scenarios ? ` (items ${scenarios})` : ''}\n\n${report}`,
    );
  }
  fs.rmSync(state.dir, { recursive: true, force: true });
}

function safe(fn: () => string): string {
  try {
    return fn();
  } catch (error) {
    return `(${(error as Error).message})`;
  }
}
