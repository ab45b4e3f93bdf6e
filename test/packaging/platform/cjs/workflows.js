// The platform's own workflows file (CommonJS), with the one line that adds ours.
const { proxyActivities } = require('@temporalio/workflow');

const { greet } = proxyActivities({ startToCloseTimeout: '10 seconds' });

exports.onboardingWorkflow = async function onboardingWorkflow(name) {
  return await greet(name);
};

Object.assign(exports, require('adoption-enablement/workflows'));
