import type { Command } from 'commander';
import { registerDbCommands } from './db';
import { registerDefinitionsCommands } from './definitions';
import { registerImportCommand } from './import';
import { registerDetectCommand } from './detect';

/** One line per command file. */
export const COMMANDS: Array<(program: Command) => void> = [
  registerDbCommands,
  registerDefinitionsCommands,
  registerImportCommand,
  registerDetectCommand,
];
