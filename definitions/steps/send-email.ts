import type { StepKind } from './types';

export interface SendEmailConfig {
  draft: string;
  decision?: string;
  to?: string;
}

export const sendEmail: StepKind<'send_email', SendEmailConfig> = {
  action: 'send_email',
  summary: "send a drafted email once the CSM's decision allows it (normally draft: {{steps.<draft step>.draftId}})",
  configSchema: {
    type: 'object',
    properties: {
      draft: { type: 'string', minLength: 1 },
      decision: { type: 'string', minLength: 1 },
      to: { type: 'string', minLength: 1 },
    },
    required: ['draft'],
    additionalProperties: false,
  },
  templated: ['draft', 'decision', 'to'],
  normalise(config) {
    return {
      draft: config.draft,
      ...(config.decision === undefined ? {} : { decision: config.decision }),
      ...(config.to === undefined ? {} : { to: config.to }),
    };
  },
};
