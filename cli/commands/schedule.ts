import type { Command } from 'commander';
import { DETECTION_SCHEDULE_ID, createDetectionSchedule, deleteDetectionSchedule, type DetectionScheduleOptions } from '../../client/schedule';
import { connectClient, temporalSettingsFromEnv } from '../../client/connection';

interface ScheduleCommandOptions {
  id: string;
  hour: string;
  minute: string;
  batchSize?: string;
  enablement?: boolean;
}

/** `schedule create|describe|trigger|delete`: the daily detection Schedule on the Temporal cluster of the environment. */
export function registerScheduleCommand(program: Command): void {
  const schedule = program.command('schedule').description('the Temporal Schedule that runs adoption detection daily');

  schedule
    .command('create')
    .description('create the daily detection schedule, or bring an existing one up to date (idempotent)')
    .option('--id <scheduleId>', 'schedule id', DETECTION_SCHEDULE_ID)
    .option('--hour <h>', 'UTC hour of the daily run', '1')
    .option('--minute <m>', 'UTC minute of the daily run', '0')
    .option('--batch-size <n>', 'customers per detection batch')
    .option('--no-enablement', 'detect and store signals only; do not start enablement runs')
    .action(async (options: ScheduleCommandOptions) => {
      const settings = temporalSettingsFromEnv();
      const wanted: DetectionScheduleOptions = {
        scheduleId: options.id,
        taskQueue: settings.taskQueue,
        hour: Number(options.hour),
        minute: Number(options.minute),
        batchSize: options.batchSize === undefined ? undefined : Number(options.batchSize),
        startEnablement: options.enablement !== false,
      };
      if (wanted.batchSize !== undefined && !(Number.isInteger(wanted.batchSize) && wanted.batchSize > 0)) {
        throw new Error('--batch-size must be a positive whole number');
      }
      const client = await connectClient(settings);
      try {
        const result = await createDetectionSchedule(client, wanted);
        process.stdout.write(
          `${result.created ? 'created' : 'updated'} schedule ${result.scheduleId}: detection daily at ` +
            `${options.hour.padStart(2, '0')}:${options.minute.padStart(2, '0')} UTC on task queue ${settings.taskQueue}\n`,
        );
      } finally {
        await client.connection.close();
      }
    });

  schedule
    .command('describe')
    .description('show the schedule: next runs and recent actions')
    .option('--id <scheduleId>', 'schedule id', DETECTION_SCHEDULE_ID)
    .action(async (options: { id: string }) => {
      const client = await connectClient(temporalSettingsFromEnv());
      try {
        const description = await client.schedule.getHandle(options.id).describe();
        const summary = {
          scheduleId: description.scheduleId,
          paused: description.state.paused,
          nextActionTimes: description.info.nextActionTimes.map((time) => time.toISOString()),
          recentActions: description.info.recentActions.map((action) => ({
            scheduledAt: action.scheduledAt.toISOString(),
            workflowId: action.action.workflow.workflowId,
          })),
        };
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } finally {
        await client.connection.close();
      }
    });

  schedule
    .command('trigger')
    .description('run detection now (as of yesterday, UTC) through the schedule')
    .option('--id <scheduleId>', 'schedule id', DETECTION_SCHEDULE_ID)
    .action(async (options: { id: string }) => {
      const client = await connectClient(temporalSettingsFromEnv());
      try {
        await client.schedule.getHandle(options.id).trigger();
        process.stdout.write(`triggered ${options.id}\n`);
      } finally {
        await client.connection.close();
      }
    });

  schedule
    .command('delete')
    .description('delete the schedule (running detections finish)')
    .option('--id <scheduleId>', 'schedule id', DETECTION_SCHEDULE_ID)
    .action(async (options: { id: string }) => {
      const client = await connectClient(temporalSettingsFromEnv());
      try {
        const deleted = await deleteDetectionSchedule(client, options.id);
        process.stdout.write(deleted ? `deleted ${options.id}\n` : `no schedule ${options.id}\n`);
      } finally {
        await client.connection.close();
      }
    });
}
