import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import type { Plan } from '../definitions/plan';
import { startEnablementForSignal, type StartEnablementResult } from '../temporal/start-enablement';

export interface ListenerOptions {
  db: Db;
  client: Client;
  plans: Plan[];
  taskQueue?: string;
  log?: (message: string) => void;
  onStarted?: (result: StartEnablementResult) => void;
}

export interface RunningListener {
  /** Resolves when the catch-up of signals stored while nobody listened is done. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts an enablement run for every `risk_signal_created` notification, and first for every stored signal no run
 * was started for (so nothing is lost while the listener was down). Signals are handled one at a time in arrival
 * order; a failure is logged and left unhandled in the table, so the next start of the listener retries it.
 */
export async function startListener(options: ListenerOptions): Promise<RunningListener> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (signalId: string) => {
    chain = chain.then(() => handle(signalId));
    return chain;
  };
  const handle = async (signalId: string) => {
    try {
      const result = await startEnablementForSignal({ ...options, signalId });
      log(`${result.started ? 'started' : 'already running'} ${result.workflowId} (${result.definition})`);
      options.onStarted?.(result);
    } catch (error) {
      log(`signal ${signalId}: not started: ${(error as Error).message}`);
    }
  };
  // Subscribe before the catch-up query, so a signal inserted in between is seen by one or the other (or both:
  // a second start of the same signal finds the existing run).
  const unsubscribe = await options.db.listen('risk_signal_created', (payload) => void enqueue(payload));
  const pending = await options.db.query<{ id: string }>(`SELECT id FROM risk_signals WHERE handled_at IS NULL ORDER BY created_at, id`);
  for (const row of pending.rows) void enqueue(row.id);
  const caughtUp = chain;
  return {
    caughtUp,
    async stop() {
      await unsubscribe();
      await chain;
    },
  };
}
