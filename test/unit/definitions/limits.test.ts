import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { compileDefinition, loadDefinitionFile } from '../../../definitions/compile';
import { DEFINITION_LIMITS, decodeDefinition, firstInvalidUtf8, inspectDocument } from '../../../definitions/limits';
import { SourceMap } from '../../../definitions/language/yaml-source-map';

/**
 * Issue 8, definitions: size and key-count limits with a clear error, invalid UTF-8 refused at its position, and
 * validation that stays linear. No timings here (they are in bench/definition-limits.ts): linearity is shown by
 * counting the work the compiler's own lookups do.
 */
const HEAD = `workflow: limits_test
version: "1.0"
trigger: { type: risk_signal_created }
steps:
  - id: alert
    action: slack_dm
    config:
      message_template: adoption_stalled_alert
`;
const manyKeys = (keys: number) => HEAD + Array.from({ length: keys }, (_, i) => `      k${i}: v\n`).join('');
const manySteps = (steps: number) =>
  HEAD.replace(/ {2}- id: alert[\s\S]*$/, '') +
  Array.from({ length: steps }, (_, i) => `  - id: wait_${i}\n    action: wait\n    config:\n      duration: 1h\n`).join('');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'definition-limits-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('a file over the size limit is refused before it is read, with one clear error', () => {
  const file = path.join(dir, 'big.yaml');
  fs.writeFileSync(file, manyKeys(1) + `# ${'x'.repeat(50 * 1024 * 1024)}\n`);
  expect(loadDefinitionFile(file).diagnostics).toEqual([
    { file, line: 1, column: 1, category: 'limit', message: `the definition is larger than 256 KiB (${fs.statSync(file).size} bytes)` },
  ]);
  expect(compileDefinition(`${HEAD}# ${'é'.repeat(DEFINITION_LIMITS.maxBytes / 2)}\n`, 'x.yaml').diagnostics).toEqual([
    { file: 'x.yaml', line: 1, column: 1, category: 'limit', message: 'the definition is larger than 256 KiB' },
  ]);
});

it('more keys than the limit is one error at the first key over it', () => {
  const result = compileDefinition(manyKeys(DEFINITION_LIMITS.maxKeys + 10), 'keys.yaml');
  expect(result.diagnostics).toEqual([
    expect.objectContaining({ category: 'limit', message: 'the definition has more than 5000 keys', line: expect.any(Number) }),
  ]);
  expect(result.diagnostics[0].line).toBeGreaterThan(8);
  const deep = `${HEAD}      params: ${'['.repeat(40)}1${']'.repeat(40)}\n`;
  expect(compileDefinition(deep, 'deep.yaml').diagnostics).toEqual([
    expect.objectContaining({ category: 'limit', message: 'the definition is nested deeper than 32 levels' }),
  ]);
});

it('thousands of problems list at most 100 diagnostics and say how many more there are', () => {
  const result = compileDefinition(manyKeys(3000), 'keys.yaml');
  expect(result.diagnostics).toHaveLength(DEFINITION_LIMITS.maxDiagnostics + 1);
  expect(result.diagnostics[0]).toMatchObject({ category: 'unknown-key', line: 9, column: 7 });
  expect(result.diagnostics[100]).toMatchObject({ category: 'limit', message: '2900 more problems not listed (at most 100 are)' });
});

it('duplicate keys are still refused (found in one pass), at the repeated key', () => {
  const result = compileDefinition(`${HEAD}      include_resources: true\n      include_resources: false\n`, 'dup.yaml');
  expect(result.diagnostics).toEqual([
    expect.objectContaining({ line: 10, column: 7, category: 'yaml-syntax', message: 'YAML: Map keys must be unique' }),
  ]);
});

it('a large valid definition just under the limits compiles', () => {
  const text = manySteps(DEFINITION_LIMITS.maxSteps);
  expect(text.length).toBeLessThan(DEFINITION_LIMITS.maxBytes);
  const result = compileDefinition(text, 'valid.yaml');
  expect(result.diagnostics).toEqual([]);
  expect(result.plan?.steps).toHaveLength(200);
  expect(compileDefinition(manySteps(DEFINITION_LIMITS.maxSteps + 1), 'over.yaml').diagnostics).toEqual([
    expect.objectContaining({ category: 'schema', path: 'steps' }),
  ]);
});

it('invalid UTF-8 is refused at its line and column, never replaced', () => {
  const file = path.join(dir, 'latin1.yaml');
  const bytes = Buffer.concat([Buffer.from(`${HEAD}      params:\n        note: "caf`), Buffer.from([0xe9]), Buffer.from(` au lait"\n`)]);
  fs.writeFileSync(file, bytes);
  expect(loadDefinitionFile(file).diagnostics).toEqual([
    {
      file,
      line: 10,
      column: 19,
      category: 'encoding',
      message: `invalid UTF-8 at byte ${bytes.indexOf(0xe9)} (0xE9): a definition must be UTF-8 text`,
    },
  ]);
  expect(firstInvalidUtf8(Buffer.from('é€😀', 'utf8'))).toBeNull();
  expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong "/"
  expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a UTF-16 surrogate
  expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1); // truncated at the end
  expect(decodeDefinition(Buffer.from('ok: é'))).toEqual({ ok: true, text: 'ok: é' });
});

it('a raw NUL byte is refused at its line and column, as the rules file does', () => {
  const file = path.join(dir, 'nul.yaml');
  fs.writeFileSync(file, `${HEAD}      params:\n        note: "a\u0000b"\n`);
  expect(loadDefinitionFile(file).diagnostics).toEqual([
    { file, line: 10, column: 17, category: 'encoding', message: 'the file contains a NUL character' },
  ]);
});

it('validation work is linear in the number of keys: inspecting and locating every key visits each pair a bounded number of times', () => {
  const work = (keys: number) => {
    const text = manyKeys(keys);
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
    const report = inspectDocument(doc);
    const map = new SourceMap(doc, lines, text);
    // One lookup per key, as the unknown-key diagnostics do.
    for (let i = 0; i < keys; i += 1) map.position(['steps', 0, 'config', `k${i}`], { key: true });
    return { keys: report.keys, indexedPairs: map.indexedPairs };
  };
  const small = work(1000);
  const large = work(4000);
  expect(large.keys - small.keys).toBe(3000);
  // A linear search (the old SourceMap) indexed ~keys^2/2 pairs: 8,000,000 for 4,000 keys. Now each map is indexed once.
  expect(large.indexedPairs).toBeLessThanOrEqual(4000 + 20);
  expect(large.indexedPairs / small.indexedPairs).toBeLessThan(4.1);
});
