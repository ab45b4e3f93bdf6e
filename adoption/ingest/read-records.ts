import fs from 'node:fs';
import readline from 'node:readline';
import { LineCounter, isSeq, parseDocument } from 'yaml';
import type { ErrorObject } from 'ajv';
import type { Db } from '../../db/database';
import { checkStructure, type StructureLimits } from '../model/input-checks';

/** What an import reports: counts, and every bad record with its line so the operator can fix the file. */
export interface ImportIssue {
  file: string;
  line: number | null;
  message: string;
}

export interface ImportSummary {
  kind: 'customers' | 'catalog' | 'usage';
  file: string;
  /** Records (customers, catalog entries) or non-empty lines (usage) read. */
  read: number;
  /** Newly stored or updated. */
  imported: number;
  /** Usage events already stored (an event imported twice counts once). */
  duplicates: number;
  /** Usage events whose eventId is already stored with different content: not imported, each an issue. */
  conflicts: number;
  /** Bad records or lines, skipped. */
  skipped: number;
  /** Errors: each bad record or line, skipped (the others are kept). */
  issues: ImportIssue[];
  /** Warnings: records kept but worth a look (usage of a feature that is not in the catalog). */
  warnings: ImportIssue[];
}

export function emptySummary(kind: ImportSummary['kind'], file: string): ImportSummary {
  return { kind, file, read: 0, imported: 0, duplicates: 0, conflicts: 0, skipped: 0, issues: [], warnings: [] };
}

/** Lines of a text file, streamed, numbered from 1, without a BOM or trailing CR. */
export async function* readLines(file: string): AsyncGenerator<{ line: number; text: string }> {
  const input = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of lines) {
      line += 1;
      yield { line, text: line === 1 ? raw.replace(/^\uFEFF/, '') : raw };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

export interface ParsedRecords {
  /** The records of the top-level array (or of `listKey` in a top-level mapping). */
  records: unknown[];
  /** The 1-based line where each record starts, when known. */
  lines: Array<number | null>;
}

/**
 * Reads a JSON or YAML file holding an array of records (JSON is YAML 1.2, so one parser gives both and the line of
 * each record). A top-level mapping may hold the array under one of `listKeys`.
 */
export function readRecords(file: string, listKeys: string[]): ParsedRecords {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0) {
    // Strict JSON that YAML refuses (it happens with tabs in odd places): fall back to JSON.parse without lines.
    if (/\.json$/i.test(file)) {
      try {
        return fromValue(JSON.parse(text), null, listKeys, file);
      } catch {
        /* report the YAML error below, it carries a line */
      }
    }
    const first = doc.errors[0];
    const line = first.linePos?.[0]?.line;
    throw new Error(`${file}${line ? `:${line}` : ''}: cannot parse: ${first.message.split('\n')[0]}`);
  }
  let node: unknown = doc.contents;
  const value = doc.toJS({ maxAliasCount: 100 });
  if (!isSeq(node) && value && typeof value === 'object' && !Array.isArray(value)) {
    const key = listKeys.find((candidate) => Array.isArray((value as Record<string, unknown>)[candidate]));
    node = key ? doc.get(key, true) : undefined;
  }
  return fromValue(value, isSeq(node) ? node : null, listKeys, file, lineCounter);
}

function fromValue(
  value: unknown,
  seq: { items: Array<{ range?: [number, number, number] | null } | unknown> } | null,
  listKeys: string[],
  file: string,
  lineCounter?: LineCounter,
): ParsedRecords {
  let records: unknown;
  if (Array.isArray(value)) records = value;
  else if (value && typeof value === 'object') {
    const key = listKeys.find((candidate) => Array.isArray((value as Record<string, unknown>)[candidate]));
    records = key ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (!Array.isArray(records)) {
    throw new Error(`${file}: expected an array of records${listKeys.length ? ` (or an object with ${listKeys.join(' or ')})` : ''}`);
  }
  const lines = records.map((_, index) => {
    const item = seq?.items[index] as { range?: [number, number, number] | null } | undefined;
    const offset = item?.range?.[0];
    return offset !== undefined && lineCounter ? lineCounter.linePos(offset).line : null;
  });
  return { records, lines };
}

/** One line per ajv error: `field: problem`, with the path of the field inside the record. */
export function describeAjvErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid record';
  return errors
    .map((error) => {
      const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
      if (error.keyword === 'required') {
        const missing = (error.params as { missingProperty: string }).missingProperty;
        return `${path ? `${path}.` : ''}${missing}: is required`;
      }
      if (error.keyword === 'additionalProperties') {
        const extra = (error.params as { additionalProperty: string }).additionalProperty;
        return `${path ? `${path}.` : ''}${extra}: is not a known field`;
      }
      return `${path || 'record'}: ${error.message ?? 'is invalid'}`;
    })
    .join('; ');
}

/** Limits of one customer or catalog record, before its schema: no NUL anywhere (Postgres refuses it), bounded. */
export const RECORD_LIMITS: StructureLimits = { maxDepth: 8, maxStringLength: 20_000, maxNodes: 5_000 };

/** `field: problem` for a record with a NUL, an over-long string or too much nesting, or null when it is fine. */
export function recordProblem(record: unknown): string | null {
  const problem = checkStructure(record, RECORD_LIMITS);
  if (!problem) return null;
  return `${problem.path.replace(/^\//, '').replace(/\//g, '.') || 'record'}: ${problem.problem}`;
}

/**
 * True when Postgres refused the data itself (SQLSTATE class 22 data exception, 23 integrity constraint, 54 program
 * limit such as an index row too large, P0 raised by a trigger): the record is bad, the others may be stored.
 * Anything else (a lost connection, a cancelled statement, a deadlock, a bug) aborts the file.
 */
export function isDataRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54|P0)[0-9A-Z]{3}$/.test(code);
}

let savepoints = 0;

/** Runs `work` inside a savepoint of the transaction `tx`: rolled back to it (and rethrown) when it fails. */
export async function inSavepoint<T>(tx: Db, work: () => Promise<T>): Promise<T> {
  const name = `adoption_import_${(savepoints += 1)}`;
  await tx.query(`SAVEPOINT ${name}`);
  try {
    const result = await work();
    await tx.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
    throw error;
  }
}

/**
 * Stores `items` with `store` in one statement; should the database refuse it, stores them one at a time, each in
 * its own savepoint, and reports each refused one with its line: all-or-nothing per record, never per batch.
 * Returns the number stored (as `store` counts them).
 */
export async function storeEachOrAll<T extends { line: number | null; label: string }>(
  tx: Db,
  items: T[],
  store: (batch: T[]) => Promise<number>,
  summary: ImportSummary,
): Promise<number> {
  if (items.length === 0) return 0;
  try {
    return await inSavepoint(tx, () => store(items));
  } catch (error) {
    if (!isDataRefusal(error)) throw error;
    let stored = 0;
    for (const item of items) {
      try {
        stored += await inSavepoint(tx, () => store([item]));
      } catch (error) {
        if (!isDataRefusal(error)) throw error;
        const message = (error as Error).message.split('\n')[0].slice(0, 200);
        summary.issues.push({ file: summary.file, line: item.line, message: `${item.label}: refused by the database: ${message}` });
      }
    }
    return stored;
  }
}
