import type { SlackMessageTemplate } from '../definition';
import { renderAdoptionOutcome } from './adoption-outcome';
import { renderAdoptionStalledAlert } from './adoption-stalled-alert';
import { SlackTemplateError, type SlackMessage, type SlackRenderInput } from './format';

export { renderAdoptionOutcome } from './adoption-outcome';
export { renderAdoptionStalledAlert, resourceLine, ALERT_ACTIONS, ADOPTED_SCORE } from './adoption-stalled-alert';
export * from './format';

/**
 * The renderer of each `message_template` a definition may name (steps/slack_dm/definition.ts lists the names): typed
 * by that list, so a name without a renderer, or a renderer without a name, does not compile.
 */
export const SLACK_TEMPLATES: Readonly<Record<SlackMessageTemplate, (request: SlackRenderInput) => SlackMessage>> = {
  adoption_stalled_alert: renderAdoptionStalledAlert,
  adoption_outcome: renderAdoptionOutcome,
};

export function renderSlackMessage(template: string, request: SlackRenderInput): SlackMessage {
  const render = Object.prototype.hasOwnProperty.call(SLACK_TEMPLATES, template) ? SLACK_TEMPLATES[template as SlackMessageTemplate] : undefined;
  if (!render) {
    throw new SlackTemplateError(`unknown Slack message template ${JSON.stringify(template)}; known: ${Object.keys(SLACK_TEMPLATES).join(', ')}`);
  }
  return render(request);
}
