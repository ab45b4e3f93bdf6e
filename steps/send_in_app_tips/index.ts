import type { StepKind } from '../kind';
import type { SendInAppTipsActivities } from './activity';
import { sendInAppTipsDefinition, type SendInAppTipsConfig, type SendInAppTipsPlanConfig } from './definition';
import { executeSendInAppTips } from './executor';

export const sendInAppTips: StepKind<'send_in_app_tips', SendInAppTipsConfig, SendInAppTipsPlanConfig, SendInAppTipsActivities> = {
  ...sendInAppTipsDefinition,
  activities: { sendInAppTips: true },
  execute: executeSendInAppTips,
};
