import { describeSchemaError } from '../../web/errors';
import fs from 'node:fs';
import path from 'node:path';
import { escapeHtml, html, htmlDocument, raw, sparkline } from '../../web/pages/html';
import { PAGE_STYLE } from '../../web/pages/style';
import { renderBookedPage } from '../../web/pages/booking-page';
import { renderErrorPage, renderResourceLinkProblemPage } from '../../web/pages/problem-pages';
import { describeResource, recommendationFor, suggestedOutreach } from '../../adoption/model/recommendations';
import { escapeMrkdwn as escapeSlack } from '../../channels/slack-text';

describe('html', () => {
  it('escapes every interpolated value, keeps nested html and raw markup', () => {
    const name = `<img src=x onerror="alert('x')"> & \`co\``;
    const inner = html`<b>${name}</b>`;
    expect(html`<p title="${name}">${inner}${raw('<hr>')}${null}${undefined}${false}${[1, '<2>']}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; &#96;co&#96;"><b>&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; &#96;co&#96;</b><hr>1&lt;2&gt;</p>',
    );
    expect(escapeHtml(undefined)).toBe('');
  });

  it('draws a sparkline from the values, a dot for one value, and says so when there are none', () => {
    const line = sparkline([0, 50, 100], { label: 'a <b> trend', width: 106, height: 26 }).value;
    expect(line).toContain('aria-label="a &lt;b&gt; trend"');
    expect(line).toContain('points="3.0,23.0 53.0,13.0 103.0,3.0"');
    expect(sparkline([40], { label: 'one' }).value).toContain('<circle cx="80.0"');
    expect(sparkline([], { label: 'none' }).value).toContain('no history yet');
    // Only a hex colour reaches the markup.
    expect(sparkline([1, 2], { label: 'x', stroke: 'red" onload="x' }).value).toContain('stroke="#2563eb"');
  });
});

describe('pages', () => {
  it('share one stylesheet, the body naming the kind of page', () => {
    const slot = { start: '2026-03-09T09:00:00.000Z', end: '2026-03-09T09:30:00.000Z', label: 'Mon 9 Mar, 09:00 UTC' };
    const pages: Array<[string, string]> = [
      ['public', renderBookedPage({ customerName: 'TechCorp', slot, email: 'pat@example.com' })],
      ['public', renderResourceLinkProblemPage('expired')],
      ['adoption', renderErrorPage(404, 'customer x not found')],
      ['reports', htmlDocument('t', 'reports', html`<h1>t</h1>`)],
    ];
    for (const [kind, page] of pages) {
      expect(page.match(/<style>([\s\S]*?)<\/style>/g)).toHaveLength(1);
      expect(page.replace(/\s+/g, ' ')).toContain(PAGE_STYLE.replace(/\s+/g, ' ').trim());
      expect(page).toContain(`<body class="${kind}">`);
    }
  });

  it('bring no CSS of their own', () => {
    const folder = path.resolve(__dirname, '..', '..', 'web');
    const sources = fs
      .readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      .map((entry) => path.join(entry.parentPath, entry.name));
    const styled = sources.filter((file) =>
      /<style\b|\b(?:font|margin|padding|background|color|border)(?:-[a-z]+)?\s*:\s*[^;{}'"`,\n]+;/.test(fs.readFileSync(file, 'utf8')),
    );
    expect(styled.map((file) => path.relative(folder, file))).toEqual(['pages/html.ts', 'pages/style.ts']);
  });
});

describe('schema errors', () => {
  it('name the field with its context', () => {
    expect(describeSchemaError('body', { instancePath: '/interventionType', keyword: 'enum', params: { allowedValues: ['email', 'call'] } })).toEqual(
      {
        field: 'body/interventionType',
        message: 'body/interventionType must be one of email, call',
      },
    );
    expect(describeSchemaError('body', { instancePath: '', keyword: 'required', params: { missingProperty: 'details' } }).message).toBe(
      'body/details is required',
    );
    expect(describeSchemaError('body', { instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'x' } }).message).toBe(
      'body/x is not allowed',
    );
    expect(describeSchemaError('params', { instancePath: '/customerId', keyword: 'format', params: { format: 'uuid' } }).message).toBe(
      'params/customerId must be a UUID',
    );
    expect(describeSchemaError('body', { instancePath: '/resourcesShared', keyword: 'type', params: { type: 'array' } }).message).toBe(
      'body/resourcesShared must be an array',
    );
    expect(describeSchemaError('body', { instancePath: '/resourcesShared/0', keyword: 'minLength', params: { limit: 1 } }).message).toBe(
      'body/resourcesShared/0 must not be empty',
    );
  });
});

describe('recommendations', () => {
  const resources = [
    { type: 'webinar', title: 'Live', url: 'https://t.example/live', next_session: '2026-02-15T14:00:00Z' },
    { type: 'documentation', title: 'Guide', url: 'https://d.example/guide' },
  ];
  const stalled = { featureName: 'Reports', stage: 'not_started', usageScore: 0, daysInCurrentStage: 12 };

  it('name the first resource, the tips, or offer a walkthrough', () => {
    expect(describeResource(resources[0])).toBe('the live training "Live" (next session Feb 15, 2026, https://t.example/live)');
    expect(recommendationFor(stalled, { featureName: 'Reports', keyBenefit: null, tips: null, resources })).toBe(
      'Reports has stalled at 0/100 after 12 days in Not Started: share the live training "Live" (next session Feb 15, 2026, https://t.example/live).',
    );
    expect(recommendationFor(stalled, { featureName: 'Reports', keyBenefit: null, tips: 'Use the wizard', resources: [] })).toBe(
      'Reports has stalled at 0/100 after 12 days in Not Started: no training resources in the catalog, so walk them through it; tip: Use the wizard.',
    );
    // Everything in the catalog already shared: said so, not "none in the catalog" beside the page's count of three.
    expect(recommendationFor(stalled, { featureName: 'Reports', keyBenefit: null, tips: null, resources: [], catalogResourceCount: 3 })).toBe(
      'Reports has stalled at 0/100 after 12 days in Not Started: the customer already has all 3 training resources in the catalog, so offer a 20-minute walkthrough.',
    );
    expect(recommendationFor({ ...stalled, daysInCurrentStage: null }, null)).toBe(
      'Reports has stalled at 0/100 in Not Started: no training resources or tips in the catalog yet, so offer a 20-minute walkthrough.',
    );
  });

  it('build the outreach opener from the key benefit and the resources', () => {
    expect(suggestedOutreach({ featureName: 'Reports', keyBenefit: 'share numbers with your board.', tips: null, resources })).toBe(
      'Offer a 20-minute Reports walkthrough and share the live training "Live" (next session Feb 15, 2026) and the guide "Guide". It helps your team share numbers with your board.',
    );
    expect(suggestedOutreach({ featureName: 'Reports', keyBenefit: null, tips: null, resources: [] })).toBe(
      'Offer a 20-minute Reports walkthrough. There are no training resources in the catalog yet.',
    );
  });
});

it('escapes Slack mrkdwn control characters', () => {
  expect(escapeSlack('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
});
