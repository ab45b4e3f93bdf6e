import type { SignalName } from '../plan';
import { checkDuration, DURATION_SCHEMA, durationSeconds, SIGNAL_NAMES, type StepKind } from './types';

export interface WaitConfig {
  duration: string | number;
  until_signal?: SignalName;
}

export const wait: StepKind<'wait', WaitConfig> = {
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
