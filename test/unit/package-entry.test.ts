import * as adoptionEnablement from '../../index';

/** What a platform imports from the package (package.json "main": dist/index.js, built from index.ts). */
it('exports the pieces a platform wires into its cluster', () => {
  for (const name of [
    'createWorker',
    'createActivities',
    'startEnablementForSignal',
    'startListener',
    'createDetectionSchedule',
    'compileDefinition',
    'loadShippedPlans',
    'openDatabase',
    'migrate',
    'runDetection',
    'buildApiServer',
    'validateEmailDecision',
  ]) {
    expect(typeof (adoptionEnablement as Record<string, unknown>)[name]).toBe('function');
  }
  expect(adoptionEnablement.enablementWorkflowId('c1', 's1')).toBe('adoption-stalled/c1/s1');
  expect(adoptionEnablement.DEFAULT_TASK_QUEUE).toBe('adoption-enablement');
});
