import type { Command } from 'commander';
import { registerDbCommands } from './db';
import { registerDefinitionsCommands } from './definitions';

/** One line per command file. */
export const COMMANDS: Array<(program: Command) => void> = [registerDbCommands, registerDefinitionsCommands];
