import type { StepKind } from '../kind';
import type { SendEmailActivities } from './activity';
import { sendEmailDefinition, type SendEmailConfig, type SendEmailPlanConfig } from './definition';
import { executeSendEmail } from './executor';

export const sendEmail: StepKind<'send_email', SendEmailConfig, SendEmailPlanConfig, SendEmailActivities> = {
  ...sendEmailDefinition,
  activities: { sendEmail: true },
  execute: executeSendEmail,
};
