import type { JsonValue } from './types';
import { exactReference, lookupPath, resolveTemplate, scanTemplate, toText } from './template';

/** The well-formed references in `text`, in order. */
const wellFormed = (text: string) =>
  scanTemplate(text)
    .filter((token) => token.error === undefined)
    .map(({ path, offset }) => ({ path, offset }));

const scope: Record<string, JsonValue> = {
  customer: { id: 'c-1', name: 'TechCorp', arr: 75000, csm: { name: 'Ana', email: null } },
  feature_id: 'analytics',
  feature_name: 'Analytics, Reports and Alerts',
  resources: [
    { title: 'Overview', url: 'https://t.example/1' },
    { title: 'Guide', url: 'https://t.example/2' },
  ],
  tags: ['a', 'b', 3],
  overall_adoption: 65,
  flag: false,
  nothing: null,
  steps: { draft: { draftId: 'd-9', nested: { list: [1, 2] } } },
};

describe('scanTemplate: well-formed references', () => {
  it('finds every reference with its offset, whitespace inside the braces allowed', () => {
    expect(wellFormed('Enable {{customer.name}} on {{ feature_name }}')).toEqual([
      { path: 'customer.name', offset: 7 },
      { path: 'feature_name', offset: 28 },
    ]);
  });

  it('ignores text without references and malformed ones', () => {
    expect(wellFormed('no references here')).toEqual([]);
    expect(wellFormed('{{}} {{ a..b }} {{#each x}} {{open')).toEqual([]);
  });

  it('accepts numeric segments for array elements', () => {
    expect(wellFormed('{{resources.0.url}}')).toEqual([{ path: 'resources.0.url', offset: 0 }]);
  });
});

describe('scanTemplate', () => {
  it('reports malformed tokens with a reason', () => {
    const tokens = scanTemplate('a {{ }} b {{customer..id}} c {{x');
    expect(tokens.map((token) => [token.offset, token.error !== undefined])).toEqual([
      [2, true],
      [10, true],
      [29, true],
    ]);
    expect(tokens[0].error).toMatch(/empty/);
    expect(tokens[2].error).toMatch(/closing/);
  });
});

describe('exactReference', () => {
  it('is the path only when the whole string is one reference', () => {
    expect(exactReference('{{customer.id}}')).toBe('customer.id');
    expect(exactReference('{{  customer.id  }}')).toBe('customer.id');
    expect(exactReference(' {{customer.id}}')).toBeUndefined();
    expect(exactReference('{{a}}{{b}}')).toBeUndefined();
    expect(exactReference('id: {{customer.id}}')).toBeUndefined();
  });
});

describe('lookupPath', () => {
  it('walks objects and arrays, and never reaches the prototype', () => {
    expect(lookupPath(scope, 'resources.1.title')).toBe('Guide');
    expect(lookupPath(scope, 'customer.missing')).toBeUndefined();
    expect(lookupPath(scope, 'resources.x')).toBeUndefined();
    expect(lookupPath(scope, 'customer.constructor')).toBeUndefined();
    expect(lookupPath(scope, 'feature_id.length')).toBeUndefined();
  });
});

describe('resolveTemplate', () => {
  it('keeps the type of an exact single reference', () => {
    expect(resolveTemplate('{{customer.arr}}', scope)).toBe(75000);
    expect(resolveTemplate('{{resources}}', scope)).toEqual(scope.resources);
    expect(resolveTemplate('{{flag}}', scope)).toBe(false);
    expect(resolveTemplate('{{ steps.draft.nested }}', scope)).toEqual({ list: [1, 2] });
  });

  it('gives null for an exact reference to nothing', () => {
    expect(resolveTemplate('{{customer.missing}}', scope)).toBeNull();
    expect(resolveTemplate('{{nothing}}', scope)).toBeNull();
  });

  it('interpolates inside text: arrays joined with ", ", objects as JSON, null and missing as empty', () => {
    expect(resolveTemplate('Enable {{customer.name}} on {{feature_name}}', scope)).toBe('Enable TechCorp on Analytics, Reports and Alerts');
    expect(resolveTemplate('tags: {{tags}}', scope)).toBe('tags: a, b, 3');
    expect(resolveTemplate('csm: {{customer.csm}}', scope)).toBe('csm: {"name":"Ana","email":null}');
    expect(resolveTemplate('[{{nothing}}][{{missing.path}}]', scope)).toBe('[][]');
    expect(resolveTemplate('{{overall_adoption}}%', scope)).toBe('65%');
    expect(resolveTemplate('{{flag}}!', scope)).toBe('false!');
  });

  it('resolves recursively through arrays and objects, leaving keys and non-strings alone', () => {
    const value: JsonValue = {
      customer_id: '{{customer.id}}',
      '{{not_a_key}}': 1,
      list: ['{{feature_id}}', 'x {{feature_id}}', 2, null, true],
      nested: { arr: '{{customer.arr}}' },
    };
    expect(resolveTemplate(value, scope)).toEqual({
      customer_id: 'c-1',
      '{{not_a_key}}': 1,
      list: ['analytics', 'x analytics', 2, null, true],
      nested: { arr: 75000 },
    });
  });

  it('leaves malformed tokens as written rather than dropping text', () => {
    expect(resolveTemplate('a {{ }} b {{feature_id}}', scope)).toBe('a {{ }} b analytics');
    expect(resolveTemplate('unclosed {{feature_id', scope)).toBe('unclosed {{feature_id');
  });

  it('does not mutate the scope or the value', () => {
    const value: JsonValue = { list: ['{{feature_id}}'] };
    const before = JSON.stringify([value, scope]);
    resolveTemplate(value, scope);
    expect(JSON.stringify([value, scope])).toBe(before);
  });
});

describe('toText', () => {
  it('formats nested arrays element by element', () => {
    expect(toText([['a', 'b'], { x: 1 }, null])).toBe('a, b, {"x":1}, ');
  });
});
