import type { Db } from '../db/database';

/** The NOTIFY channel the risk_signals insert trigger (db/migrations/001_core.sql) announces each new signal on. */
export const RISK_SIGNAL_CREATED = 'risk_signal_created';

/**
 * Hears every new risk signal's id as it is stored; resolves to the unsubscribe function. `onLost` hears when the
 * subscription's connection is lost (it must then be made again, and the unhandled signals read).
 */
export function listenForRiskSignals(db: Db, onSignal: (signalId: string) => void, onLost?: (error: Error) => void): Promise<() => Promise<void>> {
  return db.listen(RISK_SIGNAL_CREATED, onSignal, onLost);
}

/** Signals no run was started for (nor decided against), oldest first: what a listener catches up on. */
export async function unhandledSignalIds(db: Db): Promise<string[]> {
  const pending = await db.query<{ id: string }>(`SELECT id FROM risk_signals WHERE handled_at IS NULL ORDER BY created_at, id`);
  return pending.rows.map((row) => row.id);
}

/** The UTC day a signal speaks of: its detection's as-of day, else the day it was stored. */
export async function signalDay(db: Db, signalId: string): Promise<string> {
  const day = await db.query<{ day: string }>(
    `SELECT COALESCE(as_of, (created_at AT TIME ZONE 'UTC')::date)::text AS day FROM risk_signals WHERE id = $1`,
    [signalId],
  );
  return day.rows[0].day;
}

/** The signal needs no run (every feature held out): handled, so no listener starts one for it again. */
export async function markSignalHandled(db: Db, signalId: string): Promise<void> {
  await db.query(`UPDATE risk_signals SET handled_at = COALESCE(handled_at, NOW()) WHERE id = $1`, [signalId]);
}

/** The signal's run was started (or found): the signal names it and is handled. */
export async function recordSignalRun(db: Db, signalId: string, workflowId: string): Promise<void> {
  await db.query(`UPDATE risk_signals SET workflow_id = $2, handled_at = COALESCE(handled_at, NOW()) WHERE id = $1`, [signalId, workflowId]);
}
