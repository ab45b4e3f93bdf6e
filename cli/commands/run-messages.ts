import type { Command } from 'commander';
import {
  emailDecisionSignal,
  recoveredSignal,
  stateQuery,
  validateEmailDecision,
  validateRecovered,
  type EnablementWorkflow,
} from '../../workflows/messages';
import type { Client } from '@temporalio/client';
import { connectCommandClient } from '../start-record';

interface DecisionOptions {
  workflowId: string;
  decision: string;
  by: string;
  subject?: string;
  body?: string;
  reason?: string;
}

/**
 * The run's message contract from a terminal: `decide` (signal emailDecision), `recovered` and `state`. Payloads are
 * validated here first, so a typo is refused with the field's name and nothing reaches the run.
 */
export function registerRunMessageCommands(program: Command): void {
  program
    .command('decide')
    .description('approve, edit or reject the enablement email a run is waiting on (signal emailDecision)')
    .requiredOption('--workflow-id <id>', 'adoption-stalled/<customerId>/<signalId>')
    .requiredOption('--decision <decision>', 'approve | edit | reject')
    .requiredOption('--by <who>', 'who decided (email or name)')
    .option('--subject <text>', 'edited subject (with --decision edit)')
    .option('--body <text>', 'edited body (with --decision edit)')
    .option('--reason <text>', 'why (with --decision reject)')
    .action(async (options: DecisionOptions) => {
      const { workflowId, ...fields } = options;
      const payload = validateEmailDecision(Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
      await withClient((client) => client.workflow.getHandle<EnablementWorkflow>(workflowId).signal(emailDecisionSignal, payload));
      process.stdout.write(`sent emailDecision ${payload.decision} to ${workflowId}\n`);
    });

  program
    .command('recovered')
    .description("tell a run that a feature's usage resumed (signal recovered)")
    .requiredOption('--workflow-id <id>', 'adoption-stalled/<customerId>/<signalId>')
    .requiredOption('--feature-id <id>', 'the recovered feature')
    .option('--detected-at <iso>', 'when usage resumed (ISO-8601)', new Date().toISOString())
    .action(async (options: { workflowId: string; featureId: string; detectedAt: string }) => {
      const payload = validateRecovered({ featureId: options.featureId, detectedAt: options.detectedAt });
      await withClient((client) => client.workflow.getHandle<EnablementWorkflow>(options.workflowId).signal(recoveredSignal, payload));
      process.stdout.write(`sent recovered ${payload.featureId} to ${options.workflowId}\n`);
    });

  program
    .command('state')
    .description("print a run's state (query state): step, what it waits for, features, outcome")
    .requiredOption('--workflow-id <id>', 'adoption-stalled/<customerId>/<signalId>')
    .action(async (options: { workflowId: string }) => {
      const state = await withClient((client) => client.workflow.getHandle<EnablementWorkflow>(options.workflowId).query(stateQuery));
      process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
    });
}

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const { client } = await connectCommandClient();
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}
