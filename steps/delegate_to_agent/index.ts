import type { StepKind } from '../kind';
import type { DelegateToAgentActivities } from './activity';
import { delegateToAgentDefinition, type DelegateToAgentConfig, type DelegateToAgentPlanConfig } from './definition';
import { executeDelegateToAgent } from './executor';

export const delegateToAgent: StepKind<'delegate_to_agent', DelegateToAgentConfig, DelegateToAgentPlanConfig, DelegateToAgentActivities> = {
  ...delegateToAgentDefinition,
  activities: { delegateToAgent: true },
  execute: executeDelegateToAgent,
};
