import { checkStructure, parseIsoInstant, preview } from '../../adoption/model/input-checks';
import { InvalidMessageError, recordRejectedMessage, validateEmailDecision, validateRecovered, type EnablementState } from '../../workflows/messages';

/** Issue 8: the run's message validators on hostile payloads: no RangeError, short messages, dates that exist. */
function deep(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < levels; level += 1) value = { decision: value };
  return value;
}

const refusal = (validate: () => unknown): InvalidMessageError => {
  try {
    validate();
  } catch (error) {
    if (error instanceof InvalidMessageError) return error;
    throw error;
  }
  throw new Error('accepted');
};

it('JSON nested 100,000 deep is refused with a short message, not a RangeError', () => {
  const error = refusal(() => validateEmailDecision(deep(100_000)));
  expect(error.message).toBe('decision: must be one of approve, edit, reject, got an object');
  expect(refusal(() => validateRecovered({ featureId: deep(100_000), detectedAt: '2026-03-01T10:00:00Z' })).field).toBe('featureId');
  expect(checkStructure(deep(100_000), { maxDepth: 16, maxStringLength: 10, maxNodes: 1_000_000 })).toMatchObject({
    problem: 'is nested deeper than 16 levels',
  });
});

it('recovered accepts only dates that exist, with a zone, and only its two fields', () => {
  expect(validateRecovered({ featureId: 'a', detectedAt: '2026-02-28T10:00:00Z' })).toEqual({ featureId: 'a', detectedAt: '2026-02-28T10:00:00Z' });
  expect(validateRecovered({ featureId: 'a', detectedAt: '2028-02-29T23:59:59.999+05:30' }).detectedAt).toBe('2028-02-29T23:59:59.999+05:30');
  for (const detectedAt of [
    '2026-02-30T10:00:00Z',
    '9999-99-99T99:99Z',
    '2026-04-31T00:00Z',
    '2026-01-01T24:00Z',
    '0000-01-01T00:00Z',
    '2026-01-01',
    '2026-01-01T10:00',
  ]) {
    expect(refusal(() => validateRecovered({ featureId: 'a', detectedAt })).field).toBe('detectedAt');
  }
  expect(refusal(() => validateRecovered({ featureId: 'a', detectedAt: '2026-02-28T10:00:00Z', extra: 1 })).message).toBe(
    'extra: is not part of the recovered contract',
  );
  expect(refusal(() => validateRecovered({ featureId: 'a\u0000', detectedAt: '2026-02-28T10:00:00Z' })).message).toBe(
    'featureId: must not contain a NUL character',
  );
});

it('errors echo at most a 40-character prefix of the bad value', () => {
  const error = refusal(() => validateEmailDecision({ decision: 'z'.repeat(1_000_000), by: 'dana' }));
  expect(error.message.length).toBeLessThan(120);
  expect(preview('z'.repeat(41))).toBe(`"${'z'.repeat(40)}"… (41 characters)`);
  expect(refusal(() => validateEmailDecision({ decision: 'approve', by: 'd', ['k'.repeat(1000)]: 1 })).field).toBe(`${'k'.repeat(40)}…`);
  expect(refusal(() => validateEmailDecision({ decision: 'reject', by: 'd', reason: 'r'.repeat(2001) })).message).toBe(
    'reason: must be at most 2000 characters, got 2001',
  );
});

it('a run keeps the newest 20 rejected-message summaries and counts them all', () => {
  const state = { rejectedMessages: [], rejectedMessageCount: 0 } as unknown as EnablementState;
  for (let index = 0; index < 25; index += 1) recordRejectedMessage(state, 'emailDecision', new InvalidMessageError(`f${index}`, 'x'.repeat(5000)));
  expect(state.rejectedMessageCount).toBe(25);
  expect(state.rejectedMessages).toHaveLength(20);
  expect(state.rejectedMessages[0].field).toBe('f5');
  expect(state.rejectedMessages[19].error).toHaveLength(200);
});

it('parseIsoInstant: calendar, clock, zone and year range', () => {
  expect(parseIsoInstant('2026-03-31T21:59:59.999-02:00')).toEqual({ ok: true, iso: '2026-03-31T23:59:59.999Z' });
  expect(parseIsoInstant('2026-03-31', { allowDateOnly: true })).toEqual({ ok: true, iso: '2026-03-31T00:00:00.000Z' });
  expect(parseIsoInstant('1899-12-31T00:00:00Z')).toMatchObject({ ok: false, reason: 'has a year outside 1900-9999' });
  expect(parseIsoInstant('2026-03-31T10:00:00+19:00')).toMatchObject({ ok: false });
});
