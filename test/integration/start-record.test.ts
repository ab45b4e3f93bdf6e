import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/run-cli';
import { spawnSync } from 'node:child_process';
import { readStartRecord, removeStartRecord, writeStartRecord, START_RECORD_FILE } from '../../cli/start-record';

/**
 * A running `start` records where its servers are (`.data/start.json`); `state`, `decide`, `recovered` and `trigger`
 * use it when TEMPORAL_ADDRESS is unset, and a connection failure names the address and where it came from.
 */
const cwd = process.cwd();
let workDir: string;

beforeEach(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-record-'));
  process.chdir(workDir);
});

afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(workDir, { recursive: true, force: true });
});

const record = (temporalAddress: string) => ({
  pid: process.pid,
  temporalAddress,
  namespace: 'default',
  taskQueue: 'adoption-enablement',
  apiUrl: 'http://127.0.0.1:3999',
  temporalUiUrl: 'http://127.0.0.1:8299',
});

it("state finds a running start's Temporal on its own port when TEMPORAL_ADDRESS is unset", async () => {
  writeStartRecord('.data', record(process.env.TEST_TEMPORAL_ADDRESS!));
  const result = await runCli(['state', '--workflow-id', 'adoption-stalled/none/none'], { TEMPORAL_ADDRESS: undefined });
  // Reached the server: it answers that the run does not exist, not "Failed to connect".
  expect(result.error?.message).toMatch(/not found/i);
  expect(result.error?.message).not.toMatch(/connect/i);
});

it('a connection failure names the address and the record it came from, within seconds', async () => {
  writeStartRecord('.data', record('127.0.0.1:1'));
  const began = Date.now();
  const result = await runCli(['decide', '--workflow-id', 'w', '--decision', 'approve', '--by', 'csm@example.com'], { TEMPORAL_ADDRESS: undefined });
  expect(result.error?.message).toMatch(new RegExp(`^cannot reach Temporal at 127\\.0\\.0\\.1:1 \\(from \\.data/${START_RECORD_FILE}\\)`));
  expect(Date.now() - began).toBeLessThan(8_000);
});

it('ignores a record whose process is gone, and removes only its own', () => {
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  writeStartRecord('.data', { ...record('127.0.0.1:1'), pid: gone });
  expect(readStartRecord('.data')).toBeNull();
  writeStartRecord('.data', record('127.0.0.1:1'));
  expect(readStartRecord('.data')).toEqual(record('127.0.0.1:1'));
  removeStartRecord('.data', process.pid + 1);
  expect(fs.existsSync(path.join('.data', START_RECORD_FILE))).toBe(true);
  removeStartRecord('.data');
  expect(fs.existsSync(path.join('.data', START_RECORD_FILE))).toBe(false);
});
