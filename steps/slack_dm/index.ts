import type { StepKind } from '../kind';
import type { SlackDmActivities } from './activity';
import { slackDmDefinition, type SlackDmConfig, type SlackDmPlanConfig } from './definition';
import { executeSlackDm } from './executor';

export const slackDm: StepKind<'slack_dm', SlackDmConfig, SlackDmPlanConfig, SlackDmActivities> = {
  ...slackDmDefinition,
  activities: { slackDm: true },
  execute: executeSlackDm,
};
