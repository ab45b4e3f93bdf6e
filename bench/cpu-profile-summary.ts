/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, one .cpuprofile per thread) by function: self time (the samples taken
 * in the function itself) and total time (the samples with the function anywhere on the stack, counted once per
 * sample), and self time by source file. Used to find where the worker's CPU goes in bench/workflow-overhead.ts:
 *
 *   BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node .tools/bench-build/bench/workflow-overhead.js --kinds interpreted
 *   node .tools/bench-build/bench/cpu-profile-summary.js /tmp/prof/*.cpuprofile [--top 40] [--per 75]
 *   node .tools/bench-build/bench/cpu-profile-summary.js --compare a.cpuprofile b.cpuprofile [--per 77] [--per-b 77]
 *
 * `--per N` divides every time by N (e.g. the runs the profile covers) to print milliseconds per run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fmt, table } from './bench-support';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface FunctionTime {
  name: string;
  where: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  file: string;
  sampledMs: number;
  functions: FunctionTime[];
  files: Array<{ where: string; selfMs: number }>;
}

/** Self and total milliseconds per function (by name and source position) of one profile. */
export function summariseProfile(file: string): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keyOf = new Map(profile.nodes.map((node) => [node.id, functionKey(node.callFrame)]));
  const functions = new Map<string, FunctionTime>();
  const files = new Map<string, number>();
  let sampledMs = 0;
  // timeDeltas[i] is the time from the previous sample to sample i; it is charged to sample i's stack.
  for (let i = 0; i < profile.samples.length; i += 1) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    sampledMs += ms;
    const leaf = byId.get(profile.samples[i])!;
    const self = entryFor(functions, leaf.callFrame, keyOf.get(leaf.id)!);
    self.selfMs += ms;
    const where = sourceOf(leaf.callFrame);
    files.set(where, (files.get(where) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parentOf.get(id)) {
      const key = keyOf.get(id)!;
      if (seen.has(key)) continue;
      seen.add(key);
      entryFor(functions, byId.get(id)!.callFrame, key).totalMs += ms;
    }
  }
  return {
    file,
    sampledMs,
    functions: [...functions.values()],
    files: [...files.entries()].map(([where, selfMs]) => ({ where, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

function functionKey(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${sourceOf(frame)}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
}

function entryFor(functions: Map<string, FunctionTime>, frame: CallFrame, key: string): FunctionTime {
  let entry = functions.get(key);
  if (!entry) {
    entry = { name: frame.functionName || '(anonymous)', where: `${sourceOf(frame)}:${frame.lineNumber + 1}`, selfMs: 0, totalMs: 0 };
    functions.set(key, entry);
  }
  return entry;
}

/** A short source name: the package and file under node_modules, the file name of anything else. */
function sourceOf(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  if (url.startsWith('node:')) return url;
  return path.basename(url);
}

/** Function names are cut to `width` characters (V8 names regular expressions by their whole source). */
function short(text: string, width = 70): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** Side by side: self time per function in `a` and `b` (each divided by its own run count), largest differences first. */
function compare(a: ProfileSummary, perA: number, b: ProfileSummary, perB: number, top: number): void {
  const rows = new Map<string, { name: string; where: string; a: number; b: number; totalA: number; totalB: number }>();
  const add = (summary: ProfileSummary, per: number, side: 'a' | 'b') => {
    for (const f of summary.functions) {
      const key = `${f.name} ${f.where}`;
      const row = rows.get(key) ?? { name: f.name, where: f.where, a: 0, b: 0, totalA: 0, totalB: 0 };
      row[side] += f.selfMs / per;
      if (side === 'a') row.totalA += f.totalMs / per;
      else row.totalB += f.totalMs / per;
      rows.set(key, row);
    }
  };
  add(a, perA, 'a');
  add(b, perB, 'b');
  const sorted = [...rows.values()].sort((x, y) => Math.abs(y.a - y.b) - Math.abs(x.a - x.b)).slice(0, top);
  console.log(`\nA = ${a.file}: ${fmt(a.sampledMs / perA, 2)} ms/run sampled\nB = ${b.file}: ${fmt(b.sampledMs / perB, 2)} ms/run sampled`);
  console.log(
    table(
      ['function', 'where', 'self A', 'self B', 'A - B', 'total A', 'total B'],
      sorted.map((r) => [short(r.name), r.where, fmt(r.a, 2), fmt(r.b, 2), fmt(r.a - r.b, 2), fmt(r.totalA, 2), fmt(r.totalB, 2)]),
    ),
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(`--${name}`);
    if (at < 0) return fallback;
    const value = Number(args[at + 1]);
    args.splice(at, 2);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: a positive number`);
    return value;
  };
  const top = option('top', 40);
  const per = option('per', 1);
  const perB = option('per-b', per);
  if (args[0] === '--compare') {
    if (args.length !== 3) throw new Error('usage: cpu-profile-summary --compare <a.cpuprofile> <b.cpuprofile> [--per N] [--per-b N]');
    compare(summariseProfile(args[1]), per, summariseProfile(args[2]), perB, top);
    return;
  }
  if (args.length === 0) throw new Error('usage: cpu-profile-summary <file.cpuprofile>... [--top 40] [--per N]');
  const unit = per === 1 ? 'ms' : 'ms/run';
  for (const file of args) {
    const summary = summariseProfile(file);
    console.log(`\n${file}: ${fmt(summary.sampledMs / per, 2)} ${unit} sampled`);
    const bySelf = [...summary.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
    console.log(
      table(
        ['function', 'where', `self ${unit}`, `total ${unit}`],
        bySelf.map((f) => [short(f.name), f.where, fmt(f.selfMs / per, 2), fmt(f.totalMs / per, 2)]),
      ),
    );
    console.log(`\nby source file (self ${unit}):`);
    console.log(
      table(
        ['source', `self ${unit}`],
        summary.files.slice(0, top).map((f) => [f.where, fmt(f.selfMs / per, 2)]),
      ),
    );
  }
}

if (require.main === module) main();
