import fs from 'node:fs';
import path from 'node:path';
import { keyBenefitFor, renderEmail } from './communicator';
import { urlsIn } from '../../../adoption/interventions';
import { SESSION_MINUTES } from '../../../adoption/model/rules';

describe('feature enablement email (PRD-090 10.1)', () => {
  it('offers the walkthrough the booking page books: the PRD text and the session length agree', () => {
    const template = fs.readFileSync(path.join(__dirname, 'templates/feature-enablement-email.hbs'), 'utf8');
    const offered = /a quick (\d+)-minute walkthrough/.exec(template);
    expect(Number(offered?.[1])).toBe(SESSION_MINUTES);
  });

  it('keeps the PRD template verbatim, subject line included', () => {
    const template = fs.readFileSync(path.join(__dirname, 'templates/feature-enablement-email.hbs'), 'utf8');
    expect(template.startsWith('Subject: Getting more value from {{feature_name}}\n\nHi {{champion_name}},')).toBe(true);
    expect(template).toContain('{{#each resources}}\n- {{title}}: {{url}}\n{{/each}}');
    expect(template.trimEnd().endsWith('Best,\n{{csm_name}}')).toBe(true);
  });

  it('renders subject and body, without HTML escaping', () => {
    const { subject, body } = renderEmail('feature_enablement', {
      champion_name: 'Dana',
      feature_name: 'R&D Analytics',
      key_benefit: 'spot trends early',
      resources: [
        { title: 'Overview', url: 'https://t.example/overview' },
        { title: 'Guide', url: 'https://docs.example/guide' },
      ],
      csm_name: 'Casey',
    });
    expect(subject).toBe('Getting more value from R&D Analytics');
    expect(body.startsWith('Hi Dana,\n\nI noticed your team has started exploring R&D Analytics')).toBe(true);
    expect(body).toContain('This is a powerful feature that can help you spot trends early.');
    expect(body).toContain(
      'I wanted to share some resources that might help:\n\n- Overview: https://t.example/overview\n- Guide: https://docs.example/guide\n',
    );
    expect(body.endsWith('Best,\nCasey\n')).toBe(true);
  });

  it('turns "[Schedule a Session]" into the booking link when there is one, and keeps the PRD text otherwise', () => {
    const values = { champion_name: 'Dana', feature_name: 'Reports', key_benefit: 'share', resources: [], csm_name: 'Casey' };
    expect(renderEmail('feature_enablement', { ...values, booking_url: 'https://cs.example/book/abc' }).body).toContain(
      'Schedule a session: https://cs.example/book/abc\n',
    );
    const plain = renderEmail('feature_enablement', { ...values, booking_url: null }).body;
    expect(plain).toContain('\n[Schedule a Session]\n');
    expect(plain).not.toContain('book/');
  });

  it('never says "started exploring" about a feature nobody used, and covers every feature with its own benefit', () => {
    const base = { champion_name: 'Dana', key_benefit: 'spot trends early', resources: [], csm_name: 'Casey' };
    const unused = renderEmail('feature_enablement', { ...base, feature_name: 'Reports', not_started: true }).body;
    expect(unused).toContain(
      "I noticed your team hasn't had a chance to try Reports yet. This is a powerful feature that can help you spot trends early.",
    );
    expect(unused).not.toContain('started exploring');
    const several = renderEmail('feature_enablement', {
      ...base,
      feature_name: 'Reports and Automation',
      several: true,
      features: [
        { name: 'Reports', not_started: true, key_benefit: 'share numbers', resources: [{ title: 'Guide', url: 'https://r.example/r/abc' }] },
        { name: 'Automation', not_started: false, key_benefit: 'automate hand-offs', resources: [] },
      ],
    });
    expect(several.subject).toBe('Getting more value from Reports and Automation');
    expect(several.body).toContain(
      "Reports: your team hasn't had a chance to try it yet. It can help you share numbers.\n- Guide: https://r.example/r/abc\n",
    );
    expect(several.body).toContain(
      'Automation: your team has started exploring it but might not have had a chance to fully dive in yet. It can help you automate hand-offs.',
    );
    expect(several.body).not.toContain('spot trends early');
  });

  it('falls back from key_benefit to the category, then to a neutral phrase', () => {
    expect(keyBenefitFor('do X', 'analytics')).toBe('do X');
    expect(keyBenefitFor(null, 'Integrations')).toBe('connect the tools you already use and cut manual data entry');
    expect(keyBenefitFor('  ', null)).toBe('get more value from what you already have');
  });

  it('finds the links of a body for resources_shared', () => {
    expect(urlsIn('- A: https://a.example/x.\n- B: https://b.example/y, and https://a.example/x')).toEqual([
      'https://a.example/x',
      'https://b.example/y',
    ]);
  });
});
