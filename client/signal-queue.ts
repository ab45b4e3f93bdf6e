/**
 * Signals waiting for their enablement run, started at most `concurrency` at a time in arrival order. A start is a
 * few round trips to Postgres and Temporal, mostly waiting on them, so a handful in flight multiplies the rate at
 * which a burst of signals gets its runs without loading either; one at a time, a detection pass that stores a few
 * hundred signals kept the last of them waiting tens of seconds for a run (bench/RESULTS.md, throughput).
 *
 * A signal already waiting or being started is not queued again: the catch-up query and a notification can name the
 * same one, and starting it twice at once would only make the second start find the first run.
 */
export interface SignalQueue {
  /** Resolves when this signal has been handled (started, found running, or its failure logged). */
  enqueue(signalId: string): Promise<void>;
  /** Resolves when nothing is waiting or being started, including signals queued while it waited. */
  drained(): Promise<void>;
}

export function createSignalQueue(concurrency: number, handle: (signalId: string) => Promise<void>): SignalQueue {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`signal queue concurrency must be a whole number >= 1, got ${concurrency}`);
  const waiting: Array<{ signalId: string; done: () => void }> = [];
  const pending = new Map<string, Promise<void>>();
  let active = 0;
  const pump = () => {
    while (active < concurrency && waiting.length > 0) {
      const next = waiting.shift()!;
      active += 1;
      const settle = () => {
        active -= 1;
        pending.delete(next.signalId);
        next.done();
        pump();
      };
      handle(next.signalId).then(settle, settle);
    }
  };
  return {
    enqueue(signalId) {
      const existing = pending.get(signalId);
      if (existing) return existing;
      const handled = new Promise<void>((resolve) => waiting.push({ signalId, done: resolve }));
      pending.set(signalId, handled);
      pump();
      return handled;
    },
    async drained() {
      while (pending.size > 0) await Promise.all([...pending.values()]);
    },
  };
}
