/**
 * Sustained rate (issue 11, item 3): signals arriving at a steady R per second for a while, each stored and started
 * directly, carried to the CSM's approval by one worker. A rate is sustained when the backlog does not grow: the
 * runs arriving in the last third of the trial wait no longer for their approval, and their workflow tasks no longer
 * for a worker, than those of the first third. A burst (workflow-throughput's trials) says how fast a backlog drains;
 * this says which arrival rate never builds one, which is what an operator sizes a worker for.
 */
import { randomUUID } from 'node:crypto';
import { loadShippedPlans } from '../definitions/compile';
import { startEnablementForSignal } from '../client/start-enablement';
import { seedStalledSignal } from '../testing/fixtures';
import {
  countAtApprovalBySignal,
  historyFigures,
  mapLimit,
  percentile,
  readCpu,
  since,
  spawnWorker,
  waitForCount,
  type CpuReading,
  type World,
  type WorkerTuning,
} from './workflow-world';

/** A rate holds when the last third's median wait is at most this multiple of the first third's. */
export const FLAT_GROWTH_LIMIT = 1.25;
/** ... or within this many milliseconds of it: a wait of a few tens of milliseconds that doubles is still no backlog. */
const FLAT_SLACK_MS = 250;

export interface RateTrial {
  rate: number;
  seconds: number;
  signals: number;
  /** Signals that could not be stored and started on schedule (the client itself fell behind). */
  lateStarts: number;
  cpu: CpuReading;
  /** Signal stored -> run at approval, ms, first and last third of the arrivals. */
  approvalFirst: number[];
  approvalLast: number[];
  /** Workflow task scheduled -> started, ms, from sampled histories of the first and last third. */
  taskFirst: number[];
  taskLast: number[];
  /** Runs stored but not yet at approval when the last signal arrived. */
  backlogAtEnd: number;
  sustained: boolean;
}

export async function runRateTrial(world: World, tuning: WorkerTuning, rate: number, seconds: number, sample: number): Promise<RateTrial> {
  const taskQueue = `bench-sustained-${randomUUID()}`;
  const plans = loadShippedPlans();
  const worker = await spawnWorker(world, { taskQueue, ...tuning });
  const total = Math.max(3, Math.round(rate * seconds));
  const signalIds: string[] = new Array<string>(total);
  const pending: Array<Promise<void>> = [];
  let lateStarts = 0;
  const begin = performance.now();
  const start = readCpu(world, worker.pid);
  for (let i = 0; i < total; i += 1) {
    const due = begin + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (wait < -1000 / rate) lateStarts += 1;
    pending.push(
      (async () => {
        const { signalId } = await seedStalledSignal(world.db, { customerName: `Sustained ${rate}/s ${i}` });
        signalIds[i] = signalId;
        await startEnablementForSignal({ client: world.client, db: world.db, signalId, plans, taskQueue });
      })(),
    );
  }
  await Promise.all(pending);
  const backlogAtEnd = total - (await countAtApprovalBySignal(world.db, signalIds));
  await waitForCount(`${rate}/s: runs at the CSM's approval`, () => countAtApprovalBySignal(world.db, signalIds), total);
  const cpu = since(start, readCpu(world, worker.pid));
  await worker.stop();

  const waits = await world.db.query<{ id: string; approval_ms: number; workflow_id: string }>(
    `SELECT s.id, EXTRACT(EPOCH FROM (t.created_at - s.created_at)) * 1000 AS approval_ms, s.workflow_id
       FROM risk_signals s JOIN tasks t ON t.workflow_id = s.workflow_id AND t.step_id = 'schedule_followup'
      WHERE s.id = ANY($1)`,
    [signalIds],
  );
  const byId = new Map(waits.rows.map((row) => [row.id, row]));
  const third = Math.max(1, Math.floor(total / 3));
  const first = signalIds.slice(0, third).map((id) => byId.get(id)!);
  const last = signalIds.slice(total - third).map((id) => byId.get(id)!);
  const tasks = async (rows: typeof first) =>
    (await mapLimit(rows.slice(0, sample), 5, (row) => historyFigures(world.client, row.workflow_id))).flatMap((h) => h.workflowTaskLatencies);
  const approvalFirst = first.map((row) => Number(row.approval_ms));
  const approvalLast = last.map((row) => Number(row.approval_ms));
  const taskFirst = await tasks(first);
  const taskLast = await tasks(last.slice(-sample));
  const flat = (a: number[], b: number[]) => {
    const before = percentile(a, 50);
    const after = percentile(b, 50);
    return after <= before * FLAT_GROWTH_LIMIT || after - before <= FLAT_SLACK_MS;
  };
  return {
    rate,
    seconds,
    signals: total,
    lateStarts,
    cpu,
    approvalFirst,
    approvalLast,
    taskFirst,
    taskLast,
    backlogAtEnd,
    sustained: lateStarts === 0 && flat(approvalFirst, approvalLast) && flat(taskFirst, taskLast),
  };
}
