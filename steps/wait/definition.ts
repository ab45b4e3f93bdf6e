import type { SignalName } from '../signals';
import { checkDuration, DURATION_SCHEMA, durationSeconds, type StepDefinition } from '../kind';
import { SIGNAL_NAMES } from '../signals';

/** A durable timer; `until_signal` ends it early when that signal arrives. */
export interface WaitPlanConfig {
  seconds: number;
  until_signal?: SignalName;
}

export interface WaitConfig {
  duration: string | number;
  until_signal?: SignalName;
}

export const waitDefinition: StepDefinition<'wait', WaitConfig, WaitPlanConfig> = {
  action: 'wait',
  summary: 'a durable timer (e.g. the 14-day follow-up); `until_signal` ends it early',
  configSchema: {
    type: 'object',
    properties: { duration: DURATION_SCHEMA, until_signal: { enum: [...SIGNAL_NAMES] } },
    required: ['duration'],
    additionalProperties: false,
  },
  templated: [],
  check(config, context) {
    checkDuration(context, ['duration'], config.duration);
  },
  normalise(config) {
    return {
      seconds: durationSeconds(config.duration),
      ...(config.until_signal === undefined ? {} : { until_signal: config.until_signal }),
    };
  },
};
