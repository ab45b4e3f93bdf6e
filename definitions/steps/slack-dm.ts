import type { JsonValue } from '../plan';
import type { StepKind } from './types';

export interface SlackDmConfig {
  message_template: string;
  include_resources?: boolean;
  to?: string;
  params?: Record<string, JsonValue>;
}

/** The messages the Slack activity knows how to render (PRD 5.1 alert; the follow-up's outcome). */
export const SLACK_MESSAGE_TEMPLATES = ['adoption_stalled_alert', 'adoption_outcome'] as const;

export const slackDm: StepKind<'slack_dm', SlackDmConfig> = {
  action: 'slack_dm',
  summary: "send a Slack DM (to the customer's CSM unless `to` says otherwise)",
  configSchema: {
    type: 'object',
    properties: {
      message_template: { enum: [...SLACK_MESSAGE_TEMPLATES] },
      include_resources: { type: 'boolean' },
      to: { type: 'string', minLength: 1 },
      params: { type: 'object' },
    },
    required: ['message_template'],
    additionalProperties: false,
  },
  templated: ['to', 'params'],
  normalise(config) {
    return {
      message_template: config.message_template,
      include_resources: config.include_resources ?? false,
      ...(config.to === undefined ? {} : { to: config.to }),
      params: config.params ?? {},
    };
  },
};
