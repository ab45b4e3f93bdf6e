import path from 'node:path';
import { USAGE_LIMITS, UsageLineError } from './usage-event';
import { readLines } from './read-records';

/** The fields of a usage line; a CSV header may name them in camelCase or snake_case. */
const USAGE_FIELDS = ['customerId', 'featureId', 'event', 'occurredAt', 'userId', 'count', 'eventId'] as const;
const FIELD_ALIASES: Record<string, UsageField> = Object.fromEntries([
  ...USAGE_FIELDS.map((field) => [field.toLowerCase(), field]),
  ['customer_id', 'customerId'],
  ['feature_id', 'featureId'],
  ['occurred_at', 'occurredAt'],
  ['user_id', 'userId'],
  ['event_id', 'eventId'],
]);

export type UsageField = (typeof USAGE_FIELDS)[number];

/** A CSV header line -> the field of each column (null: a column the importer ignores). */
export function csvHeader(text: string): Array<UsageField | null> {
  return splitCsvLine(text).map((name) => FIELD_ALIASES[name.toLowerCase()] ?? null);
}

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  if (quoted) throw new UsageLineError('unterminated quoted field');
  fields.push(field.trim());
  return fields.map((value) => value.trim());
}

/** The file's format by its extension, else by its first line. */
export function detectFormat(file: string, firstLine: string): 'ndjson' | 'csv' {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (['.ndjson', '.jsonl', '.json'].includes(extension)) return 'ndjson';
  return firstLine.trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

/** One NDJSON line -> its value. */
export function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageLineError(`not valid JSON: ${(error as Error).message.slice(0, 120)}`);
  }
}

/** One CSV line -> a record keyed by the header's fields. */
export function csvRecord(header: Array<UsageField | null>, text: string): Record<string, string> {
  const values = splitCsvLine(text);
  if (values.length !== header.length) {
    throw new UsageLineError(`expected ${header.length} fields as in the header, got ${values.length}`);
  }
  const record: Record<string, string> = {};
  header.forEach((field, index) => {
    if (field) record[field] = values[index];
  });
  return record;
}

/** One record to import, with where it stands (a file's line, or a position in a list), or why it is unreadable. */
export type UsageItem = { line: number; record: unknown } | { line: number; problem: string };

/**
 * The records of a usage file (NDJSON or CSV), line by line: blank lines skipped, a CSV header read first. A line
 * that cannot be read is yielded with its problem; a header that cannot be read stops the file.
 */
export async function* usageItemsOfFile(file: string, format?: 'ndjson' | 'csv'): AsyncGenerator<UsageItem> {
  let header: Array<UsageField | null> | null = null;
  for await (const { line, text } of readLines(file)) {
    if (text.trim() === '') continue;
    format ??= detectFormat(file, text);
    if (format === 'csv' && header === null) {
      try {
        if (text.length > USAGE_LIMITS.lineLength) throw new UsageLineError(`longer than ${USAGE_LIMITS.lineLength} characters`);
        header = csvHeader(text);
      } catch (error) {
        throw new Error(`${file}:${line}: header: ${(error as Error).message}`, { cause: error });
      }
      const missing = ['customerId', 'featureId', 'event', 'occurredAt'].filter((field) => !header!.includes(field as never));
      if (missing.length > 0) throw new Error(`${file}:${line}: the CSV header lacks ${missing.join(', ')}`);
      continue;
    }
    try {
      if (text.length > USAGE_LIMITS.lineLength) throw new UsageLineError(`the line is longer than ${USAGE_LIMITS.lineLength} characters`);
      yield { line, record: format === 'csv' ? csvRecord(header!, text) : parseJsonLine(text) };
    } catch (error) {
      if (!(error instanceof UsageLineError)) throw error;
      yield { line, problem: error.message };
    }
  }
}
