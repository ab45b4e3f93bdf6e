// The platform's own workflows file (ESM), with the one line that adds ours.
import { proxyActivities } from '@temporalio/workflow';

const { greet } = proxyActivities({ startToCloseTimeout: '10 seconds' });

export async function onboardingWorkflow(name) {
  return await greet(name);
}

export * from 'adoption-enablement/workflows';
