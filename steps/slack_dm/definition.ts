import type { TemplateValue } from '../../definitions/language/types';
import type { JsonValue } from '../../definitions/language/types';
import type { StepDefinition } from '../kind';

export interface SlackDmPlanConfig {
  message_template: SlackMessageTemplate;
  include_resources: boolean;
  /** Slack user id; defaults to the customer's CSM. */
  to?: TemplateValue;
  /** Free values handed to the message template. */
  params: Record<string, TemplateValue>;
}

export interface SlackDmConfig {
  message_template: SlackMessageTemplate;
  include_resources?: boolean;
  to?: string;
  params?: Record<string, JsonValue>;
}

/**
 * The messages the Slack activity knows how to render (PRD 5.1 alert; the follow-up's outcome). The renderers in
 * messages/index.ts are a `Record<SlackMessageTemplate, ...>`, so a name here without a renderer (or the other way
 * round) does not compile.
 */
export const SLACK_MESSAGE_TEMPLATES = ['adoption_stalled_alert', 'adoption_outcome'] as const;
export type SlackMessageTemplate = (typeof SLACK_MESSAGE_TEMPLATES)[number];

export const slackDmDefinition: StepDefinition<'slack_dm', SlackDmConfig, SlackDmPlanConfig> = {
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
