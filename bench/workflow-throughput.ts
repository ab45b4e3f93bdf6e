/**
 * Throughput (issue 11, item 3): N new `adoption_stalled` signals carried to the CSM's approval by one worker, on the
 * dev server and a private Postgres, through the two ways a run starts:
 *   - direct: the platform stores the signal and calls `startEnablementForSignal` (10 at a time);
 *   - listener: the signal is stored and the listener (client/listener.ts), woken by NOTIFY, starts its run.
 * Each path runs with every worker configuration, interleaved (path by path, configurations alternating), each trial
 * on a fresh worker process and task queue. Printed per trial: runs per second to approval, the CPU each process
 * used as a share of one core (worker, dev server, Postgres, this process: client, listener, Slack and SMTP), how long
 * a signal waited for its run to start and to reach approval, and workflow-task / activity schedule-to-start latency
 * from a sample of histories: where the time goes, and so which part is the bottleneck.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { loadShippedPlans } from '../definitions/compile';
import { startEnablementForSignal } from '../client/start-enablement';
import { startListener } from '../client/listener';
import { DEFAULT_MAX_CACHED_WORKFLOWS, DEFAULT_MAX_CONCURRENT_ACTIVITIES } from '../worker/worker-tuning';
import { seedStalledSignal } from '../testing/fixtures';
import { fmt, median, parseOptions, positiveInt, ratio, table } from './bench-support';
import {
  countAtApprovalBySignal,
  coreShare,
  historyFigures,
  mapLimit,
  percentile,
  readCpu,
  since,
  spawnWorker,
  inWorld,
  waitForCount,
  type CpuReading,
  type World,
  type WorkerTuning,
} from './workflow-world';
import { FLAT_GROWTH_LIMIT, runRateTrial, type RateTrial } from './sustained-rate';

const USAGE = `usage: node .tools/bench-build/bench/workflow-throughput.js [--signals 200] [--paths direct,listener] [--configs default,wide] [--sample 20]
  --signals N        signals per trial (e.g. 200, 500, 1000)
  --paths a,b        direct (startEnablementForSignal, 10 at a time) and/or listener (NOTIFY -> client/listener.ts)
  --configs a,b      worker configurations: ${'default'} (20 activity slots, pool 10), wide (100 activity slots, 100 workflow-task slots, pool 25)
  --sample N         histories read per trial for schedule-to-start latencies
  --repeat N         rounds of trials (the configurations' order alternates between rounds)
  --rates a,b,...    sustained arrival rates (signals/s) tried in turn, each for --seconds, until one builds a backlog; 0 skips
  --seconds N        how long each sustained rate is held
  --rate-config c    the worker configuration of the sustained trials`;

const CONFIGS: Record<string, WorkerTuning> = {
  // What createWorker and the `worker` command run with today.
  default: { maxConcurrentActivityTaskExecutions: DEFAULT_MAX_CONCURRENT_ACTIVITIES, poolMax: 10, maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS },
  wide: {
    maxConcurrentActivityTaskExecutions: 100,
    maxConcurrentWorkflowTaskExecutions: 100,
    poolMax: 25,
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
  },
};
const PATHS = ['direct', 'listener'] as const;
type Path = (typeof PATHS)[number];

interface Trial {
  path: Path;
  config: string;
  cpu: CpuReading;
  startWaitMs: number[];
  approvalWaitMs: number[];
  workflowTaskLatency: number[];
  activityLatency: number[];
}

async function main(): Promise<void> {
  const options = parseOptions(
    process.argv.slice(2),
    {
      signals: '100',
      paths: 'direct,listener',
      configs: 'default,wide',
      sample: '20',
      repeat: '1',
      rates: '4,8,12,16',
      seconds: '15',
      'rate-config': 'default',
    },
    USAGE,
  );
  const signals = Math.max(1, positiveInt('signals', options.signals));
  const sample = positiveInt('sample', options.sample);
  const repeat = Math.max(1, positiveInt('repeat', options.repeat));
  const rates = options.rates
    .split(',')
    .map((rate) => positiveInt('rates', rate.trim()))
    .filter((rate) => rate > 0);
  const seconds = Math.max(5, positiveInt('seconds', options.seconds));
  if (!CONFIGS[options['rate-config']]) throw new Error(`--rate-config: ${options['rate-config']} is not one of ${Object.keys(CONFIGS).join(', ')}`);
  const paths = options.paths.split(',').map((path) => {
    if (!(PATHS as readonly string[]).includes(path)) throw new Error(`--paths: ${path} is not one of ${PATHS.join(', ')}`);
    return path as Path;
  });
  const configs = options.configs.split(',').map((name) => {
    if (!CONFIGS[name]) throw new Error(`--configs: ${name} is not one of ${Object.keys(CONFIGS).join(', ')}`);
    return name;
  });
  console.log(`workflow-throughput: ${signals} signals per trial to the CSM's approval, one worker, dev server, private Postgres`);
  await inWorld(async (world) => {
    const trials: Trial[] = [];
    const rateTrials: RateTrial[] = [];
    // Warm-up (not counted): the dev server's and Postgres's first runs.
    await runTrial(world, 'direct', 'default', 10, 0);
    // A B B A ...: each configuration runs as often first as second, so a neighbour's load drifting over the run
    // colours them alike.
    for (let round = 0; round < repeat; round += 1) {
      for (const [p, path] of paths.entries()) {
        const order = (p + round) % 2 === 0 ? configs : [...configs].reverse();
        for (const config of order) {
          trials.push(await runTrial(world, path, config, signals, sample));
          process.stdout.write(`  ${path} / ${config} (round ${round + 1}/${repeat}) done, load average ${loadAverage()}\n`);
        }
      }
    }
    for (const rate of rates) {
      const trial = await runRateTrial(world, CONFIGS[options['rate-config']], rate, seconds, sample);
      rateTrials.push(trial);
      process.stdout.write(`  sustained ${rate}/s for ${seconds} s: ${trial.sustained ? 'held' : 'backlog grew'}, load average ${loadAverage()}\n`);
      if (!trial.sustained) break;
    }
    report(trials, signals);
    if (rateTrials.length > 0) reportRates(rateTrials, options['rate-config']);
  });
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(' ');
}

async function runTrial(world: World, path: Path, config: string, count: number, sample: number): Promise<Trial> {
  const taskQueue = `bench-throughput-${randomUUID()}`;
  const plans = loadShippedPlans();
  const worker = await spawnWorker(world, { taskQueue, ...CONFIGS[config] });
  const signalIds: string[] = [];
  const store = async (i: number) => {
    const { signalId } = await seedStalledSignal(world.db, { customerName: `Throughput ${path} ${config} ${i}` });
    signalIds.push(signalId);
    return signalId;
  };
  const listener =
    path === 'listener' ? await startListener({ db: world.db, client: world.client, plans, taskQueue, log: () => undefined }) : undefined;
  await listener?.caughtUp;
  const start = readCpu(world, worker.pid);
  const indexes = Array.from({ length: count }, (_, i) => i);
  if (path === 'direct') {
    await mapLimit(indexes, 10, async (i) =>
      startEnablementForSignal({ client: world.client, db: world.db, signalId: await store(i), plans, taskQueue }),
    );
  } else {
    await mapLimit(indexes, 10, store);
  }
  await waitForCount(`${path}/${config}: runs at the CSM's approval`, () => countAtApprovalBySignal(world.db, signalIds), count);
  const cpu = since(start, readCpu(world, worker.pid));
  await listener?.stop();
  await worker.stop();
  const waits = await world.db.query<{ start_ms: number; approval_ms: number; workflow_id: string }>(
    `SELECT EXTRACT(EPOCH FROM (s.handled_at - s.created_at)) * 1000 AS start_ms,
            EXTRACT(EPOCH FROM (t.created_at - s.created_at)) * 1000 AS approval_ms, s.workflow_id
       FROM risk_signals s JOIN tasks t ON t.workflow_id = s.workflow_id AND t.step_id = 'schedule_followup'
      WHERE s.id = ANY($1)`,
    [signalIds],
  );
  const sampled = waits.rows.slice(0, sample).map((row) => row.workflow_id);
  const histories = await mapLimit(sampled, 5, (id) => historyFigures(world.client, id));
  return {
    path,
    config,
    cpu,
    startWaitMs: waits.rows.map((row) => Number(row.start_ms)),
    approvalWaitMs: waits.rows.map((row) => Number(row.approval_ms)),
    workflowTaskLatency: histories.flatMap((history) => history.workflowTaskLatencies),
    activityLatency: histories.flatMap((history) => history.activityLatencies),
  };
}

function report(trials: Trial[], signals: number): void {
  console.log(`\nThroughput: ${signals} signals stored and carried to the CSM's approval (the listener's or the platform's start included)\n`);
  const rate = (trial: Trial) => signals / (trial.cpu.wallMs / 1000);
  console.log(
    table(
      ['path', 'worker config', 'wall s', 'runs/s', 'worker cpu', 'server cpu', 'postgres cpu', 'bench cpu', 'all cpu / 2 cores'],
      trials.map((trial) => [
        trial.path,
        trial.config,
        fmt(trial.cpu.wallMs / 1000, 1),
        fmt(rate(trial), 1),
        coreShare(trial.cpu.worker, trial.cpu.wallMs),
        coreShare(trial.cpu.server, trial.cpu.wallMs),
        coreShare(trial.cpu.postgres, trial.cpu.wallMs),
        coreShare(trial.cpu.bench, trial.cpu.wallMs),
        coreShare((trial.cpu.worker + trial.cpu.server + trial.cpu.postgres + trial.cpu.bench) / 2, trial.cpu.wallMs),
      ]),
    ),
  );
  console.log("\n   cpu: CPU time of the process over the trial's wall time, as a share of one core\n");
  const perRun = (ms: number) => ms / signals;
  const totalPerRun = (trial: Trial) => perRun(trial.cpu.worker + trial.cpu.server + trial.cpu.postgres + trial.cpu.bench);
  console.log(
    table(
      [
        'path',
        'worker config',
        'worker cpu ms/run',
        'server cpu ms/run',
        'postgres cpu ms/run',
        'bench cpu ms/run',
        'all cpu ms/run',
        'CPU ceiling on 2 idle cores',
      ],
      trials.map((trial) => [
        trial.path,
        trial.config,
        fmt(perRun(trial.cpu.worker), 1),
        fmt(perRun(trial.cpu.server), 1),
        fmt(perRun(trial.cpu.postgres), 1),
        fmt(perRun(trial.cpu.bench), 1),
        fmt(totalPerRun(trial), 1),
        `${fmt(2000 / totalPerRun(trial), 1)} runs/s`,
      ]),
    ),
  );
  console.log('\n   CPU per run does not stretch with the neighbours as wall time does; the ceiling is 2 cores / all CPU per run\n');
  console.log(
    table(
      [
        'path',
        'worker config',
        'signal->start p50/p90 ms',
        'signal->approval p50/p90/max ms',
        'workflow task sched->start p50/p90 ms',
        'activity sched->start p50/p90 ms',
      ],
      trials.map((trial) => [
        trial.path,
        trial.config,
        `${fmt(percentile(trial.startWaitMs, 50))}/${fmt(percentile(trial.startWaitMs, 90))}`,
        `${fmt(percentile(trial.approvalWaitMs, 50))}/${fmt(percentile(trial.approvalWaitMs, 90))}/${fmt(percentile(trial.approvalWaitMs, 100))}`,
        `${fmt(percentile(trial.workflowTaskLatency, 50))}/${fmt(percentile(trial.workflowTaskLatency, 90))}`,
        `${fmt(percentile(trial.activityLatency, 50))}/${fmt(percentile(trial.activityLatency, 90))}`,
      ]),
    ),
  );
  const medianRate = (path: Path, config: string) => median(trials.filter((trial) => trial.path === path && trial.config === config).map(rate));
  const medianCpu = (path: Path, config: string) => median(trials.filter((trial) => trial.path === path && trial.config === config).map(totalPerRun));
  console.log('');
  for (const path of PATHS) {
    for (const config of Object.keys(CONFIGS).filter((name) => name !== 'default')) {
      const base = medianRate(path, 'default');
      const other = medianRate(path, config);
      if (Number.isFinite(base) && Number.isFinite(other)) {
        console.log(
          `   ${path}: ${config} vs default (medians): ${ratio(other / base)} runs/s, ${ratio(medianCpu(path, config) / medianCpu(path, 'default'))} CPU per run`,
        );
      }
    }
  }
  for (const config of Object.keys(CONFIGS)) {
    const direct = medianRate('direct', config);
    const listener = medianRate('listener', config);
    if (Number.isFinite(direct) && Number.isFinite(listener)) {
      console.log(
        `   ${config}: listener vs direct (medians): ${ratio(listener / direct)} runs/s, ${ratio(medianCpu('listener', config) / medianCpu('direct', config))} CPU per run`,
      );
    }
  }
}

function reportRates(trials: RateTrial[], config: string): void {
  console.log(`\nSustained rate: signals arriving steadily, started directly, one worker (${config}); first third of the arrivals vs last third\n`);
  const p50 = (values: number[]) => fmt(percentile(values, 50));
  console.log(
    table(
      [
        'rate/s',
        'signals',
        'approval wait p50 ms first/last',
        'workflow task sched->start p50 ms first/last',
        'backlog when the last arrived',
        'worker cpu',
        'server cpu',
        'postgres cpu',
        'all cpu / 2 cores',
        'held',
      ],
      trials.map((trial) => [
        fmt(trial.rate),
        fmt(trial.signals),
        `${p50(trial.approvalFirst)}/${p50(trial.approvalLast)}`,
        `${p50(trial.taskFirst)}/${p50(trial.taskLast)}`,
        fmt(trial.backlogAtEnd),
        coreShare(trial.cpu.worker, trial.cpu.wallMs),
        coreShare(trial.cpu.server, trial.cpu.wallMs),
        coreShare(trial.cpu.postgres, trial.cpu.wallMs),
        coreShare((trial.cpu.worker + trial.cpu.server + trial.cpu.postgres + trial.cpu.bench) / 2, trial.cpu.wallMs),
        trial.sustained ? 'yes' : trial.lateStarts > 0 ? `no (${trial.lateStarts} late starts)` : 'no',
      ]),
    ),
  );
  const held = trials.filter((trial) => trial.sustained).map((trial) => trial.rate);
  const broke = trials.find((trial) => !trial.sustained);
  console.log(
    `\n   held: a rate whose last third waited at most ${FLAT_GROWTH_LIMIT}x the first third's median (or 0.25 s more), for approval and for a worker\n` +
      `   highest rate held: ${held.length ? `${Math.max(...held)}/s` : 'none tried held'}${broke ? `; ${broke.rate}/s built a backlog` : '; no rate tried built a backlog (try higher --rates)'}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
