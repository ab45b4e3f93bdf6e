import type { StepKind } from './types';

export interface MeasureAdoptionConfig {
  record_impact?: boolean;
}

export const measureAdoption: StepKind<'measure_adoption', MeasureAdoptionConfig> = {
  action: 'measure_adoption',
  summary: "score every feature of the signal again and record the intervention's impact (FR-4.1)",
  configSchema: {
    type: 'object',
    properties: { record_impact: { type: 'boolean' } },
    additionalProperties: false,
  },
  configOptional: true,
  templated: [],
  normalise: (config) => ({ record_impact: config.record_impact ?? true }),
};
