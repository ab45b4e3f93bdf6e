import { escapeMrkdwn, slackLink, slackLinkUrl } from '../../../channels/slack-text';
import { draftMessage } from '../../../web/slack/email-decision';
import { renderAdoptionOutcome, renderAdoptionStalledAlert, resourceLine, type SlackRenderInput } from './index';
import { analyticsFeature, runFacts } from '../../../test/support/activity-fixtures';

/**
 * Issue 8: Slack text is escaped in every field, URLs included. A catalog URL with `|` or `>` cannot add a link of
 * its own, a `javascript:` URL is not linked at all, and the top-level `text` of interactive replies is escaped as
 * the blocks are.
 */
const CUSTOMER_ID = '00000000-0000-4000-8000-000000000001';
const HOSTILE_URLS = [
  'https://docs.example.com/a|<https://evil.example|Click me>',
  'https://docs.example.com/a>extra <https://evil.example|x',
  'https://docs.example.com/a?q=1&r=<!channel>',
  'https://docs.example.com/a b|c',
];

/** The `<...>` controls of a mrkdwn string: each link, mention or command it would render. */
const controls = (text: string) => text.match(/<[^>]*>/g) ?? [];
/** The blocks' mrkdwn only: plain_text (headers, buttons, confirm dialogs) is shown as written and never escaped. */
const mrkdwnOf = (blocks: unknown[]) =>
  JSON.stringify(blocks, (_key, value: unknown) => ((value as { type?: string })?.type === 'plain_text' ? undefined : value));

it('a URL is re-serialised with |, <, >, whitespace and quotes percent-encoded and & escaped; non-http(s) is not linked', () => {
  expect(slackLinkUrl('https://docs.example.com/a|b>c<d e"f')).toBe('https://docs.example.com/a%7Cb%3Ec%3Cd%20e%22f');
  expect(slackLinkUrl('https://docs.example.com/a?x=1&y=2')).toBe('https://docs.example.com/a?x=1&amp;y=2');
  expect(slackLinkUrl('javascript:alert(1)')).toBeNull();
  expect(slackLinkUrl('mailto:a@b.example')).toBeNull();
  expect(slackLinkUrl('not a url')).toBeNull();
  expect(slackLinkUrl(`https://x.example/${'a'.repeat(3000)}`)).toBeNull();
  expect(slackLink('javascript:alert(1)', 'Guide <b>')).toBe('Guide &lt;b&gt;');
  expect(slackLink('https://docs.example.com/g', 'A|B')).toBe('<https://docs.example.com/g|A¦B>');
});

it('hostile resource URLs and titles give exactly one link each in the alert blocks', () => {
  const resources = HOSTILE_URLS.map((url, index) => ({ type: index % 2 ? 'video' : 'documentation', title: `Guide ${index} |<@U1>`, url }));
  const input = runFacts(CUSTOMER_ID, { features: [analyticsFeature({ resources })] });
  const request: SlackRenderInput = { workflowId: 'wf', input, scope: { steps: {} }, params: {}, includeResources: true };
  const { text, blocks } = renderAdoptionStalledAlert(request);
  const resourcesBlock = JSON.stringify(blocks.find((block) => JSON.stringify(block).includes('Recommended Resources')));
  const links = controls(JSON.parse(resourcesBlock).text.text);
  expect(links).toHaveLength(HOSTILE_URLS.length);
  for (const link of links) expect(link).toMatch(/^<https:\/\/docs\.example\.com\/[^<>|\s]*\|Guide \d ¦&lt;@U1&gt;>$/);
  expect(controls(text)).toEqual([]);
  for (const url of HOSTILE_URLS)
    expect(resourceLine({ type: 'webinar', title: 't', url, next_session: '2026-12-15T14:00:00Z' }, true)).toMatch(
      /^:calendar: Next live training: <[^<>|]+\|Dec 15, 2026>$/,
    );
});

it('names, stages, causes and outcomes from the run or an agent are escaped in text and blocks', () => {
  const input = runFacts(CUSTOMER_ID, {
    features: [analyticsFeature({ featureName: 'Ana <!here> & co', stage: 'odd_<stage>' })],
  });
  input.customer.name = 'Evil <https://evil.example|Corp>';
  const scope = {
    steps: { analyze: { summary: '<!channel>', features: [], likelyCauses: [{ cause: '<!everyone>', evidence: ['<@U2>'], confidence: 0.5 }] } },
  };
  const alert = renderAdoptionStalledAlert({ workflowId: 'wf', input, scope, params: {}, includeResources: false });
  expect(controls(alert.text)).toEqual([]);
  expect(controls(mrkdwnOf(alert.blocks))).toEqual([]);
  const measured = {
    outcome: 'still_stalled',
    features: [{ featureId: 'advanced_analytics', before: 1, after: 2, stage: '<x>', outcome: '<!here>' }],
  };
  const outcome = renderAdoptionOutcome({ workflowId: 'wf', input, scope: { steps: { measure: measured } }, params: {}, includeResources: false });
  expect(controls(outcome.text)).toEqual([]);
  expect(controls(JSON.stringify(outcome.blocks.filter((block) => block.type !== 'header')))).toEqual([]);
});

it('the top-level text of an interactive reply is escaped like its blocks', () => {
  const reply = draftMessage('wf', {
    id: 'd1',
    toName: 'Priya <!channel>',
    toEmail: 'priya@techcorp.example',
    subject: 'Hi <https://evil.example|click>',
    body: 'b',
    status: 'pending_approval',
    decidedBy: null,
  });
  expect(reply.text).toBe(escapeMrkdwn('Enablement email draft to Priya <!channel> <priya@techcorp.example>: Hi <https://evil.example|click>'));
  expect(controls(reply.text)).toEqual([]);
});

it('plain_text fields carry names as written, without mrkdwn entities (issue 19 item 5)', () => {
  const features = ['R&D <Tools>', 'Q&A'].map((featureName, i) => analyticsFeature({ featureId: `f${i}`, featureName }));
  const alert = renderAdoptionStalledAlert({
    workflowId: 'wf',
    input: runFacts(CUSTOMER_ID, { features }),
    scope: { steps: {} },
    params: {},
    includeResources: false,
  });
  const plainTexts: string[] = [];
  JSON.stringify(alert.blocks, (_key, value: unknown) => {
    const object = value as { type?: string; text?: unknown };
    if (object?.type === 'plain_text' && typeof object.text === 'string') plainTexts.push(object.text);
    return value;
  });
  expect(plainTexts).toContain('R&D <Tools>: not needed');
  expect(plainTexts).toContain('Q&A: not needed');
  expect(plainTexts.some((text) => text.includes('Detection stops flagging R&D <Tools> for this customer'))).toBe(true);
  expect(plainTexts.filter((text) => /&(amp|lt|gt);/.test(text))).toEqual([]);
});
