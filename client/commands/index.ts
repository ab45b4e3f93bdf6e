import type { Command } from 'commander';
import { registerDbCommands } from './db';

/** One line per command file. */
export const COMMANDS: Array<(program: Command) => void> = [registerDbCommands];
