import type { StepDefinition } from '../kind';

/** Re-scores every feature of the signal and records `adoption_after_intervention` and the outcome. */
export interface MeasureAdoptionPlanConfig {
  record_impact: boolean;
}

export interface MeasureAdoptionConfig {
  record_impact?: boolean;
}

export const measureAdoptionDefinition: StepDefinition<'measure_adoption', MeasureAdoptionConfig, MeasureAdoptionPlanConfig> = {
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
