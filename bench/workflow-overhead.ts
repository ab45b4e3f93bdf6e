/**
 * Interpreter overhead (issue 11, item 2): the shipped YAML definition run by the interpreter (`enablementWorkflow`)
 * against the same playbook written by hand (bench/handwritten-enablement.ts: the same activities, in the same order,
 * with the same arguments), on one dev server and one worker, in interleaved batches so both see the same machine.
 *
 * Each batch: start its runs (facts loaded beforehand, so only the workflow side is timed), wait until every run has
 * reached the CSM's approval, approve every one, wait until the SMTP server has received every email; then read every
 * run's history (events, encoded bytes, parked at the 14-day timer). Printed per kind: runs per second to approval,
 * CPU per run of the worker, the dev server, Postgres and this process (client, Slack and SMTP servers), history
 * events and bytes per run, the worker's CPU per run by thread (JavaScript main thread, workflow threads, the Rust
 * core's runtime), and the ratios interpreted / hand-written. `--kinds` runs one kind alone, e.g. under a CPU profiler
 * (BENCH_WORKER_NODE_ARGS, bench/workflow-world.ts; bench/cpu-profile-summary.ts reads the profiles).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { loadShippedPlans } from '../definitions/compile';
import type { RunFacts } from '../adoption/model/run-facts';
import { emailDecisionSignal, ENABLEMENT_WORKFLOW } from '../workflows/messages';
import { AdoptionStage, CustomerArr, CustomerId, DefinitionVersion, FeatureIds } from '../workflows/search-attributes';
import { fmt, median, parseOptions, positiveInt, ratio, table } from './bench-support';
import {
  addCpu,
  countAtApproval,
  loadFacts,
  mapLimit,
  NO_CPU,
  readCpu,
  seedSignals,
  since,
  spawnWorker,
  inWorld,
  waitForCount,
  waitUntilParked,
  type CpuReading,
  type HistoryFigures,
  type World,
} from './workflow-world';

const USAGE = `usage: node .tools/bench-build/bench/workflow-overhead.js [--runs 100] [--batch 25]
  --runs N    runs of each kind (interpreted and hand-written)
  --batch N   runs per batch; batches of the two kinds alternate
  --kinds K   interpreted,hand-written (default) or one of them alone (e.g. to profile one kind's worker CPU)`;

type Kind = 'interpreted' | 'hand-written';
const KINDS: Kind[] = ['interpreted', 'hand-written'];

interface KindTotals {
  toApproval: CpuReading;
  approvalToEmail: CpuReading;
  histories: HistoryFigures[];
  batchRates: number[];
  /** Worker CPU by thread name (the JavaScript main thread, workflow threads, the Rust core's runtime, V8's helpers). */
  threads: Map<string, number>;
}

/**
 * CPU milliseconds of each thread of a process, summed by thread name (digits dropped, so the workflow threads and
 * the Rust core's runtime threads each count as one group), from /proc/<pid>/task. Threads that ended between two
 * readings are missed, which is why only long-lived threads are compared.
 */
function threadCpuMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tasks) {
    try {
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm =
        text
          .slice(text.indexOf('(') + 1, text.lastIndexOf(')'))
          .replace(/[\d#]+/g, '')
          .trim() || '?';
      // Node names its worker threads (the SDK's workflow threads among them) and V8's helpers after the process.
      const name = comm === 'node' ? (Number(tid) === pid ? 'node (main thread)' : 'node (other threads)') : comm;
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // the thread ended while it was being read
    }
  }
  return byName;
}

function addThreads(total: Map<string, number>, before: Map<string, number>, after: Map<string, number>): void {
  for (const [name, ms] of after) total.set(name, (total.get(name) ?? 0) + ms - (before.get(name) ?? 0));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), { runs: '100', batch: '25', kinds: KINDS.join(',') }, USAGE);
  const runs = positiveInt('runs', options.runs);
  const batch = Math.max(1, positiveInt('batch', options.batch));
  const kinds = parseKinds(options.kinds);
  console.log(`workflow-overhead: ${runs} runs of ${kinds.join(' and ')} in batches of ${batch}, one worker, dev server, private Postgres`);
  await inWorld((world) => measure(world, runs, batch, kinds));
}

function parseKinds(value: string): Kind[] {
  const kinds = value.split(',').map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !(KINDS as string[]).includes(kind));
  if (unknown.length > 0 || kinds.length === 0) throw new Error(`--kinds: ${KINDS.join(', ')} (comma-separated); got ${value}`);
  return KINDS.filter((kind) => kinds.includes(kind));
}

async function measure(world: World, runs: number, batch: number, kinds: Kind[]): Promise<void> {
  const plan = loadShippedPlans()[0];
  const taskQueue = `bench-overhead-${randomUUID()}`;
  const signalIds = await seedSignals(world.db, runs * 2, 'Overhead');
  const facts = await loadFacts(world.db, signalIds);
  const worker = await spawnWorker(world, { taskQueue });
  const totals = new Map<Kind, KindTotals>(
    kinds.map((kind) => [kind, { toApproval: NO_CPU, approvalToEmail: NO_CPU, histories: [], batchRates: [], threads: new Map() }]),
  );
  // One warm-up batch of each kind, not counted: the worker's first runs pay for loading the bundle and the connections.
  const warmUp = await seedSignals(world.db, 4, 'Warm-up');
  const warmFacts = await loadFacts(world.db, warmUp);
  for (const [i, kind] of kinds.entries()) await runBatch(world, worker.pid, taskQueue, kind, plan, warmFacts.slice(i * 2, i * 2 + 2));

  const rounds = Math.ceil(runs / batch);
  for (let round = 0; round < rounds; round += 1) {
    // Alternate which kind goes first, so neither always follows the other's leftovers.
    const order = round % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) {
      const offset = (kind === 'interpreted' ? 0 : runs) + round * batch;
      const slice = facts.slice(offset, Math.min(offset + batch, (kind === 'interpreted' ? 0 : runs) + runs));
      const result = await runBatch(world, worker.pid, taskQueue, kind, plan, slice);
      const total = totals.get(kind)!;
      total.toApproval = addCpu(total.toApproval, result.toApproval);
      total.approvalToEmail = addCpu(total.approvalToEmail, result.approvalToEmail);
      total.histories.push(...result.histories);
      total.batchRates.push(slice.length / (result.toApproval.wallMs / 1000));
      addThreads(total.threads, result.threadsBefore, result.threadsAfter);
    }
    process.stdout.write(`  round ${round + 1}/${rounds} done\n`);
  }
  await worker.stop();
  report(totals, runs, kinds);
}

async function runBatch(
  world: World,
  workerPid: number,
  taskQueue: string,
  kind: Kind,
  plan: ReturnType<typeof loadShippedPlans>[number],
  batch: RunFacts[],
): Promise<{
  toApproval: CpuReading;
  approvalToEmail: CpuReading;
  histories: HistoryFigures[];
  threadsBefore: Map<string, number>;
  threadsAfter: Map<string, number>;
}> {
  const ids = batch.map((facts) => `bench-${kind}/${facts.customer.id}/${facts.signal.id}`);
  const emailsBefore = world.smtp.messages.length;
  const threadsBefore = threadCpuMs(workerPid);
  const start = readCpu(world, workerPid);
  await mapLimit(batch, 20, (facts, i) => {
    const common = {
      workflowId: ids[i],
      taskQueue,
      typedSearchAttributes: [
        { key: CustomerId, value: facts.customer.id },
        { key: FeatureIds, value: facts.features.map((feature) => feature.featureId) },
        { key: CustomerArr, value: facts.customer.arr },
        { key: AdoptionStage, value: facts.features[0].stage },
        { key: DefinitionVersion, value: `${plan.name}@${plan.version}` },
      ],
    };
    // What startEnablementForSignal sends: the interpreter gets the plan and its source in the memo; the hand-written
    // workflow needs neither.
    return kind === 'interpreted'
      ? world.client.workflow.start(ENABLEMENT_WORKFLOW, {
          ...common,
          args: [{ plan, ...facts }],
          memo: { customerName: facts.customer.name, signalId: facts.signal.id, definitionDigest: plan.digest, definitionSource: plan.source },
        })
      : world.client.workflow.start('handwrittenEnablementWorkflow', {
          ...common,
          args: [facts],
          memo: { customerName: facts.customer.name, signalId: facts.signal.id },
        });
  });
  await waitForCount(`${kind}: runs at the CSM's approval`, () => countAtApproval(world.db, ids), ids.length);
  const atApproval = readCpu(world, workerPid);
  await mapLimit(ids, 20, (id) =>
    world.client.workflow.getHandle(id).signal(emailDecisionSignal, { decision: 'approve', by: 'dana@vendor.example' }),
  );
  await waitForCount(`${kind}: approved emails at the SMTP server`, () => world.smtp.messages.length - emailsBefore, ids.length);
  const emailed = readCpu(world, workerPid);
  const threadsAfter = threadCpuMs(workerPid);
  const histories = await waitUntilParked(world.client, ids);
  return { toApproval: since(start, atApproval), approvalToEmail: since(atApproval, emailed), histories, threadsBefore, threadsAfter };
}

function report(totals: Map<Kind, KindTotals>, runs: number, kinds: Kind[]): void {
  const rows: Array<Array<string | number>> = [];
  const figures = new Map<Kind, { rate: number; workerPerRun: number; serverPerRun: number; pgPerRun: number; events: number; bytes: number }>();
  for (const kind of kinds) {
    const total = totals.get(kind)!;
    const both = addCpu(total.toApproval, total.approvalToEmail);
    const parked = total.histories.filter((history) => history.parked).length;
    const figure = {
      rate: runs / (total.toApproval.wallMs / 1000),
      workerPerRun: both.worker / runs,
      serverPerRun: both.server / runs,
      pgPerRun: both.postgres / runs,
      events: median(total.histories.map((history) => history.events)),
      bytes: median(total.histories.map((history) => history.bytes)),
    };
    figures.set(kind, figure);
    rows.push([
      kind,
      runs,
      fmt(figure.rate, 1),
      fmt(median(total.batchRates), 1),
      fmt(total.approvalToEmail.wallMs / runs, 1),
      fmt(figure.workerPerRun, 2),
      fmt(figure.serverPerRun, 2),
      fmt(figure.pgPerRun, 2),
      fmt(both.bench / runs, 2),
      fmt(figure.events),
      fmt(figure.bytes),
      `${parked}/${runs}`,
    ]);
  }
  console.log('\nInterpreter overhead: start -> CSM approval, then approval -> email sent, per run (sums over all batches)\n');
  console.log(
    table(
      [
        'workflow',
        'runs',
        'runs/s to approval',
        'median batch runs/s',
        'approval->email wall ms/run',
        'worker cpu ms/run',
        'server cpu ms/run',
        'postgres cpu ms/run',
        'bench cpu ms/run',
        'history events',
        'history bytes',
        'parked at 14-day timer',
      ],
      rows,
    ),
  );
  const threadNames = [...new Set(kinds.flatMap((kind) => [...totals.get(kind)!.threads.keys()]))].sort();
  console.log('\nWorker CPU by thread (ms per run, start -> email sent):\n');
  console.log(
    table(
      ['thread', ...kinds],
      threadNames.map((name) => [name, ...kinds.map((kind) => fmt((totals.get(kind)!.threads.get(name) ?? 0) / runs, 2))]),
    ),
  );
  const interpreted = figures.get('interpreted');
  const handwritten = figures.get('hand-written');
  if (!interpreted || !handwritten) return;
  console.log('\n   interpreted / hand-written:');
  console.log(`     time to approval (1 / runs per s)  ${ratio(handwritten.rate / interpreted.rate)}`);
  console.log(`     worker CPU per run                 ${ratio(interpreted.workerPerRun / handwritten.workerPerRun)}`);
  console.log(`     dev server CPU per run             ${ratio(interpreted.serverPerRun / handwritten.serverPerRun)}`);
  console.log(`     Postgres CPU per run               ${ratio(interpreted.pgPerRun / handwritten.pgPerRun)}`);
  console.log(`     history events per run             ${ratio(interpreted.events / handwritten.events)}`);
  console.log(`     history bytes per run              ${ratio(interpreted.bytes / handwritten.bytes)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
