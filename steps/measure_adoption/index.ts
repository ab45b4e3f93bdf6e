import type { StepKind } from '../kind';
import type { MeasureAdoptionActivities } from './activity';
import { measureAdoptionDefinition, type MeasureAdoptionConfig, type MeasureAdoptionPlanConfig } from './definition';
import { executeMeasureAdoption } from './executor';

export const measureAdoption: StepKind<'measure_adoption', MeasureAdoptionConfig, MeasureAdoptionPlanConfig, MeasureAdoptionActivities> = {
  ...measureAdoptionDefinition,
  activities: { measureAdoption: true },
  execute: executeMeasureAdoption,
};
