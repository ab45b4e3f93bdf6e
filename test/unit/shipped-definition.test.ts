import { loadShippedDefinitions } from '../../definitions/compile';
import { formatDiagnostic } from '../../definitions/language/diagnostics';

describe('the shipped definition feature_adoption_enablement.yaml', () => {
  const [loaded] = loadShippedDefinitions().filter((definition) => definition.file.endsWith('feature_adoption_enablement.yaml'));

  it('compiles without diagnostics', () => {
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([]);
  });

  it('keeps the PRD 4.4 steps in order (in-app tips after the alert), then approval, send, the 14-day follow-up and the outcome report', () => {
    expect(loaded.plan!.steps.map((step) => `${step.id}:${step.action}`)).toEqual([
      'analyze_stall:delegate_to_agent',
      'get_resources:query_database',
      'notify_csm:slack_dm',
      'send_in_app_tips:send_in_app_tips',
      'draft_enablement_email:delegate_to_agent',
      'create_task:create_task',
      'schedule_followup:create_task',
      'await_approval:wait_for_signal',
      'send_enablement_email:send_email',
      'wait_for_adoption:wait',
      'measure_impact:measure_adoption',
      'report_outcome:slack_dm',
    ]);
    const wait = loaded.plan!.steps.find((step) => step.id === 'wait_for_adoption')!;
    expect(wait.config).toEqual({ seconds: 14 * 86_400, until_signal: 'recovered' });
    const query = loaded.plan!.steps.find((step) => step.id === 'get_resources')!;
    expect(query.config).toMatchObject({ sql: 'SELECT * FROM feature_catalog WHERE feature_id = $1', params: ['{{feature_id}}'] });
  });
});
