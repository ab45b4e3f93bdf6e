#!/usr/bin/env node
import { Command } from 'commander';
import { COMMANDS } from './commands';

/** `npx adoption-enablement <command>`: every command lives in cli/commands/, one file each. */
export function buildProgram(): Command {
  const program = new Command('adoption-enablement')
    .description('Feature-adoption-stalled enablement playbooks (PRD-090) as durable Temporal workflows')
    .showHelpAfterError();
  for (const register of COMMANDS) register(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      process.stderr.write(`adoption-enablement: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = process.exitCode || 1;
    });
}
