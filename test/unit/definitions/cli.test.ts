import { STEP_ACTIONS } from '../../../steps';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildProgram } from '../../../cli/main';
import { loadDefinitionFile } from '../../../definitions/compile';

const FIXTURES = path.relative(process.cwd(), path.join(__dirname, '..', '..', 'fixtures', 'definitions'));
const PRD = path.join(FIXTURES, 'prd-4.4.yaml');
const UNKNOWN_ACTION = path.join(FIXTURES, 'invalid', 'unknown-action.yaml');

/** Runs the real CLI program in-process and captures what it writes and the exit code it sets. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    await buildProgram().exitOverride().parseAsync(args, { from: 'user' });
    return { stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = previous;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('adoption-enablement definitions validate', () => {
  it('prints FILE: ok with the step count and digest, exit 0', async () => {
    const digest = loadDefinitionFile(PRD).plan!.digest;
    expect(await cli('definitions', 'validate', PRD)).toEqual({
      stdout: `${PRD}: ok (6 steps, digest ${digest})\n`,
      stderr: '',
      exitCode: 0,
    });
  });

  it('prints one FILE:LINE:COLUMN: message line per problem on stderr, exit 1, and still reports the good files', async () => {
    const twoProblems = path.join(FIXTURES, 'invalid', 'sql-two-statements.yaml');
    const result = await cli('definitions', 'validate', PRD, UNKNOWN_ACTION, twoProblems);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${escape(PRD)}: ok \\(6 steps, digest [0-9a-f]{64}\\)\\n$`));
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `${UNKNOWN_ACTION}:10:13: unknown action "send_slack" in steps[0]; known actions: ${STEP_ACTIONS.join(', ')}`,
      `${twoProblems}:12:82: query_database runs exactly one statement; found another after ";"`,
    ]);
  });

  it('reports a missing file as a problem', async () => {
    const result = await cli('definitions', 'validate', 'nowhere.yaml');
    expect(result).toEqual({ stdout: '', stderr: 'nowhere.yaml:1:1: cannot read: no such file\n', exitCode: 1 });
  });

  it('validates the shipped definitions when no file is given', async () => {
    const result = await cli('definitions', 'validate');
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^definitions\/[^/]+\.ya?ml: ok \(\d+ steps?, digest [0-9a-f]{64}\)$|^no definitions in /);
  });

  it('says so and exits 0 when a folder has no definitions', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-definitions-'));
    try {
      expect(await cli('definitions', 'validate', '--dir', dir)).toEqual({ stdout: `no definitions in ${dir}\n`, stderr: '', exitCode: 0 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('adoption-enablement definitions show', () => {
  it('prints the compiled plan as JSON', async () => {
    const result = await cli('definitions', 'show', PRD);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(loadDefinitionFile(PRD).plan);
  });

  it('prints the problems instead when the definition is broken', async () => {
    expect(await cli('definitions', 'show', UNKNOWN_ACTION)).toMatchObject({
      stdout: '',
      stderr: expect.stringMatching(/^.*unknown-action\.yaml:10:13: unknown action "send_slack"/),
      exitCode: 1,
    });
  });
});

describe('adoption-enablement definitions schema', () => {
  it('prints the JSON Schema', async () => {
    const schema = JSON.parse((await cli('definitions', 'schema')).stdout);
    expect(schema.required).toEqual(['workflow', 'version', 'trigger', 'steps']);
    expect(schema.properties.steps.items.oneOf.map((kind: { properties: { action: { const: string } } }) => kind.properties.action.const)).toEqual(
      STEP_ACTIONS,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
