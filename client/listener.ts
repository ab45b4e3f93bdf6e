import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import type { Plan } from '../definitions/plan';
import { startEnablementForSignal, type StartEnablementResult } from './start-enablement';
import { createSignalQueue } from './signal-queue';
import { listenForRiskSignals, unhandledSignalIds } from '../adoption/signals';

/** Backoff of resubscribing after a lost connection: 1 s, doubling, at most 30 s between tries. */
const RECONNECT_FIRST_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;
/** Runs being started at once (see client/signal-queue.ts). */
export const DEFAULT_LISTENER_CONCURRENCY = 4;

export interface ListenerOptions {
  db: Db;
  client: Client;
  plans: Plan[];
  taskQueue?: string;
  log?: (message: string) => void;
  /** Signals whose runs are being started at once; default DEFAULT_LISTENER_CONCURRENCY. */
  concurrency?: number;
  onStarted?: (result: StartEnablementResult) => void;
}

export interface RunningListener {
  /** Resolves when the catch-up of signals stored while nobody listened is done. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts an enablement run for every `risk_signal_created` notification, and first for every stored signal no run
 * was started for (so nothing is lost while the listener was down). Signals are started in arrival order, a few at
 * a time; a failure is logged and left unhandled in the table, so the next start of the listener retries it.
 */
export async function startListener(options: ListenerOptions): Promise<RunningListener> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const queue = createSignalQueue(options.concurrency ?? DEFAULT_LISTENER_CONCURRENCY, (signalId) => handle(signalId));
  const enqueue = (signalId: string) => queue.enqueue(signalId);
  let caughtUp: Promise<void> = Promise.resolve();
  const handle = async (signalId: string) => {
    try {
      const result = await startEnablementForSignal({ ...options, signalId });
      log(`${result.started ? 'started' : 'already running'} ${result.workflowId} (${result.definition})`);
      options.onStarted?.(result);
    } catch (error) {
      log(`signal ${signalId}: not started: ${(error as Error).message}`);
    }
  };
  let stopped = false;
  let unsubscribe: (() => Promise<void>) | null = null;
  const catchUp = async () => {
    const pending = await unhandledSignalIds(options.db);
    caughtUp = Promise.all(pending.map((signalId) => enqueue(signalId))).then(() => undefined);
  };
  // Subscribe before the catch-up query, so a signal inserted in between is seen by one or the other (or both:
  // a second start of the same signal finds the existing run).
  const subscribe = async () => {
    const stop = await listenForRiskSignals(
      options.db,
      (signalId) => void enqueue(signalId),
      (error) => {
        unsubscribe = null;
        log(`listener: lost the database connection (${error.message}); reconnecting`);
        reconnecting = reconnect();
      },
    );
    unsubscribe = stop;
    try {
      await catchUp();
    } catch (error) {
      unsubscribe = null;
      await stop();
      throw error;
    }
  };
  // After a lost connection (a restarted or unreachable server): subscribe again with backoff, then catch up on
  // every signal stored meanwhile, so none written while the listener was cut off is missed.
  const reconnect = async () => {
    for (let delay = RECONNECT_FIRST_MS; !stopped; delay = Math.min(delay * 2, RECONNECT_MAX_MS)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopped) return;
      try {
        await subscribe();
        log('listener: reconnected and caught up');
        return;
      } catch (error) {
        log(`listener: reconnect failed (${(error as Error).message}); next try in ${Math.min(delay * 2, RECONNECT_MAX_MS) / 1000}s`);
      }
    }
  };
  let reconnecting: Promise<void> = Promise.resolve();
  await subscribe();
  return {
    caughtUp,
    async stop() {
      stopped = true;
      await reconnecting;
      await unsubscribe?.();
      await queue.drained();
    },
  };
}
