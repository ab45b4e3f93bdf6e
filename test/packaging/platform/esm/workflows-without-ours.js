// A platform workflows file that forgot the re-export: the plugin must refuse it at worker start.
import { proxyActivities } from '@temporalio/workflow';

const { greet } = proxyActivities({ startToCloseTimeout: '10 seconds' });

export async function onboardingWorkflow(name) {
  return await greet(name);
}
