/**
 * Worker memory (issue 11, item 4): N enablement runs parked at the 14-day follow-up timer, one worker per sticky
 * cache size (`maxCachedWorkflows`), each in a process of its own, against a freshly started worker that ran nothing.
 * For each: RSS (peak, anonymous, file-backed, from /proc) and the V8 heap of every isolate after a full garbage
 * collection with its runs parked: the main thread's (activities, the SDK's bridge) and each workflow thread's,
 * where the SDK keeps the cached runs (bench-worker.ts reads them through a probe). Then every parked run is woken
 * (a `recovered` signal for each of its features ends the timer early, as detection does when usage resumes) and
 * runs to completion (measure_impact, report_outcome): the wall time and worker CPU per woken run. A run still in
 * the cache continues where it stopped; an evicted one is first replayed from its whole history, which is what
 * eviction costs.
 */
import { randomUUID } from 'node:crypto';
import { loadShippedPlans } from '../definitions/compile';
import { emailDecisionSignal, ENABLEMENT_WORKFLOW, recoveredSignal } from '../workflows/messages';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../worker/worker-tuning';
import { fmt, parseOptions, positiveInt, ratio, table } from './bench-support';
import type { IsolateHeap, WorkerStats } from './bench-worker';
import {
  coreShare,
  countAtApproval,
  loadFacts,
  mapLimit,
  readCpu,
  seedSignals,
  since,
  spawnWorker,
  inWorld,
  waitForCount,
  waitUntilParked,
  type BenchWorker,
  type CpuReading,
  type World,
} from './workflow-world';

const PACKAGE_DEFAULT = String(DEFAULT_MAX_CACHED_WORKFLOWS);

const USAGE = `usage: node .tools/bench-build/bench/worker-memory.js [--runs 500] [--caches ${PACKAGE_DEFAULT}] (e.g. default,${PACKAGE_DEFAULT}) [--start-concurrency 20]
  --runs N       runs parked at the 14-day timer per worker
  --caches a,b   one worker per entry: its maxCachedWorkflows ("default" leaves the SDK's, sized from the heap limit),
                 then optional "/"-separated variations of that worker:
                   poolN   workflowThreadPoolSize N (the SDK's default is 1 with reuseV8Context)
                   noreuse reuseV8Context off (one V8 context per cached run)
                   semiN   node --max-semi-space-size=N (MB; V8's young generation, every isolate of the process)
                   tsemiN  the same set with v8.setFlagsFromString before Worker.create: the workflow threads only
                   arenaN  MALLOC_ARENA_MAX=N (glibc's malloc arenas)
  --start-concurrency N  workflow starts (and approval signals, wake-up signals) in flight at once`;

interface WorkerVariant {
  label: string;
  maxCachedWorkflows?: number;
  workflowThreadPoolSize?: number;
  reuseV8Context?: boolean;
  workflowThreadV8Flags?: string;
  env: Record<string, string>;
}

function parseVariant(entry: string): WorkerVariant {
  const [cache, ...variations] = entry.split('/');
  const variant: WorkerVariant = {
    label: entry,
    env: {},
    ...(cache === 'default' ? {} : { maxCachedWorkflows: positiveIntOrZero('caches', cache) }),
  };
  for (const variation of variations) {
    const match = /^(pool|semi|tsemi|arena)(\d{1,4})$/.exec(variation);
    if (variation === 'noreuse') variant.reuseV8Context = false;
    else if (match?.[1] === 'pool') variant.workflowThreadPoolSize = Math.max(1, Number(match[2]));
    else if (match?.[1] === 'semi') variant.env.NODE_OPTIONS = `${variant.env.NODE_OPTIONS ?? ''} --max-semi-space-size=${Number(match[2])}`.trim();
    else if (match?.[1] === 'tsemi') variant.workflowThreadV8Flags = `--max-semi-space-size=${Number(match[2])}`;
    else if (match?.[1] === 'arena') variant.env.MALLOC_ARENA_MAX = match[2];
    else throw new Error(`--caches: ${entry}: unknown variation "${variation}" (poolN, noreuse, semiN, tsemiN, arenaN)`);
  }
  return variant;
}

function positiveIntOrZero(name: string, value: string): number {
  return value === '0' ? 0 : positiveInt(name, value);
}

interface Parked {
  cache: string;
  variant: WorkerVariant;
  worker: BenchWorker;
  workflowIds: string[];
  fillCpu: CpuReading;
  parked: WorkerStats;
  wake?: CpuReading;
  afterWake?: WorkerStats;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), { runs: '500', caches: `${PACKAGE_DEFAULT}`, 'start-concurrency': '20' }, USAGE);
  const runs = Math.max(1, positiveInt('runs', options.runs));
  const concurrency = Math.max(1, positiveInt('start-concurrency', options['start-concurrency']));
  const variants = options.caches.split(',').map(parseVariant);
  console.log(`worker-memory: ${runs} runs parked at the 14-day timer per worker; workers: ${variants.map((variant) => variant.label).join(', ')}`);
  await inWorld((world) => measure(world, runs, variants, concurrency));
}

async function measure(world: World, runs: number, variants: WorkerVariant[], concurrency: number): Promise<void> {
  const plan = loadShippedPlans()[0];
  const parkedWorkers: Parked[] = [];
  // A few hundred runs per minute at best on two shared cores: give the waits room in proportion.
  const timeoutMs = Math.max(300_000, runs * 600);
  for (const variant of variants) {
    const cache = variant.label;
    const taskQueue = `bench-memory-${randomUUID()}`;
    const { label: _label, env, ...tuning } = variant;
    const worker = await spawnWorker(world, { taskQueue, ...tuning }, env);
    const facts = await loadFacts(world.db, await seedSignals(world.db, runs, `Memory ${cache}`));
    const workflowIds = facts.map((run) => `bench-memory/${cache.replace(/\//g, '-')}/${run.signal.id}`);
    const emailsBefore = world.smtp.messages.length;
    const start = readCpu(world, worker.pid);
    await mapLimit(facts, concurrency, (run, i) =>
      world.client.workflow.start(ENABLEMENT_WORKFLOW, { workflowId: workflowIds[i], taskQueue, args: [{ plan, ...run }] }),
    );
    await waitForCount(`cache ${cache}: runs at the CSM's approval`, () => countAtApproval(world.db, workflowIds), runs, timeoutMs);
    await mapLimit(workflowIds, concurrency, (id) =>
      world.client.workflow.getHandle(id).signal(emailDecisionSignal, { decision: 'approve', by: 'dana@vendor.example' }),
    );
    await waitForCount(`cache ${cache}: approved emails`, () => world.smtp.messages.length - emailsBefore, runs, timeoutMs);
    await waitUntilParked(world.client, workflowIds, timeoutMs);
    const fillCpu = since(start, readCpu(world, worker.pid));
    parkedWorkers.push({ cache, variant, worker, workflowIds, fillCpu, parked: await worker.stats() });
    process.stdout.write(`  cache ${cache}: ${runs} runs parked\n`);
  }
  const fresh = await spawnWorker(world, { taskQueue: `bench-memory-fresh-${randomUUID()}` });
  const freshStats = await fresh.stats();
  await fresh.stop();

  for (const entry of parkedWorkers) {
    const featureIds = ['advanced_analytics', 'workflow_automation'];
    const postsBefore = world.slack.calls('chat.postMessage').length;
    const start = readCpu(world, entry.worker.pid);
    await mapLimit(entry.workflowIds, concurrency, async (id) => {
      const handle = world.client.workflow.getHandle(id);
      for (const featureId of featureIds) await handle.signal(recoveredSignal, { featureId, detectedAt: new Date().toISOString() });
    });
    // report_outcome is each run's last step: one Slack message per woken run.
    await waitForCount(
      `cache ${entry.cache}: woken runs reporting their outcome`,
      () => world.slack.calls('chat.postMessage').length - postsBefore,
      runs,
      timeoutMs,
    );
    entry.wake = since(start, readCpu(world, entry.worker.pid));
    entry.afterWake = await entry.worker.stats();
    await entry.worker.stop();
    process.stdout.write(`  cache ${entry.cache}: ${runs} runs woken\n`);
  }
  report(parkedWorkers, freshStats, runs);
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${fmt(value, 1)}`;
const sum = (heaps: IsolateHeap[], pick: (heap: IsolateHeap) => number) => heaps.reduce((total, heap) => total + pick(heap), 0);

function report(workers: Parked[], fresh: WorkerStats, runs: number): void {
  console.log(`\nWorker memory with ${runs} runs parked at the 14-day timer (after a full GC of every isolate), MB\n`);
  const memoryRow = (label: string, stats: WorkerStats): Array<string | number> => [
    label,
    fmt(stats.maxCachedWorkflows),
    fmt(stats.workflowThreadPoolSize),
    fmt(stats.rssMb),
    fmt(stats.proc.hwmMb),
    fmt(stats.proc.anonMb),
    fmt(stats.proc.brkMb),
    fmt(stats.proc.arenasMb),
    fmt(stats.proc.otherAnonMb),
    fmt(stats.proc.fileMb),
    fmt(sum(stats.threads, (heap) => heap.usedMb)),
    fmt(sum(stats.threads, (heap) => heap.physicalMb)),
    fmt(sum(stats.threads, (heap) => heap.newSpaceMb)),
    fmt(stats.main.usedMb),
    fmt(stats.main.physicalMb),
    fmt(stats.main.newSpaceMb),
    fmt(stats.main.externalMb + sum(stats.threads, (heap) => heap.externalMb + heap.mallocedMb) + stats.main.mallocedMb),
  ];
  console.log(
    table(
      [
        'worker',
        'cache size',
        'threads',
        'RSS',
        'peak RSS',
        'anon RSS',
        'malloc main arena',
        'malloc thread arenas',
        'other anon (V8 pages)',
        'file RSS',
        'workflow heap used',
        'workflow heap committed',
        'workflow new space',
        'main heap used',
        'main heap committed',
        'main new space',
        'external+malloced',
      ],
      [memoryRow('fresh worker (ran nothing)', fresh), ...workers.map((entry) => memoryRow(`${runs} parked, ${entry.cache}`, entry.parked))],
    ),
  );
  const freshThreadHeap = sum(fresh.threads, (heap) => heap.usedMb);
  console.log(`\nCPU to park and to wake, per run\n`);
  console.log(
    table(
      [
        'worker',
        'RSS vs fresh',
        'RSS MB per parked run',
        'workflow heap MB per parked run',
        'worker cpu ms/run to park',
        'park wall ms/run',
        'wake wall ms/run',
        'wake worker cpu ms/run',
        'worker cpu while waking',
        'RSS after waking',
      ],
      workers.map((entry) => [
        entry.cache,
        ratio(entry.parked.rssMb / fresh.rssMb),
        fmt((entry.parked.rssMb - fresh.rssMb) / runs, 3),
        fmt((sum(entry.parked.threads, (heap) => heap.usedMb) - freshThreadHeap) / runs, 3),
        fmt(entry.fillCpu.worker / runs, 1),
        fmt(entry.fillCpu.wallMs / runs, 1),
        fmt(entry.wake!.wallMs / runs, 1),
        fmt(entry.wake!.worker / runs, 1),
        coreShare(entry.wake!.worker, entry.wake!.wallMs),
        fmt(entry.afterWake!.rssMb),
      ]),
    ),
  );
  const base = workers.find((entry) => entry.cache === 'default') ?? workers[0];
  for (const entry of workers.filter((candidate) => candidate !== base)) {
    console.log(
      `\n   ${entry.cache} vs ${base.cache}: RSS ${ratio(entry.parked.rssMb / base.parked.rssMb)}, ` +
        `worker CPU to park ${ratio(entry.fillCpu.worker / base.fillCpu.worker)}, wake-up worker CPU ${ratio(entry.wake!.worker / base.wake!.worker)} ` +
        `(${signed((entry.wake!.worker - base.wake!.worker) / runs)} ms per run: the replay of the evicted runs), wake-up wall ${ratio(entry.wake!.wallMs / base.wake!.wallMs)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
