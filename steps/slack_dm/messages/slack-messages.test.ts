import type { AdoptionGapAnalysis } from '../../delegate_to_agent/agents/contracts';
import type { MeasureAdoptionResult } from '../../measure_adoption/activity';
import { importanceLabel } from '../../../adoption/model/labels';
import {
  renderAdoptionOutcome,
  renderAdoptionStalledAlert,
  renderSlackMessage,
  resourceLine,
  SlackTemplateError,
  type SlackRenderInput,
} from './index';
import { normaliseResources } from '../../../adoption/model/resources';
import { analyticsFeature, PRD_RESOURCES, runFacts } from '../../../test/support/activity-fixtures';

const CUSTOMER_ID = '00000000-0000-4000-8000-000000000001';
const WORKFLOW_ID = `adoption-stalled/${CUSTOMER_ID}/signal-1`;

function request(overrides: Partial<SlackRenderInput> = {}): SlackRenderInput {
  return { workflowId: WORKFLOW_ID, input: runFacts(CUSTOMER_ID), scope: { steps: {} }, params: {}, includeResources: true, ...overrides };
}

const analysis: AdoptionGapAnalysis = {
  summary: 'Advanced Analytics Dashboard: 3 uses in the last 4 weeks.',
  features: [],
  likelyCauses: [
    { cause: 'training_gap', evidence: ['Advanced Analytics Dashboard: 1 distinct user since activation out of 50 seats'], confidence: 0.8 },
    {
      cause: 'changed_priorities',
      evidence: ['usage across all features: 10 in the last 4 weeks against 100 in the 4 before (-90%)'],
      confidence: 0.85,
    },
  ],
};

describe('adoption_stalled_alert', () => {
  it('renders the PRD-090 5.1 alert as written when there is no analysis to add', () => {
    const { text } = renderAdoptionStalledAlert(request());
    expect(text).toBe(
      [
        ':chart_with_downwards_trend: Feature Adoption Stalled: TechCorp',
        '',
        'Feature: Advanced Analytics Dashboard',
        'Status: Started → Stalled (Day 45)',
        'Usage Score: 15/100 (Expected: 60+ by Day 30)',
        '',
        'Customer Context:',
        '- ARR: $75,000',
        '- Overall Adoption: 65%',
        '- This feature importance: High',
        '',
        'Why it matters:',
        'Advanced Analytics Dashboard (importance 85) is one of your key features.',
        'Low adoption may indicate:',
        '- Training gap',
        '- Integration challenges',
        '- Changed priorities',
        '',
        'Recommended Resources:',
        '1. :video_camera: "Analytics Dashboard Overview" (12 min)',
        '2. :page_facing_up: "Quick Start Guide"',
        '3. :calendar: Next live training: Feb 15, 2026',
        '',
        '[Share Resources] [Draft Enablement Email] [Schedule Training Call]',
      ].join('\n'),
    );
  });

  it('explains the stall with the analysis step result found in scope.steps', () => {
    const { text, blocks } = renderAdoptionStalledAlert(
      request({ scope: { steps: { analyze_stall: analysis as never, get_resources: { rows: [] } } } }),
    );
    expect(text).toContain(
      'Low adoption may indicate:\n- Training gap (80% confidence)\n    - Advanced Analytics Dashboard: 1 distinct user since activation out of 50 seats',
    );
    expect(text).toContain('- Changed priorities (85% confidence)');
    expect(text).not.toContain('- Integration challenges');
    const context = blocks.find((block) => block.type === 'context');
    expect(JSON.stringify(context)).toContain('3 uses in the last 4 weeks');
  });

  it('has Block Kit buttons whose value is the workflow id, and a header block', () => {
    const { blocks } = renderAdoptionStalledAlert(request());
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':chart_with_downwards_trend: Feature Adoption Stalled: TechCorp', emoji: true },
    });
    const actions = blocks.find((block) => block.type === 'actions') as {
      elements: Array<{ action_id: string; value: string; text: { text: string } }>;
    };
    expect(actions.elements.map((e) => [e.action_id, e.text.text, e.value])).toEqual([
      ['share_resources', 'Share Resources', WORKFLOW_ID],
      ['draft_enablement_email', 'Draft Enablement Email', WORKFLOW_ID],
      ['schedule_training_call', 'Schedule Training Call', WORKFLOW_ID],
      ['mark_not_needed', 'Not Needed', WORKFLOW_ID],
    ]);
    const resources = blocks.map((block) => JSON.stringify(block)).find((json) => json.includes('Recommended Resources'));
    expect(resources).toContain('<https://training.example.com/analytics-overview|Analytics Dashboard Overview> (12 min)');
  });

  it('leaves resources out when include_resources is false', () => {
    const { text, blocks } = renderAdoptionStalledAlert(request({ includeResources: false }));
    expect(text).not.toContain('Recommended Resources');
    expect(JSON.stringify(blocks)).not.toContain('Recommended Resources');
  });

  it('aggregates several stalled features into one alert (FR-2.5)', () => {
    const input = runFacts(CUSTOMER_ID, {
      features: [
        analyticsFeature(),
        analyticsFeature({
          featureId: 'reports',
          featureName: 'Scheduled Reports',
          importanceScore: 45,
          usageScore: 8,
          daysSinceActivation: null,
          resources: [],
        }),
      ],
    });
    const { text } = renderAdoptionStalledAlert(request({ input }));
    expect(text).toContain('Feature: Advanced Analytics Dashboard\nStatus: Started → Stalled (Day 45)');
    expect(text).toContain('Feature: Scheduled Reports\nStatus: Started → Stalled\nUsage Score: 8/100 (Expected: 60+ by Day 30)');
    expect(text).toContain('- Feature importance: Advanced Analytics Dashboard High, Scheduled Reports Medium');
    expect(text).toContain('Scheduled Reports (importance 45) is a feature of medium importance in your catalog.');
    expect(text).not.toContain('purchase driver');
  });

  it('escapes Slack control characters in names', () => {
    const input = runFacts(CUSTOMER_ID, {}, { name: 'R&D <Labs>' });
    const { text, blocks } = renderAdoptionStalledAlert(request({ input }));
    expect(text).toContain('Feature Adoption Stalled: R&amp;D &lt;Labs&gt;');
    // Header blocks are plain_text: shown literally, so not escaped.
    expect((blocks[0].text as { text: string }).text).toContain('R&D <Labs>');
  });

  it('prefers resources handed in params (a catalog query result) over the run facts', () => {
    const params = {
      resources: { rows: [{ feature_id: 'x', training_resources: [{ type: 'video', title: 'Only This', url: 'https://t.example/only' }] }] },
    };
    const { text } = renderAdoptionStalledAlert(request({ params: params as never }));
    expect(text).toContain('1. :video_camera: "Only This"');
    expect(text).not.toContain('Quick Start Guide');
  });
});

describe('adoption_outcome', () => {
  const measured: MeasureAdoptionResult = {
    features: [{ featureId: 'advanced_analytics', before: 15, after: 45, stage: 'engaged', outcome: 'improved', effectivenessScore: 60 }],
    outcome: 'improved',
  };

  it('reports before/after and the outcome per feature', () => {
    const scope = {
      steps: {
        measure_impact: measured as never,
        send_enablement_email: { sent: true, status: 'sent', delivered: 'smtp', messageId: 'm', subject: 'Getting more value' },
      },
    };
    const { text, blocks } = renderAdoptionOutcome(request({ scope }));
    expect(text).toContain(':chart_with_upwards_trend: Adoption Follow-up: TechCorp');
    expect(text).toContain('Feature: Advanced Analytics Dashboard\nUsage Score: 15 → 45/100 (+30)\nStage: Engaged\nOutcome: Improved');
    expect(text).toContain('Enablement email "Getting more value" was sent.');
    expect(text).toContain('Overall outcome: Improved');
    expect(JSON.stringify(blocks)).toContain(WORKFLOW_ID);
  });

  it('warns when still stalled', () => {
    const stalled: MeasureAdoptionResult = {
      features: [{ ...measured.features[0], after: 12, stage: 'started', outcome: 'still_stalled' }],
      outcome: 'still_stalled',
    };
    const { text } = renderAdoptionOutcome(request({ scope: { steps: { m: stalled as never } } }));
    expect(text).toContain(':warning: Adoption Follow-up: TechCorp');
    expect(text).toContain('Usage Score: 15 → 12/100 (-3)');
    expect(text).toContain('Outcome: Still stalled');
  });

  it('fails as a template error without a measurement in scope', () => {
    expect(() => renderAdoptionOutcome(request())).toThrow(SlackTemplateError);
  });
});

describe('helpers', () => {
  it('labels importance High >= 70, Medium >= 40, else Low', () => {
    expect([100, 70, 69, 40, 39, 0].map(importanceLabel)).toEqual(['High', 'High', 'Medium', 'Medium', 'Low', 'Low']);
  });

  it('formats each resource type with its PRD icon', () => {
    expect(PRD_RESOURCES.map((r) => resourceLine(r, false))).toEqual([
      ':video_camera: "Analytics Dashboard Overview" (12 min)',
      ':page_facing_up: "Quick Start Guide"',
      ':calendar: Next live training: Feb 15, 2026',
    ]);
    expect(resourceLine({ type: 'webinar', title: 'On demand', url: 'https://x' }, false)).toBe(':calendar: "On demand"');
  });

  it('normalises resources from lists, query results and rows', () => {
    const list = [
      { title: 'A', url: 'https://a' },
      { title: 'A again', url: 'https://a' },
    ];
    expect(normaliseResources(list)?.map((r) => r.url)).toEqual(['https://a']);
    expect(normaliseResources({ rows: [{ training_resources: list }] })?.length).toBe(1);
    expect(normaliseResources('nope')).toBeNull();
    expect(normaliseResources([])).toBeNull();
  });

  it('refuses an unknown template naming the known ones', () => {
    expect(() => renderSlackMessage('nope', request())).toThrow(/adoption_stalled_alert, adoption_outcome/);
  });
});
