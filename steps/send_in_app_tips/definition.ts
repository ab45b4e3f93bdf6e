import type { StepDefinition } from '../kind';

/** Posts the catalog tips of every stalled feature of the run to the in-app messaging tool. */
export interface SendInAppTipsPlanConfig {
  /** Attach each feature's first training resource to its tips. */
  include_resources: boolean;
}

export interface SendInAppTipsConfig {
  include_resources?: boolean;
}

export const sendInAppTipsDefinition: StepDefinition<'send_in_app_tips', SendInAppTipsConfig, SendInAppTipsPlanConfig> = {
  action: 'send_in_app_tips',
  summary: "post each stalled feature's catalog tips to the in-app messaging tool (IN_APP_WEBHOOK_URL; the outbox when unset)",
  configSchema: {
    type: 'object',
    properties: { include_resources: { type: 'boolean' } },
    additionalProperties: false,
  },
  configOptional: true,
  templated: [],
  normalise: (config) => ({ include_resources: config.include_resources ?? true }),
};
