/**
 * Worker memory (issue 11, item 4): N enablement runs parked at the 14-day follow-up timer, one worker per sticky
 * cache size (`maxCachedWorkflows`), each in a process of its own, against a freshly started worker that ran nothing.
 * For each: RSS and V8 heap after a full garbage collection with its runs parked. Then every parked run is woken
 * (a `recovered` signal for each of its features ends the timer early, as detection does when usage resumes) and
 * runs to completion (measure_impact, report_outcome): the wall time and worker CPU per woken run. A run still in
 * the cache continues where it stopped; an evicted one is first replayed from its whole history, which is what
 * eviction costs.
 */
import { randomUUID } from 'node:crypto';
import { loadShippedPlans } from '../definitions/compile';
import { emailDecisionSignal, ENABLEMENT_WORKFLOW, recoveredSignal } from '../workflows/messages';
import { fmt, machineLine, parseOptions, positiveInt, ratio, table } from './bench-support';
import type { WorkerStats } from './bench-worker';
import {
  coreShare,
  countAtApproval,
  loadFacts,
  mapLimit,
  readCpu,
  seedSignals,
  since,
  spawnWorker,
  startWorld,
  waitForCount,
  waitUntilParked,
  type BenchWorker,
  type CpuReading,
  type World,
} from './workflow-world';

const USAGE = `usage: node .tools/bench-build/bench/worker-memory.js [--runs 300] [--caches default,100,0,default/arena2]
  --runs N       runs parked at the 14-day timer per worker
  --caches a,b   one worker per entry: its maxCachedWorkflows ("default" leaves the SDK's, sized from the heap limit),
                 optionally "/arenaN" for a worker process run with MALLOC_ARENA_MAX=N (glibc's malloc arenas)`;

interface Parked {
  cache: string;
  worker: BenchWorker;
  workflowIds: string[];
  fillCpu: CpuReading;
  parked: WorkerStats;
  wake?: CpuReading;
  afterWake?: WorkerStats;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), { runs: '300', caches: 'default,100,0' }, USAGE);
  const runs = Math.max(1, positiveInt('runs', options.runs));
  const caches = options.caches.split(',').map((entry) => {
    const [cache, arenas] = entry.split('/');
    if (arenas !== undefined && !/^arena\d+$/.test(arenas)) throw new Error(`--caches: ${entry}: after "/" comes arenaN`);
    return cache === 'default' ? entry : `${positiveInt('caches', cache)}${arenas ? `/${arenas}` : ''}`;
  });
  console.log(`worker-memory: ${runs} runs parked at the 14-day timer per worker; maxCachedWorkflows ${caches.join(', ')}`);
  console.log(`machine: ${machineLine()}`);
  const world = await startWorld();
  try {
    await measure(world, runs, caches);
  } finally {
    await world.close();
  }
  console.log(`machine at the end: ${machineLine()}`);
}

async function measure(world: World, runs: number, caches: string[]): Promise<void> {
  const plan = loadShippedPlans()[0];
  const parkedWorkers: Parked[] = [];
  for (const cache of caches) {
    const taskQueue = `bench-memory-${randomUUID()}`;
    const [size, arenas] = cache.split('/');
    const worker = await spawnWorker(
      world,
      { taskQueue, ...(size === 'default' ? {} : { maxCachedWorkflows: Number(size) }) },
      arenas ? { MALLOC_ARENA_MAX: arenas.replace('arena', '') } : {},
    );
    const facts = await loadFacts(world.db, await seedSignals(world.db, runs, `Memory ${cache}`));
    const workflowIds = facts.map((run) => `bench-memory/${cache.replace('/', '-')}/${run.signal.id}`);
    const emailsBefore = world.smtp.messages.length;
    const start = readCpu(world, worker.pid);
    await mapLimit(facts, 20, (run, i) =>
      world.client.workflow.start(ENABLEMENT_WORKFLOW, { workflowId: workflowIds[i], taskQueue, args: [{ plan, ...run }] }),
    );
    await waitForCount(`cache ${cache}: runs at the CSM's approval`, () => countAtApproval(world.db, workflowIds), runs);
    await mapLimit(workflowIds, 20, (id) =>
      world.client.workflow.getHandle(id).signal(emailDecisionSignal, { decision: 'approve', by: 'dana@vendor.example' }),
    );
    await waitForCount(`cache ${cache}: approved emails`, () => world.smtp.messages.length - emailsBefore, runs);
    await waitUntilParked(world.client, workflowIds);
    const fillCpu = since(start, readCpu(world, worker.pid));
    parkedWorkers.push({ cache, worker, workflowIds, fillCpu, parked: await worker.stats() });
    process.stdout.write(`  cache ${cache}: ${runs} runs parked\n`);
  }
  const fresh = await spawnWorker(world, { taskQueue: `bench-memory-fresh-${randomUUID()}` });
  const freshStats = await fresh.stats();
  await fresh.stop();

  for (const entry of parkedWorkers) {
    const featureIds = ['advanced_analytics', 'workflow_automation'];
    const postsBefore = world.slack.calls('chat.postMessage').length;
    const start = readCpu(world, entry.worker.pid);
    await mapLimit(entry.workflowIds, 20, async (id) => {
      const handle = world.client.workflow.getHandle(id);
      for (const featureId of featureIds) await handle.signal(recoveredSignal, { featureId, detectedAt: new Date().toISOString() });
    });
    // report_outcome is each run's last step: one Slack message per woken run.
    await waitForCount(
      `cache ${entry.cache}: woken runs reporting their outcome`,
      () => world.slack.calls('chat.postMessage').length - postsBefore,
      runs,
    );
    entry.wake = since(start, readCpu(world, entry.worker.pid));
    entry.afterWake = await entry.worker.stats();
    await entry.worker.stop();
    process.stdout.write(`  cache ${entry.cache}: ${runs} runs woken\n`);
  }
  report(parkedWorkers, freshStats, runs);
}

function report(workers: Parked[], fresh: WorkerStats, runs: number): void {
  console.log(`\nWorker memory with ${runs} runs parked at the 14-day timer (after a full GC), and the cost of waking them\n`);
  const rows: Array<Array<string | number>> = [
    ['fresh worker (ran nothing)', fmt(fresh.maxCachedWorkflows), fmt(fresh.rssMb), fmt(fresh.heapUsedMb), '1.00x', '-', '-', '-', '-', '-'],
  ];
  for (const entry of workers) {
    rows.push([
      `${runs} parked, cache ${entry.cache}`,
      fmt(entry.parked.maxCachedWorkflows),
      fmt(entry.parked.rssMb),
      fmt(entry.parked.heapUsedMb),
      ratio(entry.parked.rssMb / fresh.rssMb),
      fmt((entry.parked.rssMb - fresh.rssMb) / runs, 2),
      fmt(entry.fillCpu.worker / runs, 1),
      fmt(entry.wake!.wallMs / runs, 1),
      fmt(entry.wake!.worker / runs, 1),
      coreShare(entry.wake!.worker, entry.wake!.wallMs),
    ]);
  }
  console.log(
    table(
      [
        'worker',
        'maxCachedWorkflows',
        'RSS MB',
        'heap used MB',
        'RSS vs fresh',
        'MB per parked run',
        'worker cpu ms/run to park',
        'wake wall ms/run',
        'wake worker cpu ms/run',
        'worker cpu while waking',
      ],
      rows,
    ),
  );
  const hot = workers.find((entry) => entry.cache === 'default');
  if (hot) {
    for (const entry of workers.filter((candidate) => candidate !== hot)) {
      console.log(
        `\n   cache ${entry.cache} vs default: RSS ${ratio(entry.parked.rssMb / hot.parked.rssMb)}, wake-up worker CPU ${ratio(entry.wake!.worker / hot.wake!.worker)}, ` +
          `wake-up wall ${ratio(entry.wake!.wallMs / hot.wake!.wallMs)}`,
      );
    }
  }
  console.log('\n   RSS after waking (runs completed, cache emptied as they finish):');
  for (const entry of workers)
    console.log(`     cache ${entry.cache}: ${fmt(entry.afterWake!.rssMb)} MB (heap ${fmt(entry.afterWake!.heapUsedMb)} MB)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
