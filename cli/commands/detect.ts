import type { Command } from 'commander';
import { DEFAULT_BATCH_SIZE, runDetection, type DetectionReport } from '../../adoption/detection';
import { isIsoDay } from '../../adoption/scoring';
import { resolveRules } from '../../adoption/config/load';
import { useDatabase, withDatabaseOption, type DatabaseOptions } from './database-option';

export interface DetectOptions extends DatabaseOptions {
  asOf: string;
  json?: boolean;
  dryRun?: boolean;
  batchSize?: string;
  config?: string;
}

export function registerDetectCommand(program: Command): void {
  withDatabaseOption(
    program
      .command('detect')
      .description(
        'evaluate every customer-feature as of the end of a UTC day (later events are ignored), store the ' +
          'adoption_stalled risk signals and print them; running a day twice creates nothing new',
      )
      .requiredOption('--as-of <day>', 'the UTC day, YYYY-MM-DD')
      .option('--json', 'print only the JSON report on stdout')
      .option('--dry-run', 'compute and print, store nothing')
      .option('--batch-size <n>', 'customers per batch', String(DEFAULT_BATCH_SIZE))
      .option('--config <file>', 'the detection rules (adoption.config.yaml); default: $ADOPTION_CONFIG, else the PRD defaults'),
  ).action(async (options: DetectOptions) => {
    if (!isIsoDay(options.asOf)) throw new Error(`--as-of must be a day, YYYY-MM-DD; got ${JSON.stringify(options.asOf)}`);
    const batchSize = Number(options.batchSize ?? DEFAULT_BATCH_SIZE);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch-size must be a positive whole number');
    // Read before the database is opened: an invalid rules file is refused at its line and column, nothing evaluated.
    const rules = resolveRules(options.config ?? null);
    const report = await useDatabase(options, (db) => runDetection(db, { asOf: options.asOf, dryRun: Boolean(options.dryRun), batchSize, rules }));
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(formatReport(report, Boolean(options.dryRun)));
  });
}

function formatReport(report: DetectionReport, dryRun: boolean): string {
  const lines = [
    `${dryRun ? '[dry run, nothing stored] ' : ''}as of ${report.asOf} (end of the UTC day): ${report.evaluated} ` +
      `customer-features evaluated, ${report.signals.length} signal(s), ${report.suppressed.length} suppressed, ` +
      `${report.recovered.length} recovered`,
    `rules: ${report.configuration.source ?? 'unknown'} (digest ${report.configuration.digest ?? 'unknown'})`,
  ];
  for (const signal of report.signals) {
    lines.push(`signal ${signal.signalId} customer ${signal.customerId} priority ${signal.priority}`);
    for (const feature of signal.features) {
      lines.push(`  ${feature.featureId}: ${feature.stage}, score ${feature.usageScore}, ${feature.rule}: ${feature.reason}`);
    }
  }
  for (const item of report.suppressed) lines.push(`suppressed ${item.customerId} ${item.featureId}: ${item.reason}`);
  for (const item of report.recovered) lines.push(`recovered ${item.customerId} ${item.featureId}`);
  return `${lines.join('\n')}\n`;
}
