import { UsageLineError, parseInstant, parseUsageEvent } from '../../adoption/ingest/usage-event';
import { splitCsvLine } from '../../adoption/ingest/usage-lines';

const CUSTOMER = '6f1c2a8e-4b7d-4e21-9a3f-0c5d8e7b1a01';

describe('parseInstant', () => {
  it('accepts ISO-8601 with Z, offsets (with or without colon), fractions, and no zone as UTC', () => {
    expect(parseInstant('2026-03-31T23:59:59.999Z')).toBe('2026-03-31T23:59:59.999Z');
    expect(parseInstant('2026-03-31T21:59:59.999-02:00')).toBe('2026-03-31T23:59:59.999Z');
    expect(parseInstant('2026-04-01T01:00:00+0100')).toBe('2026-04-01T00:00:00.000Z');
    expect(parseInstant('2026-03-31T10:00:00')).toBe('2026-03-31T10:00:00.000Z');
    expect(parseInstant('2026-03-31 10:00')).toBe('2026-03-31T10:00:00.000Z');
    expect(parseInstant('2026-03-31')).toBe('2026-03-31T00:00:00.000Z');
    expect(parseInstant('2026-03-31T10:00:00.123456Z')).toBe('2026-03-31T10:00:00.123Z');
  });

  it('rejects impossible dates and times instead of rolling them over', () => {
    expect(() => parseInstant('2026-02-30T10:00:00Z')).toThrow('no such date');
    expect(() => parseInstant('2026-13-01T10:00:00Z')).toThrow('no such date');
    expect(() => parseInstant('2026-03-31T24:00:00Z')).toThrow('no such time');
    expect(() => parseInstant('31/03/2026')).toThrow(UsageLineError);
    expect(() => parseInstant(1711929600000)).toThrow('must be an ISO-8601 timestamp');
  });
});

describe('parseUsageEvent', () => {
  const base = { customerId: CUSTOMER, featureId: 'analytics', event: 'used', occurredAt: '2026-03-31T10:00:00Z' };

  it('keys an event by its eventId, or by a digest of all its fields (the same instant written differently is the same event)', () => {
    expect(parseUsageEvent({ ...base, eventId: 'e-1' }).key).toBe(`id:${CUSTOMER}:e-1`);
    const a = parseUsageEvent(base);
    const b = parseUsageEvent({ ...base, occurredAt: '2026-03-31T12:00:00+02:00' });
    const c = parseUsageEvent({ ...base, userId: 'u2' });
    expect(a.key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.key).toBe(a.key);
    expect(c.key).not.toBe(a.key);
  });

  it('defaults count to 1, accepts numeric strings from CSV, and names the bad field', () => {
    expect(parseUsageEvent(base)).toMatchObject({ count: 1, userId: null });
    expect(parseUsageEvent({ ...base, count: '3', userId: 42 })).toMatchObject({ count: 3, userId: '42' });
    expect(() => parseUsageEvent({ ...base, count: 0 })).toThrow(/^count:/);
    expect(() => parseUsageEvent({ ...base, count: 1.5 })).toThrow(/^count:/);
    expect(() => parseUsageEvent({ ...base, event: 'clicked' })).toThrow(/^event:/);
    expect(() => parseUsageEvent({ ...base, customerId: 'acme' })).toThrow(/^customerId:/);
    expect(() => parseUsageEvent({ ...base, featureId: '' })).toThrow(/^featureId:/);
    expect(() => parseUsageEvent([base])).toThrow('not a JSON object');
  });
});

describe('splitCsvLine', () => {
  it('handles quoted fields with commas and doubled quotes', () => {
    expect(splitCsvLine('a,"b, c","say ""hi""",')).toEqual(['a', 'b, c', 'say "hi"', '']);
    expect(() => splitCsvLine('a,"open')).toThrow('unterminated quoted field');
  });
});
