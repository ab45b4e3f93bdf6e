import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_DATA_DIR } from '../db/open';
import { temporalSettingsFromEnv, type TemporalSettings } from '../client/connection';

/**
 * Where a running `start` can be reached, written to `<data dir>/start.json` while it runs, so the other commands
 * (`state`, `decide`, `trigger`, ...) find its dev server on any port when TEMPORAL_ADDRESS is unset.
 */
export interface StartRecord {
  pid: number;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  apiUrl: string;
  temporalUiUrl?: string;
}

export const START_RECORD_FILE = 'start.json';

const recordPath = (dataDir: string) => path.join(path.resolve(dataDir), START_RECORD_FILE);

export function writeStartRecord(dataDir: string, record: StartRecord): void {
  fs.mkdirSync(path.resolve(dataDir), { recursive: true });
  fs.writeFileSync(recordPath(dataDir), `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes the record if it is this process's (a later `start` on the same folder may have replaced it). */
export function removeStartRecord(dataDir: string, pid = process.pid): void {
  if (readStartRecord(dataDir)?.pid === pid) fs.rmSync(recordPath(dataDir), { force: true });
}

/** The record of a `start` still running on `dataDir`, else null (none, unreadable, or its process is gone). */
export function readStartRecord(dataDir: string): StartRecord | null {
  let record: StartRecord;
  try {
    record = JSON.parse(fs.readFileSync(recordPath(dataDir), 'utf8')) as StartRecord;
  } catch {
    return null;
  }
  if (!Number.isInteger(record.pid) || typeof record.temporalAddress !== 'string') return null;
  try {
    process.kill(record.pid, 0);
  } catch {
    return null;
  }
  return record;
}

/** The Temporal settings of a command: TEMPORAL_ADDRESS, else a running `start`'s record, else the default; and which. */
export function commandTemporalSettings(
  dataDir: string = DEFAULT_DATA_DIR,
  env: NodeJS.ProcessEnv = process.env,
): { settings: TemporalSettings; source: string } {
  const settings = temporalSettingsFromEnv(env);
  if (env.TEMPORAL_ADDRESS) return { settings, source: 'TEMPORAL_ADDRESS' };
  const record = readStartRecord(dataDir);
  if (!record) return { settings, source: `the default; no running start in ${path.join(dataDir, START_RECORD_FILE)}, TEMPORAL_ADDRESS unset` };
  return {
    settings: {
      ...settings,
      address: record.temporalAddress,
      namespace: env.TEMPORAL_NAMESPACE || record.namespace,
      taskQueue: env.TEMPORAL_TASK_QUEUE || record.taskQueue,
    },
    source: path.join(dataDir, START_RECORD_FILE),
  };
}

/** A client for a command, failing fast with the address and where it came from when nothing answers there. */
export async function connectCommandClient(
  dataDir?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ client: Client; settings: TemporalSettings }> {
  const { settings, source } = commandTemporalSettings(dataDir, env);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: settings.address, tls: settings.tls, apiKey: settings.apiKey, connectTimeout: '3s' });
  } catch (error) {
    throw new Error(`cannot reach Temporal at ${settings.address} (from ${source}): ${(error as Error).message}`, { cause: error });
  }
  return { client: new Client({ connection, namespace: settings.namespace }), settings };
}
