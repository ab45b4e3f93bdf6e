/**
 * The worker's tuning knobs that bench/ measured (bench/RESULTS.md sections 3 and 4), for the `worker` and `start`
 * commands, from the environment. Unset means the measured default: 20 activity slots, and a sticky cache of
 * `DEFAULT_MAX_CACHED_WORKFLOWS` runs. A bad value is refused naming its variable, before the worker starts.
 */
export interface WorkerTuning {
  /** 0 turns the sticky cache off (every workflow task replays the run's history). */
  maxCachedWorkflows: number;
  maxConcurrentActivityTaskExecutions: number;
}

export const DEFAULT_MAX_CONCURRENT_ACTIVITIES = 20;

/**
 * Sticky cache size. Runs wait days (the CSM's approval, the 14-day follow-up): the least recently used ones are
 * evicted and replayed from their history when they wake, while the runs working right now stay cached. The SDK's
 * default is sized from the heap limit (2,310 on a 4 GB heap), about 0.5 MB of resident memory per cached run:
 * 2,000 parked runs held 1.2 GB against 391 MB with 100 (bench/worker-memory.ts, bench/RESULTS.md section 4).
 * Kept at least the SDK's `maxConcurrentWorkflowTaskExecutions` (40), which the SDK would otherwise lower to it.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;

const LIMITS = {
  maxCachedWorkflows: { variable: 'ADOPTION_WORKER_MAX_CACHED_WORKFLOWS', min: 0, max: 100_000 },
  maxConcurrentActivityTaskExecutions: { variable: 'ADOPTION_WORKER_MAX_CONCURRENT_ACTIVITIES', min: 1, max: 10_000 },
} as const;

export function workerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const tuning: WorkerTuning = {
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
    maxConcurrentActivityTaskExecutions: DEFAULT_MAX_CONCURRENT_ACTIVITIES,
  };
  for (const key of Object.keys(LIMITS) as Array<keyof typeof LIMITS>) {
    const { variable, min, max } = LIMITS[key];
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const value = raw.trim();
    if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new Error(`${variable}: a whole number from ${min} to ${max}; got ${JSON.stringify(value.slice(0, 40))}`);
    }
    tuning[key] = Number(value);
  }
  return tuning;
}
