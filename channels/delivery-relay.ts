import type { Db } from '../db/database';
import { deliver, DeliveryInProgress, type DeliveryChannels } from './delivery';
import { configuredChannels } from './delivery-channels';
import type { OutboxChannel } from './outbox';

/**
 * The outbox relay (docs/delivery.md): messages written while their channel was unset or down (Slack, SMTP, the
 * in-app webhook) are delivered once the channel works, through the same claim protocol as the steps, so a message
 * a step is sending at the same moment, or one left in doubt by a killed worker, still goes out once. Until then
 * nothing counts it as sent: what its delivery means (a relayed enablement email becomes an intervention) is the
 * payload kind's on-delivered hook in `deps.onDelivered`, run as the message is marked delivered.
 */

export interface RelayDeps extends DeliveryChannels {
  db: Db;
  log?: (message: string) => void;
}

export interface RelayPass {
  delivered: number;
  failed: number;
  /** Being sent by another attempt at the moment (it delivers them). */
  busy: number;
}

/** After this many attempts a message is left for a person (its last_error says why): a relay never loops on it. */
export const RELAY_MAX_ATTEMPTS = 20;
const RELAY_BATCH = 100;
/**
 * A message younger than this is left to the step that wrote it (it is sending it now, or its retry will): the relay
 * is for what nobody else will send, and does not compete with running steps for the lease.
 */
export const RELAY_MIN_AGE_SECONDS = 120;

export interface RelayOptions {
  limit?: number;
  /** Default RELAY_MIN_AGE_SECONDS. */
  minAgeSeconds?: number;
}

/** One pass over the undelivered messages of the configured channels, oldest first. */
export async function relayOutbox(deps: RelayDeps, options: RelayOptions = {}): Promise<RelayPass> {
  const pass: RelayPass = { delivered: 0, failed: 0, busy: 0 };
  const channels = configuredChannels(deps);
  const due = await deps.db.query<{ idempotency_key: string; channel: OutboxChannel }>(
    `SELECT idempotency_key, channel FROM outbox
      WHERE NOT delivered AND channel = ANY($1::text[]) AND attempts < $2 AND (lease_until IS NULL OR lease_until <= NOW())
        AND created_at <= NOW() - make_interval(secs => $4)
        -- A DM with nobody to send to waits for a person, not for the relay (it would fill every batch).
        AND (channel <> 'slack' OR recipient IS NOT NULL)
      ORDER BY id LIMIT $3`,
    [channels, RELAY_MAX_ATTEMPTS, options.limit ?? RELAY_BATCH, options.minAgeSeconds ?? RELAY_MIN_AGE_SECONDS],
  );
  for (const row of due.rows) {
    try {
      const outcome = await deliver(deps.db, deps, row.idempotency_key);
      if (outcome.state !== 'delivered') continue;
      if (outcome.deliveredNow) pass.delivered += 1;
    } catch (error) {
      if (error instanceof DeliveryInProgress) {
        pass.busy += 1;
        continue;
      }
      pass.failed += 1;
      deps.log?.(`[outbox relay] ${row.channel} ${row.idempotency_key}: ${(error as Error)?.message ?? String(error)}`);
    }
  }
  return pass;
}

export interface RunningRelay {
  /** Ends the loop after the pass in progress. */
  stop(): Promise<void>;
}

/** Runs `relayOutbox` now and every `intervalMs` until stopped (the worker runs it beside polling). */
export function startOutboxRelay(deps: RelayDeps, intervalMs: number, options: RelayOptions = {}): RunningRelay {
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        const pass = await relayOutbox(deps, options);
        if (pass.delivered > 0) deps.log?.(`[outbox relay] delivered ${pass.delivered} queued message(s)`);
      } catch (error) {
        // The database may be restarting: the next pass tries again.
        deps.log?.(`[outbox relay] pass failed: ${(error as Error)?.message ?? String(error)}`);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs).unref();
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
