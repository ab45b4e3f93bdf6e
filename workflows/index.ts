// The worker's workflow bundle entry: every workflow type the package registers.
export { enablementWorkflow } from './enablement';
export { detectionWorkflow } from './detection';
export { interventionFollowUpWorkflow } from './intervention-follow-up';
