import type { TemplateValue } from '../../definitions/language/types';
import type { StepDefinition } from '../kind';

/** `draft` references a stored draft (normally `{{steps.<draft step>.draftId}}`); the decision decides edits. */
export interface SendEmailPlanConfig {
  draft: TemplateValue;
  decision?: TemplateValue;
  to?: TemplateValue;
}

export interface SendEmailConfig {
  draft: string;
  decision?: string;
  to?: string;
}

export const sendEmailDefinition: StepDefinition<'send_email', SendEmailConfig, SendEmailPlanConfig> = {
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
