import { formatDiagnostic } from '../../definitions/language/diagnostics';
import type { Command } from 'commander';
import { DEFAULT_RULES_CONFIG_FILE, loadRulesConfigFile, resolveRules, RULES_CONFIG_ENV } from '../../adoption/config/load';
import { RULES_CONFIG_SCHEMA } from '../../adoption/config/schema';
import { rulesAsConfigFile } from '../../adoption/config/file-form';
import { stringify } from 'yaml';

/**
 * `config validate [FILE]`, `config show [FILE]`, `config schema`: the detection rules file (adoption.config.yaml).
 *
 * Output contract, as `definitions`: what succeeded goes to stdout (`FILE: ok (digest <sha256>)`, the resolved rules,
 * the schema); every problem goes to stderr as one `FILE:LINE:COLUMN: message` line. Exit code 1 on any problem.
 */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('validate and inspect the detection rules (adoption.config.yaml)');

  config
    .command('validate')
    .description(`validate a rules file; no FILE: $${RULES_CONFIG_ENV}, else ./${DEFAULT_RULES_CONFIG_FILE}`)
    .argument('[file]', 'rules file')
    .action((file: string | undefined) => {
      const chosen = file ?? (process.env[RULES_CONFIG_ENV] || DEFAULT_RULES_CONFIG_FILE);
      const result = loadRulesConfigFile(chosen);
      if (!result.loaded) {
        for (const diagnostic of result.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${chosen}: ok (digest ${result.loaded.digest})\n`);
    });

  config
    .command('show')
    .description(
      `print the rules detection would use as a rules file, every default filled in, with their source and digest (no FILE: $${RULES_CONFIG_ENV}, else the defaults)`,
    )
    .argument('[file]', 'rules file')
    .action((file: string | undefined) => {
      const loaded = resolveRules(file ?? null);
      // The file's own form, so the output is itself a rules file `config validate` accepts (same digest).
      process.stdout.write(`# source: ${loaded.source}\n# digest: ${loaded.digest}\n${stringify(rulesAsConfigFile(loaded.rules))}`);
    });

  config
    .command('schema')
    .description('print the JSON Schema of the rules file (for editors)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(RULES_CONFIG_SCHEMA, null, 2)}\n`);
    });
}
