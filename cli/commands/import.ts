import type { Command } from 'commander';
import type { Db } from '../../db/database';
import { importCatalogFile } from '../../adoption/ingest/catalog';
import type { ImportSummary } from '../../adoption/ingest/read-records';
import { importCustomersFile } from '../../adoption/ingest/customers';
import { importUsageFile } from '../../adoption/ingest/usage';
import { useDatabase, withDatabaseOption, type DatabaseOptions } from './database-option';

export interface ImportOptions extends DatabaseOptions {
  customers?: string;
  catalog?: string;
  usage?: string;
  json?: boolean;
}

/** Imports in dependency order: customers, then the catalog, then usage (which refers to customers). */
export async function importFiles(db: Db, files: { customers?: string; catalog?: string; usage?: string }): Promise<ImportSummary[]> {
  const summaries: ImportSummary[] = [];
  if (files.customers) summaries.push(await importCustomersFile(db, files.customers));
  if (files.catalog) summaries.push(await importCatalogFile(db, files.catalog));
  if (files.usage) summaries.push(await importUsageFile(db, files.usage));
  return summaries;
}

export function registerImportCommand(program: Command): void {
  withDatabaseOption(
    program
      .command('import')
      .description(
        'import customers (JSON), the feature catalog (YAML or JSON) and usage events (NDJSON or CSV); ' +
          're-importing is harmless; bad records are reported with their line and skipped (exit code 1)',
      )
      .option('--customers <file>', 'JSON array of customers')
      .option('--catalog <file>', 'YAML or JSON array of feature_catalog rows')
      .option('--usage <file>', 'usage events, NDJSON or CSV, one event a line')
      .option('--json', 'print the summaries as JSON on stdout'),
  ).action(async (options: ImportOptions) => {
    if (!options.customers && !options.catalog && !options.usage) {
      throw new Error('nothing to import: give --customers, --catalog and/or --usage');
    }
    const summaries = await useDatabase(options, (db) => importFiles(db, options));
    for (const summary of summaries) {
      for (const issue of summary.issues) {
        process.stderr.write(`${issue.file}${issue.line ? `:${issue.line}` : ''}: ${issue.message}\n`);
      }
      for (const warning of summary.warnings ?? []) {
        process.stderr.write(`${warning.file}${warning.line ? `:${warning.line}` : ''}: warning: ${warning.message}\n`);
      }
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
    } else {
      for (const summary of summaries) {
        const duplicates =
          summary.kind === 'usage'
            ? `, ${summary.duplicates} already imported${summary.conflicts ? `, ${summary.conflicts} in conflict with a stored event` : ''}`
            : '';
        process.stdout.write(
          `${summary.kind} (${summary.file}): ${summary.read} read, ${summary.imported} imported${duplicates}, ` + `${summary.skipped} skipped\n`,
        );
      }
    }
    if (summaries.some((summary) => summary.issues.length > 0)) process.exitCode = 1;
  });
}
