import type { Command } from 'commander';
import { registerDbCommands } from './db';
import { registerDefinitionsCommands } from './definitions';
import { registerConfigCommands } from './config';
import { registerImportCommand } from './import';
import { registerDetectCommand } from './detect';
import { registerScheduleCommand } from './schedule';
import { registerWorkerCommand } from './worker';
import { registerTriggerCommand } from './trigger';
import { registerListenCommand } from './listen';
import { registerApiCommand } from './api';
import { registerStartCommand } from './start';
import { registerRunMessageCommands } from './run-messages';

/** One line per command file. */
export const COMMANDS: Array<(program: Command) => void> = [
  registerDbCommands,
  registerDefinitionsCommands,
  registerConfigCommands,
  registerImportCommand,
  registerDetectCommand,
  registerScheduleCommand,
  registerWorkerCommand,
  registerTriggerCommand,
  registerListenCommand,
  registerApiCommand,
  registerStartCommand,
  registerRunMessageCommands,
];
