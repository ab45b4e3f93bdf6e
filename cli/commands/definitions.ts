import path from 'node:path';
import type { Command } from 'commander';
import { loadDefinitionFile, loadShippedDefinitions, shippedDefinitionsDir, type LoadedDefinition } from '../../definitions/compile';
import { formatDiagnostic } from '../../definitions/language/diagnostics';
import { DEFINITION_SCHEMA } from '../../definitions/schema';

/**
 * `definitions validate [FILE...]`, `definitions show FILE`, `definitions schema`.
 *
 * Output contract: what succeeded goes to stdout (`FILE: ok (N steps, digest <sha256>)`, the plan, the schema);
 * every problem goes to stderr as one `FILE:LINE:COLUMN: message` line, the format editors and CI annotators jump
 * from. Exit code 1 when any file has a problem, else 0. Keeping the two streams apart lets a script collect the
 * problems alone (`2>problems.txt`) or pipe `show` into jq without error text in the JSON.
 */
export function registerDefinitionsCommands(program: Command): void {
  const definitions = program.command('definitions').description('validate and inspect workflow definitions (YAML -> plan)');

  definitions
    .command('validate')
    .description(`compile definitions and report every problem; no FILE: all shipped ones (${relativeToCwd(shippedDefinitionsDir())}/*.yaml)`)
    .argument('[files...]', 'definition files')
    .option('--dir <dir>', 'with no FILE: validate every *.yaml in this folder instead of the shipped one')
    .action((files: string[], options: { dir?: string }) => {
      const dir = options.dir ?? shippedDefinitionsDir();
      const loaded = files.length > 0 ? files.map((file) => loadDefinitionFile(file)) : loadShippedDefinitions(dir);
      if (loaded.length === 0) {
        process.stdout.write(`no definitions in ${relativeToCwd(dir)}\n`);
        return;
      }
      for (const definition of loaded) report(definition);
      if (loaded.some((definition) => definition.diagnostics.length > 0)) process.exitCode = 1;
    });

  definitions
    .command('show')
    .description('print the compiled plan of a definition as JSON')
    .argument('<file>', 'definition file')
    .action((file: string) => {
      const definition = loadDefinitionFile(file);
      if (!definition.plan) {
        report(definition);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${JSON.stringify(definition.plan, null, 2)}\n`);
    });

  definitions
    .command('schema')
    .description('print the JSON Schema of definition files (for editors; semantic checks are not in it)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(DEFINITION_SCHEMA, null, 2)}\n`);
    });
}

function report(definition: LoadedDefinition): void {
  if (definition.plan) {
    const steps = definition.plan.steps.length;
    process.stdout.write(`${definition.file}: ok (${steps} step${steps === 1 ? '' : 's'}, digest ${definition.plan.digest})\n`);
    return;
  }
  for (const diagnostic of definition.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
}

function relativeToCwd(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative === '' ? '.' : relative.startsWith('..') ? absolute : relative;
}
