/**
 * The worker's tuning knobs that bench/ measured (bench/RESULTS.md sections 3 and 4), for the `worker` and `start`
 * commands, from the environment. Unset means the measured default: 20 activity slots, and the SDK's sticky cache
 * size (sized from the heap limit). A bad value is refused naming its variable, before the worker starts.
 */
export interface WorkerTuning {
  /** Unset: the SDK's default. 0 turns the sticky cache off (every workflow task replays the run's history). */
  maxCachedWorkflows?: number;
  maxConcurrentActivityTaskExecutions: number;
}

export const DEFAULT_MAX_CONCURRENT_ACTIVITIES = 20;

const LIMITS = {
  maxCachedWorkflows: { variable: 'ADOPTION_WORKER_MAX_CACHED_WORKFLOWS', min: 0, max: 100_000 },
  maxConcurrentActivityTaskExecutions: { variable: 'ADOPTION_WORKER_MAX_CONCURRENT_ACTIVITIES', min: 1, max: 10_000 },
} as const;

export function workerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const tuning: WorkerTuning = { maxConcurrentActivityTaskExecutions: DEFAULT_MAX_CONCURRENT_ACTIVITIES };
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
