import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SignalFeature } from '../../adoption/model/run-facts';
import { createActivities as createSlackDmActivity } from './activity';
import { renderAdoptionOutcome, renderAdoptionStalledAlert } from './messages/index';
import { analyticsFeature, runFacts, seedCustomer, stepContext } from '../../test/support/activity-fixtures';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';

/**
 * Issue 19 item 3: many stalled features and emoji at every cut point. The message is checked against Slack's
 * documented limits (Block Kit reference: section text 3,000, header 150, button text 75, 50 blocks; chat.postMessage:
 * `text` 4,000), written here rather than taken from our code, and Postgres must accept it as the outbox row.
 */
const DOCUMENTED = { section: 3000, header: 150, button: 75, text: 4000, blocks: 50 };
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CUSTOMER_ID = '00000000-0000-4000-8000-000000000001';
const PAGE = `https://cs.example/customers/${CUSTOMER_ID}/adoption`;

/** Names and benefits with emoji on both parities of every cut, and `&`/`<` that become entities. */
function features(count: number): SignalFeature[] {
  return Array.from({ length: count }, (_, i) =>
    analyticsFeature({
      featureId: `feature_${i}`,
      featureName: `${'x'.repeat(i % 2)}Fëature ${i} & <co> ${'🚀'.repeat(40)}`,
      keyBenefit: `benefit-${i}: ${'é🎉&'.repeat(25)}`,
      importanceScore: 90 - i,
    }),
  );
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((item) => strings(item, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((item) => strings(item, out));
  return out;
}

type Block = { type: string; text?: { type: string; text: string }; elements?: Array<{ type: string; text?: { text: string } }> };

function checkLimits(message: { text: string; blocks: unknown[] }): void {
  const json = JSON.stringify(message);
  for (const text of strings(JSON.parse(json))) expect(LONE_SURROGATE.test(text)).toBe(false);
  expect(message.text.length).toBeLessThanOrEqual(DOCUMENTED.text);
  expect(message.blocks.length).toBeLessThanOrEqual(DOCUMENTED.blocks);
  for (const block of message.blocks as Block[]) {
    if (block.type === 'header') expect(block.text!.text.length).toBeLessThanOrEqual(DOCUMENTED.header);
    if (block.type === 'section') {
      const text = block.text!.text;
      expect(text.length).toBeLessThanOrEqual(DOCUMENTED.section);
      // mrkdwn: no entity cut open (`&am…`), no link cut open (`<https://…` without its `>`).
      expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      expect(text.replace(/<[^<>]*>/g, '')).not.toMatch(/[<>]/);
    }
    for (const element of block.elements ?? []) {
      if (element.type === 'button') expect(element.text!.text.length).toBeLessThanOrEqual(DOCUMENTED.button);
    }
  }
}

describe('adoption_stalled_alert for many features, emoji everywhere', () => {
  let test: TestDatabase;
  let customerId: string;
  let configDir: string;

  beforeAll(async () => {
    test = await createTestDatabase();
    customerId = await seedCustomer(test.db, { name: `${'C'.repeat(96)}${'😀'.repeat(40)}` });
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alert-rules-'));
  });
  afterAll(async () => {
    delete process.env.ADOPTION_CONFIG;
    fs.rmSync(configDir, { recursive: true, force: true });
    await test.dispose();
  });

  it.each([10, 11, 20, 30])('%i features: within every documented limit, Priority and page kept, every benefit named', (count) => {
    for (const shift of [0, 1]) {
      const facts = runFacts(CUSTOMER_ID, { features: features(count) }, { name: `${'C'.repeat(95 + shift)}${'😀'.repeat(40)}` });
      const message = renderAdoptionStalledAlert({
        workflowId: 'w',
        input: facts,
        scope: { steps: {} },
        params: {},
        includeResources: true,
        adoptionPageUrl: PAGE,
      });
      checkLimits(message);
      const blocks = JSON.stringify(message.blocks);
      expect(blocks).toContain('• Priority: 80/100');
      expect(blocks).toContain(`<${PAGE}|`);
      for (let i = 0; i < count; i += 1) expect(blocks).toContain(`benefit-${i}:`);
      expect(message.text.split('\n').at(-1)).toBe('[Share Resources] [Draft Enablement Email] [Schedule Training Call]');
      expect(message.text).toContain('Customer Context:');
    }
  });

  it('the follow-up outcome of 30 features stays within the limits too', () => {
    const facts = runFacts(CUSTOMER_ID, { features: features(30) });
    const measured = {
      outcome: 'still_stalled',
      features: facts.features.map((f) => ({ featureId: f.featureId, before: 10, after: 12, stage: 'started', outcome: 'still_stalled' })),
    };
    const message = renderAdoptionOutcome({
      workflowId: 'w',
      input: facts,
      scope: { steps: { measure: measured } },
      params: {},
      includeResources: false,
    });
    checkLimits(message);
    expect(message.text).toContain('Overall outcome: Still stalled');
  });

  it("Postgres takes the message as the outbox row, and the expected score is the configured rules' own", async () => {
    const file = path.join(configDir, 'adoption.config.yaml');
    fs.writeFileSync(file, 'version: 1\nstages:\n  adopted_from: 70\n');
    process.env.ADOPTION_CONFIG = file;
    const context = stepContext(customerId, { stepId: 'notify_csm' });
    const input = runFacts(customerId, { features: features(30) }, { name: `${'C'.repeat(96)}${'😀'.repeat(40)}` });
    const result = await createSlackDmActivity({ db: test.db, log: () => undefined }).slackDm(context, {
      template: 'adoption_stalled_alert',
      includeResources: true,
      params: {},
      scope: { steps: {} },
      input,
    });
    expect(result.delivered).toBe('outbox');
    const rows = await test.db.query<{ payload: { text: string; blocks: unknown[] } }>(`SELECT payload FROM outbox WHERE idempotency_key = $1`, [
      `${context.workflowId}/notify_csm`,
    ]);
    expect(rows.rows).toHaveLength(1);
    checkLimits(rows.rows[0].payload);
    expect(rows.rows[0].payload.text).toContain('(Expected: 70+ by Day 30)');
    expect(rows.rows[0].payload.text).not.toContain('60+');
  });
});
