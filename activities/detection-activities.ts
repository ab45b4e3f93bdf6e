import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/common';
import { loadShippedPlans } from '../definitions/compile';
import type { Plan } from '../definitions/plan';
import { enablementWorkflowId, startEnablementForSignal } from '../client/start-enablement';
import { startPendingFollowUps } from '../client/start-follow-up';
import { addDays } from '../adoption/scoring';
import type { ActivityDeps } from '../steps/activity-deps';
import {
  DEFAULT_BATCH_SIZE,
  detectAll,
  markRecoveryNotified,
  pendingRecoveries,
  readReport,
  signalsOfDay,
  summarise,
  type DetectionProgress,
} from '../adoption/detection';

import type { DetectionActivities, NotifyRecoveriesResult, StartEnablementRunsResult, StartFollowUpsResult } from '../workflows/detection-contract';
import { recoveredSignal } from '../workflows/messages';

/**
 * The activities of the detection workflow (workflows/detection.ts, whose contract they implement):
 *   runDetection          all batches of one as-of day, heartbeating after each; a retry resumes after the last
 *                         committed batch (every statement is an upsert, so redoing a batch is harmless too);
 *   startEnablementRuns   one enablement run per signal of the day (duplicates are refused by the workflow id);
 *   notifyRecoveries      the `recovered` signal to the run of each stall that recovered that day.
 */
export interface DetectionActivityOptions {
  /** The compiled definitions enablement runs choose from (`startEnablementForSignal`); default: the shipped ones. */
  plans?: () => Promise<Plan[]> | Plan[];
}

export function createDetectionActivities(deps: ActivityDeps, options: DetectionActivityOptions = {}): DetectionActivities {
  const log = deps.log ?? (() => undefined);
  return {
    async runDetection(args) {
      const context = activityContext();
      const resume = context?.info.heartbeatDetails as DetectionProgress | undefined;
      const progress = await detectAll(deps.db, {
        asOf: args.asOf,
        batchSize: args.batchSize ?? DEFAULT_BATCH_SIZE,
        resume: resume && resume.asOf === args.asOf ? resume : undefined,
        onProgress: (current) => {
          context?.heartbeat(current);
          log(`detection ${current.asOf}: batch ${current.batches} done, ${current.evaluated} evaluated`);
        },
      });
      return summarise(await readReport(deps.db, args.asOf), progress.batches);
    },

    async startEnablementRuns(args) {
      const temporal = requireTemporal(deps, 'start enablement runs');
      const plans = options.plans ? await options.plans() : loadShippedPlans();
      const result: StartEnablementRunsResult = { started: [], failed: [] };
      const context = activityContext();
      for (const { signalId } of await signalsOfDay(deps.db, args.asOf)) {
        try {
          const outcome = await startEnablementForSignal({
            client: temporal.client,
            db: deps.db,
            signalId,
            taskQueue: temporal.taskQueue,
            plans,
          });
          result.started.push({ signalId, workflowId: outcome.workflowId, started: outcome.started });
        } catch (error) {
          // One bad signal must not hold back the others; it is reported in the workflow result.
          result.failed.push({ signalId, error: (error as Error).message });
        }
        context?.heartbeat({ signalId });
      }
      return result;
    },

    async notifyRecoveries(args) {
      const temporal = requireTemporal(deps, 'signal recoveries');
      const result: NotifyRecoveriesResult = { signalled: [], notRunning: [] };
      const context = activityContext();
      for (const recovery of await pendingRecoveries(deps.db, args.asOf)) {
        const workflowId = enablementWorkflowId(recovery.customerId, recovery.signalId);
        try {
          await temporal.client.workflow
            .getHandle(workflowId)
            .signal(recoveredSignal, { featureId: recovery.featureId, detectedAt: recovery.detectedAt });
          result.signalled.push({ workflowId, featureId: recovery.featureId });
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          result.notRunning.push({ workflowId, featureId: recovery.featureId });
        }
        await markRecoveryNotified(deps.db, recovery.stallId);
        context?.heartbeat({ stallId: recovery.stallId });
      }
      return result;
    },

    async startPendingFollowUps(args) {
      const temporal = requireTemporal(deps, 'start intervention follow-ups');
      const since = new Date(`${addDays(args.asOf, -FOLLOW_UP_HORIZON_DAYS)}T00:00:00Z`);
      const starts = await startPendingFollowUps({ client: temporal.client, db: deps.db, taskQueue: temporal.taskQueue, since });
      const result: StartFollowUpsResult = { started: [], alreadyStarted: 0 };
      for (const start of starts) {
        if (start.started) result.started.push({ interventionId: start.interventionId, workflowId: start.workflowId });
        else result.alreadyStarted += 1;
      }
      return result;
    },
  };
}

/**
 * An intervention older than its last measurement (30 days) would be measured at once, from history: the sweep leaves
 * those to a deliberate `follow-ups` start rather than flooding a cluster with years of imported interventions.
 */
export const FOLLOW_UP_HORIZON_DAYS = 31;

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (a script or a test calling the function directly)
  }
}

function requireTemporal(deps: ActivityDeps, what: string): NonNullable<ActivityDeps['temporal']> {
  if (!deps.temporal) throw new Error(`cannot ${what}: the activity dependencies have no Temporal client`);
  return deps.temporal;
}
