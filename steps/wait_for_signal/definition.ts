import type { SignalName } from '../signals';
import type { TimeoutBranch } from '../../definitions/language/types';
import { checkDuration, DURATION_SCHEMA, durationSeconds, type StepDefinition } from '../kind';
import { SIGNAL_NAMES } from '../signals';

export interface WaitForSignalPlanConfig {
  signal: SignalName;
  timeoutSeconds: number;
  on_timeout: TimeoutBranch;
  waiting_for?: string;
}

export interface WaitForSignalConfig {
  signal: SignalName;
  timeout: string | number;
  on_timeout?: 'continue' | 'fail' | { goto: string };
  waiting_for?: string;
}

export const waitForSignalDefinition: StepDefinition<'wait_for_signal', WaitForSignalConfig, WaitForSignalPlanConfig> = {
  action: 'wait_for_signal',
  summary: 'wait for a signal (the CSM approval, a recovery) up to a timeout, then continue, fail or jump ahead',
  configSchema: {
    type: 'object',
    properties: {
      signal: { enum: [...SIGNAL_NAMES] },
      timeout: DURATION_SCHEMA,
      on_timeout: {
        description: 'continue, fail or {goto: <a later step id>}',
        anyOf: [
          { enum: ['continue', 'fail'] },
          { type: 'object', properties: { goto: { type: 'string' } }, required: ['goto'], additionalProperties: false },
        ],
      },
      waiting_for: { type: 'string', minLength: 1 },
    },
    required: ['signal', 'timeout'],
    additionalProperties: false,
  },
  templated: [],
  check(config, context) {
    checkDuration(context, ['timeout'], config.timeout);
    const branch = config.on_timeout;
    if (typeof branch !== 'object') return;
    const target = context.indexOf(branch.goto);
    const later = context.stepIds.slice(context.index + 1);
    if (target === undefined) {
      context.report(['on_timeout', 'goto'], 'bad-goto', `on_timeout.goto: no step "${branch.goto}" (later steps: ${later.join(', ') || 'none'})`);
    } else if (target <= context.index) {
      // A jump back would repeat side effects (tasks, emails) and could loop forever on a silent CSM.
      context.report(
        ['on_timeout', 'goto'],
        'bad-goto',
        `on_timeout.goto must jump forward; "${branch.goto}" is ${target === context.index ? 'this step' : 'an earlier step'} (later steps: ${later.join(', ') || 'none'})`,
      );
    }
  },
  normalise(config) {
    const branch = config.on_timeout ?? 'continue';
    const onTimeout: TimeoutBranch = typeof branch === 'object' ? { action: 'goto', step: branch.goto } : { action: branch };
    return {
      signal: config.signal,
      timeoutSeconds: durationSeconds(config.timeout),
      on_timeout: onTimeout,
      ...(config.waiting_for === undefined ? {} : { waiting_for: config.waiting_for }),
    };
  },
};
