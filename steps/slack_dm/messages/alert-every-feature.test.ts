import { renderAdoptionStalledAlert, type SlackRenderInput } from './index';
import { runFacts } from '../../../test/support/activity-fixtures';

/** Issue 9 item 6: the alert is true for every feature (its own key benefit), shows priority and the adoption page. */
const CUSTOMER_ID = '00000000-0000-4000-8000-000000000001';

function request(overrides: Partial<SlackRenderInput> = {}): SlackRenderInput {
  return {
    workflowId: `adoption-stalled/${CUSTOMER_ID}/signal-1`,
    input: runFacts(CUSTOMER_ID),
    scope: { steps: {} },
    params: {},
    includeResources: true,
    ...overrides,
  };
}

const blocksText = (input: SlackRenderInput) => JSON.stringify(renderAdoptionStalledAlert(input).blocks);

describe('adoption_stalled_alert for every feature', () => {
  it("shows each feature's own key benefit, the signal's priority and a link to the adoption page", () => {
    const facts = runFacts(CUSTOMER_ID);
    const second = {
      ...facts.features[0],
      featureId: 'workflow_automation',
      featureName: 'Workflow Automation',
      keyBenefit: 'automate routine hand-offs',
    };
    const input = { ...facts, features: [{ ...facts.features[0], keyBenefit: 'spot trends early' }, second] };
    const text = blocksText(request({ input, adoptionPageUrl: `https://cs.example/customers/${CUSTOMER_ID}/adoption` }));
    expect(text).toContain('*Advanced Analytics Dashboard* helps them spot trends early.');
    expect(text).toContain('*Workflow Automation* helps them automate routine hand-offs.');
    expect(text).toContain('• Priority: 80/100');
    expect(text).toContain(`<https://cs.example/customers/${CUSTOMER_ID}/adoption|TechCorp adoption page>`);
    expect(blocksText(request())).not.toContain('adoption page>');
  });

  it('never offers a live training whose session was over when the signal was detected', () => {
    const facts = runFacts(CUSTOMER_ID);
    const after = { ...facts, signal: { ...facts.signal, detectedAt: '2026-03-01T00:00:00.000Z' } };
    const { text } = renderAdoptionStalledAlert(request({ input: after }));
    expect(text).not.toContain('Next live training: Feb 15, 2026');
    expect(renderAdoptionStalledAlert(request()).text).toContain('Next live training: Feb 15, 2026');
  });
});
